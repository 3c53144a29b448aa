"""The Polish e-mails mailflow sends: each says what to do, by when and how to answer.

Plain functions returning ``(subject, body)``. The salutation ("Szanowna Pani Kierownik,"),
the signature and the case footer are added by :func:`envelope`, which
:func:`mailflow.procedure_mail.send` applies to every e-mail, so a letter's body speaks to
anyone: it never needs the reader's gender.

House style of these texts (the decisions, so a new letter follows them):

- formal Polish; requests are "proszę …" / "uprzejmie proszę …", never an imperative;
  the signatory speaks in the first person singular, what the system did is impersonal
  ("zarejestrowano", "odczytano");
- a request says what to do, by when (:func:`mailflow.polish.format_deadline`, Warsaw time)
  and how to answer: the one word that is enough, and its alternatives;
- every count goes through :func:`mailflow.polish.count`; no code, key, command or
  placeholder of the system reaches a reader: roles and items have Polish names here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mailflow.documents.formatting import format_money, format_number, format_percent
from mailflow.polish import (
    DZIALANIE,
    DZIEN_ROBOCZY,
    NIEPRAWIDLOWOSC,
    OFERTA,
    WYWIAD,
    ZAGADNIENIE,
    ZAPYTANIE,
    count,
    format_day,
    format_deadline,
    join,
    plural,
)

if TYPE_CHECKING:
    from mailflow.config import Addressing, Config, OfficeConfig, Signature

Letter = tuple[str, str]
When = date | datetime

ITEM_NAMES = {
    "catalogue": "katalog zagadnień",
    "comparison": "zestawienie ofert",
    "questionnaire": "kwestionariusz",
    "memo": "informacja o wynikach badania",
    "audit": "projekt polecenia auditu",
    "publication": "sposób publikacji wyników",
}
# Role names in the nominative, as a reader knows them from IN-13.
ROLE_NAMES = {
    "coordinator": "koordynator badania",
    "os_manager": "Kierownik OS",
    "bok_manager": "Kierownik Biura Obsługi Klienta",
    "complaints_officer": "pracownik ds. skarg, wniosków i interwencji",
    "plenipotentiary": "Pełnomocnik ds. ZSZ",
    "mayor": "Prezydent Miasta",
    "unit_heads": "kierownik komórki organizacyjnej",
    "audit_team": "Zespół ds. ZSZ",
}
# The names procedure.py has passed so far ("koordynator (OS)"), read as their role.
_LEGACY_ROLE_NAMES = {
    "koordynator (OS)": "coordinator",
    "Kierownik OS": "os_manager",
    "Pełnomocnik ds. ZSZ": "plenipotentiary",
    "Prezydent Miasta": "mayor",
}
# What each IN-13 step is called in a digest; a reader never sees the step's number alone.
STEP_NAMES = {
    0: "zbieranie zagadnień do badania",
    1: "rozeznanie cenowe wśród firm badawczych",
    2: "umowa z wykonawcą",
    3: "uzgadnianie kwestionariusza",
    4: "realizacja badania przez wykonawcę",
    5: "obieg informacji o wynikach",
    6: "audit wewnętrzny",
    7: "publikacja wyników",
}
ACTION_KINDS = {
    "correction": "korekcja",
    "corrective": "działanie korygujące",
    "preventive": "działanie zapobiegawcze",
}
APPROVE_WORDS = "ZATWIERDZAM"
RETURN_WORDS = "ZWRACAM, a poniżej uwagi"
ONLY_FROM_OWN_ADDRESS = (
    "Odpowiedź musi przyjść z adresu, na który wysłano tę wiadomość; odpowiedzi z innych "
    "adresów nie są uwzględniane."
)
HOW_TO_DECIDE = (
    "Jak odpowiedzieć: proszę odpowiedzieć na tę wiadomość jednym słowem:\n"
    f"  {APPROVE_WORDS} – bez uwag,\n"
    "  ZWRACAM – do poprawy; uwagi proszę wpisać w kolejnych wierszach odpowiedzi.\n"
    + ONLY_FROM_OWN_ADDRESS
)
HOW_TO_ACCEPT = (
    "Jak odpowiedzieć: proszę odpowiedzieć na tę wiadomość jednym słowem:\n"
    "  AKCEPTUJĘ – bez uwag,\n"
    "  ZWRACAM – do poprawy; uwagi proszę wpisać w kolejnych wierszach odpowiedzi.\n"
    + ONLY_FROM_OWN_ADDRESS
)
HOW_TO_CHOOSE_PUBLICATION = (
    "Jak odpowiedzieć: proszę odpowiedzieć na tę wiadomość jednym słowem:\n"
    "  BIP – publikacja w Biuletynie Informacji Publicznej,\n"
    "  STRONA – publikacja na stronie internetowej Urzędu,\n"
    "  INTRANET – publikacja w intranecie Urzędu,\n"
    "  BRAK – bez publikacji.\n" + ONLY_FROM_OWN_ADDRESS
)
DONE_WORD = "WYKONANO"


# ------------------------------------------------------------------- shared pieces


def role_name(role: str) -> str:
    """The Polish name of a role code ("os_manager") or of a name procedure.py passed."""
    return ROLE_NAMES.get(_LEGACY_ROLE_NAMES.get(role, role), role)


def _role_code(role: str) -> str:
    return _LEGACY_ROLE_NAMES.get(role, role)


def item_name(item: str) -> str:
    return ITEM_NAMES.get(item, item)


def how_to_answer(item: str) -> str:
    """What a reply must say: the publication question is answered by a place, not a yes."""
    if item == "publication":
        return HOW_TO_CHOOSE_PUBLICATION
    return HOW_TO_ACCEPT if item == "questionnaire" else HOW_TO_DECIDE


def _deadline_line(deadline: When | None, label: str = "Termin odpowiedzi") -> str:
    return f"{label}: {format_deadline(deadline)}.\n\n" if deadline is not None else ""


def _summary(summary: Sequence[str] | str | None, title: str) -> str:
    if not summary:
        return ""
    lines = [summary] if isinstance(summary, str) else list(summary)
    return f"{title}\n" + "\n".join(f"  – {line}" for line in lines) + "\n\n"


def _sentence(text: str) -> str:
    """``text`` ending with one full stop, also after "sp. z o.o." or "S.A."."""
    return text if text.endswith(".") else text + "."


def _asked(asked: str | None, default_role: str, task: str) -> str:
    """The one person asked to act, named; everyone else on the list is informed."""
    return _sentence(f"{task}: {asked or ROLE_NAMES[default_role]}")


def money(value: object) -> str:
    return format_money(value) if isinstance(value, Decimal) else "—"


def offers_summary(offers: Sequence[tuple[str, object, object]]) -> list[str]:
    """(firm, net, gross) → "Kwadrant sp. z o.o.: 11 500,00 zł netto, 14 145,00 zł brutto"."""
    return [f"{name}: {money(net)} netto, {money(gross)} brutto" for name, net, gross in offers]


def results_summary(report: Mapping[str, Any], findings: Sequence[str] = ()) -> list[str]:
    """The figures an approver needs, from a results report (``mailflow results --json``)."""
    lines = []
    if report.get("respondents") is not None:
        lines.append(f"liczba ankiet: {report['respondents']}")
    rated = [q for q in report.get("questions", []) if q.get("mean") is not None]
    if rated:
        best = max(rated, key=lambda q: q["mean"])
        worst = min(rated, key=lambda q: q["mean"])
        for label, q in (("najwyżej oceniane", best), ("najniżej oceniane", worst)):
            share = q.get("top2_share")
            top2 = f", oceny 4–5: {format_percent(share, 0)}" if share is not None else ""
            lines.append(
                f"{label}: {q.get('label', q.get('id', ''))} – średnia "
                f"{format_number(q['mean'])}{top2}"
            )
    if findings:
        lines.append(
            f"nieprawidłowości: {len(findings)} – " + "; ".join(f.rstrip(".") for f in findings)
        )
    else:
        lines.append("nieprawidłowości: nie stwierdzono")
    return lines


# ---------------------------------------------------------- salutation and signature


def salutation(addressing: Addressing | None) -> str:
    """ "Szanowna Pani Kierownik," / "Szanowny Panie Prezydencie," / "Szanowni Państwo,"."""
    gender = addressing.gender if addressing else ""
    title = addressing.title if addressing else ""
    if gender == "f":
        return f"Szanowna Pani {title}," if title else "Szanowna Pani,"
    if gender == "m":
        return f"Szanowny Panie {title}," if title else "Szanowny Panie,"
    return "Szanowni Państwo,"


def signature_block(signature: Signature, office: OfficeConfig) -> str:
    return "\n".join(
        [
            "Z poważaniem",
            signature.name,
            signature.position,
            signature.unit,
            office.name,
            office.address,
            f"tel. {signature.phone}",
            f"e-mail: {signature.email}",
        ]
    )


def footer(case_ref: str, office_name: str, status_page: str = "") -> str:
    page = f"\nStan sprawy: strona statusu badania, {status_page}" if status_page else ""
    return (
        f"\n\n-- \nZnak sprawy: {case_ref}\n{office_name}{page}\n"
        "Wiadomość przygotowana w systemie obsługi badania satysfakcji klientów (IN-13). "
        "Proszę odpowiadać na tę wiadomość bez zmiany jej tematu: znak w nawiasie "
        "kwadratowym przypisuje odpowiedź do sprawy."
    )


def envelope(body: str, config: Config, to: str, case_ref: str) -> str:
    """The body as it goes out: salutation for ``to``, the text, signature, case footer.

    The signatory is not signed to herself: the coordinator's own notices end with the
    footer alone. People of the office (not the firms) also get the status page's address.
    """
    own = config.signature.email.lower() if config.signature else ""
    parts = [salutation(config.addressing_of(to)), body.strip()]
    if config.signature is not None and to.lower() != own:
        parts.append(signature_block(config.signature, config.office))
    internal = any(p.email.lower() == to.lower() for p in config.people.values())
    page = config.web.base_url if internal and config.web.enabled else ""
    return "\n\n".join(parts) + footer(case_ref, config.office.name, page)


# ----------------------------------------------------------- 0. topics, catalogue


def call_for_topics(year: int, reply_by: When, *, deadline: When | None = None) -> Letter:
    due = deadline if deadline is not None else reply_by
    return (
        f"Prośba o zgłoszenie zagadnień do badania satysfakcji klientów {year}",
        f"Urząd przygotowuje badanie satysfakcji klientów w {year} r. (instrukcja IN-13). "
        "Uprzejmie proszę o zgłoszenie zagadnień, o które warto zapytać klientów: "
        "wynikających ze skarg i wniosków, z obserwacji lub z codziennej pracy.\n\n"
        "Jak odpowiedzieć: proszę odpowiedzieć na tę wiadomość, wpisując każde zagadnienie "
        "w osobnym wierszu zaczętym od myślnika (np. „- czas oczekiwania na wydanie dowodu "
        "osobistego”). Można też odesłać w odpowiedzi wypełniony formularz z załącznika.\n"
        "Jeśli propozycji nie ma, wystarczy odpowiedzieć jednym słowem: BRAK.\n\n"
        f"Termin odpowiedzi: {format_deadline(due)}.",
    )


def topics_reminder(year: int, reply_by: When, *, deadline: When | None = None) -> Letter:
    due = deadline if deadline is not None else reply_by
    return (
        f"Przypomnienie: zagadnienia do badania satysfakcji klientów {year}",
        "Uprzejmie przypominam o zgłoszeniu zagadnień do badania satysfakcji klientów "
        f"{year}. Termin odpowiedzi: {format_deadline(due)}.\n\n"
        "Jak odpowiedzieć: proszę odpowiedzieć na tę wiadomość, wpisując każde zagadnienie "
        "w osobnym wierszu zaczętym od myślnika, albo odesłać wypełniony formularz.\n"
        "Jeśli propozycji nie ma, wystarczy odpowiedzieć jednym słowem: BRAK.",
    )


def topics_received(topics_count: int, *, topics: Sequence[str] = ()) -> Letter:
    """The confirmation of a contributor's reply; 0 topics is the answer BRAK."""
    if topics_count == 0:
        return (
            "Potwierdzenie: zagadnienia – brak propozycji",
            "Dziękuję za odpowiedź. Odnotowano, że w tym roku nie ma propozycji zagadnień "
            "do badania (odpowiedź BRAK).",
        )
    listing = "".join(f"\n  {i}. {t}" for i, t in enumerate(topics, 1))
    return (
        "Potwierdzenie: zagadnienia przyjęte",
        f"Dziękuję. Przyjęto {count(topics_count, ZAGADNIENIE)}"
        + (f":{listing}\n" if listing else ". ")
        + plural(topics_count, "Zostanie ujęte", "Zostaną ujęte", "Zostaną ujęte")
        + " w katalogu zagadnień, który przed wysłaniem zapytań o cenę zatwierdza "
        "koordynator badania.",
    )


