"""The procedure's documents, built from the configuration and the campaign's records.

Each function returns the finished DOCX bytes and keeps a copy in the archive with a
``documents`` row, so every document the office sent can be downloaded again later.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import documents as docs
from mailflow.app import App, store_file
from mailflow.config import Config
from mailflow.config import Person as ConfigPerson
from mailflow.config import Vendor as ConfigVendor
from mailflow.db import models
from mailflow.documents.scoring import Bid, describe, rank, winner
from mailflow.errors import UserError
from mailflow.offer_form import LABELS

POSITIONS = {
    "coordinator": "pracownik Oddziału Komunikacji Społecznej",
    "os_manager": "Kierownik Oddziału Komunikacji Społecznej",
    "bok_manager": "Kierownik Biura Obsługi Klienta",
    "complaints_officer": "pracownik ds. skarg, wniosków i interwencji",
    "plenipotentiary": "Pełnomocnik ds. Zintegrowanego Systemu Zarządzania",
    "mayor": "Prezydent Miasta",
    "unit_heads": "kierownik komórki organizacyjnej",
    "audit_team": "Zespół ds. ZSZ",
}
METHOD = "wywiady bezpośrednie (PAPI/CAPI) z klientami Urzędu"


def office(config: Config) -> docs.Office:
    o = config.office
    return docs.Office(
        name=o.name,
        name_genitive=o.name_genitive,
        legal_name=o.legal_name,
        street=o.street,
        postcode=o.postcode,
        city=o.city,
        nip=o.nip,
        regon=o.regon,
        bip_url=o.bip_url,
        email=config.smtp.from_address,
        phone=o.phone,
        unit=o.unit,
        data_protection_email=o.data_protection_email,
    )


def person(config: Config, role: str) -> docs.Person:
    p: ConfigPerson = config.person_for(role)
    return docs.Person(
        name=p.name,
        position=p.position or POSITIONS.get(role, ""),
        email=p.email,
        phone=p.phone or config.office.phone,
    )


def vendor(v: ConfigVendor) -> docs.Vendor:
    return docs.Vendor(
        name=v.name,
        street=v.street,
        postcode=v.postcode,
        city=v.city,
        email=v.email,
        nip=v.nip or "",
    )


def _common(app: App, campaign: models.Campaign) -> dict[str, Any]:
    return {
        "office": office(app.config),
        "case_ref": campaign.case_ref,
        "year": campaign.year,
        "date": local_today(app),
    }


def _letter(app: App, campaign: models.Campaign, signatory: str = "os_manager") -> dict[str, Any]:
    return {
        **_common(app, campaign),
        "signatory": person(app.config, signatory),
        "handled_by": person(app.config, "coordinator"),
    }


def local_today(app: App) -> date:
    from zoneinfo import ZoneInfo

    return app.clock.now().astimezone(ZoneInfo("Europe/Warsaw")).date()


def keep(
    app: App, session: Session, campaign: models.Campaign, kind: str, filename: str, data: bytes
) -> bytes:
    """Archive a generated document and record it for the campaign."""
    digest = store_file(app, session, data)
    version = 1 + len(
        session.scalars(
            select(models.Document.id).where(
                models.Document.campaign_id == campaign.id, models.Document.kind == kind
            )
        ).all()
    )
    session.add(
        models.Document(
            campaign_id=campaign.id,
            kind=kind,
            filename=filename,
            sha256=digest,
            created_at=app.clock.now(),
            version=version,
        )
    )
    return data


def render(app: App, name: str, document: docs.Document) -> bytes:
    return docs.render_document(name, document.context(), app.config.template_dir)


def topics_of(session: Session, campaign: models.Campaign) -> list[docs.Topic]:
    rows = session.scalars(
        select(models.Topic)
        .where(models.Topic.campaign_id == campaign.id)
        .order_by(models.Topic.id)
    ).all()
    return [
        docs.Topic(
            title=t.title,
            source=t.source,
            discussion=t.discussion or "—",
            source_detail=t.contributor or "",
        )
        for t in rows
    ]


def call_for_topics(
    app: App, session: Session, campaign: models.Campaign, reply_by: date, reply_address: str
) -> bytes:
    recipients = [
        docs.Person(name=p.name, position=POSITIONS[role], email=p.email)
        for role in ("bok_manager", "complaints_officer", "unit_heads")
        for p in app.config.people_for(role)
    ]
    document = docs.CallForTopics(
        **_letter(app, campaign),
        recipients=recipients,
        reply_by=reply_by,
        reply_address=reply_address,
    )
    data = render(app, "prosba_o_zagadnienia", document)
    return keep(
        app,
        session,
        campaign,
        "prosba_o_zagadnienia",
        f"Prosba_o_zagadnienia_{campaign.year}.docx",
        data,
    )


def catalogue(app: App, session: Session, campaign: models.Campaign) -> bytes:
    topics = topics_of(session, campaign)
    if not topics:
        raise UserError.of("the catalogue has no topics yet")
    document = docs.TopicCatalogue(**_letter(app, campaign, "coordinator"), topics=topics)
    data = render(app, "katalog_zagadnien", document)
    return keep(
        app, session, campaign, "katalog_zagadnien", f"Katalog_zagadnien_{campaign.year}.docx", data
    )


def criteria(config: Config) -> list[docs.Criterion]:
    """The published criteria with how points are given, as the inquiry and comparison print."""
    return [
        docs.Criterion(name=c.name, weight_percent=c.weight, description=describe(c))
        for c in config.procurement.criteria
    ]


def late_offer_rule(config: Config) -> str:
    """The configured late-offer rule in the inquiry's words, for the e-mails to say the same."""
    return docs.LATE_OFFER_TEXTS[config.procurement.late_offers]


