"""The case register: the case list entry (spis spraw) and the case record (metryka sprawy).

Written twice: as XML in mailflow's own small format (``schema/metryka-sprawy.xsd``, validated
the same way as the NES files) for a system to read, and as an accessible HTML page for a
person. The columns are those of the office's instructions: the case list gives the case, where
it came from, when it started and when it was settled; the case record lists who did what,
when, and on which document.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

import xmlschema
from lxml import etree

from mailflow.casefile.items import Case, PartyBook, utc
from mailflow.casefile.nes import InvalidMetadata, identifier
from mailflow.config import Config
from mailflow.resources import SCHEMAS

NS = "urn:mailflow:metryka-sprawy:1"
SCHEMA_FILE = SCHEMAS / "metryka-sprawy.xsd"

ACTIONS = {
    "campaign_started": "wszczęcie sprawy (rozpoczęcie badania)",
    "topics_requested": "wysłanie prośby o zagadnienia",
    "topics_received": "przyjęcie zgłoszonych zagadnień",
    "topic_added": "dodanie zagadnienia",
    "catalogue_sent": "przekazanie katalogu zagadnień do zatwierdzenia",
    "catalogue_confirmed": "zatwierdzenie katalogu zagadnień",
    "inquiry_sent": "wysłanie zapytania o cenę",
    "inquiry_reminded": "przypomnienie o zapytaniu o cenę",
    "inquiry_declined": "odmowa złożenia oferty",
    "bounce_received": "zwrot wiadomości (niedoręczenie)",
    "quote_received": "wpływ oferty",
    "quote_corrected": "korekta oferty",
    "comparison_sent": "przekazanie zestawienia ofert do akceptacji",
    "comparison_approved": "akceptacja zestawienia ofert",
    "procurement_started": "wszczęcie postępowania o udzielenie zamówienia",
    "contract_recorded": "odnotowanie zawarcia umowy",
    "questionnaire_received": "wpływ projektu kwestionariusza",
    "questionnaire_returned": "zwrot kwestionariusza do poprawy",
    "questionnaire_accepted": "akceptacja kwestionariusza",
    "progress_reported": "informacja o postępie badania",
    "digest_sent": "przekazanie podsumowania postępu",
    "behind_schedule_warning": "ostrzeżenie o opóźnieniu badania",
    "results_received": "wpływ wyników badania",
    "memo_sent": "przekazanie informacji o wynikach do akceptacji",
    "memo_approved": "akceptacja informacji o wynikach",
    "memo_returned": "zwrot informacji o wynikach",
    "audit_order_drafted": "przygotowanie projektu polecenia auditu",
    "audit_ordered": "wydanie polecenia auditu wewnętrznego",
    "action_recorded": "odnotowanie działania korygującego lub zapobiegawczego",
    "action_done": "wykonanie działania korygującego lub zapobiegawczego",
    "results_published": "udostępnienie wyników",
    "records_disposed": "usunięcie treści wiadomości po upływie okresu przechowywania",
    "bip_url_recorded": "odnotowanie adresu publikacji w BIP",
}


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _when(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor_name(book: PartyBook, actor: str) -> str:
    if "@" in actor:
        party = book.party(actor)
        return party.name if party.name != actor else actor
    return {"system": "mailflow (system)", "cli": "wiersz poleceń"}.get(actor, actor)


def event_document(case: Case, event_message_id: int | None) -> str:
    if event_message_id is None:
        return ""
    return identifier(f"in-{event_message_id}", case.mark)


def register_rows(case: Case, config: Config) -> list[dict[str, str]]:
    book = PartyBook(config)
    rows = []
    for event in case.events:
        rows.append(
            {
                "when": _when(event.at),
                "who": actor_name(book, event.actor),
                "action": ACTIONS.get(event.action, event.action),
                "code": event.action,
                "via": event.via,
                "step": "" if event.step is None else str(event.step),
                "document": event_document(case, event.message_id),
            }
        )
    return rows


def register_xml(case: Case, config: Config, paths: dict[str, tuple[str, str]]) -> bytes:
    """``paths``: item key -> (its file, its metadata file) inside the package."""
    campaign = case.campaign
    jrwa = config.records.classes[config.records.case_class]
    root = etree.Element(f"{{{NS}}}sprawa", {"znakSprawy": case.mark}, nsmap={None: NS})
    _el(root, "tytul", f"Badanie satysfakcji klientów {campaign.year}")
    _el(root, "klasaJRWA", jrwa.title, symbol=jrwa.symbol, kategoria=jrwa.category)
    _el(root, "prowadzacy", config.person_for("coordinator").name)
    _el(root, "komorka", config.office.unit)
    _el(root, "dataWszczecia", utc(campaign.started_at).date().isoformat())
    if case.closed_on is not None:
        _el(root, "dataZakonczenia", case.closed_on.isoformat())
    documents = _el(root, "dokumenty")
    for number, item in enumerate(case.items, start=1):
        file, metadata = paths.get(item.key, ("", ""))
        _el(
            documents,
            "dokument",
            item.title,
            lp=str(number),
            identyfikator=identifier(item.key, case.mark),
            data=_when(item.first_date),
            rodzaj=item.kind,
            klasa=item.jrwa.symbol,
            kategoria=item.jrwa.category,
            plik=file,
            metadane=metadata,
        )
    actions = _el(root, "metryka")
    for number, row in enumerate(register_rows(case, config), start=1):
        attrs = {"lp": str(number), "data": row["when"], "wykonujacy": row["who"]}
        attrs |= {"kod": row["code"], "kanal": row["via"]}
        if row["step"]:
            attrs["krok"] = row["step"]
        if row["document"]:
            attrs["dokument"] = row["document"]
        _el(actions, "czynnosc", row["action"], **attrs)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    try:
        schema().validate(etree.fromstring(data))
    except xmlschema.XMLSchemaValidationError as error:
        raise InvalidMetadata(f"case register: {error.reason} at {error.path}") from None
    return data


def _h(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _table(parent: etree._Element, caption: str, head: list[str], rows: list[list[str]]) -> None:
    table = _h(parent, "table")
    _h(table, "caption", caption)
    tr = _h(_h(table, "thead"), "tr")
    for title in head:
        _h(tr, "th", title, scope="col")
    body = _h(table, "tbody")
    for row in rows:
        tr = _h(body, "tr")
        for value in row:
            _h(tr, "td", value)


def register_html(case: Case, config: Config, paths: dict[str, tuple[str, str]]) -> str:
    """The case list entry and the case record as one accessible page (``lang="pl"``)."""
    campaign = case.campaign
    jrwa = config.records.classes[config.records.case_class]
    html = etree.Element("html", lang="pl")
    head = _h(html, "head")
    _h(head, "meta", charset="utf-8")
    _h(head, "title", f"Metryka sprawy {case.mark}")
    _h(
        head,
        "style",
        "table{border-collapse:collapse}th,td{border:1px solid #888;"
        "padding:.2rem .4rem;text-align:left;vertical-align:top}",
    )
    main = _h(_h(html, "body"), "main")
    _h(main, "h1", f"Sprawa {case.mark}: badanie satysfakcji klientów {campaign.year}")
    started = utc(campaign.started_at).date().isoformat()
    closed = case.closed_on.isoformat() if case.closed_on else "sprawa w toku"
    _table(
        main,
        "Spis spraw (pozycja sprawy)",
        [
            "Lp.",
            "Sprawa (krótka treść)",
            "Od kogo wpłynęła",
            "Data wszczęcia",
            "Data ostatecznego załatwienia",
            "Uwagi",
        ],
        [
            [
                "1",
                f"Badanie satysfakcji klientów {campaign.year}",
                "sprawa wszczęta z urzędu (instrukcja IN-13)",
                started,
                closed,
                f"klasa JRWA {jrwa.symbol} {jrwa.title}, kategoria archiwalna {jrwa.category}",
            ]
        ],
    )
    _table(
        main,
        "Dokumenty w aktach sprawy",
        ["Lp.", "Data", "Tytuł", "Rodzaj", "Klasa i kategoria", "Plik", "Metadane"],
        [
            [
                str(n),
                _when(i.first_date),
                i.title,
                i.kind,
                f"{i.jrwa.symbol} ({i.jrwa.category})",
                *paths.get(i.key, ("", "")),
            ]
            for n, i in enumerate(case.items, start=1)
        ],
    )
    _table(
        main,
        "Metryka sprawy",
        [
            "Lp.",
            "Imię i nazwisko",
            "Data wykonania czynności",
            "Oznaczenie czynności",
            "Identyfikator dokumentu",
        ],
        [
            [str(n), r["who"], r["when"], r["action"], r["document"]]
            for n, r in enumerate(register_rows(case, config), start=1)
        ],
    )
    body = etree.tostring(html, method="html", encoding="unicode", pretty_print=True)
    return "<!DOCTYPE html>\n" + body
