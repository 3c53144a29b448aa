"""Every message of the dev corpus, read and compared with expected.json.

Two paths: through ``mailflow.mail.parse.parse_message`` (the daemon's path, all 40 messages)
when it is importable, and through the stdlib fallback reader (replies only: automatic
replies and bounces never reach the reply reader). Besides the exact match, the rule that
matters most is checked on its own: no value differs from expected with needs_review false.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mailflow.reading import Decision, Progress, Quote, read_reply
from mailflow.reading.simple_eml import reply_from_bytes

CORPUS = Path(__file__).resolve().parent / "data" / "dev"
EXPECTED: list[dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))
QUOTE_FIELDS = ("net", "gross", "vat_rate", "currency", "vendor_nip", "source", "valid_until")


@dataclass
class Outcome:
    kind: str
    needs_review: bool
    quote: Quote | None
    decision: Decision | None
    progress: Progress | None
    reasons: list[str]


def via_fallback(raw: bytes) -> Outcome:
    reading = read_reply(reply_from_bytes(raw))
    return Outcome(
        reading.kind,
        reading.needs_review,
        reading.quote,
        reading.decision,
        reading.progress,
        reading.reasons,
    )


def via_mail_parser(raw: bytes) -> Outcome:
    parse = pytest.importorskip("mailflow.mail.parse")
    parsed = parse.parse_message(raw)
    return Outcome(
        parsed.kind,
        parsed.needs_review,
        parsed.quote,
        parsed.decision,
        parsed.progress,
        parsed.reasons,
    )


def observed(outcome: Outcome, expected: dict[str, Any]) -> dict[str, Any]:
    """The fields expected.json states for this message, as read."""
    got: dict[str, Any] = {"kind": outcome.kind, "needs_review": outcome.needs_review}
    quote = outcome.quote.to_json() if outcome.quote else {}
    for name in QUOTE_FIELDS:
        if name in expected:
            got[name] = quote.get(name)
    if "verdict" in expected:
        got["verdict"] = outcome.decision.verdict if outcome.decision else None
    if "comment" in expected:
        got["comment"] = outcome.decision.comment if outcome.decision else None
    if "progress" in expected:
        got["progress"] = outcome.progress.to_json() if outcome.progress else None
    return got


def mismatches(got: dict[str, Any], expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    also_ok = expected.get("also_ok", {})
    bad = {
        name: (value, expected[name])
        for name, value in got.items()
        if value != expected[name] and value not in also_ok.get(name, [])
    }
    alternatives = expected.get("alternatives")
    if alternatives and {"net", "gross"} & bad.keys():
        pair = {"net": got.get("net"), "gross": got.get("gross")}
        if pair in alternatives:
            bad.pop("net", None)
            bad.pop("gross", None)
    return bad


def _cases(replies_only: bool) -> list[Any]:
    return [
        pytest.param(case, id=case["file"][:2])
        for case in EXPECTED
        if not (replies_only and case["kind"] in ("auto_reply", "bounce"))
    ]


@pytest.mark.parametrize("case", _cases(replies_only=False))
def test_it_reads_each_corpus_message_through_the_mail_parser(case: dict[str, Any]) -> None:
    outcome = via_mail_parser((CORPUS / case["file"]).read_bytes())
    assert mismatches(observed(outcome, case), case) == {}, outcome.reasons


@pytest.mark.parametrize("case", _cases(replies_only=True))
def test_it_reads_each_corpus_reply_through_the_fallback_reader(case: dict[str, Any]) -> None:
    outcome = via_fallback((CORPUS / case["file"]).read_bytes())
    assert mismatches(observed(outcome, case), case) == {}, outcome.reasons


@pytest.mark.parametrize("case", _cases(replies_only=True))
def test_no_value_differs_from_expected_unless_review_is_asked(case: dict[str, Any]) -> None:
    outcome = via_fallback((CORPUS / case["file"]).read_bytes())
    if outcome.needs_review:
        return
    got = observed(outcome, case)
    got.pop("needs_review")
    assert mismatches(got, case) == {}


def test_the_correction_supersedes_the_earlier_quote_of_the_same_vendor() -> None:
    first = via_fallback((CORPUS / "16_quote_before_correction.eml").read_bytes())
    correction = via_fallback((CORPUS / "17_quote_correction.eml").read_bytes())
    assert first.quote is not None and correction.quote is not None
    assert (first.quote.is_correction, correction.quote.is_correction) == (False, True)
    assert first.quote.vendor_nip == correction.quote.vendor_nip
