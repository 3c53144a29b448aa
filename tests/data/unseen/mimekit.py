"""Small MIME writer for the unseen corpus: byte-exact control over charsets, transfer
encodings, boundaries and header order, so messages look like their real clients' output.

Written for tests/data/unseen/make_unseen.py only; it knows nothing of mailflow.
"""

from __future__ import annotations

import base64
import binascii
import io
import random
import textwrap
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.header import Header
from email.utils import format_datetime

TOKEN_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # 0-9a-z without i, l, o, u
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
FIXED_ZIP_TIME = (2027, 3, 1, 9, 0, 0)

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def make_token(rng: random.Random) -> str:
    return "".join(rng.choice(TOKEN_ALPHABET) for _ in range(8))


def nip_checksum(first9: str) -> int:
    return sum(int(d) * w for d, w in zip(first9, NIP_WEIGHTS, strict=True)) % 11


def make_nip(rng: random.Random) -> str:
    while True:
        first9 = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        c = nip_checksum(first9)
        if c != 10:
            return first9 + str(c)


def nip_valid(nip: str) -> bool:
    d = "".join(ch for ch in nip if ch.isdigit())
    return len(d) == 10 and nip_checksum(d[:9]) == int(d[9])


def fmt_nip(nip: str, style: int) -> str:
    if style == 1:
        return f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
    if style == 2:
        return f"{nip[:3]}-{nip[3:5]}-{nip[5:7]}-{nip[7:]}"
    if style == 3:
        return "PL" + nip
    return nip


