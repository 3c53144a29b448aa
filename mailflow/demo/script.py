"""The cast of a campaign year and what each of them answers.

Used by ``mailflow demo`` and by the end-to-end test. Three firms quote in different ways (the
offer form, a PDF, plain text after a reminder), one declines, one address bounces, one quotes
after the deadline, one corrects its quote; the officials confirm and approve by one-word
replies, the Plenipotentiary returns the memo once and a forged approval is tried; the
contractor sends a questionnaire (returned once), progress and a results file with a weak spot
that leads to an audit.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from datetime import date, datetime

from mailflow.demo.people import Behaviour, Person, Received, Reply

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
DOMAIN = "um.example.pl"
MAILBOX = f"ankieta@{DOMAIN}"


@dataclass(frozen=True)
class CastMember:
    key: str
    name: str
    email: str
    role: str  # a [roles] role, "vendor:<kind>" or "intruder"


OFFICIALS = [
    CastMember("anna_wrona", "Anna Wrona", f"anna.wrona@{DOMAIN}", "coordinator"),
    CastMember("tomasz_lis", "Tomasz Lis", f"tomasz.lis@{DOMAIN}", "os_manager"),
    CastMember("ewa_kruk", "Ewa Kruk", f"ewa.kruk@{DOMAIN}", "bok_manager"),
    CastMember("marek_sikora", "Marek Sikora", f"marek.sikora@{DOMAIN}", "complaints_officer"),
    CastMember("elzbieta_sowa", "Elżbieta Sowa", f"elzbieta.sowa@{DOMAIN}", "plenipotentiary"),
    CastMember("jan_kowalski", "Jan Kowalski", f"prezydent@{DOMAIN}", "mayor"),
    CastMember("piotr_zieba", "Piotr Zięba", f"piotr.zieba@{DOMAIN}", "deputy"),
    CastMember("halina_nowak", "Halina Nowak", f"halina.nowak@{DOMAIN}", "unit_head"),
    CastMember("robert_mazur", "Robert Mazur", f"robert.mazur@{DOMAIN}", "unit_head_late"),
    CastMember("zespol_zsz", "Zespół ds. ZSZ", f"zsz@{DOMAIN}", "audit_team"),
]
# Vendors: (key, name, address, how they answer, NIP)
VENDORS = [
    (
        "kwadrant",
        "Kwadrant Badania Społeczne sp. z o.o.",
        "kwadrant@badania.example.pl",
        "form",
        "7271079483",
    ),
    ("sonda", "Sonda Instytut Badawczy S.A.", "sonda@badania.example.pl", "pdf", "6779251754"),
    (
        "datapol",
        "DataPol Badania sp. z o.o.",
        "datapol@badania.example.pl",
        "text_after_reminder",
        "5252040243",
    ),
    ("ankietix", "Ankietix sp. z o.o.", "ankietix@badania.example.pl", "decline", None),
    ("widmo", "Widmo Research sp. z o.o.", "widmo@nieistnieje.example.pl", "bounce", None),
    ("opinia", "Opinia Wschód sp. j.", "opinia@badania.example.pl", "late", "8137654032"),
]
INTRUDER = CastMember("intruz", "E. Sowa", "elzbieta.sowa.prywatna@poczta.example.net", "intruder")
CONTRACTOR = "kwadrant"
SURVEY_TERM = date(2027, 6, 11)
CONTRACT_NUMBER = "OS.272.5.2027"


def people_addresses() -> list[str]:
    return (
        [MAILBOX, INTRUDER.email]
        + [m.email for m in OFFICIALS]
        + [v[2] for v in VENDORS if v[3] != "bounce"]
    )


# ------------------------------------------------------------------------ what they send


def fill_offer_form(form: bytes, values: dict[str, str]) -> bytes:
    """Type into the offer form's right-hand column, the way a vendor does in Word."""
    from docx import Document

    document = Document(io.BytesIO(form))
    for table in document.tables:
        for row in table.rows:
            label = row.cells[0].text.strip()
            if label in values:
                row.cells[1].text = values[label]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_quote(lines: list[str]) -> bytes:
    """A one-page text PDF (matplotlib's PDF backend embeds TrueType text pdfplumber reads)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            figure.text(0.08, 0.92 - i * 0.035, line, fontsize=11)
        out = io.BytesIO()
        figure.savefig(out, format="pdf")
        plt.close(figure)
    return out.getvalue()


def questionnaire(version: int) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(f"Kwestionariusz badania satysfakcji klientów 2027 – wersja {version}", 1)
    questions = [
        "Uprzejmość i życzliwość pracowników",
        "Kompetencje pracowników",
        "Czas oczekiwania na obsługę",
        "Jasność informacji o sprawie",
        "Ogólna ocena obsługi w Urzędzie",
    ]
    if version > 1:
        questions.append("Załatwianie spraw przez ePUAP")
    for i, q in enumerate(questions, 1):
        document.add_paragraph(f"P{i}. {q}: zdecydowanie niezadowolony … zdecydowanie zadowolony")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SCALE = [
    "zdecydowanie niezadowolony",
    "raczej niezadowolony",
    "ani zadowolony, ani niezadowolony",
    "raczej zadowolony",
    "zdecydowanie zadowolony",
]
QUESTIONS = [
    ("P1. Uprzejmość i życzliwość pracowników", [2, 4, 10, 40, 44]),
    ("P2. Kompetencje pracowników", [2, 5, 12, 45, 36]),
    # The weak spot: under 60% of good answers, so the audit rule fires.
    ("P3. Czas oczekiwania na obsługę", [10, 20, 25, 30, 15]),
    ("P4. Jasność informacji o sprawie", [3, 7, 15, 42, 33]),
    ("P5. Ogólna ocena obsługi w Urzędzie", [2, 5, 13, 45, 35]),
]
UNITS = ["Wydział Komunikacji", "Biuro Obsługi Klienta", "Wydział Podatków"]


def results_file(respondents: int = 400) -> bytes:
    """The contractor's data file: one row per respondent, answers as Polish labels."""
    from openpyxl import Workbook

    rng = random.Random(2027)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dane"
    sheet.append(["Nr ankiety", "Komórka organizacyjna"] + [q for q, _ in QUESTIONS])
    for number in range(1, respondents + 1):
        row: list[object] = [number, rng.choice(UNITS)]
        for _, weights in QUESTIONS:
            row.append(
                "trudno powiedzieć" if rng.random() < 0.03 else rng.choices(SCALE, weights)[0]
            )
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- behaviours