def offer_form_rule(config: Config) -> str:
    """The configured offer-form rule in the inquiry's words, for the e-mails to say the same."""
    return docs.OFFER_FORM_TEXTS[config.procurement.offer_form]


def _month_day(year: int, month_day: str) -> date:
    month, day = month_day.split("-")
    return date(year, int(month), int(day))


def offer_form_notes(config: Config) -> list[str]:
    """What the offer form tells the firm about the fields the criteria score."""
    return [
        f"Pole „{c.form_label}” służy ocenie w kryterium „{c.name}” ({c.weight}%): proszę "
        "wpisać liczbę całkowitą; niepodanie liczby oznacza 0 pkt w tym kryterium."
        for c in config.procurement.criteria
        if c.formula == "stated_number"
    ]


def price_inquiry(
    app: App,
    session: Session,
    campaign: models.Campaign,
    v: ConfigVendor,
    deadline: datetime,
    reply_address: str,
    tag: str,
) -> tuple[bytes, bytes]:
    """The inquiry letter (archived) and its blank offer form; ``deadline`` is the stored
    (UTC) moment, printed on Warsaw's clock."""
    config = app.config
    rules = config.procurement
    topics = topics_of(session, campaign)
    contact = person(config, rules.contact_role)
    inquiry = docs.PriceInquiry(
        **_letter(app, campaign),
        vendor=vendor(v),
        scope=[t.title for t in topics],
        method=METHOD,
        sample_size=config.procedure.sample_size,
        deliverables=[
            docs.Deliverable(what=d.what, due=_month_day(campaign.year, d.due))
            for d in rules.deliverables
        ],
        offer_deadline=deadline,
        survey_by=survey_by(app, campaign),
        criteria=criteria(config),
        reply_address=reply_address,
        subject_tag=tag,
        contact=contact,
        legal_basis=rules.legal_basis,
        reservations=list(rules.reservations),
        conditions=list(rules.conditions),
        questionnaire=rules.questionnaire,
        interviews=rules.interviews,
        quotas=[docs.Quota(unit=unit, interviews=count) for unit, count in rules.quotas],
        licence=rules.licence,
        payment_terms=rules.payment_terms,
        offer_validity_days=rules.offer_validity_days,
        cpv=list(rules.cpv),
        late_offers=rules.late_offers,
        offer_form=rules.offer_form,
    )
    form = docs.OfferForm(
        **_common(app, campaign),
        subject=f"badanie satysfakcji klientów {config.office.name_genitive} "
        f"w {campaign.year} r. ({config.procedure.sample_size} wywiadów, raport, zbiór danych, "
        "prezentacja)",
        notes=offer_form_notes(config),
        valid_until=docs.local_time(deadline).date() + timedelta(days=rules.offer_validity_days),
    )
    letter = keep(
        app,
        session,
        campaign,
        "zapytanie_o_cene",
        f"Zapytanie_o_cene_{v.key}_{campaign.year}.docx",
        render(app, "zapytanie_o_cene", inquiry),
    )
    offer_form = render(app, "formularz_ofertowy", form)
    return letter, offer_form