def catalogue_for_confirmation(
    year: int, topics: Sequence[str], *, deadline: When | None = None
) -> Letter:
    n = len(topics)
    listing = "\n".join(f"  {i}. {t}" for i, t in enumerate(topics, 1))
    content = (
        f"Katalog obejmuje {count(n, ZAGADNIENIE)}:\n{listing}"
        if n
        else "Katalog nie zawiera jeszcze żadnego zagadnienia."
    )
    return (
        f"Katalog zagadnień {year} – do zatwierdzenia",
        f"W załączeniu katalog zagadnień do badania satysfakcji klientów {year}, zestawiony "
        "z odpowiedzi na prośbę o zgłoszenie zagadnień. "
        f"{content}\n\n"
        "Po zatwierdzeniu katalogu zapytania o cenę zostaną wysłane do firm badawczych.\n\n"
        + _deadline_line(deadline, "Termin decyzji")
        + HOW_TO_DECIDE,
    )


# ------------------------------------------------------------------- 1. price inquiry


# The late-offer rule ([procurement] late_offers), in the inquiry's own words.
LATE_OFFER_TEXTS = {
    "rejected": "Oferty złożone po upływie terminu nie będą rozpatrywane.",
    "accepted_until_comparison": "Oferta złożona po upływie terminu zostanie rozpatrzona, "
    "jeżeli wpłynie przed sporządzeniem zestawienia ofert.",
}