def _is(received: Received, *words: str) -> bool:
    text = (received.subject + "\n" + received.text).lower()
    return all(w.lower() in text for w in words)


def _version(received: Received) -> int:
    match = re.search(r"wersja (\d+)", received.subject + received.text)
    return int(match.group(1)) if match else 1


def coordinator(person: Person, received: Received, now: datetime) -> list[Reply]:
    if received.code == "ZAG" and _is(received, "do zatwierdzenia"):
        return [Reply("ZATWIERDZAM")]
    if received.code == "KW" and _is(received, "do akceptacji"):
        if _version(received) == 1:
            return [Reply("ZWRACAM\n\nProszę dodać pytanie o załatwianie spraw przez ePUAP.")]
        return [Reply("AKCEPTUJĘ")]
    if received.code == "WYN" and _is(received, "do akceptacji"):
        return [Reply("ZATWIERDZAM")]
    return []


def os_manager(person: Person, received: Received, now: datetime) -> list[Reply]:
    if received.code in ("POR", "WYN") and _is(received, "ZATWIERDZAM"):
        return [Reply("Zatwierdzam, bez uwag.\n\nTomasz Lis")]
    return []


def plenipotentiary(person: Person, received: Received, now: datetime) -> list[Reply]:
    if received.code == "WYN" and _is(received, "do akceptacji"):
        if not person.memory.get("returned"):
            person.memory["returned"] = True
            forged = Reply("ZATWIERDZAM", sender=INTRUDER.email)
            return [
                Reply("ZWRACAM do poprawy: proszę uzupełnić wnioski o porównanie z 2026 r."),
                forged,
            ]
        return [Reply("ZATWIERDZAM\n\nElżbieta Sowa")]
    if received.code == "AUD" and _is(received, "do decyzji"):
        return [Reply("ZATWIERDZAM")]
    if received.code == "WYN" and _is(received, "sposób publikacji"):
        return [Reply("BIP")]
    return []


def mayor(person: Person, received: Received, now: datetime) -> list[Reply]:
    if received.code == "WYN" and _is(received, "do akceptacji"):
        return [Reply("Zatwierdzam.")]
    return []


def contributor(topics: list[str]) -> Behaviour:
    def answer(person: Person, received: Received, now: datetime) -> list[Reply]:
        if received.code == "ZAG" and _is(received, "zagadnień") and not person.memory.get("done"):
            person.memory["done"] = True
            return [Reply("\n".join(f"- {t}" for t in topics) if topics else "BRAK")]
        return []

    return answer


