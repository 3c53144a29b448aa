"""Plays a campaign year: mailflow's passes, the people's replies, and the clock moving on.

Each round runs one full daemon pass (the same jobs the scheduler runs: yearly start, intake,
what is due, outbox), lets every simulated person read and answer their mail, and runs another
pass; then the fake clock moves on. What a coordinator does on the status page (recording the
contract, the audit's actions) is done here through the same procedure functions the page uses.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from mailflow import procedure
from mailflow.app import App
from mailflow.clock import WARSAW, FakeClock
from mailflow.db import models, transaction
from mailflow.demo import script
from mailflow.demo.people import MailWorld, Person, Postman, Received, Reply

START = datetime(2027, 1, 15, 8, 0, tzinfo=WARSAW).astimezone(UTC)
OFFICE_ACTOR = "anna.wrona@um.example.pl"
Pass = Callable[[], object]


def _combine(*behaviours: Any) -> Any:
    def answer(person: Person, received: Received, now: datetime) -> list[Reply]:
        replies: list[Reply] = []
        for behaviour in behaviours:
            replies += behaviour(person, received, now)
        return replies

    return answer


def cast() -> list[Person]:
    by_role = {
        "coordinator": script.coordinator,
        "os_manager": script.os_manager,
        "plenipotentiary": script.plenipotentiary,
        "mayor": script.mayor,
        "bok_manager": script.contributor(
            ["Czas oczekiwania na obsługę w BOK", "Czytelność formularzy wniosków"]
        ),
        "complaints_officer": script.contributor(["Terminowość odpowiedzi na skargi"]),
        "unit_head": script.contributor([]),
        "unit_head_late": script.late_contributor,
        "audit_team": _audit_team,
        "deputy": script.nobody,
    }
    people = [Person(m.email, m.name, by_role[m.role]) for m in script.OFFICIALS]
    for key, name, email, kind, nip in script.VENDORS:
        if kind == "bounce":
            continue
        behaviour = script.vendor(kind, name, nip) if kind != "late" else _late_vendor
        if key == script.CONTRACTOR:
            behaviour = _combine(behaviour, script.contractor_extra)
        people.append(Person(email, name, behaviour, memory={"nip": nip or ""}))
    people.append(Person(script.INTRUDER.email, script.INTRUDER.name, script.nobody))
    return people


def _late_vendor(person: Person, received: Received, now: datetime) -> list[Reply]:
    """Opinia reads the inquiry but answers only three weeks later, after the deadline."""
    if received.code == "ZO" and "thread" not in person.memory:
        person.memory.update(
            thread=received.reply_to,
            subject=received.subject,
            answer_on=(now + timedelta(days=21)).isoformat(),
        )
    return []


def _audit_team(person: Person, received: Received, now: datetime) -> list[Reply]:
    """The team keeps the order's thread and the number of each action it is given; it
    reports them all done a month after the order."""
    if received.code != "AUD":
        return []
    if "Polecenie przeprowadzenia auditu" in received.subject:
        person.memory.update(
            thread=received.reply_to,
            subject=received.subject,
            report_on=(now + timedelta(days=30)).isoformat(),
        )
    if received.subject.startswith("Działanie nr"):
        known = str(person.memory.get("actions", ""))
        found = re.findall(r"WYKONANO: (\d+)", received.text)
        person.memory["actions"] = " ".join(sorted(set(known.split() + found), key=int))
    return []


@dataclass
class Summary:
    rounds: int = 0
    finished: bool = False
    steps_done: list[int] = field(default_factory=list)
    sent: int = 0
    received: int = 0
    quarantined: int = 0
    documents: list[tuple[str, str]] = field(default_factory=list)  # (kind, filename)
    events: list[tuple[int | None, str]] = field(default_factory=list)  # (step, action)
    started: datetime | None = None
    ended: datetime | None = None


class Year:
    """A campaign year in progress: the app, the people and the clock."""

    def __init__(
        self,
        app: App,
        world: MailWorld,
        clock: FakeClock,
        run_pass: Pass,
        on_round: Callable[[Year], None] | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.run_pass = run_pass
        self.people = cast()
        self.postman = Postman(world, self.people)
        self.on_round = on_round
        self.rounds = 0

    def person(self, email: str) -> Person:
        return self.postman.people[email.lower()]

    def campaign_state(self) -> tuple[int, str, set[str]]:
        with self.app.sessions() as session:
            campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == 2027))
            if campaign is None:
                return -1, "none", set()
            actions = set(
                session.scalars(
                    select(models.Event.action).where(models.Event.campaign_id == campaign.id)
                )
            )
            return campaign.step, campaign.status, actions

    def round(self) -> int:
        """One round of mail both ways; returns how many replies people sent."""
        self.run_pass()
        now = self.clock.now()
        replies = self.postman.round(now)
        replies += self._scheduled_mail(now)
        self._office_actions()
        self.run_pass()
        self.rounds += 1
        if self.on_round:
            self.on_round(self)
        return replies

    def _scheduled_mail(self, now: datetime) -> int:
        """Mail people write on their own: a late quote, progress reports, results, audit."""
        sent = 0
        opinia = self.person("opinia@badania.example.pl")
        if (
            opinia.memory.get("answer_on")
            and not opinia.memory.get("answered")
            and now >= datetime.fromisoformat(str(opinia.memory["answer_on"]))
        ):
            opinia.memory["answered"] = True
            self.postman.write(
                opinia,
                str(opinia.memory["thread"]),
                "Re: " + str(opinia.memory["subject"]),
                "Dzień dobry, przesyłamy ofertę: cena netto 9 800,00 zł, VAT 23%, "
                "cena brutto 12 054,00 zł.\nNIP 8137654032",
                now,
            )
            sent += 1
        contractor = self.person("kwadrant@badania.example.pl")
        thread = contractor.memory.get("survey_thread")
        local = now.astimezone(WARSAW).date()
        plan = [
            (date(2027, 6, 3), "progress1", "Zrealizowano 110 z 400 wywiadów.", False),
            (date(2027, 6, 9), "progress2", "Zrealizowano 400 z 400 wywiadów.", False),
            (
                date(2027, 6, 11),
                "results",
                "W załączeniu wyniki badania: zbiór danych i raport.",
                True,
            ),
        ]
        for day, key, text, with_files in plan:
            if thread and local >= day and not contractor.memory.get(key):
                contractor.memory[key] = True
                files = (
                    [
                        ("Wyniki_badania_2027.xlsx", script.XLSX, script.results_file()),
                        (
                            "Raport_badanie_2027.pdf",
                            script.PDF,
                            script.pdf_quote(["Raport z badania satysfakcji klientów 2027"]),
                        ),
                    ]
                    if with_files
                    else []
                )
                self.postman.write(
                    contractor,
                    str(thread),
                    "Badanie satysfakcji 2027 – "
                    + ("wyniki" if with_files else "postęp realizacji"),
                    text,
                    now,
                    files,
                )
                sent += 1
                break
        team = self.person("zsz@um.example.pl")
        numbers = str(team.memory.get("actions", "")).split()
        if (
            team.memory.get("report_on")
            and numbers
            and not team.memory.get("reported")
            and now >= datetime.fromisoformat(str(team.memory["report_on"]))
        ):
            team.memory["reported"] = True
            self.postman.write(
                team,
                str(team.memory["thread"]),
                "Re: " + str(team.memory["subject"]),
                "\n".join(f"wykonano: {number}" for number in numbers),
                now,
            )
            sent += 1
        return sent

    def _office_actions(self) -> None:
        """What the coordinator does on the status page at the right moments."""
        _step, _status, actions = self.campaign_state()
        with transaction(self.app.sessions) as session:
            campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == 2027))
            if campaign is None:
                return
            if "comparison_approved" in actions and "procurement_started" not in actions:
                procedure.mark_procurement_started(self.app, session, campaign, OFFICE_ACTOR, "web")
            elif "procurement_started" in actions and "contract_recorded" not in actions:
                procedure.record_contract(
                    self.app,
                    session,
                    campaign,
                    script.CONTRACTOR,
                    script.CONTRACT_NUMBER,
                    script.SURVEY_TERM,
                    None,
                    OFFICE_ACTOR,
                    "web",
                )
            elif "audit_ordered" in actions and "action_recorded" not in actions:
                today = procedure.today(self.app)
                procedure.add_corrective_action(
                    self.app,
                    session,
                    campaign,
                    "corrective",
                    "Dodatkowe stanowisko obsługi w poniedziałki i piątki",
                    "Naczelnik Wydziału Komunikacji",
                    today + timedelta(days=60),
                    OFFICE_ACTOR,
                    "web",
                )
                procedure.add_corrective_action(
                    self.app,
                    session,
                    campaign,
                    "preventive",
                    "Comiesięczny przegląd czasu oczekiwania z systemu kolejkowego",
                    "Kierownik OS",
                    today + timedelta(days=90),
                    OFFICE_ACTOR,
                    "web",
                )

    def play(self, max_rounds: int = 400, pace_s: float = 0.0) -> Summary:
        """Rounds until the campaign is finished and the audit's actions are reported done."""
        self.clock.set(START)
        while self.rounds < max_rounds:
            replies = self.round()
            _step, status, actions = self.campaign_state()
            if status == "finished" and "action_done" in actions:
                break
            # While people are answering the clock moves in hours; when all is quiet it jumps
            # to the next thing due (a reminder, a deadline, someone's planned message).
            now = self.clock.now()
            self.clock.set(now + timedelta(hours=4) if replies else self._next_moment(now))
            if pace_s:
                time.sleep(pace_s)
        self.postman.close()
        return self.summary()

    def _next_moment(self, now: datetime) -> datetime:
        moments: list[datetime] = []
        with self.app.sessions() as session:
            for d in session.scalars(
                select(models.Deadline).where(models.Deadline.done_at.is_(None))
            ):
                if d.remind_at is not None and d.reminded_at is None:
                    moments.append(procedure.utc(d.remind_at))
                if d.escalate_at is not None and d.escalated_at is None:
                    moments.append(procedure.utc(d.escalate_at))
                if d.missed_at is None:
                    moments.append(procedure.utc(d.due_at))
        for person in self.people:
            for key in ("answer_on", "report_on"):
                if person.memory.get(key):
                    moments.append(datetime.fromisoformat(str(person.memory[key])))
        if self.person("kwadrant@badania.example.pl").memory.get("survey_thread"):
            moments += [
                datetime(2027, 6, d, 9, 0, tzinfo=WARSAW).astimezone(UTC) for d in (3, 9, 11)
            ]
        later = [m for m in moments if m > now]
        step = min(later, default=now + timedelta(days=1)) + timedelta(minutes=5)
        return min(step, now + timedelta(days=14))

    def summary(self) -> Summary:
        with self.app.sessions() as session:
            campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == 2027))
            sent = (
                session.scalar(
                    select(func.count())
                    .select_from(models.OutboxMessage)
                    .where(models.OutboxMessage.status == "sent")
                )
                or 0
            )
            received = session.scalar(select(func.count()).select_from(models.Message)) or 0
            quarantined = (
                session.scalar(select(func.count()).select_from(models.QuarantineEntry)) or 0
            )
            documents = [
                (d.kind, d.filename)
                for d in session.scalars(select(models.Document).order_by(models.Document.id))
            ]
            events = [
                (e.step, e.action)
                for e in session.scalars(select(models.Event).order_by(models.Event.id))
            ]
            finished = campaign is not None and campaign.status == "finished"
            done = list(range(8)) if finished else list(range(campaign.step if campaign else 0))
        return Summary(
            self.rounds,
            finished,
            done,
            sent,
            received,
            quarantined,
            documents,
            events,
            START,
            self.clock.now(),
        )
