"""HTML mail bodies as plain text, for messages that have no text/plain part.

The HTML is first sanitised with nh3 (scripts, styles and everything unknown dropped), then
walked with the standard library parser. Block elements become line breaks, list items
bullets, table cells tab-separated, and ``<blockquote>`` content is prefixed with ``> `` so
that quoted history in HTML is separated exactly like quoted history in plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_KEPT_TAGS = {
    "a", "b", "blockquote", "br", "div", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_BLOCK_TAGS = {
    "blockquote", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
    "table", "tr", "ul",
}  # fmt: skip
_WORD_HTML = re.compile(r"class=\"?MsoNormal|urn:schemas-microsoft-com:office:word", re.I)
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"}
# Quotes deeper than this are shown this deep: nobody reads the 30th level of a thread, and
# a prefix that grows with the depth makes thousands of nested quotes quadratic in size.
MAX_QUOTE_PREFIX = 20
_SPACES = re.compile(r"[ \t\r\n]+")
# The HTML sanitiser takes time quadratic in the depth of nested elements (20 000 nested
# <blockquote> took 5 s), so elements deeper than this lose their tags, not their text.
MAX_NESTING = 200
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,30})(?=[\s/>])[^<>]*>")
# Elements without content, and those a browser closes by itself: never nested in practice.
_NOT_NESTING = {
    "area", "base", "br", "col", "dd", "dt", "embed", "hr", "img", "input", "li", "link",
    "meta", "option", "p", "param", "source", "td", "th", "tr", "track", "wbr",
}  # fmt: skip


class _TextBuilder(HTMLParser):
    def __init__(self, paragraph_gap: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraph_gap = paragraph_gap
        self.lines: list[str] = []
        # The line being built, in pieces joined once: adding to one string copies it each
        # time, and a line of many small inline elements is then quadratic.
        self.current: list[str] = []
        self.has_text = False  # whether ``current`` holds more than white space
        self.quote_depth = 0
        # For each open element, whether it is a blockquote, so its end tag closes the quote.
        self.open_quotes: list[bool] = []

    def _prefix(self) -> str:
        return "> " * min(self.quote_depth, MAX_QUOTE_PREFIX)

    def _start_line(self, text: str = "") -> None:
        self.current = [text] if text else []
        self.has_text = bool(text.strip())

    def _break(self) -> None:
        self.lines.append(self._prefix() + "".join(self.current).strip())
        self._start_line()

    def _last_line_has_text(self) -> bool:
        return bool(self.lines) and bool(self.lines[-1].strip("> "))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS and self.has_text:
            self._break()
        if tag == "br":
            self._break()
        elif tag == "li":
            self._start_line("• ")
        elif tag in ("td", "th") and self.has_text:
            self.current.append("\t")
        if tag in ("br", "hr"):
            return
        self.open_quotes.append(tag == "blockquote")
        if tag == "blockquote":
            self.quote_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and not self.has_text and self._last_line_has_text():
            # An empty paragraph is how Outlook writes a blank line.
            self.lines.append(self._prefix())
            self._start_line()
        if tag in _BLOCK_TAGS and self.has_text:
            self._break()
        gap = self.paragraph_gap or tag != "p"
        if gap and tag in _PARAGRAPH_TAGS and self._last_line_has_text():
            # A blank line after a paragraph, as a text/plain part would have it: the quote
            # and signature separation look for paragraph boundaries.
            self.lines.append(self._prefix())
        if tag in ("br", "hr") or not self.open_quotes:
            return
        if self.open_quotes.pop():
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        piece = _SPACES.sub(" ", data)
        self.current.append(piece)
        self.has_text = self.has_text or bool(piece.strip())

    def text(self) -> str:
        if self.has_text:
            self._break()
        text = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _flatten_deep(html: str) -> str:
    """``html`` without the tags of elements nested deeper than :data:`MAX_NESTING`."""
    depth = 0
    deepest = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() not in _NOT_NESTING:
            depth = max(0, depth - 1) if match.group(1) else depth + 1
            deepest = max(deepest, depth)
    if deepest <= MAX_NESTING:
        return html
    pieces: list[str] = []
    position = depth = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() in _NOT_NESTING:
            continue
        closing = bool(match.group(1))
        if (depth > MAX_NESTING) if closing else (depth >= MAX_NESTING):
            pieces.append(html[position : match.start()])
            position = match.end()
        depth = max(0, depth - 1) if closing else depth + 1
    pieces.append(html[position:])
    return "".join(pieces)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body (sanitised first; no script or style text)."""
    clean = nh3.clean(
        _flatten_deep(html),
        tags=_KEPT_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        attributes={},
        strip_comments=True,
    )
    # Word-generated HTML (Outlook) sets paragraph margins to zero: each <p> is one line and
    # blank lines are explicit empty paragraphs. Elsewhere a paragraph ends with a gap.
    builder = _TextBuilder(paragraph_gap=not _WORD_HTML.search(html))
    builder.feed(clean)
    builder.close()
    return builder.text()
