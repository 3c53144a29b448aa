"""Realistic sample data for every document: for tests, ``templates check`` and the demo.

The office is the fictional "Urząd Miasta Przykładowo" of the test corpus (um.example.pl).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from mailflow.config import ProcurementConfig
from mailflow.documents.charts import Chart, ChartBar, score_chart
from mailflow.documents.contexts import (
    Action,
    Addressee,
    AuditGuideline,
    AuditOrder,
    CallForTopics,
    Correction,
    Criterion,
    Deliverable,
    Document,
    EurRate,
    Indicator,
    Irregularity,
    LetterToContractor,
    OfferForm,
    Office,
    Person,
    Points,
    PreviousContract,
    PriceInquiry,
    Publication,
    Quota,
    QuoteComparison,
    ResultsMemo,
    ScoredOffer,
    Topic,
    TopicCatalogue,
    Vendor,
    VendorOutcome,
)
from mailflow.documents.formatting import working_day_deadline
from mailflow.documents.scoring import describe

YEAR = 2027
CASE_REF = "OS.0543.3.2027"

EXAMPLE_OFFICE = Office(
    **{
        "name": "Urząd Miasta Przykładowo",
        "name_genitive": "Urzędu Miasta Przykładowo",
        "legal_name": "Gmina Miasto Przykładowo",
        "street": "pl. Ratuszowy 1",
        "postcode": "09-400",
        "city": "Przykładowo",
        "nip": "774-00-01-454",
        "regon": "611015910",
        "bip_url": "https://bip.um.example.pl",
        "email": "ankieta@um.example.pl",
        "phone": "24 364 10 00",
        "data_protection_email": "iod@um.example.pl",
    }
)


COORDINATOR = Person(
    name="Anna Kowalczyk",
    position="inspektor w Oddziale Komunikacji Społecznej",
    email="anna.kowalczyk@um.example.pl",
    phone="24 364 10 42",
)
OS_MANAGER = Person(
    name="Marek Zieliński",
    position="Kierownik Oddziału Komunikacji Społecznej",
    email="marek.zielinski@um.example.pl",
    phone="24 364 10 40",
)
PLENIPOTENTIARY = Person(
    name="Ewa Nowicka",
    position="Pełnomocnik ds. Zintegrowanego Systemu Zarządzania",
    email="ewa.nowicka@um.example.pl",
)
MAYOR = Person(name="Tomasz Wiśniewski", position="Prezydent Miasta Przykładowo")
CONTRACTOR = Vendor(
    name="Pracownia Sondażowa Północ sp. z o.o.",
    street="ul. Długa 12",
    postcode="80-831",
    city="Gdańsk",
    email="biuro@sondazepolnoc.example.pl",
    nip="584-000-12-34",
)

TOPICS = [
    Topic(
        title="Czas oczekiwania na obsługę w Wydziale Komunikacji",
        source="previous_results",
        source_detail="badanie 2026",
        discussion="W 2026 r. ocena czasu oczekiwania spadła do 3,41; klienci wskazywali kolejki "
        "przy rejestracji pojazdów w poniedziałki i piątki.",
    ),
    Topic(
        title="Dostępność informacji o sprawach na stronie BIP",
        source="complaints",
        source_detail="7 skarg w 2026 r.",
        discussion="Skargi dotyczyły nieaktualnych kart usług i braku wzorów wniosków do pobrania.",
    ),
    Topic(
        title="Uprzejmość i kompetencje pracowników BOK",
        source="bok",
        discussion="Stały element badania; pozwala porównać wyniki rok do roku.",
    ),
    Topic(
        title="Załatwianie spraw przez ePUAP i e-mail",
        source="unit",
        source_detail="Wydział Organizacyjny",
        discussion="Rośnie liczba spraw wnoszonych elektronicznie; potrzebna ocena prostoty "
        "i czasu odpowiedzi.",
    ),
    Topic(
        title="Oznakowanie budynku i dostępność dla osób z niepełnosprawnościami",
        source="own_observation",
        discussion="Klienci pytają w BOK o drogę do pokoi na II piętrze; winda bywa wyłączona.",
    ),
]

INDICATORS = [
    Indicator(
        label="Q1. Ogólna ocena obsługi",
        n=392,
        mean=4.21,
        ci_low=4.12,
        ci_high=4.30,
        top2_share=0.812,
        top2_ci_low=0.771,
        top2_ci_high=0.847,
        previous_mean=4.10,
    ),
    Indicator(
        label="Q2. Czas oczekiwania",
        n=388,
        mean=3.38,
        ci_low=3.26,
        ci_high=3.50,
        top2_share=0.451,
        top2_ci_low=0.402,
        top2_ci_high=0.501,
        previous_mean=3.41,
    ),
    Indicator(
        label="Q3. Uprzejmość pracowników",
        n=395,
        mean=4.52,
        ci_low=4.45,
        ci_high=4.59,
        top2_share=0.903,
        top2_ci_low=0.870,
        top2_ci_high=0.928,
        previous_mean=4.49,
    ),
    Indicator(
        label="Q4. Informacja w BIP",
        n=301,
        mean=3.72,
        ci_low=3.60,
        ci_high=3.84,
        top2_share=0.598,
        top2_ci_low=0.542,
        top2_ci_high=0.652,
        previous_mean=None,
    ),
]

IRREGULARITIES = [
    Irregularity(
        subject="Q2. Czas oczekiwania",
        finding="Średnia 3,38 (95% p.u. 3,26–3,50); odsetek ocen 4–5 poniżej połowy klientów.",
        rule="średnia poniżej 3,50",
    ),
]


PROCUREMENT = ProcurementConfig()
CRITERIA = [
    Criterion(name=c.name, weight_percent=c.weight, description=describe(c))
    for c in PROCUREMENT.criteria
]
OFFER_DEADLINE = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw


def _points(price: str, price_points: str, stated: str, stated_points: str) -> list[Points]:
    price_rule, experience = CRITERIA
    return [
        Points(
            criterion=price_rule.name,
            weight_percent=price_rule.weight_percent,
            answer=price,
            points=Decimal(price_points),
        ),
        Points(
            criterion=experience.name,
            weight_percent=experience.weight_percent,
            answer=stated,
            points=Decimal(stated_points),
        ),
    ]


def _charts() -> list[Chart]:
    bars = [
        ChartBar(
            label=i.label,
            value=i.mean,
            ci_low=i.ci_low,
            ci_high=i.ci_high,
            previous=i.previous_mean,
        )
        for i in INDICATORS
    ]
    return [score_chart("Średnia ocena usług Urzędu", bars, year=YEAR, previous_year=YEAR - 1)]


def example_documents() -> dict[str, Document]:
    """One realistic, complete document of each kind, keyed by template name."""
    office = EXAMPLE_OFFICE
    common: dict[str, Any] = {"office": office, "case_ref": CASE_REF, "year": YEAR}
    letter: dict[str, Any] = {**common, "signatory": OS_MANAGER, "handled_by": COORDINATOR}
    charts = _charts()
    asked = date(2027, 3, 1)
    return {
        "prosba_o_zagadnienia": CallForTopics(
            **letter,
            date=date(2027, 1, 11),
            recipients=[
                Person(name="Katarzyna Lewandowska", position="Kierownik Biura Obsługi Klienta"),
                Person(
                    name="Piotr Dąbrowski", position="pracownik ds. skarg, wniosków i interwencji"
                ),
                Person(name="Kierownicy komórek organizacyjnych Urzędu", position="wszyscy"),
            ],
            reply_by=working_day_deadline(date(2027, 1, 11), 10),
            reply_address="ankieta+k7m2x9qa@um.example.pl",
        ),
        "katalog_zagadnien": TopicCatalogue(
            **{**letter, "signatory": COORDINATOR}, date=date(2027, 2, 8), topics=TOPICS
        ),
        "zapytanie_o_cene": PriceInquiry(
            **letter,
            date=asked,
            vendor=CONTRACTOR,
            scope=[topic.title for topic in TOPICS],
            method="wywiady bezpośrednie (PAPI/CAPI) z klientami wychodzącymi z Urzędu",
            sample_size=400,
            deliverables=[
                Deliverable(what=d.what, due=date(YEAR, int(d.due[:2]), int(d.due[3:])))
                for d in PROCUREMENT.deliverables
            ],
            offer_deadline=OFFER_DEADLINE,
            survey_by=date(2027, 6, 30),
            criteria=CRITERIA,
            reply_address="ankieta+k7m2x9qa@um.example.pl",
            subject_tag="[IN13-2027-ZO-k7m2x9qa]",
            contact=COORDINATOR,
            legal_basis=PROCUREMENT.legal_basis,
            reservations=list(PROCUREMENT.reservations),
            conditions=list(PROCUREMENT.conditions),
            questionnaire=PROCUREMENT.questionnaire,
            interviews=PROCUREMENT.interviews,
            quotas=[
                Quota(unit="Biuro Obsługi Klienta", interviews=160),
                Quota(unit="Wydział Komunikacji", interviews=100),
                Quota(unit="Wydział Spraw Obywatelskich", interviews=80),
                Quota(unit="Wydział Podatków i Opłat", interviews=60),
            ],
            licence=PROCUREMENT.licence,
            payment_terms=PROCUREMENT.payment_terms,
            offer_validity_days=PROCUREMENT.offer_validity_days,
            cpv=list(PROCUREMENT.cpv),
            late_offers=PROCUREMENT.late_offers,
            offer_form=PROCUREMENT.offer_form,
        ),
        "formularz_ofertowy": OfferForm(
            **common,
            date=asked,
            subject="badanie satysfakcji klientów Urzędu Miasta Przykładowo w 2027 r. "
            "(400 wywiadów, raport, zbiór danych, prezentacja)",
            notes=[
                "Pole „Liczba badań dla podmiotów publicznych w ostatnich 3 latach” służy "
                "ocenie w kryterium „Doświadczenie w badaniach dla administracji publicznej” "
                "(20%): proszę wpisać liczbę całkowitą; niepodanie liczby oznacza 0 pkt.",
            ],
            valid_until=date(2027, 4, 9),
        ),
        "zestawienie_ofert": QuoteComparison(
            **letter,
            date=date(2027, 3, 12),
            addressee=Addressee(name=OS_MANAGER.name, lines=(OS_MANAGER.position, "w miejscu")),
            subject="badanie satysfakcji klientów Urzędu Miasta Przykładowo w 2027 r.",
            vendors=[
                VendorOutcome(
                    name=CONTRACTOR.name,
                    email=CONTRACTOR.email,
                    asked_on=asked,
                    received_at=datetime(2027, 3, 5, 9, 14, tzinfo=UTC),
                    status="offer",
                    net=Decimal("11500"),
                    vat_rate="23",
                    gross=Decimal("14145"),
                ),
                VendorOutcome(
                    name="Instytut Badań Opinii Centrum S.A.",
                    email="oferty@ibocentrum.example.pl",
                    asked_on=asked,
                    received_at=datetime(2027, 3, 8, 13, 2, tzinfo=UTC),
                    status="offer",
                    net=Decimal("11900"),
                    vat_rate="23",
                    gross=Decimal("14637"),
                    remarks="korekta oferty z 5.03.2027",
                ),
                VendorOutcome(
                    name="Ankieter Południe s.c.",
                    email="biuro@ankieter.example.pl",
                    asked_on=asked,
                    answered_on=date(2027, 3, 4),
                    status="declined",
                    remarks="brak wolnych ankieterów w czerwcu",
                ),
                VendorOutcome(
                    name="Badania Regionalne sp. z o.o.",
                    email="kontakt@badaniaregionalne.example.pl",
                    asked_on=asked,
                    status="bounced",
                    remarks="adres nie istnieje (5.1.1)",
                ),
                VendorOutcome(
                    name="Opinia Wschód sp. j.",
                    email="oferty@opiniawschod.example.pl",
                    asked_on=asked,
                    received_at=datetime(2027, 3, 11, 8, 40, tzinfo=UTC),
                    status="late",
                    net=Decimal("9800"),
                    vat_rate="23",
                    gross=Decimal("12054"),
                    remarks="nie podlega ocenie",
                ),
            ],
            offer_deadline=OFFER_DEADLINE,
            late_offers=PROCUREMENT.late_offers,
            offer_form=PROCUREMENT.offer_form,
            corrections=[
                Correction(
                    vendor="Instytut Badań Opinii Centrum S.A.",
                    first_received_at=datetime(2027, 3, 5, 14, 30, tzinfo=UTC),
                    first_net=Decimal("12300"),
                    first_gross=Decimal("15129"),
                    new_received_at=datetime(2027, 3, 8, 13, 2, tzinfo=UTC),
                    new_net=Decimal("11900"),
                    new_gross=Decimal("14637"),
                )
            ],
            criteria=CRITERIA,
            ranking=[
                ScoredOffer(
                    place=1,
                    vendor="Instytut Badań Opinii Centrum S.A.",
                    points=_points("14\u00a0637,00\u00a0zł", "77.31", "6", "20"),
                    total=Decimal("97.31"),
                ),
                ScoredOffer(
                    place=2,
                    vendor=CONTRACTOR.name,
                    points=_points("14\u00a0145,00\u00a0zł", "80", "nie podano", "0"),
                    total=Decimal("80"),
                ),
            ],
            estimated_value_net=Decimal("11700"),
            estimation_basis="Wartość oszacowano jako średnią arytmetyczną cen netto 2 ofert "
            "złożonych w terminie.",
            estimate_date=date(2027, 3, 12),
            previous_contracts=[
                PreviousContract(year=2026, contractor=CONTRACTOR.name, net=Decimal("10900")),
            ],
            eur_rate=EurRate(
                rate=Decimal("4.31"),
                in_force_from=date(2026, 1, 1),
                legal_basis="obwieszczenie Prezesa Urzędu Zamówień Publicznych w sprawie "
                "średniego kursu złotego w stosunku do euro stanowiącego podstawę przeliczania "
                "wartości zamówień publicznych (art. 3 ust. 3 ustawy – Prawo zamówień "
                "publicznych)",
            ),
            recommended="Instytut Badań Opinii Centrum S.A.",
            recommendation_reason="Oferta uzyskała najwyższą łączną liczbę punktów (97,31 pkt) "
            "według kryteriów oceny ofert podanych w zapytaniu o cenę.",
        ),
        "pismo_do_wykonawcy": LetterToContractor(
            **letter,
            date=date(2027, 4, 2),
            contractor=CONTRACTOR,
            contract_ref="OS.272.5.2027",
            contract_date=date(2027, 3, 29),
            topics=TOPICS,
            survey_term=date(2027, 6, 15),
        ),
        "informacja_o_wynikach": ResultsMemo(
            **letter,
            date=date(2027, 7, 5),
            recipients=[OS_MANAGER, PLENIPOTENTIARY, MAYOR],
            previous_year=YEAR - 1,
            contractor_name=CONTRACTOR.name,
            survey_period="od 2 do 15 czerwca 2027 r.",
            method="wywiady bezpośrednie (PAPI/CAPI)",
            respondents=400,
            indicators=INDICATORS,
            charts=charts,
            irregularities=IRREGULARITIES,
            conclusions=[
                "Ogólna ocena obsługi wzrosła o 0,11 punktu; różnica mieści się w granicach błędu.",
                "Czas oczekiwania pozostaje najniżej ocenianym aspektem obsługi.",
            ],
        ),
        "polecenie_auditu": AuditOrder(
            **{**letter, "signatory": PLENIPOTENTIARY},
            date=date(2027, 7, 20),
            addressee=Addressee(
                name="Zespół ds. Zintegrowanego Systemu Zarządzania",
                lines=("przewodnicząca: Joanna Mazur",),
            ),
            audit_team=[
                Person(name="Joanna Mazur", position="auditor wiodący"),
                Person(name="Robert Kamiński", position="auditor"),
            ],
            irregularities=IRREGULARITIES,
            guidelines=[
                AuditGuideline(
                    what="Organizacja przyjmowania klientów i rozkład obciążenia stanowisk",
                    where="Wydział Komunikacji, sala obsługi",
                    evidence="dane systemu kolejkowego za I półrocze 2027 r., grafik pracy",
                ),
                AuditGuideline(
                    what="Rozpatrywanie skarg na czas oczekiwania",
                    where="Biuro Obsługi Klienta, stanowisko ds. skarg",
                    evidence="rejestr skarg i wniosków, odpowiedzi na skargi",
                ),
            ],
            actions=[
                Action(
                    kind="correction",
                    description="Otwarcie dodatkowego stanowiska w poniedziałki i piątki",
                    owner="Naczelnik Wydziału Komunikacji",
                    due=date(2027, 8, 31),
                ),
                Action(
                    kind="corrective",
                    description="Wprowadzenie rezerwacji wizyt online",
                    owner="Kierownik BOK",
                    due=date(2027, 10, 31),
                ),
                Action(
                    kind="preventive",
                    description="Comiesięczny przegląd czasu oczekiwania z systemu kolejkowego",
                    owner="Kierownik OS",
                    due=date(2027, 12, 31),
                ),
            ],
            audit_by=date(2027, 9, 30),
            report_by=date(2027, 10, 15),
        ),
        "publikacja_wynikow": Publication(
            **common,
            date=date(2027, 8, 2),
            previous_year=YEAR - 1,
            summary=[
                "W czerwcu 2027 r. zapytaliśmy 400 klientów Urzędu o ocenę naszej pracy. "
                "Dziękujemy wszystkim, którzy wzięli udział w badaniu.",
                "Najwyżej oceniona została uprzejmość pracowników, najniżej – czas oczekiwania "
                "na obsługę.",
            ],
            contractor_name=CONTRACTOR.name,
            survey_period="od 2 do 15 czerwca 2027 r.",
            method="wywiady bezpośrednie (PAPI/CAPI)",
            respondents=400,
            indicators=INDICATORS,
            charts=charts,
            conclusions=["Klienci dobrze oceniają obsługę; czas oczekiwania wymaga poprawy."],
            planned_actions=["Rezerwacja wizyt online w Wydziale Komunikacji od października."],
            contact=COORDINATOR,
        ),
    }