def survey_by(app: App, campaign: models.Campaign) -> date:
    month, day = app.config.procedure.survey_by.split("-")
    return date(campaign.year, int(month), int(day))


def contract_by(app: App, campaign: models.Campaign) -> date:
    month, day = app.config.procedure.contract_by.split("-")
    return date(campaign.year, int(month), int(day))


def current_quotes(session: Session, campaign: models.Campaign) -> dict[str, models.QuoteRecord]:
    """Each vendor's quote in force (corrections supersede earlier quotes)."""
    rows = session.scalars(
        select(models.QuoteRecord)
        .where(
            models.QuoteRecord.campaign_id == campaign.id,
            models.QuoteRecord.superseded_by_id.is_(None),
        )
        .order_by(models.QuoteRecord.id)
    ).all()
    return {q.vendor_key: q for q in rows}


def estimate(quotes: list[models.QuoteRecord]) -> Decimal:
    """Estimated contract value net of VAT (Pzp art. 28): the mean net price of valid offers."""
    nets = [q.net for q in quotes if q.net is not None and q.currency == "PLN"]
    if not nets:
        return Decimal("0.00")
    return (sum(nets, Decimal(0)) / len(nets)).quantize(Decimal("0.01"))


def _all_quotes(session: Session, campaign: models.Campaign) -> list[models.QuoteRecord]:
    return list(
        session.scalars(
            select(models.QuoteRecord)
            .where(models.QuoteRecord.campaign_id == campaign.id)
            .order_by(models.QuoteRecord.id)
        )
    )


def stated_fields(app: App, session: Session, quote: models.QuoteRecord) -> dict[str, str] | None:
    """The offer form's fields of the message a quote came from, read again from the archive.

    The quote row keeps only prices, so a number a criterion scores (e.g. the surveys for
    public bodies) is read here from the filled form, or from "label: value" in the e-mail
    when the firm wrote the offer in its reply. None when the message cannot be read.
    """
    from mailflow.mail.parse import parse_message
    from mailflow.reading.documents import DocumentText, read_document
    from mailflow.reading.offer_form import form_fields
    from mailflow.reading.safety import ReadingLimits

    message = session.get(models.Message, quote.message_id) if quote.message_id else None
    if message is None:
        return None
    try:
        parsed = parse_message(app.archive.get(message.sha256))
    except (OSError, KeyError):
        return None
    if parsed.reply is None:
        return None
    fields: dict[str, str] = {}
    for attachment in parsed.reply.attachments:
        document = read_document(attachment, ReadingLimits())
        if isinstance(document, DocumentText):
            fields = form_fields(document.tables)
            if fields:
                break
    text = parsed.reply.new_text or ""
    for label in LABELS:
        if fields.get(label):
            continue
        found = re.search(re.escape(label) + r"\s*[:–-]\s*([^\n]+)", text, flags=re.IGNORECASE)
        if found:
            fields[label] = found.group(1).strip()
    return fields