def _late_rule(rule: str) -> str:
    return LATE_OFFER_TEXTS.get(rule, LATE_OFFER_TEXTS["rejected"])


def _late_outcome(rule: str, in_comparison: bool) -> str:
    """What happens to this late offer under the rule the inquiry announced."""
    if rule == "accepted_until_comparison" and in_comparison:
        return (
            "Zgodnie z zapytaniem o cenę zostanie rozpatrzona, ponieważ wpłynęła przed "
            "sporządzeniem zestawienia ofert."
        )
    if rule == "accepted_until_comparison":
        return (
            "Zestawienie ofert zostało już sporządzone, więc zgodnie z zapytaniem o cenę "
            "oferta nie zostanie rozpatrzona; została zarejestrowana."
        )
    return (
        "Zgodnie z zapytaniem o cenę oferty złożone po upływie terminu nie są rozpatrywane: "
        "oferta została zarejestrowana, ale nie podlega ocenie."
    )


def _how_to_offer(offer_form: str) -> str:
    if offer_form == "form_required":
        return (
            "Jak odpowiedzieć: proszę odesłać wypełniony formularz ofertowy (plik DOCX z "
            "załącznika albo jego skan lub PDF) w odpowiedzi na tę wiadomość; oferta podana "
            "wyłącznie w treści wiadomości nie będzie rozpatrywana."
        )
    return (
        "Jak odpowiedzieć: proszę odesłać wypełniony formularz ofertowy (załącznik) "
        "w odpowiedzi na tę wiadomość. Można też podać w treści odpowiedzi wszystkie dane, "
        "o które pyta formularz, w tym cenę netto, stawkę VAT i cenę brutto."
    )


def price_inquiry(
    year: int,
    deadline: datetime,
    vendor_name: str,
    *,
    late_offers: str = "rejected",
    offer_form: str = "form_or_email",
) -> Letter:
    return (
        f"Zapytanie o cenę – badanie satysfakcji klientów Urzędu Miasta {year}",
        "Uprzejmie zapraszam do złożenia oferty cenowej na przeprowadzenie badania "
        f"satysfakcji klientów Urzędu w {year} r. Przedmiot zamówienia i warunki opisuje "
        f"zapytanie o cenę skierowane do {vendor_name}, dołączone w załączniku.\n\n"
        f"Termin składania ofert: {format_deadline(deadline)}. {_late_rule(late_offers)}\n\n"
        f"{_how_to_offer(offer_form)}\n"
        "Jeśli nie złożą Państwo oferty, wystarczy odpowiedzieć: NIE ZŁOŻYMY OFERTY.\n"
        "Pytania dotyczące zapytania można zadać w odpowiedzi na tę wiadomość.",
    )


def inquiry_reminder(
    year: int,
    deadline: datetime,
    *,
    late_offers: str = "rejected",
    offer_form: str = "form_or_email",
) -> Letter:
    return (
        f"Przypomnienie: zapytanie o cenę – badanie satysfakcji klientów {year}",
        "Uprzejmie przypominam, że termin składania ofert w zapytaniu o cenę na badanie "
        f"satysfakcji klientów {year} mija {format_deadline(deadline)}. "
        f"{_late_rule(late_offers)}\n\n"
        f"{_how_to_offer(offer_form)}\n"
        "Jeśli nie złożą Państwo oferty, wystarczy odpowiedzieć: NIE ZŁOŻYMY OFERTY.",
    )


