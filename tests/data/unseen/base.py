# ruff: noqa: E501  (message texts and notes are data; long lines keep them greppable)
"""Shared pieces of the unseen-corpus generator (issue 19): realistic replies to the IN-13 campaign 2027.

Written from knowledge of what mail clients and servers produce, independently of mailflow's
reader. Deterministic (fixed seed, fixed timestamps). Writes tuning/ (two thirds) and
holdout/ (every third message of each category) with an expected.json each, then checks
itself: every .eml parses with Python's email package and every expected amount appears in
the message text or its attachments.

    /work/main/.venv/bin/python tests/data/unseen/make_unseen.py
"""

from __future__ import annotations

import random
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docs_kit as dk  # noqa: F401  (re-exported for the category modules)
from mimekit import (  # noqa: F401  (some names are re-exported for the category modules)
    EN_DAYS,
    EN_MONTHS,
    PL_DAYS,
    PL_DAYS_SHORT,
    PL_MONTHS_GEN,
    PL_MONTHS_NOM,
    PL_MONTHS_SHORT,
    D,
    Part,
    addr,
    bin_part,
    dt,
    en,
    flow,
    fmt_nip,
    gross_of,
    hdr,
    html_escape,
    make_nip,
    make_token,
    message,
    multipart,
    nip_valid,
    pl,
    quote_lines,
    raw_part,
    rfc_date,
    s2,
    stamp,
    text_part,
)

HERE = Path(__file__).resolve().parent
SEED = 20270308
rng = random.Random(SEED)

YEAR = 2027
DOMAIN = "um.example.pl"
MAILBOX = f"ankieta@{DOMAIN}"
OFFICE = "Urząd Miasta"
SENDER_NAME = "Urząd Miasta – Oddział Komunikacji Społecznej"
INQ_SUBJECT = "Zapytanie o cenę – badanie satysfakcji klientów Urzędu Miasta 2027"
CITY_NIP = make_nip(rng)
NBSP = "\u00a0"

COORD = ("Agnieszka Pawłowska", f"a.pawlowska@{DOMAIN}")
OS_MANAGER = ("Barbara Kaczmarczyk", f"b.kaczmarczyk@{DOMAIN}")
PLENI = ("Ryszard Malinowski", f"r.malinowski@{DOMAIN}")
MAYOR = ("Jan Wierzbicki", f"prezydent@{DOMAIN}")
BOK = ("Hanna Gutowska", f"h.gutowska@{DOMAIN}")


def new_token() -> str:
    return make_token(rng)


