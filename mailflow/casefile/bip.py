"""The BIP package: the published HTML with the BIP metryczka and a change-register entry.

The page itself is the one ``mailflow.documents.publication_html`` rendered and the archive
keeps; this module only adds, after its article, the metryczka the BIP regulation asks for
(who produced the information, who made it available, when each happened) and the entry of
the change register (rejestr zmian) the editor copies into the BIP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.casefile.items import Case, CaseItem, utc
from mailflow.config import Config
from mailflow.db import models
from mailflow.errors import UserError

URL_RECORDED = "bip_url_recorded"


@dataclass(frozen=True)
class Metryczka:
    produced_by: str
    produced_on: date
    responsible: str
    shared_by: str
    shared_on: date | None
    change: str
    url: str | None = None  # where the editor posted it, once recorded


def metryczka(case: Case, item: CaseItem, config: Config) -> Metryczka:
    published = (case.campaign.data or {}).get("published") or {}
    try:
        shared_on: date | None = date.fromisoformat(str(published.get("date")))
    except ValueError:
        shared_on = None
    posted = [e for e in case.events if e.action == URL_RECORDED]
    url = str((posted[-1].details or {}).get("url") or "") if posted else ""
    if posted:
        shared_on = date.fromisoformat(str(posted[-1].details.get("date")))
    coordinator = config.person_for("coordinator")
    plenipotentiary = config.person_for("plenipotentiary")
    return Metryczka(
        produced_by=f"{coordinator.name}, {config.office.unit}",
        produced_on=utc(item.first_date).date(),
        responsible=f"{plenipotentiary.name}, Pełnomocnik ds. Zintegrowanego Systemu Zarządzania",
        shared_by=f"Redakcja Biuletynu Informacji Publicznej, {config.office.name}",
        shared_on=shared_on,
        change="Udostępnienie informacji: Wyniki badania satysfakcji klientów "
        f"{case.campaign.year}",
        url=url or None,
    )


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def bip_page(html: bytes, info: Metryczka) -> str:
    """The publication page with the metryczka and the change register after its article."""
    document = lxml.html.document_fromstring(html)
    anchor = document.find(".//main")
    if anchor is None:
        anchor = document.find(".//body")
    if anchor is None:
        anchor = document
    section = _add(anchor, "section", **{"aria-labelledby": "metryczka"})
    _add(section, "h2", "Metryczka", id="metryczka")
    dl = _add(section, "dl")
    shared = info.shared_on.isoformat() if info.shared_on else ""
    for term, value, when in (
        ("Wytworzył", info.produced_by, None),
        ("Data wytworzenia", None, info.produced_on.isoformat()),
        ("Odpowiada za treść", info.responsible, None),
        ("Udostępnił", info.shared_by, None),
        ("Data udostępnienia", None, shared),
    ):
        _add(dl, "dt", term)
        dd = _add(dl, "dd", value)
        if when:
            _add(dd, "time", when, datetime=when)
    if info.url:
        _add(dl, "dt", "Adres publikacji")
        _add(_add(dl, "dd"), "a", info.url, href=info.url)
    _add(section, "h2", "Rejestr zmian", id="rejestr-zmian")
    table = _add(section, "table")
    _add(table, "caption", "Rejestr zmian informacji")
    row = _add(_add(table, "thead"), "tr")
    for title in ("Data", "Czynność", "Wprowadził"):
        _add(row, "th", title, scope="col")
    row = _add(_add(table, "tbody"), "tr")
    cell = _add(row, "td")
    if shared:
        _add(cell, "time", shared, datetime=shared)
    _add(row, "td", info.change)
    _add(row, "td", info.shared_by)
    section.addprevious(etree.Comment(" metryczka BIP dodana przez mailflow export-case "))
    text = lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
    return str(text)


def change_register_entry(info: Metryczka) -> dict[str, str]:
    """The same entry as data, for the register file next to the page."""
    return {
        "data": info.shared_on.isoformat() if info.shared_on else "",
        "czynnosc": info.change,
        "wprowadzil": info.shared_by,
        "wytworzyl": info.produced_by,
        "data_wytworzenia": info.produced_on.isoformat(),
        "odpowiada_za_tresc": info.responsible,
        "adres": info.url or "",
    }


def record_url(
    app: App,
    session: Session,
    campaign: models.Campaign,
    url: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> models.Event:
    """Record where the BIP editor posted the publication (the procedure calls this).

    The next export puts the address and its date into the metryczka and the change register.
    """
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(f"not a web address of the BIP: {url!r}")
    if not session.scalars(
        select(models.Document.id).where(
            models.Document.campaign_id == campaign.id,
            models.Document.kind == "publikacja_wynikow_html",
        )
    ).first():
        raise UserError(f"the campaign of {campaign.year} has no publication to have posted")
    local = app.clock.now().astimezone(ZoneInfo("Europe/Warsaw")).date()
    event = models.Event(
        campaign_id=campaign.id,
        at=app.clock.now(),
        step=7,
        action=URL_RECORDED,
        actor=actor,
        via=via,
        message_id=message.id if message is not None else None,
        message_id_header=message.message_id_header if message is not None else None,
        details={"url": url.strip(), "date": local.isoformat()},
    )
    session.add(event)
    return event