def _excluded(app: App, quote: models.QuoteRecord) -> str:
    """Why an offer is not scored under the configured rules ("" when it is scored)."""
    rules = app.config.procurement
    if quote.late and rules.late_offers == "rejected":
        return "nie podlega ocenie"
    if rules.offer_form == "form_required" and quote.source == "body":
        return "złożona w treści wiadomości, bez formularza ofertowego – nie podlega ocenie"
    if quote.net is None and quote.gross is None:
        return "brak ceny – nie podlega ocenie"
    return ""


def previous_contracts(
    app: App, session: Session, campaign: models.Campaign
) -> list[docs.PreviousContract]:
    """The same yearly service in earlier years, as far as the database holds it (art. 34).

    The value is ``campaign.data["contract_value_net"]`` when the procedure recorded it,
    otherwise the net price of the chosen contractor's offer in force that year.
    """
    found = []
    for earlier in session.scalars(
        select(models.Campaign)
        .where(models.Campaign.year < campaign.year)
        .order_by(models.Campaign.year.desc())
        .limit(3)
    ):
        if not earlier.contractor_key:
            continue
        value = earlier.data.get("contract_value_net") if earlier.data else None
        net = Decimal(str(value)) if value else None
        if net is None:
            quote = current_quotes(session, earlier).get(earlier.contractor_key)
            net = quote.net if quote is not None else None
        if net is None:
            continue
        cfg = app.config.vendors.get(earlier.contractor_key)
        found.append(
            docs.PreviousContract(
                year=earlier.year, contractor=cfg.name if cfg else earlier.contractor_key, net=net
            )
        )
    return found