def uid() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def hexid(n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


# ---------------------------------------------------------------- firms


@dataclass
class Firm:
    name: str
    domain: str
    person: str
    email: str
    nip: str
    phone: str
    city: str
    token: str = ""

    @property
    def first(self) -> str:
        return self.person.split()[0]


_FIRM_DATA = [
    (
        "Pracownia Badań Społecznych Horyzont sp. z o.o.",
        "horyzont-badania.example.pl",
        "Katarzyna Brzozowska",
        "k.brzozowska",
        "Kraków",
    ),
    ("OpiniaLab sp. z o.o.", "opinialab.example.pl", "Michał Dudek", "michal.dudek", "Warszawa"),
    (
        "Instytut Analiz Rynku PULS S.A.",
        "puls-iar.example.pl",
        "Joanna Szczepańska",
        "j.szczepanska",
        "Poznań",
    ),
    (
        "Centrum Badań Ankietowych ANKIETER",
        "ankieter.example.pl",
        "Grzegorz Wilczek",
        "g.wilczek",
        "Łódź",
    ),
    (
        "Kwerenda Research sp. z o.o.",
        "kwerenda.example.pl",
        "Paulina Jasińska",
        "pjasinska",
        "Wrocław",
    ),
    (
        "Sondaż i Analiza s.c. M. Ostrowski, T. Ostrowska",
        "sondaz-analiza.example.pl",
        "Marek Ostrowski",
        "marek",
        "Lublin",
    ),
    (
        "Market View Polska sp. z o.o.",
        "marketview.example.com",
        "Ewa Kołodziej",
        "ewa.kolodziej",
        "Gdańsk",
    ),
    (
        "Badania Terenowe Kompas sp. j.",
        "kompas-bt.example.pl",
        "Łukasz Sadowski",
        "biuro",
        "Katowice",
    ),
    (
        "Agencja Badawcza Trafna Próba",
        "trafnaproba.example.pl",
        "Dorota Chmielewska",
        "d.chmielewska",
        "Szczecin",
    ),
    (
        "Nordic Insight Sp. z o.o.",
        "nordicinsight.example.com",
        "Anders Lindqvist",
        "anders.lindqvist",
        "Gdynia",
    ),
    (
        "ResPublica Badania sp. z o.o.",
        "respublica-badania.example.pl",
        "Tomasz Górecki",
        "tgorecki",
        "Białystok",
    ),
    (
        "Instytut Opinii Mieszkańców IOM",
        "iom.example.test",
        "Renata Pietrzak",
        "r.pietrzak",
        "Rzeszów",
    ),
    (
        "Quantum Survey Group sp. z o.o.",
        "quantumsurvey.example.com",
        "Olga Zawisza",
        "ozawisza",
        "Warszawa",
    ),
    (
        "Pracownia Socjologiczna Agora-Sonda",
        "agorasonda.example.pl",
        "Witold Banaś",
        "w.banas",
        "Opole",
    ),
    (
        "Studio Badań CATI-Tel sp. z o.o.",
        "catitel.example.pl",
        "Sylwia Adamczyk",
        "s.adamczyk",
        "Kielce",
    ),
    ("Feniks Research", "feniksresearch.example.pl", "Bartosz Kubacki", "bartosz", "Toruń"),
]


def make_firms() -> list[Firm]:
    firms = []
    for name, domain, person, local, city in _FIRM_DATA:
        phone = f"+48 {rng.randint(500, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        firms.append(Firm(name, domain, person, f"{local}@{domain}", make_nip(rng), phone, city))
    return firms


FIRMS = make_firms()


def firm(i: int) -> Firm:
    return FIRMS[i % len(FIRMS)]


# ---------------------------------------------------------------- originals


@dataclass
class Orig:
    from_name: str
    from_addr: str
    to: str
    date: datetime
    subject: str
    text: str
    msgid: str
    refs: list[str] = field(default_factory=list)


def inquiry(f: Firm, token: str, day: int = 8) -> Orig:
    d = dt(3, day, 9, 0, 12)
    text = (
        "Szanowni Państwo,\n\n"
        f"Urząd Miasta (ul. Ratuszowa 1, 00-950 Miasto, NIP {fmt_nip(CITY_NIP, 1)}) zaprasza do "
        "złożenia oferty cenowej na przeprowadzenie badania satysfakcji klientów Urzędu "
        "Miasta w 2027 r.\n\n"
        "Zakres: 400 wywiadów bezpośrednich (PAPI/CAPI) z klientami 12 wydziałów, raport z "
        "wynikami oraz zbiór danych (XLSX). Termin realizacji badania: do 30 czerwca 2027 r.\n\n"
        "Prosimy o podanie ceny netto, stawki VAT i ceny brutto w odpowiedzi na tę wiadomość "
        "lub w załączonym formularzu ofertowym, do dnia 19 marca 2027 r.\n\n"
        "Z poważaniem\n"
        "Agnieszka Pawłowska\n"
        "Oddział Komunikacji Społecznej\n"
        "Urząd Miasta, tel. 22 555 01 23"
    )
    return Orig(
        SENDER_NAME,
        f"ankieta+{token}@{DOMAIN}",
        f.email,
        d,
        f"{INQ_SUBJECT} [IN13-{YEAR}-ZO-{token}]",
        text,
        f"<IN13-{YEAR}-ZO-{token}.{stamp(d)}@{DOMAIN}>",
    )


APPROVAL = {
    "POR": (
        "Porównanie ofert – badanie satysfakcji klientów 2027 – prośba o akceptację",
        "porównanie ofert cenowych (4 oferty)",
        "Najkorzystniejsza oferta: OpiniaLab sp. z o.o., 17 220,00 zł brutto "
        "(14 000,00 zł netto). Szacunkowa wartość zamówienia: 14 000,00 zł netto.",
    ),
    "KW": (
        "Projekt kwestionariusza – badanie satysfakcji klientów 2027 – do akceptacji",
        "projekt kwestionariusza przygotowany przez wykonawcę",
        "Kwestionariusz liczy 24 pytania; pytania 7–12 dotyczą obsługi w BOK.",
    ),
    "WYN": (
        "Wyniki badania satysfakcji klientów 2027 – do zatwierdzenia",
        "raport z wynikami badania oraz zestawienie wskaźników",
        "Średnia ocena ogólna: 4,21 (2026: 4,05); odsetek ocen 4 i 5: 81%. Liczba wywiadów: 400.",
    ),
    "ZAG": (
        "Katalog zagadnień do badania satysfakcji klientów 2027 – do akceptacji",
        "katalog zagadnień",
        "Katalog obejmuje 18 zagadnień, w tym 5 zgłoszonych przez BOK.",
    ),
    "AUD": (
        "Projekt polecenia przeprowadzenia auditu wewnętrznego – do decyzji",
        "projekt polecenia przeprowadzenia auditu wewnętrznego wraz z wytycznymi",
        "Nieprawidłowość: spadek oceny obsługi w Wydziale Komunikacji z 4,1 do 3,2.",
    ),
}

APPROVAL_TO = {"POR": OS_MANAGER, "KW": OS_MANAGER, "WYN": PLENI, "ZAG": OS_MANAGER, "AUD": PLENI}


def approval_request(code: str, token: str, to: tuple[str, str], month: int, day: int) -> Orig:
    subj, doc, detail = APPROVAL[code]
    d = dt(month, day, 8, 15, 3)
    hon = "Pani Kierownik" if to == OS_MANAGER else "Panie Pełnomocniku"
    if to == MAYOR:
        hon = "Panie Prezydencie"
    text = (f"Szanowny {hon},\n\n" if not hon.startswith("Pani ") else f"Szanowna {hon},\n\n") + (
        f"w załączeniu przekazuję {doc} do akceptacji.\n{detail}\n\n"
        "Aby zatwierdzić, proszę odpowiedzieć na tę wiadomość słowem ZATWIERDZAM.\n"
        "Aby zwrócić do poprawy, proszę odpowiedzieć słowem ZWRACAM i dopisać uwagi.\n\n"
        "Agnieszka Pawłowska\nOddział Komunikacji Społecznej\n\n"
        "Wiadomość wysłana przez system obsługi badania satysfakcji – Urząd Miasta."
    )
    return Orig(
        SENDER_NAME,
        f"ankieta+{token}@{DOMAIN}",
        to[1],
        d,
        f"{subj} [IN13-{YEAR}-{code}-{token}]",
        text,
        f"<IN13-{YEAR}-{code}-{token}.{stamp(d)}@{DOMAIN}>",
    )


def contractor_letter(f: Firm, token: str, month: int, day: int) -> Orig:
    d = dt(month, day, 10, 5, 44)
    text = (
        "Szanowni Państwo,\n\n"
        "przekazujemy zaakceptowany kwestionariusz oraz termin badania: wywiady w dniach "
        "1–25 czerwca 2027 r., łącznie 400 wywiadów w 12 wydziałach. Prosimy o cotygodniowe "
        "informacje o postępie realizacji.\n\n"
        "Z poważaniem\nAgnieszka Pawłowska\nOddział Komunikacji Społecznej"
    )
    return Orig(
        SENDER_NAME,
        f"ankieta+{token}@{DOMAIN}",
        f.email,
        d,
        f"Kwestionariusz i termin badania – badanie satysfakcji klientów 2027 "
        f"[IN13-{YEAR}-REA-{token}]",
        text,
        f"<IN13-{YEAR}-REA-{token}.{stamp(d)}@{DOMAIN}>",
    )


# ---------------------------------------------------------------- client styles


def _hm(d: datetime) -> str:
    return f"{d.hour:d}:{d.minute:02d}"


def quote_header(client: str, o: Orig) -> tuple[str, bool]:
    """(intro text, whether the original below is '>'-prefixed)."""
    d = o.date
    wd = d.weekday()
    fa = f"{o.from_name} <{o.from_addr}>"
    if client == "outlook_pl":
        return (
            f"Od: {fa}\nWysłane: {PL_DAYS[wd]}, {d.day} {PL_MONTHS_GEN[d.month - 1]} {d.year} "
            f"{d.hour:02d}:{d.minute:02d}\nDo: {o.to}\nTemat: {o.subject}\n",
            False,
        )
    if client == "outlook_pl_old":
        return (
            f"-----Oryginalna wiadomość-----\nOd: {fa}\nWysłano: {PL_DAYS[wd]}, {d.day} "
            f"{PL_MONTHS_GEN[d.month - 1]} {d.year} {d.hour:02d}:{d.minute:02d}\n"
            f"Do: {o.to}\nTemat: {o.subject}\n",
            False,
        )
    if client == "outlook_en":
        h12 = d.hour % 12 or 12
        ampm = "AM" if d.hour < 12 else "PM"
        return (
            f"-----Original Message-----\nFrom: {fa}\nSent: {EN_DAYS[wd]}, "
            f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year} {h12}:{d.minute:02d} {ampm}\n"
            f"To: {o.to}\nSubject: {o.subject}\n",
            False,
        )
    if client == "owa":
        return (
            f"________________________________\nOd: {fa}\nWysłane: {PL_DAYS[wd]}, {d.day} "
            f"{PL_MONTHS_GEN[d.month - 1]} {d.year} {d.hour:02d}:{d.minute:02d}\n"
            f"Do: {o.to}\nTemat: {o.subject}\n",
            False,
        )
    if client == "gmail":
        return (
            f"{PL_DAYS_SHORT[wd]} {d.day} {PL_MONTHS_SHORT[d.month - 1]} {d.year} o {_hm(d)} "
            f"{fa} napisał(a):\n",
            True,
        )
    if client == "gmail_old":
        return (
            f"W dniu {d.day} {PL_MONTHS_GEN[d.month - 1]} {d.year} {d.hour:02d}:{d.minute:02d} "
            f"{fa} napisał(a):\n",
            True,
        )
    if client == "gmail_android":
        return (
            f"{PL_DAYS_SHORT[wd]}, {d.day} {PL_MONTHS_SHORT[d.month - 1]} {d.year}, "
            f"{d.hour:02d}:{d.minute:02d} użytkownik {fa} napisał:\n",
            True,
        )
    if client in ("apple", "ios"):
        return (
            f"Wiadomość napisana przez {fa} w dniu {d.day} {PL_MONTHS_SHORT[d.month - 1]} "
            f"{d.year}, o godz. {d.hour:02d}:{d.minute:02d}:\n\n",
            True,
        )
    if client == "thunderbird":
        return (
            f"W dniu {d.day:02d}.{d.month:02d}.{d.year} o {_hm(d)}, {o.from_name} pisze:\n",
            True,
        )
    if client == "roundcube":
        return (
            f"W dniu {d.year}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}, "
            f"{o.from_name} napisał(a):\n",
            True,
        )
    if client == "onet":
        return (
            f"Dnia {d.day} {PL_MONTHS_GEN[d.month - 1]} {d.year} {d.hour:02d}:{d.minute:02d} "
            f"{fa} napisał(a):\n",
            True,
        )
    if client == "wp":
        return (
            f'Dnia {d.day:02d}.{d.month:02d}.{d.year} o {_hm(d)} "{o.from_name}" '
            f"<{o.from_addr}> napisał(a):\n",
            True,
        )
    if client == "interia":
        return (
            f'----- Wiadomość oryginalna -----\nOd: "{o.from_name}" <{o.from_addr}>\n'
            f"Do: {o.to}\nWysłane: {d.day:02d}.{d.month:02d}.{d.year} {_hm(d)}\n"
            f"Temat: {o.subject}\n",
            False,
        )
    if client == "samsung":
        return (
            f"-------- Oryginalna wiadomość --------\nOd: {fa}\n"
            f"Data: {d.day:02d}.{d.month:02d}.{d.year} {d.hour:02d}:{d.minute:02d} "
            f"(GMT+01:00)\nDo: {o.to}\nTemat: {o.subject}\n",
            False,
        )
    if client == "zimbra":
        return (
            f'----- Oryginalna wiadomość -----\nOd: "{o.from_name}" <{o.from_addr}>\n'
            f"Do: {o.to}\nWysłane: {PL_DAYS[wd]}, {d.day} {PL_MONTHS_NOM[d.month - 1]} "
            f"{d.year} {d.hour:02d}:{d.minute:02d}:{d.second:02d}\nTemat: {o.subject}\n",
            True,
        )
    raise ValueError(client)


