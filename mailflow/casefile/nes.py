"""NES 2.0 metadata of one case item, built with lxml and validated with xmlschema.

The schema is ``schema/nes-2.0.xsd``: reconstructed by mailflow from the published element
list of NES 2.0, not the official file (its header says exactly what differs). Every file
:func:`metadata_xml` returns has passed :func:`validate`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import xmlschema
from lxml import etree

from mailflow.casefile.items import Case, CaseItem, Party, utc
from mailflow.config import Config
from mailflow.resources import SCHEMAS

NS = "http://www.mswia.gov.pl/standardy/ndap"
SCHEMA_FILE = SCHEMAS / "nes-2.0.xsd"
SYSTEM = "mailflow"


class InvalidMetadata(Exception):
    """A metadata file does not match the NES schema (a bug in mailflow, never user input)."""


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


def validate(data: bytes, name: str = "metadata") -> None:
    try:
        schema().validate(etree.fromstring(data))
    except xmlschema.XMLSchemaValidationError as error:
        raise InvalidMetadata(f"{name}: {error.reason} at {error.path}") from None


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def moment(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def identifier(item_key: str, case_mark: str) -> str:
    return f"{SYSTEM}:{case_mark}:{item_key}"


def _address(parent: etree._Element, party: Party) -> None:
    if not party.city:
        return
    address = _el(parent, "adres")
    if party.postcode:
        _el(address, "kodPocztowy", party.postcode)
    _el(address, "miejscowosc", party.city)
    if party.street:
        _el(address, "ulica", party.street)
    _el(address, "kraj", "PL")


def subject(parent: etree._Element, party: Party, config: Config) -> None:
    """A ``podmiot``: the office (with the official named as its employee) or a firm."""
    podmiot = _el(parent, "podmiot")
    institution = _el(podmiot, "instytucja")
    if party.kind in ("office", "official"):
        office = config.office
        if office.nip:
            _el(institution, "id", office.nip, typId="NIP")
        if office.regon:
            _el(institution, "id", office.regon, typId="REGON")
        _el(institution, "nazwa", office.name)
        _address(
            institution,
            Party(office.name, None, "office", None, office.street, office.postcode, office.city),
        )
        if office.bip_url:
            _el(institution, "kontakt", office.bip_url, typKontaktu="url")
        unit = _el(institution, "komorka")
        _el(unit, "nazwa", office.unit or office.name)
        if party.kind == "official":
            first, _, last = party.name.rpartition(" ")
            worker = _el(unit, "pracownik")
            _el(worker, "nazwisko", last or party.name)
            if first:
                _el(worker, "imie", first)
            if party.email:
                _el(worker, "kontakt", party.email, typKontaktu="email")
        elif party.email:
            _el(unit, "kontakt", party.email, typKontaktu="email")
        return
    if party.nip:
        _el(institution, "id", party.nip, typId="NIP")
    _el(institution, "nazwa", party.name or party.email or "nieznany nadawca")
    _address(institution, party)
    if party.email:
        _el(institution, "kontakt", party.email, typKontaktu="email")


def _identifier(parent: etree._Element, kind: str, value: str, config: Config | None) -> None:
    element = _el(parent, "identyfikator")
    _el(element, "typidentyfikatora", kind)
    _el(element, "wartoscId", value)
    if config is not None:
        subject(element, Party(config.office.name, None, "office"), config)


def metadata_xml(item: CaseItem, case: Case, config: Config) -> bytes:
    """The NES 2.0 ``dokument`` of one item, validated."""
    root = etree.Element(f"{{{NS}}}dokument", {"wersja": "2.0"}, nsmap={None: NS})
    _identifier(root, "SystemID", identifier(item.key, case.mark), config)
    if item.message_id:
        _identifier(root, "Message-ID", item.message_id, None)
    title = _el(root, "tytul")
    _el(title, "oryginalny", item.title, kodJezyka="pol")
    for kind, when in item.dates:
        data = _el(root, "data")
        _el(data, "typDaty", kind)
        _el(data, "czas", moment(when))
    fmt = _el(root, "format")
    _el(fmt, "typFormatu", item.extension)
    _el(fmt, "specyfikacja", item.mime)
    _el(fmt, "niekompletnosc", "nie")
    _el(fmt, "wielkosc", str(item.size), miara="bajt")
    access = _el(root, "dostep")
    _el(access, "dostepnosc", "publiczny" if item.public else "niepubliczny")
    if not item.public:
        _el(access, "uwagi", "Dokumentacja sprawy; zawiera dane osobowe i dane kontrahentów.")
    typ = _el(root, "typ")
    _el(typ, "klasa", "tekst")
    _el(typ, "rodzaj", item.kind)
    case_class = config.records.classes[config.records.case_class]
    group = _el(root, "grupowanie")
    _el(group, "typGrupy", "znak sprawy")
    _el(group, "kodGrupy", case.mark)
    _el(group, "opis", case_class.title or case_class.symbol)
    if item.jrwa.symbol != case_class.symbol:
        group = _el(root, "grupowanie")
        _el(group, "typGrupy", "klasa JRWA")
        _el(group, "kodGrupy", item.jrwa.symbol)
        _el(group, "opis", item.jrwa.title or item.jrwa.symbol)
    creator = _el(root, "tworca")
    _el(creator, "funkcja", "utworzył")
    subject(creator, item.creator, config)
    if item.sender is not None:
        subject(_el(root, "nadawca"), item.sender, config)
    for party in item.recipients:
        recipient = _el(root, "odbiorca")
        subject(recipient, party, config)
    for relation, target in item.relations:
        element = _el(root, "relacja")
        inner = _el(element, "identyfikator")
        _el(inner, "typidentyfikatora", "SystemID")
        _el(inner, "wartoscId", identifier(target, case.mark))
        _el(element, "typRelacji", relation)
    qualification = _el(root, "kwalifikacja")
    _el(qualification, "kategoria", item.jrwa.category)
    _el(qualification, "data", moment(utc(case.campaign.started_at).date()))
    subject(qualification, Party(config.office.name, None, "office"), config)
    _el(root, "jezyk", "polski", kodJezyka="pol")
    _el(root, "opis", item.description)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(data, item.filename)
    return data