def comparison(app: App, session: Session, campaign: models.Campaign) -> tuple[bytes, Decimal, int]:
    """The comparison of offers (archived), the estimated value net and how many offers
    were scored. Points follow the published criteria; the recommendation follows the points.
    """
    config = app.config
    rules = config.procurement
    quotes = current_quotes(session, campaign)
    everything = _all_quotes(session, campaign)
    names = {k: v.name for k, v in config.vendors.items()}
    outcomes = []
    bids: list[Bid] = []
    unreadable: set[str] = set()
    for inquiry in session.scalars(
        select(models.Inquiry)
        .where(models.Inquiry.campaign_id == campaign.id)
        .order_by(models.Inquiry.id)
    ):
        name = names.get(inquiry.vendor_key, inquiry.vendor_key)
        quote = quotes.get(inquiry.vendor_key)
        status = {"bounced": "bounced", "declined": "declined"}.get(inquiry.status, "no_reply")
        remarks: list[str] = []
        if quote is not None:
            status = "late" if quote.late else "offer"
            if any(
                q.superseded_by_id is not None
                for q in everything
                if q.vendor_key == quote.vendor_key
            ):
                remarks.append("po korekcie (zob. korekty ofert)")
            if quote.needs_review:
                remarks.append("wymaga weryfikacji")
            why = _excluded(app, quote)
            if quote.late and not why:
                remarks.append("rozpatrzona: wpłynęła przed sporządzeniem zestawienia")
            if why:
                remarks.append(why)
            else:
                fields = stated_fields(app, session, quote)
                if fields is None:
                    unreadable.add(inquiry.vendor_key)
                    remarks.append("formularza nie udało się odczytać ponownie – do sprawdzenia")
                bids.append(
                    Bid(
                        key=inquiry.vendor_key,
                        name=name,
                        net=quote.net,
                        gross=quote.gross,
                        fields=fields or {},
                        readable=fields is not None,
                    )
                )
        outcomes.append(
            docs.VendorOutcome(
                name=name,
                email=inquiry.vendor_email,
                asked_on=docs.local_time(inquiry.sent_at or app.clock.now()).date(),
                status=status,
                answered_on=docs.local_time(inquiry.answered_at).date()
                if inquiry.answered_at
                else None,
                received_at=quote.received_at if quote else None,
                net=quote.net if quote else None,
                vat_rate=quote.vat_rate if quote else None,
                gross=quote.gross if quote else None,
                remarks="; ".join(remarks),
            )
        )
    corrections = [
        docs.Correction(
            vendor=names.get(old.vendor_key, old.vendor_key),
            first_received_at=old.received_at,
            first_net=old.net,
            first_gross=old.gross,
            new_received_at=new.received_at,
            new_net=new.net,
            new_gross=new.gross,
        )
        for old in everything
        if old.superseded_by_id is not None
        for new in everything
        if new.id == old.superseded_by_id
    ]
    ranking = rank(rules.criteria, bids)
    chosen, reason = winner(ranking)
    scored = [quotes[b.key] for b in bids]
    value = estimate(scored)
    today = local_today(app)
    entry = config.procedure.eur_rate_entry(today)
    if entry is None:
        raise UserError.of(
            "procedure.eur_rate has no PLN/EUR rate in force on %(day)s", day=today.isoformat()
        )
    rate_from, rate, source = entry
    weights = {c.name: c.weight for c in rules.criteria}
    deadline_text = campaign.data.get("offers_deadline")
    document = docs.QuoteComparison(
        **_letter(app, campaign, "coordinator"),
        addressee=_manager_addressee(app),
        subject=f"badanie satysfakcji klientów {config.office.name_genitive} w {campaign.year} r.",
        vendors=outcomes,
        offer_deadline=datetime.fromisoformat(deadline_text) if deadline_text else app.clock.now(),
        late_offers=rules.late_offers,
        offer_form=rules.offer_form,
        corrections=corrections,
        criteria=criteria(config),
        ranking=[
            docs.ScoredOffer(
                place=r.place,
                vendor=r.name,
                points=[
                    docs.Points(
                        criterion=s.criterion,
                        weight_percent=weights[s.criterion],
                        answer=s.answer,
                        points=s.points,
                    )
                    for s in r.scores
                ],
                total=r.total,
            )
            for r in ranking
        ],
        estimated_value_net=value,
        estimation_basis=(
            f"Wartość oszacowano jako średnią arytmetyczną cen netto ofert podlegających ocenie "
            f"({len(scored)})."
            if scored
            else "Nie złożono oferty podlegającej ocenie; wartości nie oszacowano na podstawie "
            "ofert."
        ),
        estimate_date=today,
        previous_contracts=previous_contracts(app, session, campaign),
        eur_rate=docs.EurRate(rate=rate, in_force_from=rate_from, legal_basis=source),
        recommended=chosen.name if chosen else None,
        recommendation_reason=reason
        + (" Część ofert wymaga sprawdzenia (zob. uwagi w tabeli)." if unreadable else ""),
        threshold_net=config.procedure.pzp_threshold_net,
    )
    data = keep(
        app,
        session,
        campaign,
        "zestawienie_ofert",
        f"Zestawienie_ofert_{campaign.year}.docx",
        render(app, "zestawienie_ofert", document),
    )
    return data, value, len(scored)


def _manager_addressee(app: App) -> docs.Addressee:
    manager = person(app.config, "os_manager")
    return docs.Addressee(name=manager.name, lines=(manager.position, "w miejscu"))


def letter_to_contractor(app: App, session: Session, campaign: models.Campaign) -> bytes:
    assert campaign.contractor_key and campaign.survey_term
    document = docs.LetterToContractor(
        **_letter(app, campaign),
        contractor=vendor(app.config.vendors[campaign.contractor_key]),
        contract_ref=campaign.contract_number or "",
        contract_date=local_today(app),
        topics=topics_of(session, campaign),
        survey_term=campaign.survey_term,
        term_change_reason=str(campaign.data.get("term_justification") or ""),
    )
    return keep(
        app,
        session,
        campaign,
        "pismo_do_wykonawcy",
        f"Pismo_do_wykonawcy_{campaign.year}.docx",
        render(app, "pismo_do_wykonawcy", document),
    )


