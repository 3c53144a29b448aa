"""The Polish e-mails mailflow sends: each says what is expected and how to answer.

Plain functions returning ``(subject, body)``. The subject tag with the token and the case
reference footer are added by :func:`mailflow.procedure_mail.send`, so every message carries
them without each text repeating it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from mailflow.documents.formatting import format_date, format_datetime, format_money

ITEM_NAMES = {
    "catalogue": "katalog zagadnień",
    "comparison": "zestawienie ofert",
    "questionnaire": "kwestionariusz",
    "memo": "informacja o wynikach badania",
    "audit": "projekt polecenia auditu",
    "publication": "sposób publikacji wyników",
}
APPROVE_WORDS = "ZATWIERDZAM"
RETURN_WORDS = "ZWRACAM, a poniżej uwagi"
HOW_TO_DECIDE = (
    f"Proszę odpowiedzieć na tę wiadomość jednym słowem: {APPROVE_WORDS}\n"
    f"albo: {RETURN_WORDS} (uwagi w treści odpowiedzi).\n"
    "Odpowiedź musi przyjść z Pana/Pani służbowego adresu; odpowiedzi z innych adresów "
    "nie są uwzględniane."
)
HOW_TO_CHOOSE_PUBLICATION = (
    "Proszę wskazać sposób publikacji wyników, odpowiadając na tę wiadomość jednym słowem: "
    "BIP, STRONA (strona internetowa Urzędu), INTRANET albo BRAK (bez publikacji).\n"
    "Odpowiedź musi przyjść z Pana/Pani służbowego adresu; odpowiedzi z innych adresów "
    "nie są uwzględniane."
)
Letter = tuple[str, str]


def how_to_answer(item: str) -> str:
    """What a reply must say: the publication question is answered by a place, not a yes."""
    return HOW_TO_CHOOSE_PUBLICATION if item == "publication" else HOW_TO_DECIDE


def footer(case_ref: str, office_name: str) -> str:
    return (
        f"\n\n--\nZnak sprawy: {case_ref}\n{office_name}\n"
        "Wiadomość wysłana przez system obsługi badania satysfakcji klientów (IN-13). "
        "Prosimy odpowiadać na tę wiadomość, nie zmieniając tematu."
    )


def call_for_topics(year: int, reply_by: date) -> Letter:
    return (
        f"Prośba o zgłoszenie zagadnień do badania satysfakcji klientów {year}",
        "Szanowni Państwo,\n\n"
        f"przygotowujemy badanie satysfakcji klientów Urzędu w {year} r. Prosimy o zgłoszenie "
        "zagadnień, o które warto zapytać klientów – wynikających ze skarg, obserwacji "
        "lub pracy Państwa komórki.\n\n"
        "Jak odpowiedzieć: odpowiedz na tę wiadomość, wpisując każde zagadnienie w osobnym "
        "wierszu (np. „- czas oczekiwania na wydanie dowodu”), albo odeślij wypełniony "
        "formularz z załącznika.\n"
        f"Termin: {format_date(reply_by)} Jeśli nie masz propozycji, odpowiedz: BRAK.",
    )


def topics_reminder(year: int, reply_by: date) -> Letter:
    return (
        f"Przypomnienie: zagadnienia do badania satysfakcji klientów {year}",
        "Szanowni Państwo,\n\n"
        f"przypominamy o zgłoszeniu zagadnień do badania satysfakcji klientów {year} – "
        f"termin mija {format_date(reply_by)}\n"
        "Wystarczy odpowiedzieć na tę wiadomość, wpisując zagadnienia w osobnych wierszach, "
        "albo odpowiedzieć: BRAK.",
    )


def topics_received(count: int) -> Letter:
    return (
        "Potwierdzenie: zagadnienia przyjęte",
        f"Dziękujemy. Przyjęliśmy zgłoszone zagadnienia ({count}). Zostaną uwzględnione "
        "w katalogu zagadnień przedstawianym do zatwierdzenia.",
    )


def catalogue_for_confirmation(year: int, topics: Sequence[str]) -> Letter:
    listing = "\n".join(f"  {i}. {t}" for i, t in enumerate(topics, 1))
    return (
        f"Katalog zagadnień {year} – do zatwierdzenia",
        "Dzień dobry,\n\n"
        f"w załączeniu katalog zagadnień do badania satysfakcji klientów {year} "
        f"({len(topics)} zagadnień):\n{listing}\n\n"
        "Po zatwierdzeniu system roześle zapytania o cenę do firm badawczych.\n\n" + HOW_TO_DECIDE,
    )


def price_inquiry(year: int, deadline: datetime, vendor_name: str) -> Letter:
    return (
        f"Zapytanie o cenę – badanie satysfakcji klientów Urzędu Miasta {year}",
        "Szanowni Państwo,\n\n"
        f"Urząd Miasta zaprasza {vendor_name} do złożenia oferty cenowej na przeprowadzenie "
        f"badania satysfakcji klientów w {year} r. Szczegóły zawiera zapytanie o cenę "
        "w załączniku.\n\n"
        "Jak odpowiedzieć: wypełniony formularz ofertowy (załącznik) prosimy odesłać w "
        "odpowiedzi na tę wiadomość; można też podać w treści cenę netto, stawkę VAT i cenę "
        "brutto. Jeśli nie złożą Państwo oferty, prosimy o krótką informację.\n"
        f"Termin składania ofert: {format_datetime(deadline)}.",
    )


def inquiry_reminder(year: int, deadline: datetime) -> Letter:
    return (
        f"Przypomnienie: zapytanie o cenę – badanie satysfakcji klientów {year}",
        "Szanowni Państwo,\n\n"
        f"uprzejmie przypominamy, że termin składania ofert mija {format_datetime(deadline)}. "
        "Ofertę (formularz ofertowy lub cenę netto, VAT i brutto w treści) prosimy przesłać "
        "w odpowiedzi na tę wiadomość.",
    )


def quote_received(net: str, gross: str, late: bool = False) -> Letter:
    if late:
        return (
            "Potwierdzenie otrzymania oferty złożonej po terminie",
            f"Dziękujemy za ofertę. Odczytaliśmy: cena netto {net}, cena brutto {gross}.\n"
            "Oferta wpłynęła po terminie składania ofert: została zarejestrowana, a o jej "
            "uwzględnieniu zdecyduje Zamawiający.",
        )
    return (
        "Potwierdzenie otrzymania oferty",
        f"Dziękujemy za ofertę. Odczytaliśmy: cena netto {net}, cena brutto {gross}.\n"
        "Jeśli odczyt jest błędny, prosimy o odpowiedź z korektą oferty.",
    )


def decline_received() -> Letter:
    return (
        "Potwierdzenie: rezygnacja ze złożenia oferty",
        "Dziękujemy za informację o niezłożeniu oferty.",
    )


def coordinator_notice(title: str, text: str) -> Letter:
    return (title, "Dzień dobry,\n\n" + text)


def comparison_for_manager(year: int, offers: int, estimate: str) -> Letter:
    return (
        f"Zestawienie ofert – badanie satysfakcji klientów {year}",
        "Dzień dobry,\n\n"
        f"w załączeniu zestawienie ofert (notatka z rozeznania rynku): {offers} ofert(y), "
        f"szacunkowa wartość zamówienia netto {estimate}.\n"
        "Po zapoznaniu się proszę o decyzję; następnie zostanie uruchomiona procedura "
        "zamówień publicznych.\n\n" + HOW_TO_DECIDE,
    )


def catalogue_to_contractor(year: int, survey_term: date, contract_number: str) -> Letter:
    return (
        f"Katalog zagadnień i termin badania – badanie satysfakcji klientów {year}",
        "Szanowni Państwo,\n\n"
        f"w związku z umową nr {contract_number} przekazujemy w załączeniu katalog zagadnień "
        f"wraz z omówieniem. Uzgodniony termin realizacji badania: {format_date(survey_term)}\n\n"
        "Jak odpowiedzieć: projekt kwestionariusza prosimy przesłać w odpowiedzi na tę "
        "wiadomość (załącznik). Postęp badania prosimy zgłaszać w odpowiedzi na tę wiadomość "
        "w formie „zrealizowano N z M wywiadów”, a wyniki (zbiór danych i raport) przesłać "
        "w załącznikach.",
    )


def questionnaire_for_acceptance(year: int, round_no: int) -> Letter:
    return (
        f"Projekt kwestionariusza {year} (wersja {round_no}) – do akceptacji",
        "Dzień dobry,\n\n"
        "wykonawca przesłał projekt kwestionariusza (w załączeniu).\n\n"
        "Proszę odpowiedzieć: AKCEPTUJĘ albo ZWRACAM, a poniżej uwagi dla wykonawcy.",
    )


def questionnaire_accepted(survey_date: date) -> Letter:
    return (
        "Kwestionariusz zaakceptowany – termin badania",
        "Szanowni Państwo,\n\n"
        "kwestionariusz został zaakceptowany (w załączeniu wersja zaakceptowana).\n"
        f"Dokładny termin badania: do {format_date(survey_date)}, w godzinach pracy Urzędu.\n"
        "Prosimy zgłaszać postęp co najmniej raz w tygodniu w odpowiedzi na tę wiadomość "
        "(„zrealizowano N z M wywiadów”).",
    )


def questionnaire_returned(comment: str) -> Letter:
    return (
        "Kwestionariusz – uwagi do poprawy",
        "Szanowni Państwo,\n\n"
        "prosimy o poprawienie kwestionariusza zgodnie z uwagami:\n\n"
        f"{comment}\n\n"
        "Poprawioną wersję prosimy przesłać w odpowiedzi na tę wiadomość.",
    )


def behind_schedule(done: int, target: int, expected: int, survey_by: date) -> Letter:
    return (
        "Ostrzeżenie: opóźnienie badania satysfakcji klientów",
        "Dzień dobry,\n\n"
        f"wykonawca zgłosił {done} z {target} wywiadów; przy równym tempie do dziś powinno "
        f"być co najmniej {expected}. Termin zakończenia badania: {format_date(survey_by)}\n"
        "Proszę o kontakt z wykonawcą.",
    )


def weekly_digest(year: int, lines: Sequence[str]) -> Letter:
    return (
        f"Tygodniowe podsumowanie badania satysfakcji klientów {year}",
        "Dzień dobry,\n\nstan badania:\n" + "\n".join(f"  - {line}" for line in lines),
    )


def memo_for_approval(year: int, role_name: str, round_no: int, comment: str | None) -> Letter:
    returned = f"\nUwagi zwrócone z następnego etapu:\n{comment}\n" if comment else ""
    return (
        f"Wyniki badania satysfakcji klientów {year} – do akceptacji ({role_name})",
        "Dzień dobry,\n\n"
        f"w załączeniu informacja o wynikach badania satysfakcji klientów {year} "
        f"(wersja {round_no}).{returned}\n" + HOW_TO_DECIDE,
    )


def approval_reminder(item: str, due: date) -> Letter:
    name = ITEM_NAMES.get(item, item)
    return (
        f"Przypomnienie: {name} czeka na decyzję",
        "Dzień dobry,\n\n"
        f"{name} czeka na Pana/Pani decyzję od {format_date(due)}\n\n" + how_to_answer(item),
    )


def escalation(item: str, absent: str, absent_role: str = "") -> Letter:
    name = ITEM_NAMES.get(item, item)
    who = f"{absent} ({absent_role})" if absent_role else absent
    return (
        f"Zastępstwo: {name} czeka na decyzję",
        "Dzień dobry,\n\n"
        f"{who} nie odpowiada na prośbę o decyzję w sprawie: {name}. Prosimy Pana/Panią, "
        "jako zastępcę, o decyzję.\n\n" + how_to_answer(item),
    )


def stalled(item: str, absent_role: str) -> Letter:
    name = ITEM_NAMES.get(item, item)
    return (
        "Brak decyzji – także od zastępcy",
        f"Sprawa: {name}. Nie ma decyzji ({absent_role}) ani po przypomnieniu, ani od "
        "zastępcy, do którego ją przekazano. System nie wysyła dalszych wiadomości; prosimy o "
        "kontakt z tymi osobami.",
    )


def no_deputy(item: str, absent_role: str) -> Letter:
    name = ITEM_NAMES.get(item, item)
    return (
        "Brak decyzji – brak zastępcy",
        f"Minął termin przypomnienia i nadal brak decyzji ({absent_role}) w sprawie: {name}. "
        "W konfiguracji nie wskazano zastępcy ([roles.deputies]), więc sprawa nie została "
        "przekazana dalej. Prosimy o kontakt z osobą, która ma podjąć decyzję.",
    )


def decision_confirmed(item: str, verdict: str) -> Letter:
    word = "zatwierdzenie" if verdict == "approve" else "zwrot do poprawy"
    item = ITEM_NAMES.get(item, item)
    return (f"Potwierdzenie: {item}", f"Dziękujemy. Zarejestrowaliśmy decyzję: {word}.")


def audit_order_for_confirmation(year: int, findings: int) -> Letter:
    return (
        f"Projekt polecenia auditu wewnętrznego {year} – do decyzji",
        "Dzień dobry,\n\n"
        f"wyniki badania wykazały nieprawidłowości ({findings}). W załączeniu projekt polecenia "
        "przeprowadzenia auditu wewnętrznego z wytycznymi.\n"
        "Po zatwierdzeniu polecenie zostanie przekazane Zespołowi ds. ZSZ.\n\n" + HOW_TO_DECIDE,
    )


def audit_order_to_team(year: int) -> Letter:
    return (
        f"Polecenie przeprowadzenia auditu wewnętrznego – badanie satysfakcji {year}",
        "Szanowni Państwo,\n\n"
        "Pełnomocnik ds. ZSZ poleca przeprowadzenie auditu wewnętrznego zgodnie z "
        "załączonym poleceniem i wytycznymi.\n"
        "Wykonanie każdego działania prosimy zgłaszać w odpowiedzi na tę wiadomość "
        "(„wykonano: <nr działania>”).",
    )


ACTION_KINDS = {
    "correction": "korekcja",
    "corrective": "działanie korygujące",
    "preventive": "działanie zapobiegawcze",
}


def action_recorded(number: int, kind: str, description: str, owner: str, due: date) -> Letter:
    return (
        f"Działanie nr {number} do wykonania – audit wewnętrzny",
        "Dzień dobry,\n\n"
        f"zarejestrowano działanie nr {number} ({ACTION_KINDS.get(kind, kind)}):\n"
        f"„{description}”\nOdpowiedzialny: {owner}\nTermin: {format_date(due)}\n\n"
        f"Po wykonaniu prosimy odpowiedzieć na tę wiadomość: WYKONANO: {number}",
    )


def action_reminder(number: int, description: str, due: date) -> Letter:
    return (
        "Przypomnienie: działanie korygujące",
        "Dzień dobry,\n\n"
        f"działanie nr {number} „{description}” ma termin {format_date(due)}.\n"
        f"Po wykonaniu prosimy odpowiedzieć na tę wiadomość: WYKONANO: {number}",
    )


def actions_done(numbers: Sequence[int]) -> Letter:
    listed = ", ".join(str(n) for n in numbers)
    return (
        "Potwierdzenie: działania wykonane",
        f"Dziękujemy. Odnotowaliśmy wykonanie działań nr {listed}.",
    )


def publication_question(year: int) -> Letter:
    return (
        f"Publikacja wyników badania satysfakcji klientów {year} – sposób publikacji",
        "Dzień dobry,\n\n"
        "proszę wskazać sposób publikacji wyników, odpowiadając jednym słowem: "
        "BIP, STRONA (strona internetowa Urzędu), INTRANET albo BRAK (bez publikacji).",
    )


def publication_done(place: str) -> Letter:
    return (
        "Potwierdzenie: publikacja wyników",
        f"Wyniki zostały przygotowane do publikacji ({place}); dokument i wersja HTML w "
        "załącznikach.",
    )


def money(value: object) -> str:
    from decimal import Decimal

    return format_money(value) if isinstance(value, Decimal) else "—"