def D(x: str | int) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def gross_of(net: Decimal, rate: int) -> Decimal:
    return (net * (100 + rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _group(intpart: str, sep: str) -> str:
    out: list[str] = []
    while len(intpart) > 3:
        out.insert(0, intpart[-3:])
        intpart = intpart[:-3]
    out.insert(0, intpart)
    return sep.join(out)


def pl(d: Decimal, sep: str = " ", cents: bool = True) -> str:
    """Polish: 12 300,00 (sep may be ' ', NBSP, '.', or '')."""
    ip, fp = f"{d:.2f}".split(".")
    s = _group(ip, sep)
    return f"{s},{fp}" if cents else s


def en(d: Decimal, cents: bool = True) -> str:
    ip, fp = f"{d:.2f}".split(".")
    s = _group(ip, ",")
    return f"{s}.{fp}" if cents else s


def s2(d: Decimal | None) -> str | None:
    return None if d is None else f"{d:.2f}"


# ---------------------------------------------------------------- dates


def dt(month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    tz = CEST if (month > 3 or (month == 3 and day >= 28)) else CET
    return datetime(2027, month, day, hour, minute, second, tzinfo=tz)


def rfc_date(d: datetime) -> str:
    return format_datetime(d)


def stamp(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y%m%d%H%M%S")


PL_DAYS = ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"]
PL_DAYS_SHORT = ["pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."]
PL_MONTHS_GEN = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
]
PL_MONTHS_NOM = [
    "styczeń",
    "luty",
    "marzec",
    "kwiecień",
    "maj",
    "czerwiec",
    "lipiec",
    "sierpień",
    "wrzesień",
    "październik",
    "listopad",
    "grudzień",
]
PL_MONTHS_SHORT = [
    "sty",
    "lut",
    "mar",
    "kwi",
    "maj",
    "cze",
    "lip",
    "sie",
    "wrz",
    "paź",
    "lis",
    "gru",
]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# ---------------------------------------------------------------- headers


def hdr(value: str, charset: str = "utf-8") -> str:
    """Encoded-word form if non-ASCII, else as is."""
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        return Header(value, charset, maxlinelen=76).encode(linesep="\n")


def addr(name: str | None, email: str, charset: str = "utf-8", quote: bool = False) -> str:
    if not name:
        return email
    try:
        name.encode("ascii")
        shown = f'"{name}"' if (quote or any(c in name for c in ",.;:()")) else name
    except UnicodeEncodeError:
        shown = Header(name, charset).encode()
    return f"{shown} <{email}>"


def fold(name: str, value: str) -> str:
    line = f"{name}: {value}"
    if len(line) <= 78 or "=?" in value or "\n" in value:
        return line
    # fold at spaces
    words = line.split(" ")
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > 76:
            lines.append(cur)
            cur = " " + w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return "\n".join(lines)


# ---------------------------------------------------------------- bodies


def encode_body(raw: bytes, cte: str) -> bytes:
    if cte == "quoted-printable":
        return binascii.b2a_qp(raw, istext=True)
    if cte == "base64":
        return base64.encodebytes(raw)
    return raw


class Part:
    """A leaf or multipart MIME entity rendered to bytes."""

    def __init__(self, headers: list[tuple[str, str]], body: bytes):
        self.headers = headers
        self.body = body

    def render(self) -> bytes:
        head = "\n".join(fold(k, v) for k, v in self.headers)
        body = self.body if self.body.endswith(b"\n") else self.body + b"\n"
        return head.encode("ascii", "surrogateescape") + b"\n\n" + body


def text_part(
    text: str,
    subtype: str = "plain",
    charset: str | None = "utf-8",
    cte: str = "quoted-printable",
    encode_as: str | None = None,
    flowed: bool = False,
    delsp: bool = False,
    extra: list[tuple[str, str]] | None = None,
    label: bool = True,
) -> Part:
    """encode_as: the charset the bytes are really in (for deliberately wrong labels)."""
    # a real client that cannot encode a character in the chosen charset writes '?'
    raw = text.encode(encode_as or charset or "utf-8", errors="replace")
    ctype = f"text/{subtype}"
    if charset and label:
        ctype += f'; charset="{charset}"' if subtype == "html" else f"; charset={charset}"
    if flowed:
        ctype += "; format=flowed"
        if delsp:
            ctype += "; delsp=yes"
    headers = [("Content-Type", ctype), ("Content-Transfer-Encoding", cte)]
    if extra:
        headers += extra
    return Part(headers, encode_body(raw, cte))


def bin_part(
    data: bytes,
    ctype: str,
    filename: str,
    style: str = "rfc2231",
    inline: bool = False,
    extra: list[tuple[str, str]] | None = None,
) -> Part:
    try:
        filename.encode("ascii")
        fn_ct = f'; name="{filename}"'
        fn_cd = f'; filename="{filename}"'
    except UnicodeEncodeError:
        enc = Header(filename, "utf-8").encode()
        from urllib.parse import quote

        if style == "rfc2231":
            fn_ct = f'; name="{enc}"'
            fn_cd = f"; filename*=UTF-8''{quote(filename)}"
        else:  # Outlook style: encoded-word in both
            fn_ct = f'; name="{enc}"'
            fn_cd = f'; filename="{enc}"'
    disp = "inline" if inline else "attachment"
    headers = [
        ("Content-Type", f"{ctype}{fn_ct}"),
        ("Content-Disposition", f"{disp}{fn_cd}"),
        ("Content-Transfer-Encoding", "base64"),
    ]
    if extra:
        headers += extra
    return Part(headers, base64.encodebytes(data))


def multipart(subtype: str, parts: list[Part], boundary: str, params: str = "") -> Part:
    body = b""
    for p in parts:
        body += f"--{boundary}\n".encode() + p.render() + b"\n"
    body += f"--{boundary}--\n".encode()
    return Part([("Content-Type", f'multipart/{subtype};{params} boundary="{boundary}"')], body)


def raw_part(ctype: str, body: str | bytes, extra: list[tuple[str, str]] | None = None) -> Part:
    b = body.encode("utf-8") if isinstance(body, str) else body
    headers = [("Content-Type", ctype)] + (extra or [])
    return Part(headers, b)


def message(
    headers: list[tuple[str, str]], body: Part, crlf: bool = False, mime: bool = True
) -> bytes:
    allh = list(headers)
    if mime:
        allh.append(("MIME-Version", "1.0"))
    allh += body.headers
    out = Part(allh, body.body).render()
    if crlf:
        out = out.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return out


def flow(text: str, width: int = 72) -> str:
    """format=flowed: soft breaks end with a space; quoted lines keep their '>' prefix."""
    out: list[str] = []
    for line in text.split("\n"):
        prefix = ""
        rest = line
        while rest.startswith(">"):
            prefix += ">"
            rest = rest[1:]
        if prefix and rest.startswith(" "):
            prefix += " "
            rest = rest[1:]
        if len(line) <= width or line.startswith("-- "):
            out.append(line)
            continue
        wrapped = textwrap.wrap(rest, width - len(prefix), break_long_words=False)
        for i, w in enumerate(wrapped):
            out.append(prefix + w + (" " if i < len(wrapped) - 1 else ""))
    return "\n".join(out)


def quote_lines(text: str, prefix: str = "> ") -> str:
    return "\n".join((prefix + ln) if ln else prefix.rstrip() for ln in text.split("\n"))


def html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def normalize_zip(data: bytes, transform: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps (deterministic output) and optional member edits."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if transform and info.filename in transform:
                content = transform[info.filename]
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content)
    return out.getvalue()