CLIENT_HEADERS: dict[str, list[tuple[str, str]]] = {
    "outlook_pl": [("X-Mailer", "Microsoft Outlook 16.0"), ("Content-Language", "pl")],
    "outlook_pl_old": [("X-Mailer", "Microsoft Office Outlook 12.0"), ("Content-Language", "pl")],
    "outlook_en": [("X-Mailer", "Microsoft Outlook 16.0"), ("Content-Language", "en-us")],
    "owa": [
        ("Content-Language", "pl-PL"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""),
        ("x-ms-publictraffictype", "Email"),
    ],
    "gmail": [],
    "gmail_old": [],
    "gmail_android": [],
    "apple": [("X-Mailer", "Apple Mail (2.3774.600.62)")],
    "ios": [("X-Mailer", "iPhone Mail (21E236)")],
    "thunderbird": [("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "pl")],
    "roundcube": [("User-Agent", "Roundcube Webmail/1.6.6")],
    "onet": [("X-Mailer", "Poczta Onet")],
    "wp": [("X-Mailer", "WP Poczta")],
    "interia": [("X-Mailer", "Interia Poczta")],
    "samsung": [],
    "zimbra": [
        ("X-Mailer", "Zimbra 9.0.0_GA_4546 (ZimbraWebClient - FF115 (Linux)/9.0.0_GA_4546)")
    ],
}

SIGNOFF = {
    "ios": "\n\nWysłane z iPhone'a",
    "samsung": "\n\n\n\nWysłane z mojego urządzenia Galaxy",
    "gmail_android": "",
}


def msgid_for(client: str, domain: str) -> str:
    if client.startswith("gmail"):
        return f"<CA{hexid(10).upper()}{hexid(24)}+{hexid(6)}@mail.gmail.com>"
    if client == "owa":
        return f"<AM9PR07MB{rng.randint(1000, 9999)}{hexid(20).upper()}@AM9PR07MB{rng.randint(1000, 9999)}.eurprd07.prod.outlook.com>"
    if client.startswith("outlook"):
        return f"<00{hexid(4)}01d{hexid(3)}${hexid(8)}${hexid(8)}@{domain}>"
    if client in ("apple", "ios"):
        return f"<{uid()}@{domain}>"
    if client == "samsung":
        return f"<{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(12)}@email.android.com>"
    if client == "zimbra":
        return f"<{rng.randint(100000000, 999999999)}.{rng.randint(1000000, 9999999)}.{rng.randint(1700000000000, 1799999999999)}.JavaMail.zimbra@{domain}>"
    return f"<{uid().lower()}@{domain}>"


def boundary_for(client: str, n: int = 0) -> str:
    if client.startswith("gmail"):
        return "0000000000" + hexid(16)
    if client.startswith("outlook"):
        return f"----=_NextPart_00{n}_{hexid(4).upper()}_01D{hexid(5).upper()}.{hexid(8).upper()}"
    if client in ("apple", "ios"):
        return f"Apple-Mail={uid()}"
    if client == "thunderbird":
        return f"------------{hexid(24)}"
    if client == "zimbra":
        return f"=_{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}"
    return f"=_{hexid(32)}"


def to_html(client: str, text: str, quote_intro: str | None, quoted: str | None) -> str:
    def paras(t: str, cls: str) -> str:
        out = []
        for ln in t.split("\n"):
            e = html_escape(ln) if ln.strip() else NBSP
            out.append(
                f"<p class={cls}>{e}<o:p></o:p></p>"
                if cls == "MsoNormal"
                else f"<div>{e}</div>"
                if ln.strip()
                else "<div><br></div>"
            )
        return "\n".join(out)

    if client.startswith("outlook"):
        head = (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" '
            'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
            'xmlns="http://www.w3.org/TR/REC-html40"><head>'
            '<meta name=Generator content="Microsoft Word 15 (filtered medium)">'
            "<style><!--\n/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n"
            '\t{margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;}\n--></style>'
            '</head><body lang=PL link="#0563C1" vlink="#954F72" style=\'word-wrap:break-word\'>'
            "<div class=WordSection1>\n"
        )
        body = paras(text, "MsoNormal")
        if quoted is not None and quote_intro is not None:
            body += (
                "\n<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;"
                "padding:3.0pt 0cm 0cm 0cm'>\n"
                + paras(quote_intro.strip(), "MsoNormal")
                + "\n</div></div>\n"
                + paras(quoted, "MsoNormal")
            )
        return head + body + "\n</div></body></html>"
    if client == "owa":
        body = f'<div class="elementToProof" style="font-family: Aptos, Arial, sans-serif; font-size: 12pt;">{paras(text, "div")}</div>'
        if quoted is not None and quote_intro is not None:
            body += (
                '<hr style="display:inline-block;width:98%" tabindex="-1">'
                '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
                f'style="font-size:11pt">{"<br>".join(html_escape(x) for x in quote_intro.strip().split(chr(10))[1:])}'
                f"</font><div>&nbsp;</div></div><div>{paras(quoted, 'div')}</div>"
            )
        return (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<style type="text/css" style="display:none;"> P {{margin-top:0;margin-bottom:0;}} </style></head><body dir="ltr">{body}</body></html>'
        )
    body = f'<div dir="ltr">{paras(text, "div")}</div>'
    if quoted is not None and quote_intro is not None:
        cls = "gmail_quote" if client.startswith("gmail") else "quote"
        body += (
            f'<br><div class="{cls}"><div dir="ltr" class="gmail_attr">'
            f"{html_escape(quote_intro.strip())}<br></div>"
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
            'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
            f"{paras(quoted, 'div')}</blockquote></div>"
        )
    return f"<html><head></head><body>{body}</body></html>" if client != "gmail" else body


@dataclass
class Mail:
    client: str
    frm: tuple[str, str]
    to: list[tuple[str, str] | str]
    subject: str
    text: str
    date: datetime
    orig: Orig | None = None
    cc: list[tuple[str, str] | str] = field(default_factory=list)
    irt: str | None = "auto"
    refs: list[str] | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    charset: str | None = None
    encode_as: str | None = None
    label: bool = True
    cte: str | None = None
    html: str | None = None  # explicit HTML body (new part only)
    html_only: bool = False
    text_only: bool = False
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    header_charset: str = "utf-8"
    keep_quote: bool = True

    def render(self) -> bytes:
        c = self.client
        domain = self.frm[1].split("@")[1]
        sign = SIGNOFF.get(c, "")
        new_text = self.text + sign
        intro = quoted = None
        full = new_text
        if self.orig is not None and self.keep_quote:
            intro, prefixed = quote_header(c, self.orig)
            quoted = self.orig.text
            if prefixed:
                q = (
                    quote_lines(intro.rstrip("\n") + "\n" + quoted)
                    if c in ("apple", "ios")
                    else (intro + "\n" + quote_lines(quoted))
                )
                full = new_text + "\n\n" + q
            else:
                full = new_text + "\n\n" + intro + "\n" + quoted
        charset = self.charset
        if charset is None:
            charset = {
                "outlook_pl": "iso-8859-2",
                "outlook_pl_old": "windows-1250",
                "onet": "iso-8859-2",
            }.get(c, "utf-8")
        if self.charset is None:
            for cand in (charset, "windows-1250", "utf-8"):
                try:
                    (full + (self.html or "")).encode(cand)
                    charset = cand
                    break
                except UnicodeEncodeError:
                    continue
        cte = self.cte or (
            "base64"
            if c in ("wp", "samsung")
            else "8bit"
            if c == "thunderbird"
            else "quoted-printable"
        )
        flowed = c in ("thunderbird", "roundcube")
        plain_text = flow(full) if flowed else full
        tp = text_part(
            plain_text,
            "plain",
            charset,
            cte,
            encode_as=self.encode_as,
            flowed=flowed,
            label=self.label,
        )
        if self.html is not None:
            html = self.html
            if quoted is not None:
                block = to_html(c, "", intro, quoted)
                block = re.sub(r"^.*?<body[^>]*>|</body>.*$", "", block, flags=re.S)
                html = html.replace("</body>", block + "</body>")
        else:
            html = to_html(c, new_text, intro, quoted)
        hp = text_part(
            html,
            "html",
            charset,
            "quoted-printable" if cte == "8bit" else cte,
            encode_as=self.encode_as,
            label=self.label,
        )
        if self.text_only or (c in ("thunderbird", "roundcube") and self.html is None):
            body: Part = tp
        elif self.html_only:
            body = hp
        else:
            body = multipart("alternative", [tp, hp], boundary_for(c, 1))
        if self.attachments:
            parts = [body]
            for fn, ctype, data in self.attachments:
                parts.append(
                    bin_part(data, ctype, fn, style="ew" if c.startswith("outlook") else "rfc2231")
                )
            body = multipart("mixed", parts, boundary_for(c, 0))
        hc = self.header_charset
        h: list[tuple[str, str]] = []
        h.append(("From", addr(self.frm[0], self.frm[1], hc)))
        h.append(("To", ", ".join(addr(*t, hc) if isinstance(t, tuple) else t for t in self.to)))
        if self.cc:
            h.append(
                ("Cc", ", ".join(addr(*t, hc) if isinstance(t, tuple) else t for t in self.cc))
            )
        h.append(("Subject", hdr(self.subject, hc)))
        h.append(("Date", rfc_date(self.date)))
        h.append(("Message-ID", msgid_for(c, domain)))
        if self.orig is not None:
            irt = self.orig.msgid if self.irt == "auto" else self.irt
            refs = self.refs if self.refs is not None else [*self.orig.refs, self.orig.msgid]
            if irt:
                h.append(("In-Reply-To", irt))
            if refs:
                h.append(("References", " ".join(refs)))
        if c.startswith("outlook") or c in ("owa", "zimbra"):
            h.append(("Thread-Topic", hdr(re.sub(r"^(RE|Re|ODP|PD|FW): ", "", self.subject), hc)))
            h.append(("Thread-Index", "AQH" + hexid(24)))
        h += CLIENT_HEADERS[c]
        h += self.extra_headers
        return message(h, body, crlf=c.startswith("outlook") or c in ("owa", "zimbra"))


# ---------------------------------------------------------------- records


@dataclass
class Item:
    category: str
    slug: str
    raw: bytes
    exp: dict[str, Any]


ITEMS: list[Item] = []


def _subject_of(m: Mail) -> str:
    return m.subject


def add(
    category: str,
    slug: str,
    m: Mail | bytes,
    exp: dict[str, Any],
    *,
    frm: str | None = None,
    subject: str | None = None,
    attachments: list[str] | None = None,
) -> None:
    if isinstance(m, Mail):
        raw = m.render()
        frm = frm or m.frm[1]
        subject = subject if subject is not None else m.subject
        attachments = attachments if attachments is not None else [a[0] for a in m.attachments]
    else:
        raw = m
    rec: dict[str, Any] = {"kind": exp.pop("kind")}
    rec["from"] = (frm or "").lower()
    rec["subject"] = subject
    rec.update(exp)
    rec["attachments"] = attachments or []
    ITEMS.append(Item(category, slug, raw, rec))


def q(
    net: Decimal | None,
    gross: Decimal | None,
    rate: str | None,
    token: str | None,
    nip: str | None,
    *,
    review: bool = False,
    currency: str = "PLN",
    source: str = "body",
    note: str,
    **more: Any,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "kind": "quote",
        "token": token,
        "needs_review": review,
        "net": s2(net),
        "gross": s2(gross),
        "vat_rate": rate,
        "currency": currency,
        "vendor_nip": nip,
        "source": source,
        "note": note,
    }
    rec.update(more)
    if net is None and gross is None:
        # no readable amount: a reader may rightly leave the currency unset
        rec.setdefault("also_ok", {}).setdefault("currency", []).append(None)
    return rec


def k(
    kind: str, token: str | None, *, review: bool = False, note: str, **more: Any
) -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": kind, "token": token, "needs_review": review, "note": note}
    for key in ("net", "gross", "vat_rate", "currency", "vendor_nip", "source"):
        rec[key] = None
    rec.update(more)
    return rec


def reply_subject(client: str, o: Orig) -> str:
    prefix = {
        "outlook_en": "RE: ",
        "outlook_pl": "RE: ",
        "outlook_pl_old": "Odp: ",
        "owa": "Odp: ",
        "zimbra": "Odp: ",
        "interia": "Re: ",
        "samsung": "Odp: ",
    }
    return prefix.get(client, "Re: ") + o.subject


def signature(f: Firm, nip_style: int = 0, with_nip: bool = True, capital: bool = False) -> str:
    lines = [
        "",
        "-- " if rng.random() < 0.3 else "",
        f.person,
        f.name,
        f"ul. {rng.choice(['Długa', 'Polna', 'Ogrodowa', 'Lipowa', 'Kwiatowa'])} "
        f"{rng.randint(2, 90)}, {rng.randint(10, 99)}-{rng.randint(100, 999)} {f.city}",
        f"tel. {f.phone}",
    ]
    if with_nip:
        lines.append(f"NIP: {fmt_nip(f.nip, nip_style)}")
    if capital:
        lines.append(
            f"Sąd Rejonowy w {f.city}, KRS 0000{rng.randint(100000, 999999)}, "
            f"kapitał zakładowy {pl(D(rng.choice([5000, 50000, 100000])))} zł"
        )
    return "\n" + "\n".join(x for x in lines if x != "")