def _indicators(report: dict[str, Any], previous: dict[str, Any] | None) -> list[docs.Indicator]:
    before = {q["id"]: q for q in (previous or {}).get("questions", [])}
    return [
        docs.Indicator(
            label=f"{q['id']}. {q['label']}",
            n=q["n"],
            mean=q["mean"],
            ci_low=q["ci95"][0],
            ci_high=q["ci95"][1],
            top2_share=q["top2_share"],
            top2_ci_low=q["top2_ci95"][0],
            top2_ci_high=q["top2_ci95"][1],
            previous_mean=before.get(q["id"], {}).get("mean"),
        )
        for q in report["questions"]
        if q.get("mean") is not None
    ]


def _charts(indicators: list[docs.Indicator], year: int) -> list[docs.Chart]:
    bars = [
        docs.ChartBar(
            label=i.label,
            value=i.mean,
            ci_low=i.ci_low,
            ci_high=i.ci_high,
            previous=i.previous_mean,
        )
        for i in indicators
    ]
    return [docs.score_chart("Średnia ocena usług Urzędu", bars, year=year, previous_year=year - 1)]


def _irregularities(findings: list[models.Finding]) -> list[docs.Irregularity]:
    return [
        docs.Irregularity(
            subject=str(
                f.evidence.get("question_label") or f.evidence.get("question_id") or f.rule
            ),
            finding=f.description,
            rule=f.rule,
        )
        for f in findings
    ]


def results_context(
    session: Session, campaign: models.Campaign
) -> tuple[dict[str, Any], dict[str, Any] | None, list[models.Finding]]:
    result = session.scalars(
        select(models.SurveyResult)
        .where(models.SurveyResult.campaign_id == campaign.id)
        .order_by(models.SurveyResult.id.desc())
    ).first()
    if result is None:
        raise UserError.of("no survey results recorded for this campaign yet")
    previous = session.scalars(
        select(models.SurveyResult)
        .where(models.SurveyResult.year == campaign.year - 1)
        .order_by(models.SurveyResult.id.desc())
    ).first()
    findings = list(
        session.scalars(select(models.Finding).where(models.Finding.campaign_id == campaign.id))
    )
    return result.report, previous.report if previous else None, findings


def _contractor_name(app: App, campaign: models.Campaign) -> str:
    if campaign.contractor_key and campaign.contractor_key in app.config.vendors:
        return app.config.vendors[campaign.contractor_key].name
    return "wykonawca badania"


def results_memo(app: App, session: Session, campaign: models.Campaign, round_no: int) -> bytes:
    """The memo of one round; the same version goes along the whole chain unchanged."""
    filename = f"Informacja_o_wynikach_{campaign.year}_v{round_no}.docx"
    existing = session.scalar(
        select(models.Document).where(
            models.Document.campaign_id == campaign.id, models.Document.filename == filename
        )
    )
    if existing is not None:
        return app.archive.get(existing.sha256)
    report, previous, findings = results_context(session, campaign)
    indicators = _indicators(report, previous)
    document = docs.ResultsMemo(
        **_letter(app, campaign, "coordinator"),
        recipients=[person(app.config, r) for r in ("os_manager", "plenipotentiary", "mayor")],
        previous_year=campaign.year - 1,
        contractor_name=_contractor_name(app, campaign),
        survey_period=f"do {docs.format_date(campaign.survey_date or survey_by(app, campaign))}",
        method=METHOD,
        respondents=int(report.get("respondents", 0)),
        indicators=indicators,
        charts=_charts(indicators, campaign.year),
        irregularities=_irregularities(findings),
        conclusions=([f.description for f in findings] or ["Wyniki nie wskazują nieprawidłowości."])
        + _memo_comments(session, campaign, round_no),
    )
    return keep(
        app,
        session,
        campaign,
        "informacja_o_wynikach",
        f"Informacja_o_wynikach_{campaign.year}_v{round_no}.docx",
        render(app, "informacja_o_wynikach", document),
    )


