"""Did our own receiving server vouch for the From domain? Authentication-Results, RFC 8601.

Anybody can write an Authentication-Results header into a message; only the one added by the
server we trust (its authserv-id, configured) says anything. The header is parsed into
method=result with its properties by ``authres`` (RFC 8601's grammar: comments and quoted
strings are not results), never searched as text: ``dkim=pass header.d=um.example.pl``
inside a comment or a quoted ``smtp.mailfrom`` is no pass.

A message is authenticated for a From domain when our server says ``dmarc=pass`` with
``header.from`` equal to that domain, or ``dkim=pass`` with a signing domain aligned with it
(equal, or its parent in relaxed alignment), and nothing our server wrote says ``dmarc=fail``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import authres

# Real headers are a few hundred bytes; authres' parser is quadratic on long input, so a
# longer one is not parsed at all (and so vouches for nothing).
MAX_HEADER = 8 * 1024


@dataclass(frozen=True)
class Result:
    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)  # "header.d" -> "um.example.pl"


@dataclass(frozen=True)
class Verdict:
    authenticated: bool
    why: str  # for the log and the quarantine reason's details


def parse(value: str) -> tuple[str, list[Result]] | None:
    """(authserv-id, results) of one header value, or None when it is not RFC 8601."""
    if len(value) > MAX_HEADER:
        return None
    try:
        header = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
    except (authres.AuthResError, SyntaxError, RecursionError, ValueError, IndexError):
        return None
    results = []
    for r in header.results:
        props = {f"{p.type}.{p.name}".lower(): str(p.value).lower() for p in r.properties}
        results.append(Result(str(r.method).lower(), str(r.result).lower(), props))
    return str(header.authserv_id).lower(), results


def trusted_results(values: Iterable[str], authserv_id: str) -> list[Result]:
    """The results our server wrote: headers whose authserv-id is ours, in any position."""
    wanted = authserv_id.strip().lower()
    found: list[Result] = []
    for value in values:
        parsed = parse(value)
        if parsed is not None and parsed[0] == wanted:
            found.extend(parsed[1])
    return found


def _aligned(signing: str, from_domain: str) -> bool:
    signing = signing.lstrip("@").rpartition("@")[2]
    if signing == from_domain:
        return True
    # Relaxed alignment: a signature of the parent domain covers its subdomains; a bare
    # public suffix ("pl") never counts.
    return "." in signing and from_domain.endswith("." + signing)


def verdict(values: Iterable[str], authserv_id: str, from_domain: str) -> Verdict:
    """Whether our server vouches for ``from_domain`` in these Authentication-Results values."""
    domain = from_domain.strip().lower()
    results = trusted_results(values, authserv_id)
    if not results:
        return Verdict(False, f"no Authentication-Results from {authserv_id}")
    if any(r.method == "dmarc" and r.result == "fail" for r in results):
        return Verdict(False, "dmarc=fail")
    for r in results:
        if r.method == "dmarc" and r.result == "pass" and r.properties.get("header.from") == domain:
            return Verdict(True, f"dmarc=pass header.from={domain}")
    for r in results:
        signing = r.properties.get("header.d") or r.properties.get("header.i") or ""
        if r.method == "dkim" and r.result == "pass" and _aligned(signing, domain):
            return Verdict(True, f"dkim=pass header.d={signing}")
    return Verdict(False, f"no aligned dkim or dmarc pass for {domain}")
