"""Authentication-Results read as RFC 8601 results, only from the server we trust."""

from __future__ import annotations

import time

from mailflow.mail.authresults import MAX_HEADER, parse, verdict

OURS = "mx.um.example.pl"


def test_it_accepts_a_dmarc_pass_for_the_from_domain_from_our_server() -> None:
    header = f"{OURS}; spf=pass smtp.mailfrom=um.example.pl; dmarc=pass header.from=um.example.pl"
    assert verdict([header], OURS, "um.example.pl").authenticated


def test_it_accepts_an_aligned_dkim_pass_also_from_the_parent_domain() -> None:
    header = f"{OURS}; dkim=pass header.d=example.pl header.s=sel"
    assert verdict([header], OURS, "um.example.pl").authenticated
    assert verdict([header], OURS, "example.pl").authenticated


def test_a_pass_inside_a_comment_or_a_quoted_mailfrom_is_no_pass() -> None:
    header = (
        f"{OURS}; dkim=fail (dkim=pass header.d=um.example.pl) header.d=evil.example;"
        ' spf=pass smtp.mailfrom="dkim=pass header.d=um.example.pl"@evil.example'
    )
    assert not verdict([header], OURS, "um.example.pl").authenticated


def test_a_dmarc_fail_beside_a_dkim_pass_is_refused() -> None:
    header = f"{OURS}; dkim=pass header.d=um.example.pl; dmarc=fail header.from=um.example.pl"
    result = verdict([header], OURS, "um.example.pl")
    assert not result.authenticated and result.why == "dmarc=fail"


def test_only_the_configured_server_counts_wherever_its_header_is() -> None:
    forged = "mx.um.example.pl.evil.example; dmarc=pass header.from=um.example.pl"
    ours = f"{OURS}; dmarc=none header.from=um.example.pl"
    assert not verdict([forged, ours], OURS, "um.example.pl").authenticated
    assert not verdict([forged], OURS, "um.example.pl").authenticated
    assert verdict([forged, f"{OURS}; dmarc=pass header.from=um.example.pl"], OURS, "um.example.pl")


def test_a_signature_of_another_or_a_longer_domain_is_not_aligned() -> None:
    for signing in ("um.example.pl.evil.example", "evil-um.example.pl", "pl", "xum.example.pl"):
        header = f"{OURS}; dkim=pass header.d={signing}"
        assert not verdict([header], OURS, "um.example.pl").authenticated, signing


def test_malformed_and_oversized_headers_vouch_for_nothing_quickly() -> None:
    assert (
        parse("no semicolon dkim=pass") is None
        or not verdict(["no semicolon dkim=pass"], OURS, "um.example.pl").authenticated
    )
    nested = f"{OURS}; dkim=pass " + "(" * 5000 + ")" * 5000
    long = f"{OURS}; " + "dkim=pass header.d=um.example.pl; " * (MAX_HEADER // 10)
    started = time.perf_counter()
    assert not verdict([nested], OURS, "um.example.pl").authenticated
    assert not verdict([long], OURS, "um.example.pl").authenticated
    assert time.perf_counter() - started < 1.0