def late_contributor(person: Person, received: Received, now: datetime) -> list[Reply]:
    if received.code == "ZAG" and received.subject.startswith("Przypomnienie"):
        return [Reply("Przepraszam za zwłokę.\n\n- Obsługa spraw przez ePUAP\n")]
    return []


def vendor(kind: str, name: str, nip: str | None) -> Behaviour:
    def answer(person: Person, received: Received, now: datetime) -> list[Reply]:
        if received.code != "ZO":
            return []
        first = not person.memory.get("answered")
        if kind == "form" and first:
            form = next(data for filename, data in received.attachments if "Formularz" in filename)
            filled = fill_offer_form(
                form,
                {
                    "Nazwa wykonawcy": name,
                    "Adres": "ul. Długa 12, 00-238 Warszawa",
                    "NIP": nip or "",
                    "Osoba do kontaktu, telefon, e-mail": (
                        f"Jan Kwadrant, 22 555 01 01, {person.address}"
                    ),
                    "Cena netto [zł]": "11 500,00",
                    "Stawka VAT [%]": "23",
                    "Cena brutto [zł]": "14 145,00",
                    "Cena brutto słownie": (
                        "czternaście tysięcy sto czterdzieści pięć złotych 00/100"
                    ),
                    "Termin realizacji": "do 11.06.2027 r.",
                    "Oferta ważna do": "30.04.2027 r.",
                    "Miejscowość, data, podpis": "Warszawa, Jan Kwadrant",
                },
            )
            person.memory["answered"] = True
            return [
                Reply(
                    "Dzień dobry,\n\nw załączeniu wypełniony formularz ofertowy.\n\nJan Kwadrant",
                    [("Formularz_ofertowy_Kwadrant.docx", DOCX, filled)],
                )
            ]
        if kind == "pdf" and first:
            person.memory["answered"] = True
            pdf = pdf_quote(
                [
                    f"OFERTA – {name}",
                    f"NIP {nip}",
                    "Badanie satysfakcji klientów 2027",
                    "Cena netto: 12 300,00 zł",
                    "VAT 23%: 2 829,00 zł",
                    "Cena brutto: 15 129,00 zł",
                    "Oferta ważna do 30.04.2027 r.",
                ]
            )
            return [Reply("W załączeniu oferta.", [("Oferta_Sonda.pdf", PDF, pdf)])]
        if (
            kind == "pdf"
            and _is(received, "Potwierdzenie otrzymania oferty")
            and not person.memory.get("corrected")
        ):
            person.memory["corrected"] = True
            return [
                Reply(
                    "Korekta oferty\n\nPo ponownym przeliczeniu kosztów korygujemy ofertę:\n"
                    "cena netto 11 900,00 zł, VAT 23%, cena brutto 14 637,00 zł.\n"
                    f"NIP {nip}",
                    subject="Korekta oferty – badanie satysfakcji 2027",
                )
            ]
        if kind == "text_after_reminder" and received.subject.startswith("Przypomnienie") and first:
            person.memory["answered"] = True
            return [
                Reply(
                    "Dzień dobry,\n\nprzepraszamy za zwłokę. Cena netto: 13 900,00 zł, "
                    "VAT 23%, cena brutto: 17 097,00 zł.\n\nZ poważaniem\nDataPol Badania\n"
                    f"NIP {nip}"
                )
            ]
        if kind == "decline" and first:
            person.memory["answered"] = True
            return [
                Reply(
                    "Dziękujemy za zapytanie, ale w tym terminie nie złożymy oferty – "
                    "brak wolnych ankieterów w czerwcu."
                )
            ]
        return []

    return answer


def contractor_extra(person: Person, received: Received, now: datetime) -> list[Reply]:
    """The chosen firm after the contract: questionnaire drafts."""
    if received.code == "REA" and _is(received, "Katalog zagadnień i termin badania"):
        person.memory["thread"] = received.reply_to
        return [
            Reply(
                "W załączeniu projekt kwestionariusza.",
                [("Kwestionariusz_v1.docx", DOCX, questionnaire(1))],
            )
        ]
    if received.code == "REA" and _is(received, "uwagi do poprawy"):
        return [
            Reply(
                "Przesyłamy poprawioną wersję kwestionariusza.",
                [("Kwestionariusz_v2.docx", DOCX, questionnaire(2))],
            )
        ]
    if received.code == "REA" and _is(received, "Kwestionariusz zaakceptowany"):
        person.memory["survey_thread"] = received.reply_to
    return []


def nobody(person: Person, received: Received, now: datetime) -> list[Reply]:
    return []
