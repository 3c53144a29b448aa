"""The eight IN-13 steps and the roles that act in them: defined once, read everywhere.

The procedure, the CLI, ``mailflow status`` and the status page import these numbers, codes
and titles; nothing here touches the database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class StepNumber(IntEnum):
    TOPICS = 0
    INQUIRY = 1
    CONTRACT = 2
    QUESTIONNAIRE = 3
    MONITORING = 4
    RESULTS = 5
    AUDIT = 6
    PUBLICATION = 7


@dataclass(frozen=True)
class StepInfo:
    number: StepNumber
    name: str  # the code the JSON status and the page's labels use
    title: str  # the instruction's own words, for a Polish reader


STEPS: tuple[StepInfo, ...] = (
    StepInfo(StepNumber.TOPICS, "topics", "Zagadnienia wymagające opinii klientów"),
    StepInfo(StepNumber.INQUIRY, "price_inquiry", "Katalog zagadnień i zapytanie o cenę"),
    StepInfo(StepNumber.CONTRACT, "contract", "Umowa z wykonawcą badania"),
    StepInfo(StepNumber.QUESTIONNAIRE, "questionnaire", "Kwestionariusz i termin badania"),
    StepInfo(StepNumber.MONITORING, "monitoring", "Monitorowanie badania"),
    StepInfo(StepNumber.RESULTS, "results", "Wyniki badania"),
    StepInfo(StepNumber.AUDIT, "audit", "Audit wewnętrzny"),
    StepInfo(StepNumber.PUBLICATION, "publication", "Publikacja wyników"),
)
STEP_NAMES: dict[int, str] = {step.number: step.name for step in STEPS}
LAST_STEP: int = STEPS[-1].number

# How a letter names the people who decide (the memo chain and its deputies).
ROLE_TITLES: dict[str, str] = {
    "coordinator": "koordynator (OS)",
    "os_manager": "Kierownik OS",
    "plenipotentiary": "Pełnomocnik ds. ZSZ",
    "mayor": "Prezydent Miasta",
}