def _memo_comments(session: Session, campaign: models.Campaign, round_no: int) -> list[str]:
    """A later version says what the earlier one was returned for."""
    returned = session.scalars(
        select(models.Approval)
        .where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.item == "memo",
            models.Approval.status == "returned",
            models.Approval.round < round_no,
        )
        .order_by(models.Approval.id)
    )
    return [
        f"Uwagi zgłoszone w obiegu wersji {a.round}: {a.comment}" for a in returned if a.comment
    ]


def audit_order(
    app: App, session: Session, campaign: models.Campaign, audit_by: date, report_by: date
) -> bytes:
    _, _, findings = results_context(session, campaign)
    actions = session.scalars(
        select(models.CorrectiveAction).where(models.CorrectiveAction.campaign_id == campaign.id)
    ).all()
    team = app.config.people_for("audit_team")
    guidelines = [
        docs.AuditGuideline(
            what=f"Przyczyny: {f.description}",
            where=str(f.evidence.get("segment") or "komórki obsługujące klientów w tym zakresie"),
            evidence="wyniki badania (zbiór danych), rejestr skarg i wniosków, "
            "dane systemu kolejkowego, procedury obsługi klienta",
        )
        for f in findings
    ]
    document = docs.AuditOrder(
        **_letter(app, campaign, "plenipotentiary"),
        addressee=docs.Addressee(name="Zespół ds. Zintegrowanego Systemu Zarządzania", lines=()),
        audit_team=[
            docs.Person(name=p.name, position="członek Zespołu ds. ZSZ", email=p.email)
            for p in team
        ],
        irregularities=_irregularities(findings),
        guidelines=guidelines,
        actions=[
            docs.Action(kind=a.kind, description=a.description, owner=a.owner, due=a.due_on)
            for a in actions
        ],
        audit_by=audit_by,
        report_by=report_by,
    )
    return keep(
        app,
        session,
        campaign,
        "polecenie_auditu",
        f"Polecenie_auditu_{campaign.year}.docx",
        render(app, "polecenie_auditu", document),
    )


def publication(app: App, session: Session, campaign: models.Campaign) -> tuple[bytes, str]:
    report, previous, findings = results_context(session, campaign)
    indicators = _indicators(report, previous)
    actions = session.scalars(
        select(models.CorrectiveAction).where(models.CorrectiveAction.campaign_id == campaign.id)
    ).all()
    document = docs.Publication(
        **_common(app, campaign),
        previous_year=campaign.year - 1,
        summary=[
            f"W {campaign.year} r. zapytaliśmy {report.get('respondents', 0)} klientów Urzędu "
            "o ocenę jakości obsługi. Dziękujemy wszystkim uczestnikom badania."
        ],
        contractor_name=_contractor_name(app, campaign),
        survey_period=f"do {docs.format_date(campaign.survey_date or survey_by(app, campaign))}",
        method=METHOD,
        respondents=int(report.get("respondents", 0)),
        indicators=indicators,
        charts=_charts(indicators, campaign.year),
        conclusions=[f.description for f in findings]
        or ["Klienci dobrze oceniają obsługę Urzędu."],
        planned_actions=[a.description for a in actions],
        contact=person(app.config, "coordinator"),
    )
    data = keep(
        app,
        session,
        campaign,
        "publikacja_wynikow",
        f"Publikacja_wynikow_{campaign.year}.docx",
        render(app, "publikacja_wynikow", document),
    )
    html = docs.render_publication_html(document)
    keep(
        app,
        session,
        campaign,
        "publikacja_wynikow_html",
        f"Publikacja_wynikow_{campaign.year}.html",
        html.encode("utf-8"),
    )
    return data, html
