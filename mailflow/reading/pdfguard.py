"""Bounds on what pdfminer unpacks and builds while one PDF attachment is read.

A PDF of a few KB can hold a content stream that inflates to gigabytes (a Flate bomb), or one
page that draws two million glyphs, each of which pdfminer turns into a Python object (84 s
and 4.7 GB before these bounds). pdfminer has no limits of its own, so:

- its stream decoders are wrapped here: every stream it unpacks counts against a budget
  (per stream and per document) while it is being unpacked, never after;
- its byte-at-a-time repair of a corrupted Flate stream (quadratic) is replaced by a linear
  one;
- each page is laid out by :class:`BoundedAggregator`, which stops the page at a number of
  drawn objects (glyphs, paths, images) before they fill memory;
- page content is parsed by :class:`BoundedContentParser`, which stops the document at a
  number of tokens, so content that draws nothing cannot keep the reader busy either.

Outside :func:`budget` nothing is limited, so other users of pdfminer are not affected.
"""

from __future__ import annotations

import contextlib
import contextvars
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pdfminer.pdfinterp
import pdfminer.pdftypes
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfinterp import PDFContentParser
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

CHUNK = 1024 * 1024
RUN_LENGTH_RATIO = 64  # 2 bytes of RunLengthDecode give at most 128


class StreamTooLarge(Exception):
    """A stream unpacks to more than the budget allows."""

    def __init__(self, limit: int, per_stream: bool) -> None:
        super().__init__(limit, per_stream)
        self.limit = limit
        self.per_stream = per_stream


class PageTooBusy(Exception):
    """A page draws more objects than the budget allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class ContentTooLong(Exception):
    """The pages' content holds more operators and operands than the budget allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass
class Budget:
    max_stream_bytes: int
    max_total_bytes: int
    max_tokens: int = 10**12
    unpacked: int = 0
    tokens: int = 0

    def take(self, size: int, so_far: int) -> None:
        """Count ``size`` more bytes of a stream that had ``so_far`` bytes already."""
        if so_far + size > self.max_stream_bytes:
            raise StreamTooLarge(self.max_stream_bytes, per_stream=True)
        self.unpacked += size
        if self.unpacked > self.max_total_bytes:
            raise StreamTooLarge(self.max_total_bytes, per_stream=False)


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("pdf_budget", default=None)


@contextlib.contextmanager
def budget(max_stream_bytes: int, max_total_bytes: int, max_tokens: int) -> Iterator[Budget]:
    """Limit what pdfminer unpacks and interprets in this block (this thread or task only)."""
    current = Budget(max_stream_bytes, max_total_bytes, max_tokens)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


INPUT_SLICE = 64 * 1024


def _inflate(data: bytes, tolerate_errors: bool) -> bytes:
    """Flate-decode ``data`` in bounded chunks; with ``tolerate_errors``, keep what came out.

    What a damaged stream holds before the damage is kept the way pdfminer's repair keeps it,
    byte by byte, but only over the one slice of input where the damage is.
    """
    limit = _current.get()
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    size = 0

    def feed(piece: bytes) -> None:
        nonlocal size
        while piece and not inflater.eof:
            chunk = inflater.decompress(piece, CHUNK)
            piece = inflater.unconsumed_tail
            if limit is not None:
                limit.take(len(chunk), size)
            size += len(chunk)
            out.append(chunk)
            if not chunk and piece:
                break

    for start in range(0, len(data), INPUT_SLICE):
        piece = data[start : start + INPUT_SLICE]
        saved, kept = inflater.copy(), (len(out), size)
        try:
            feed(piece)
        except zlib.error:
            if not tolerate_errors:
                raise
            inflater = saved
            del out[kept[0] :]
            size = kept[1]
            try:
                for at in range(len(piece)):
                    feed(piece[at : at + 1])
            except zlib.error:
                pass
            break
        if inflater.eof:
            break
    return b"".join(out)


class _BoundedZlib:
    """What pdfminer's stream decoder sees as ``zlib``: the same, bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args: Any) -> bytes:
        return _inflate(data, tolerate_errors=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _repair_inflate(data: bytes) -> bytes:
    """pdfminer's ``decompress_corrupted``: what a damaged stream holds before the damage.

    pdfminer's own feeds the inflater one byte at a time and appends each piece to a bytes
    object, which is quadratic in the output.
    """
    return _inflate(data, tolerate_errors=True)


def _lzw(data: bytes) -> bytes:
    limit = _current.get()
    out: list[bytes] = []
    size = 0
    for piece in LZWDecoder(BytesIO(data)).run():
        if limit is not None:
            limit.take(len(piece), size)
        size += len(piece)
        out.append(piece)
    return b"".join(out)


_run_length = pdfminer.pdftypes.rldecode


def _rldecode(data: bytes) -> bytes:
    limit = _current.get()
    if limit is not None:
        limit.take(len(data) * RUN_LENGTH_RATIO, 0)
    return _run_length(data)


class BoundedContentParser(PDFContentParser):
    """pdfminer's page content parser, counting every token against the budget.

    pdfminer interprets about 150 000 tokens a second: a small stream of "q Q" operators
    that unpacks to 20 MB would keep one page busy for a minute while drawing nothing.
    """

    def nexttoken(self) -> Any:
        limit = _current.get()
        if limit is not None:
            limit.tokens += 1
            if limit.tokens > limit.max_tokens:
                raise ContentTooLong(limit.max_tokens)
        return super().nexttoken()


def install() -> None:
    """Put the bounded decoders and parser in pdfminer's modules (idempotent)."""
    module: Any = pdfminer.pdftypes
    module.zlib = _BoundedZlib()
    module.decompress_corrupted = _repair_inflate
    module.lzwdecode = _lzw
    module.rldecode = _rldecode
    interpreter: Any = pdfminer.pdfinterp
    interpreter.PDFContentParser = BoundedContentParser


class BoundedAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's page aggregator, stopping after ``max_objects`` drawn objects."""

    def __init__(self, *args: Any, max_objects: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_objects = max_objects
        self.objects = 0

    def _count(self) -> None:
        self.objects += 1
        if self.objects > self.max_objects:
            raise PageTooBusy(self.max_objects)

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self._count()
        return float(super().render_char(*args, **kwargs))

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        self._count()
        super().paint_path(*args, **kwargs)

    def render_image(self, *args: Any, **kwargs: Any) -> None:
        self._count()
        super().render_image(*args, **kwargs)


def lay_out(page: Any, max_objects: int) -> None:
    """Lay out a pdfplumber page under the object bound; its text is then read as usual.

    pdfplumber caches a page's layout in ``_layout``; filling that cache with a bounded
    aggregator is the one way in without copying pdfplumber's page code.
    """
    from pdfminer.pdfinterp import PDFPageInterpreter

    device = BoundedAggregator(
        page.pdf.rsrcmgr,
        pageno=page.page_number,
        laparams=page.pdf.laparams,
        max_objects=max_objects,
    )
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()


install()