def quote_received(
    net: str,
    gross: str,
    late: bool = False,
    *,
    late_offers: str = "rejected",
    in_comparison: bool = False,
    deadline: datetime | None = None,
) -> Letter:
    read = f"Z oferty odczytano: cena netto {net}, cena brutto {gross}."
    if late:
        when = f" ({format_deadline(deadline)})" if deadline is not None else ""
        return (
            "Potwierdzenie otrzymania oferty złożonej po terminie",
            f"Dziękuję za ofertę. {read}\n"
            f"Oferta wpłynęła po terminie składania ofert{when}. "
            f"{_late_outcome(late_offers, in_comparison)}",
        )
    return (
        "Potwierdzenie otrzymania oferty",
        f"Dziękuję za złożenie oferty. {read}\n\n"
        "Jeśli odczyt jest błędny, proszę odpowiedzieć na tę wiadomość, podając prawidłowe "
        "kwoty; korekta zastąpi pierwszy odczyt. Jeśli odczyt jest prawidłowy, odpowiedź "
        "nie jest potrzebna.",
    )


def decline_received() -> Letter:
    return (
        "Potwierdzenie: rezygnacja ze złożenia oferty",
        "Dziękuję za informację, że nie złożą Państwo oferty w tym rozeznaniu cenowym.",
    )


