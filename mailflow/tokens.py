"""Correlation tokens, the subject tag and our Message-IDs (see docs/contracts.md).

Every e-mail mailflow sends carries its own random token in three places: the reply address
(``ankieta+TOKEN@domain``), the subject tag ``[IN13-<year>-<CODE>-<token>]`` and the Message-ID
``<IN13-<year>-<CODE>-<token>.<UTC yyyymmddHHMMSS>@<domain>>``. A reply can carry the token in
any of them, so all three are recognised here by plain functions.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

# Letters that are easy to misread (i l o u) are left out, so a person can retype a token.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
TOKEN_LENGTH = 8
# Document codes of the subject tag, by what the message is about.
CODES = ("ZO", "POR", "KW", "WYN", "REA", "ZAG", "AUD")

_TOKEN = r"[0-9a-hjkmnp-tv-z]{8,16}"
TAG_RE = re.compile(rf"\[IN13-(\d{{4}})-([A-Z]{{2,4}})-({_TOKEN})\]", re.IGNORECASE)
MESSAGE_ID_RE = re.compile(
    rf"<?IN13-(\d{{4}})-([A-Z]{{2,4}})-({_TOKEN})\.(\d{{14}})@([^>\s]+)>?", re.IGNORECASE
)


def new_token(length: int = TOKEN_LENGTH) -> str:
    """A fresh random token (8 characters by default, never fewer)."""
    if not 8 <= length <= 16:
        raise ValueError("tokens are 8 to 16 characters long")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def is_token(text: str) -> bool:
    return re.fullmatch(_TOKEN, text) is not None


@dataclass(frozen=True)
class Tag:
    year: int
    code: str
    token: str


def subject_tag(year: int, code: str, token: str) -> str:
    return f"[IN13-{year}-{code}-{token}]"


def find_tag(text: str) -> Tag | None:
    """The first subject tag in ``text`` (a subject, or a quoted header in a body)."""
    m = TAG_RE.search(text or "")
    if not m:
        return None
    return Tag(int(m.group(1)), m.group(2).upper(), m.group(3).lower())


def make_message_id(year: int, code: str, token: str, domain: str, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"<IN13-{year}-{code}-{token}.{stamp}@{domain}>"


def find_message_id_tags(text: str) -> list[Tag]:
    """Every one of our Message-IDs in a header value such as References."""
    return [
        Tag(int(m.group(1)), m.group(2).upper(), m.group(3).lower())
        for m in MESSAGE_ID_RE.finditer(text or "")
    ]


def plus_address(from_address: str, token: str) -> str:
    """``ankieta@um.example.pl`` + token -> ``ankieta+token@um.example.pl``."""
    local, _, domain = from_address.partition("@")
    return f"{local}+{token}@{domain}"


def token_from_address(address: str, from_address: str) -> str | None:
    """The token of a plus-address of our own mailbox, or None for any other address."""
    local, _, domain = (address or "").strip().strip("<>").lower().partition("@")
    own_local, _, own_domain = from_address.lower().partition("@")
    base, plus, detail = local.partition("+")
    if domain != own_domain or base != own_local or not plus:
        return None
    return detail if is_token(detail) else None


# --- masking: a token is a capability, so no page, API answer or download shows it ----------

MASK = "•" * 6


def mask(token: str, filler: str = MASK) -> str:
    """``k3m9x2qa`` -> ``k3••••••``: enough to tell e-mails apart, nothing to act with."""
    return token[:2] + filler if token else token


def _masking_pattern(own_address: str) -> re.Pattern[str]:
    local = re.escape(own_address.partition("@")[0] or "ankieta")
    return re.compile(
        rf"(?P<lead>\bIN13-\d{{4}}-[A-Z]{{2,4}}-|\b{local}\+)(?P<token>{_TOKEN})(?![0-9a-z])",
        re.IGNORECASE,
    )


def mask_tokens(text: str, own_address: str, filler: str = MASK) -> str:
    """Every token of ours in ``text`` masked: in subject tags, Message-IDs and plus-addresses."""
    pattern = _masking_pattern(own_address)
    return pattern.sub(lambda m: m.group("lead") + mask(m.group("token"), filler), text)