def comparison_for_manager(
    year: int,
    offers: int,
    estimate: str,
    *,
    deadline: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    arrived = (
        f"{plural(offers, 'Wpłynęła', 'Wpłynęły', 'Wpłynęło')} {count(offers, OFERTA)}"
        if offers
        else "Nie wpłynęła żadna oferta"
    )
    return (
        f"Zestawienie ofert – badanie satysfakcji klientów {year}",
        "W załączeniu przekazuję zestawienie ofert (notatkę z rozeznania rynku) na badanie "
        f"satysfakcji klientów {year}. {arrived}; szacunkowa wartość zamówienia netto: "
        f"{estimate}.\n\n"
        + _summary(summary, "Oferty w zestawieniu:")
        + "Po zatwierdzeniu zestawienia zostanie uruchomiona procedura udzielenia zamówienia."
        "\n\n" + _deadline_line(deadline, "Termin decyzji") + HOW_TO_DECIDE,
    )


# ---------------------------------------------------------- 2-3. contract, questionnaire


def catalogue_to_contractor(
    year: int,
    survey_term: date,
    contract_number: str,
    *,
    questionnaire_by: When | None = None,
) -> Letter:
    by = f" – do {format_deadline(questionnaire_by)}" if questionnaire_by is not None else ""
    return (
        f"Katalog zagadnień i termin badania – badanie satysfakcji klientów {year}",
        f"W związku z umową nr {contract_number} przekazuję w załączeniu katalog zagadnień "
        "wraz z omówieniem oraz pismo w sprawie realizacji badania. Uzgodniony termin "
        f"zakończenia badania: {format_day(survey_term)}\n\n"
        "Jak odpowiedzieć: w odpowiedzi na tę wiadomość proszę przesłać:\n"
        f"  1. projekt kwestionariusza (załącznik){by};\n"
        "  2. informację o postępie badania co najmniej raz w tygodniu, jednym zdaniem, np. "
        "„zrealizowano 120 z 400 wywiadów”;\n"
        "  3. po zakończeniu badania wyniki: zbiór danych (np. XLSX) i raport (załączniki).",
    )


def questionnaire_for_acceptance(
    year: int,
    round_no: int,
    *,
    deadline: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    return (
        f"Projekt kwestionariusza {year} (wersja {round_no}) – do akceptacji",
        f"Wykonawca przesłał projekt kwestionariusza (wersja {round_no}); plik jest "
        "w załączeniu.\n\n"
        + _summary(summary, "Zmiany i uwagi:")
        + "Po akceptacji kwestionariusz zostanie przekazany wykonawcy wraz z terminem badania; "
        "po zwrocie wykonawca otrzyma uwagi do poprawy.\n\n"
        + _deadline_line(deadline, "Termin decyzji")
        + HOW_TO_ACCEPT,
    )


def questionnaire_accepted(survey_date: date) -> Letter:
    return (
        "Kwestionariusz zaakceptowany – termin badania",
        "Kwestionariusz został zaakceptowany; wersja zaakceptowana jest w załączeniu.\n"
        f"Termin zakończenia badania: {format_day(survey_date)} Wywiady w Urzędzie "
        "prowadzone są w godzinach jego pracy.\n\n"
        "Jak odpowiedzieć: w odpowiedzi na tę wiadomość proszę przesłać:\n"
        "  – informację o postępie badania co najmniej raz w tygodniu, jednym zdaniem, np. "
        "„zrealizowano 120 z 400 wywiadów”;\n"
        "  – po zakończeniu badania wyniki: zbiór danych (np. XLSX) i raport (załączniki).",
    )


def questionnaire_returned(comment: str, *, deadline: When | None = None) -> Letter:
    by = f" do {format_deadline(deadline)}" if deadline is not None else ""
    return (
        "Kwestionariusz – uwagi do poprawy",
        "Uprzejmie proszę o poprawienie projektu kwestionariusza zgodnie z uwagami:\n\n"
        f"{comment.strip()}\n\n"
        f"Poprawioną wersję proszę przesłać{by} jako załącznik w odpowiedzi na tę wiadomość.",
    )


# ------------------------------------------------------------------------ 4. monitoring


def _progress(done: int, target: int) -> str:
    """ "zrealizowano 180 z 400 wywiadów": the noun follows "z", in the genitive."""
    of = plural(target, "wywiadu", "wywiadów", "wywiadów")
    return f"zrealizowano {done} z {target} {of}"


def behind_schedule(
    done: int,
    target: int,
    expected: int,
    survey_by: date,
    *,
    asked: str | None = None,
) -> Letter:
    should = plural(expected, "powinien być", "powinny być", "powinno być")
    return (
        "Ostrzeżenie: opóźnienie badania satysfakcji klientów",
        f"Według ostatniej informacji wykonawcy {_progress(done, target)}. Przy równym tempie "
        f"do dziś {should} co najmniej {count(expected, WYWIAD)}. Termin zakończenia "
        f"badania: {format_day(survey_by)}\n\n"
        + _asked(asked, "coordinator", "Kontakt z wykonawcą w sprawie tempa badania podejmuje"),
    )


def weekly_digest(
    year: int,
    lines: Sequence[str] = (),
    *,
    step: int | None = None,
    done: int | None = None,
    target: int | None = None,
    reported_on: When | None = None,
    survey_by: When | None = None,
) -> Letter:
    """The week's state in words: "zrealizowano 180 z 400 wywiadów; termin: 11 czerwca …".

    Given ``step``/``done``/``target``/``survey_by`` the lines are written here; ``lines``
    (already Polish sentences) are added after them.
    """
    state: list[str] = []
    if step is not None:
        state.append(f"etap badania: {STEP_NAMES.get(step, 'realizacja badania')}")
    if done is not None and target is not None:
        when = f" (informacja z {format_day(reported_on)})" if reported_on is not None else ""
        state.append(f"{_progress(done, target)}{when}")
    elif step is not None:
        state.append("wykonawca nie przekazał jeszcze informacji o postępie badania")
    if survey_by is not None:
        state.append(f"termin zakończenia badania: {format_day(survey_by)}")
    state += list(lines)
    return (
        f"Tygodniowe podsumowanie badania satysfakcji klientów {year}",
        f"Stan badania satysfakcji klientów {year}:\n"
        + "\n".join(f"  – {line}" for line in state)
        + "\n\nWiadomość informacyjna: odpowiedź nie jest potrzebna.",
    )


def progress_request(
    year: int, silent_days: int, survey_by: date, *, last_report: str | None = None
) -> Letter:
    """To the contractor silent for N working days during fieldwork (issue 16, §5)."""
    passed = plural(silent_days, "minął", "minęły", "minęło")
    since = f" (ostatnia: {last_report})" if last_report else ""
    return (
        f"Prośba o informację o postępie badania satysfakcji klientów {year}",
        f"Od ostatniej informacji o postępie badania{since} {passed} "
        f"{count(silent_days, DZIEN_ROBOCZY)}. Termin zakończenia badania: "
        f"{format_day(survey_by)}\n\n"
        "Uprzejmie proszę o informację o postępie w odpowiedzi na tę wiadomość, jednym "
        "zdaniem, np. „zrealizowano 120 z 400 wywiadów”.",
    )


def contractor_silent(
    contractor_name: str,
    silent_days: int,
    survey_by: date,
    *,
    asked: str | None = None,
) -> Letter:
    """To the coordinator: the contractor stays silent after the progress request."""
    passed = plural(silent_days, "minął", "minęły", "minęło")
    return (
        "Brak informacji od wykonawcy badania",
        f"Wykonawca badania, {contractor_name}, nie przekazał informacji o postępie badania, "
        f"choć od ostatniej {passed} {count(silent_days, DZIEN_ROBOCZY)} i wysłano mu "
        f"prośbę o nią. Termin zakończenia badania: {format_day(survey_by)}\n\n"
        + _asked(asked, "coordinator", "Kontakt z wykonawcą podejmuje"),
    )


# --------------------------------------------------------------------------- 5. results


def memo_for_approval(
    year: int,
    role: str,
    round_no: int,
    comment: str | None,
    *,
    deadline: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    role = _role_code(role)
    version = f" (wersja {round_no})" if round_no > 1 else ""
    returned = (
        f"Informacja wraca z uwagami z dalszego etapu obiegu:\n{comment.strip()}\n\n"
        if comment
        else ""
    )
    if role == "mayor":
        opening = (
            "Pełnomocnik ds. ZSZ, po analizie wyników, przedkłada do akceptacji informację "
            f"o wynikach badania satysfakcji klientów {year}{version}; dokument jest "
            "w załączeniu."
        )
        after = "Akceptacja kończy obieg informacji o wynikach."
    elif role == "coordinator":  # she signs these e-mails: no "przekazuję" to herself
        opening = (
            f"Wykonawca przesłał wyniki badania satysfakcji klientów {year}. W załączeniu "
            f"informacja o wynikach{version}, przygotowana do akceptacji."
        )
        after = "Po akceptacji informacja trafi do Kierownika OS."
    else:
        opening = (
            "W załączeniu przekazuję do akceptacji informację o wynikach badania "
            f"satysfakcji klientów {year}{version}."
        )
        after = {
            "os_manager": "Po akceptacji informacja trafi do Pełnomocnika ds. ZSZ.",
            "plenipotentiary": (
                "Proszę o analizę wyników; po akceptacji informacja zostanie przedłożona "
                "Prezydentowi Miasta."
            ),
        }.get(role, "")
    return (
        f"Wyniki badania satysfakcji klientów {year} – do akceptacji{version}",
        f"{opening}\n\n"
        + _summary(summary, "Najważniejsze wyniki:")
        + returned
        + (f"{after}\n\n" if after else "")
        + _deadline_line(deadline, "Termin decyzji")
        + HOW_TO_DECIDE,
    )


def results_returned_to_contractor(comment: str, *, deadline: When | None = None) -> Letter:
    by = f" do {format_deadline(deadline)}" if deadline is not None else ""
    return (
        "Wyniki badania – prośba o poprawę",
        "Uprzejmie proszę o poprawienie wyników badania zgodnie z uwagami:\n\n"
        f"{comment.strip()}\n\n"
        f"Poprawione pliki proszę przesłać{by} jako załączniki w odpowiedzi na tę wiadomość.",
    )


# --------------------------------------------------------------- approvals and chasing


def approval_reminder(
    item: str,
    due: When,
    *,
    escalate_on: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    name = item_name(item)
    then = (
        f"Jeśli decyzja nie zapadnie do {format_deadline(escalate_on)}, sprawa zostanie "
        "przekazana zastępcy.\n\n"
        if escalate_on is not None
        else ""
    )
    return (
        f"Przypomnienie: {name} czeka na decyzję",
        f"Uprzejmie przypominam, że {name} czeka na decyzję. Termin decyzji: "
        f"{format_deadline(due)}. Dokument jest ponownie w załączeniu.\n\n"
        + _summary(summary, "Przedmiot decyzji:")
        + then
        + how_to_answer(item),
    )


def escalation(
    item: str,
    absent: str,
    absent_role: str = "",
    *,
    deadline: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    name = item_name(item)
    who = f"{absent} ({role_name(absent_role)})" if absent_role else absent
    return (
        f"Zastępstwo: {name} czeka na decyzję",
        f"{who} nie odpowiada na prośbę o decyzję w sprawie: {name}. Uprzejmie proszę "
        "o podjęcie tej decyzji w zastępstwie. Dokument jest w załączeniu.\n\n"
        + _summary(summary, "Przedmiot decyzji:")
        + _deadline_line(deadline, "Termin decyzji")
        + how_to_answer(item),
    )


def _chaser(absent_role: str) -> str:
    """Who chases a silent approver: the coordinator, or above her the OS manager."""
    return "os_manager" if _role_code(absent_role) == "coordinator" else "coordinator"


def stalled(item: str, absent_role: str, *, asked: str | None = None) -> Letter:
    name = item_name(item)
    return (
        "Brak decyzji – także od zastępcy",
        f"Nadal nie ma decyzji w sprawie: {name}. Decyzję miał podjąć "
        f"{role_name(absent_role)}; po przypomnieniu sprawę przekazano zastępcy, który "
        "także nie odpowiedział. Kolejne przypomnienia nie będą wysyłane.\n\n"
        + _asked(asked, _chaser(absent_role), "Kontakt z tymi osobami w sprawie decyzji podejmuje"),
    )


def no_deputy(item: str, absent_role: str, *, asked: str | None = None) -> Letter:
    name = item_name(item)
    return (
        "Brak decyzji – brak zastępcy",
        f"Minął termin przypomnienia, a w sprawie: {name} nadal nie ma decyzji; decyzję ma "
        f"podjąć {role_name(absent_role)}. Zastępca dla tej funkcji nie został wskazany "
        "w konfiguracji systemu, więc sprawa nie została nikomu przekazana.\n\n"
        + _asked(asked, _chaser(absent_role), "Kontakt w sprawie decyzji podejmuje"),
    )


# What happens after each decision, as the procedure does it (said in the confirmation).
NEXT_STEPS = {
    ("catalogue", "approve"): "Zapytania o cenę zostały wysłane do firm badawczych.",
    ("catalogue", "return"): "Uwagi zostały zapisane przy katalogu zagadnień.",
    ("comparison", "approve"): "Koordynator badania odnotuje uruchomienie procedury zamówienia.",
    ("comparison", "return"): "Uwagi zostały przekazane koordynatorowi badania.",
    ("questionnaire", "approve"): "Kwestionariusz i termin badania przekazano wykonawcy.",
    ("questionnaire", "return"): "Uwagi przekazano wykonawcy.",
    ("memo", "return"): "Informacja o wynikach wraca z uwagami o jeden etap obiegu.",
    ("audit", "approve"): "Polecenie auditu przekazano Zespołowi ds. ZSZ.",
    ("audit", "return"): "Uwagi przekazano koordynatorowi badania.",
}


def decision_confirmed(item: str, verdict: str, *, next_step: str | None = None) -> Letter:
    accepted = "akceptacja" if item in ("questionnaire", "memo") else "zatwierdzenie"
    word = accepted if verdict == "approve" else "zwrot do poprawy"
    then = next_step if next_step is not None else NEXT_STEPS.get((item, verdict), "")
    return (
        f"Potwierdzenie: {item_name(item)}",
        f"Zarejestrowano decyzję w sprawie: {item_name(item)} – {word}."
        + (f"\n{then}" if then else ""),
    )


# ----------------------------------------------------------------------------- 6. audit


def audit_order_for_confirmation(
    year: int,
    findings: int,
    *,
    deadline: When | None = None,
    summary: Sequence[str] = (),
) -> Letter:
    found = (
        f"Wyniki badania satysfakcji klientów {year} wykazały {count(findings, NIEPRAWIDLOWOSC)}."
        if findings
        else f"Wyniki badania satysfakcji klientów {year} nie wykazały nieprawidłowości; "
        "audit proponuje się ze względu na ryzyko ich wystąpienia."
    )
    return (
        f"Projekt polecenia auditu wewnętrznego {year} – do decyzji",
        f"{found} W załączeniu przekazuję projekt polecenia przeprowadzenia auditu "
        "wewnętrznego wraz z wytycznymi.\n\n"
        + _summary(summary, "Stwierdzone nieprawidłowości:")
        + "Po zatwierdzeniu polecenie zostanie przekazane Zespołowi ds. ZSZ.\n\n"
        + _deadline_line(deadline, "Termin decyzji")
        + HOW_TO_DECIDE,
    )


def audit_order_to_team(
    year: int, *, audit_by: When | None = None, report_by: When | None = None
) -> Letter:
    terms = ""
    if audit_by is not None:
        terms += f"Termin przeprowadzenia auditu: {format_deadline(audit_by)}.\n"
    if report_by is not None:
        terms += f"Termin przekazania sprawozdania z auditu: {format_deadline(report_by)}.\n"
    return (
        f"Polecenie przeprowadzenia auditu wewnętrznego – badanie satysfakcji {year}",
        "Pełnomocnik ds. ZSZ poleca przeprowadzenie auditu wewnętrznego zgodnie "
        "z załączonym poleceniem i wytycznymi.\n"
        + terms
        # No example number here: a reply quoting this e-mail must not report an action done.
        + "\nDziałania wynikające z auditu będą przesyłane w osobnych wiadomościach, każde "
        "z numerem. Wykonanie działania proszę zgłosić w odpowiedzi na wiadomość o nim, "
        f"słowem {DONE_WORD} z numerem tego działania.",
    )


def action_recorded(number: int, kind: str, description: str, owner: str, due: When) -> Letter:
    return (
        f"Działanie nr {number} do wykonania – audit wewnętrzny",
        f"Zarejestrowano działanie nr {number} ({ACTION_KINDS.get(kind, 'działanie')}):\n"
        f"„{description}”\n"
        f"Osoba odpowiedzialna: {owner}\n"
        f"Termin wykonania: {format_deadline(due)}\n\n"
        "Jak odpowiedzieć: po wykonaniu działania proszę odpowiedzieć na tę wiadomość: "
        f"{DONE_WORD}: {number}",
    )


def action_assigned(
    year: int, number: int, kind: str, description: str, due: When, *, owner: str = ""
) -> Letter:
    """To the owner of a corrective action: what, by when, how to report it done (§5)."""
    named = f"Osoba odpowiedzialna: {owner}\n" if owner else ""
    return (
        f"Działanie nr {number} – przydzielone do wykonania (audit wewnętrzny {year})",
        "W wyniku auditu wewnętrznego po badaniu satysfakcji klientów "
        f"{year} przydzielono do wykonania działanie nr {number} "
        f"({ACTION_KINDS.get(kind, 'działanie')}):\n„{description}”\n{named}"
        f"Termin wykonania: {format_deadline(due)}\n\n"
        "Jak odpowiedzieć: po wykonaniu działania proszę odpowiedzieć na tę wiadomość: "
        f"{DONE_WORD}: {number}\n"
        "Jeśli działanie ma wykonać inna osoba, proszę o informację w odpowiedzi.",
    )


def action_reminder(number: int, description: str, due: When) -> Letter:
    return (
        "Przypomnienie: działanie korygujące",
        f"Uprzejmie przypominam o działaniu nr {number}: „{description}”.\n"
        f"Termin wykonania: {format_deadline(due)}.\n\n"
        "Jak odpowiedzieć: po wykonaniu działania proszę odpowiedzieć na tę wiadomość: "
        f"{DONE_WORD}: {number}",
    )


def actions_done(numbers: Sequence[int], *, still_open: int | None = None) -> Letter:
    listed = join([str(n) for n in numbers])
    noun = plural(len(numbers), "działania", "działań", "działań")
    rest = ""
    if still_open == 0:
        rest = "\nWszystkie działania z auditu zostały wykonane."
    elif still_open is not None:
        left = plural(still_open, "Pozostało", "Pozostały", "Pozostało")
        rest = f"\n{left} do wykonania: {count(still_open, DZIALANIE)}."
    return (
        "Potwierdzenie: działania wykonane",
        f"Dziękuję. Odnotowano wykonanie {noun} nr {listed}.{rest}",
    )


def action_overdue(number: int, description: str, due: When, *, owner: str = "") -> Letter:
    named = f" Osoba odpowiedzialna: {owner}." if owner else ""
    return (
        "Działanie po terminie",
        f"Działanie nr {number} („{description}”) nie zostało zgłoszone jako wykonane "
        f"w terminie ({format_deadline(due)}).{named}\n\n"
        "Proszę o ustalenie stanu działania z osobą odpowiedzialną; wykonanie można "
        "odnotować na stronie statusu badania.",
    )


def audit_returned(comment: str) -> Letter:
    return (
        "Projekt polecenia auditu zwrócony",
        "Pełnomocnik ds. ZSZ zwrócił projekt polecenia auditu wewnętrznego z uwagami:\n\n"
        f"{comment.strip()}\n\n"
        "Proszę o poprawienie projektu na stronie statusu badania; poprawiony projekt "
        "zostanie ponownie przesłany do decyzji.",
    )


# ------------------------------------------------------------------------ 7. publication


def publication_question(
    year: int, *, deadline: When | None = None, summary: Sequence[str] = ()
) -> Letter:
    return (
        f"Publikacja wyników badania satysfakcji klientów {year} – sposób publikacji",
        f"Informacja o wynikach badania satysfakcji klientów {year} przeszła pełny obieg. "
        "Uprzejmie proszę o wskazanie, gdzie opublikować wyniki.\n\n"
        + _summary(summary, "Do publikacji:")
        + _deadline_line(deadline, "Termin decyzji")
        + HOW_TO_CHOOSE_PUBLICATION,
    )


def publication_done(place: str, *, published_by: str | None = None) -> Letter:
    if place == "bez publikacji":
        return (
            "Potwierdzenie: publikacja wyników",
            "Zarejestrowano decyzję Pełnomocnika ds. ZSZ: wyniki badania nie będą publikowane.",
        )
    return (
        "Potwierdzenie: publikacja wyników",
        f"Zarejestrowano decyzję Pełnomocnika ds. ZSZ o publikacji wyników: {place}. "
        "W załączeniu dokument do publikacji i jego wersja HTML.\n\n"
        + _asked(published_by, "coordinator", "Publikację przygotowuje"),
    )


# ------------------------------------------------- notices to the coordinator and others


def coordinator_notice(title: str, text: str) -> Letter:
    """An information e-mail in the caller's words (salutation and signature come later)."""
    return (title, text)


def late_offer_notice(
    vendor_name: str,
    vendor_email: str,
    net: str,
    *,
    late_offers: str = "rejected",
    in_comparison: bool = False,
) -> Letter:
    return (
        f"Oferta po terminie: {vendor_name}",
        f"Oferta firmy {vendor_name} ({vendor_email}) wpłynęła po terminie składania ofert "
        f"(cena netto {net}). {_late_outcome(late_offers, in_comparison)} Firma otrzymała "
        "potwierdzenie z tą informacją.",
    )


def offer_to_check(vendor_name: str) -> Letter:
    return (
        f"Oferta do sprawdzenia: {vendor_name}",
        f"Oferty firmy {vendor_name} nie udało się odczytać jednoznacznie (cena, stawka VAT "
        "lub NIP). Proszę sprawdzić odczyt na stronie statusu badania i w razie potrzeby go "
        "poprawić; do tego czasu oferta nie jest ujęta w zestawieniu.",
    )


def vendor_question(vendor_name: str, sender: str, text: str) -> Letter:
    return (
        f"Pytanie firmy badawczej: {vendor_name}",
        f"Firma {vendor_name} ({sender}) zadała pytanie w sprawie zapytania o cenę:\n\n"
        f"{text.strip()}\n\n"
        "Proszę odpowiedzieć firmie bezpośrednio. Jeśli odpowiedź zmienia lub wyjaśnia "
        "warunki zapytania, należy ją przekazać wszystkim firmom, do których wysłano zapytanie.",
    )


def contractor_question(contractor_name: str, sender: str, text: str) -> Letter:
    return (
        "Pytanie od wykonawcy badania",
        f"Wykonawca badania, {contractor_name} ({sender}), pisze:\n\n{text.strip()}\n\n"
        "Proszę odpowiedzieć wykonawcy bezpośrednio.",
    )


def more_vendors_needed(reason: str, valid: int, needed: int, spare: Sequence[str] = ()) -> Letter:
    """Fewer valid inquiries than IN-13 asks: which firms are left and where to add one."""
    holds = plural(valid, "ważne jest", "ważne są", "ważnych jest")
    what = (
        "Proszę wysłać zapytanie kolejnej firmie na stronie statusu badania (Firmy badawcze "
        "i zapytania o cenę). Firmy z konfiguracji, które nie otrzymały jeszcze zapytania: "
        + _sentence(join(list(spare)))
        if spare
        else "W konfiguracji nie ma już firm, które nie otrzymały zapytania: proszę poprosić "
        "administratora systemu o dopisanie kolejnej firmy badawczej, a następnie wysłać jej "
        "zapytanie na stronie statusu badania."
    )
    return (
        "Potrzebna kolejna firma badawcza",
        f"{reason.strip().rstrip('.')}. Obecnie {holds} {count(valid, ZAPYTANIE)} "
        f"o cenę, a instrukcja IN-13 wymaga co najmniej {needed}.\n\n{what}",
    )


def no_offers(year: int, *, new_deadline_note: bool = True) -> Letter:
    return (
        "Brak ofert w terminie",
        f"Do terminu składania ofert w badaniu satysfakcji klientów {year} nie wpłynęła "
        "żadna oferta.\n\n"
        "Proszę wysłać zapytania do kolejnych firm badawczych na stronie statusu badania "
        "(Firmy badawcze i zapytania o cenę)."
        + (" Zestawienie ofert zostanie wysłane po nowym terminie." if new_deadline_note else ""),
    )


def comparison_decided(verdict: str, comment: str = "") -> Letter:
    if verdict == "approve":
        text = (
            "Kierownik OS zatwierdził zestawienie ofert.\n\n"
            "Co dalej: po uruchomieniu procedury udzielenia zamówienia proszę to odnotować na "
            "stronie statusu badania (przycisk „Oznacz wszczęcie zamówienia”)."
        )
    else:
        text = (
            f"Kierownik OS zwrócił zestawienie ofert z uwagami:\n\n{comment.strip()}\n\n"
            "Proszę o poprawienie zestawienia i ponowne przesłanie go do decyzji."
        )
    return ("Decyzja Kierownika OS w sprawie zestawienia ofert", text)


def undelivered(recipient: str) -> Letter:
    return (
        "Wiadomość niedoręczona",
        f"Wiadomość do {recipient} nie została doręczona: serwer pocztowy odbiorcy ją "
        "odrzucił.\n\nProszę sprawdzić adres odbiorcy; szczegóły są na stronie statusu "
        "badania.",
    )


def survey_term_passed(term: date, *, asked: str | None = None) -> Letter:
    return (
        "Termin badania minął",
        f"Minął uzgodniony termin zakończenia badania ({format_day(term)}), a wyniki nie "
        "wpłynęły.\n\n" + _asked(asked, "coordinator", "Kontakt z wykonawcą podejmuje"),
    )


# Why a message waits for a person, in Polish; the English reasons are what intake and the
# procedure record for the log and the status page.
QUARANTINE_REASONS: tuple[tuple[str, str], ...] = (
    (r"^sender .* is not ", "nadawca nie jest osobą, do której wysłano wiadomość w tej sprawie"),
    (r"forwarded message", "przekazana dalej wiadomość nie może zawierać decyzji"),
    (r"Authentication-Results", "serwer pocztowy nie potwierdził autentyczności nadawcy"),
    (r"no correlation token", "wiadomości nie udało się przypisać do żadnej sprawy"),
    (r"already used or its step is closed", "sprawa, której dotyczy odpowiedź, jest zamknięta"),
    (r"earlier version", "odpowiedź dotyczy wcześniejszej wersji dokumentu"),
    (r"not a clear decision", "odpowiedź nie zawiera jednoznacznej decyzji"),
    (r"publication reply", "odpowiedź nie wskazuje jednego sposobu publikacji"),
    (r"call for topics", "odpowiedź nie zawiera zagadnień ani słowa BRAK"),
    (r"audit team without", "odpowiedź nie zawiera słowa WYKONANO z numerem działania"),
    (r"no data file", "do wyników nie dołączono pliku z danymi"),
    (r"cannot be analysed", "pliku z wynikami nie udało się odczytać"),
    (r"topic form refused", "załączonego formularza nie udało się bezpiecznie otworzyć"),
    (r"too large", "wiadomość jest zbyt duża, by ją pobrać"),
    (r"expects no answer", "odpowiedź na wiadomość informacyjną, która nie wymaga odpowiedzi"),
    (r"price inquiry read as|from the contractor read as", "treści wiadomości nie rozpoznano"),
)


def reason_in_polish(reason: str) -> str:
    for pattern, polish in QUARANTINE_REASONS:
        if re.search(pattern, reason, re.IGNORECASE):
            return polish
    return "wiadomość wymaga sprawdzenia przez osobę"


def quarantine_notice(sender: str, subject: str, reason: str) -> Letter:
    """A message that waits for a person, told in Polish; the raw reason stays on the page."""
    return (
        "Wiadomość wymaga decyzji (kwarantanna)",
        f"Wiadomość od {sender} „{subject}” nie została przetworzona: "
        f"{reason_in_polish(reason)}.\n\n"
        "Proszę ją przejrzeć na stronie statusu badania (Wiadomości, kwarantanna) i wskazać, "
        "czego dotyczy, albo ją odrzucić.",
    )
