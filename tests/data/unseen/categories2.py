# ruff: noqa: E501  (message texts and notes are data; long lines keep them greppable)
"""Unseen corpus, second half: declines, questions, server reports, auto-replies, receipts,
decisions, progress, results and charset troubles."""

from __future__ import annotations

from datetime import datetime

from base import (
    COORD,
    DOMAIN,
    MAILBOX,
    MAYOR,
    OS_MANAGER,
    PLENI,
    SENDER_NAME,
    D,
    Firm,
    Mail,
    Orig,
    add,
    approval_request,
    contractor_letter,
    dk,
    dt,
    firm,
    fmt_nip,
    gross_of,
    hdr,
    hexid,
    k,
    multipart,
    new_token,
    pl,
    q,
    raw_part,
    reply_subject,
    rfc_date,
    rng,
    signature,
    text_part,
    uid,
)
from categories import ask, firm_for, me
from mimekit import Part, message

# ============================================================== declines


def declines() -> None:
    cat = "decline"
    specs = [
        (
            "outlook_pl",
            "formal_nie_skladamy",
            "Szanowni Państwo,\n\ndziękujemy za zaproszenie do złożenia oferty. Informujemy, że w "
            "niniejszym postępowaniu nie składamy oferty.\n\nZ poważaniem",
        ),
        (
            "gmail_android",
            "colloquial_nie_damy_rady",
            "Dzień dobry, niestety w tym terminie nie damy rady, mamy pełne obłożenie. Pozdrawiam",
        ),
        (
            "ios",
            "colloquial_odpuszczamy",
            "Pani Agnieszko, niestety tym razem odpuszczamy. Może za rok!",
        ),
        (
            "owa",
            "organisational_reasons",
            "Szanowni Państwo,\n\nz przyczyn organizacyjnych nie jesteśmy w stanie przygotować oferty "
            "w wyznaczonym terminie.\n\nŁączę wyrazy szacunku",
        ),
        (
            "outlook_en",
            "english_decline",
            "Dear Ms Pawłowska,\n\nthank you for the invitation. Unfortunately we will not be "
            "submitting a quote this time, as we do not run face-to-face fieldwork in your region.\n\n"
            "Kind regards",
        ),
        (
            "thunderbird",
            "rezygnujemy",
            "Dzień dobry,\n\nuprzejmie informuję, że rezygnujemy z udziału w zapytaniu.\n\nPozdrawiam",
        ),
        (
            "roundcube",
            "nie_realizujemy_takich_badan",
            "Dzień dobry,\n\nnasza firma nie realizuje badań tego typu (zajmujemy się wyłącznie "
            "badaniami CATI dla sektora prywatnego).\n\nPozdrawiam",
        ),
        (
            "apple",
            "portfolio_full_with_numbers",
            "Dzień dobry,\n\nprzy 400 wywiadach i terminie do 30 czerwca nie zmieścimy się z "
            "realizacją – w czerwcu prowadzimy 3 inne projekty. Nie podejmiemy się.\n\nPozdrawiam",
        ),
        (
            "gmail",
            "decline_mentions_last_year_price",
            "Dzień dobry,\n\nw ubiegłym roku nasza cena za podobne badanie wynosiła 18 000,00 zł netto, "
            "ale w tym roku nie startujemy – brak ankieterów w Państwa regionie.\n\nPozdrawiam",
        ),
        ("samsung", "short_niestety_nie", "Niestety nie skorzystamy. Dzięki za zaproszenie."),
        (
            "zimbra",
            "maybe_next_year",
            "Dzień dobry,\n\nw tym roku nie weźmiemy udziału, ale prosimy o uwzględnienie nas w "
            "przyszłorocznym zapytaniu.\n\nZ poważaniem",
        ),
        (
            "interia",
            "brak_mozliwosci",
            "Witam,\n\nniestety nie mamy możliwości realizacji badania w tym roku.\n\nPozdrawiam",
        ),
    ]
    for i, (client, slug, text) in enumerate(specs):
        f = firm_for(client, i + 2)
        token, o = ask(f)
        sig = (
            "" if client in ("ios", "gmail_android", "samsung") else signature(f, 0, with_nip=False)
        )
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            reply_subject(client, o),
            text + "\n" + sig,
            dt(3, 9 + i % 9, 8 + i % 9, rng.randint(0, 59)),
            orig=o,
        )
        add(cat, slug, m, k("decline", token, note=f"{client}: a decline."))


# ============================================================== questions


def questions() -> None:
    cat = "question"
    specs = [
        (
            "outlook_pl",
            "cawi_allowed",
            "Dzień dobry,\n\nczy dopuszczają Państwo realizację części wywiadów metodą CAWI?\n\n"
            "Z poważaniem",
        ),
        (
            "gmail",
            "breakdown_per_unit",
            "Dzień dobry,\n\nprosimy o doprecyzowanie, ile wywiadów ma przypadać na poszczególne "
            "wydziały (12 wydziałów, 400 wywiadów – czy po równo?).\n\nPozdrawiam",
        ),
        (
            "thunderbird",
            "deadline_extension",
            "Dzień dobry,\n\nczy możemy prosić o przedłużenie terminu składania ofert do 24.03.2027?\n\n"
            "Pozdrawiam",
        ),
        (
            "outlook_en",
            "english_question",
            "Dear Madam,\n\ncould you please confirm whether the price should include printing of "
            "the questionnaires and travel costs?\n\nKind regards",
        ),
        (
            "ios",
            "phone_question",
            "Dzień dobry, do kiedy dokładnie mamy czas na ofertę? I czy wystarczy mailem?",
        ),
        (
            "owa",
            "minimum_sample",
            "Dzień dobry,\n\nczy 400 wywiadów to minimum? Czy możemy zaproponować 350 wywiadów przy "
            "zachowaniu reprezentatywności?\n\nZ poważaniem",
        ),
        (
            "apple",
            "attachment_does_not_open",
            "Dzień dobry,\n\nzałącznik z formularzem ofertowym się nie otwiera – czy mogą Państwo "
            "przesłać go ponownie, najlepiej w PDF?\n\nPozdrawiam",
        ),
        (
            "zimbra",
            "who_is_contact",
            "Dzień dobry,\n\nkto jest osobą do kontaktu w sprawach merytorycznych? Chcielibyśmy "
            "dopytać o kwestionariusz z 2026 r.\n\nPozdrawiam",
        ),
        (
            "gmail_android",
            "report_language",
            "Czy raport ma być tylko po polsku czy też po angielsku? Od tego zależy cena.",
        ),
    ]
    for i, (client, slug, text) in enumerate(specs):
        f = firm_for(client, i + 4)
        token, o = ask(f)
        sig = "" if client in ("ios", "gmail_android") else signature(f, 1)
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            reply_subject(client, o),
            text + "\n" + sig,
            dt(3, 9 + i % 8, 10 + i % 7, rng.randint(0, 59)),
            orig=o,
        )
        add(cat, slug, m, k("question", token, note=f"{client}: a question, no price."))


# ============================================================== server reports


def orig_bytes(o: Orig, headers_only: bool = False) -> str:
    head = (
        f"Return-Path: <{o.from_addr}>\n"
        f"From: {hdr(o.from_name)} <{o.from_addr}>\nTo: {o.to}\nSubject: {hdr(o.subject)}\n"
        f"Date: {rfc_date(o.date)}\nMessage-ID: {o.msgid}\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
    )
    if headers_only:
        return head
    return head + "\n" + o.text + "\n"


def _report(
    headers: list[tuple[str, str]],
    parts: list[Part],
    boundary: str,
    rtype: str = "delivery-status",
    crlf: bool = False,
    preamble: str = "",
) -> bytes:
    body = multipart("report", parts, boundary, params=f" report-type={rtype};")
    if preamble:
        body.body = preamble.encode() + b"\n\n" + body.body
    return message(headers, body, crlf=crlf)


def _dsn(reporting: str, recips: list[dict[str, str]], arrival: datetime, extra: str = "") -> Part:
    txt = f"Reporting-MTA: dns; {reporting}\n{extra}Arrival-Date: {rfc_date(arrival)}\n"
    for r in recips:
        txt += "\n"
        if r.get("orig"):
            txt += f"Original-Recipient: rfc822;{r['orig']}\n"
        txt += (
            f"Final-Recipient: rfc822; {r['final']}\nAction: {r['action']}\nStatus: {r['status']}\n"
        )
        if r.get("remote"):
            txt += f"Remote-MTA: dns; {r['remote']}\n"
        if r.get("diag"):
            txt += f"Diagnostic-Code: smtp; {r['diag']}\n"
        if r.get("extra"):
            txt += r["extra"]
    return raw_part("message/delivery-status", txt)


def _bounce_target(i: int) -> tuple[Firm, str, Orig]:
    f = firm(i)
    token, o = ask(f)
    return f, token, o


def _b(rec: str, status: str, token: str | None, note: str, permanent: bool) -> dict:
    e = k(
        "bounce",
        token,
        note=note,
        bounce={"recipient": rec, "status": status, "permanent": permanent},
    )
    e.update(recipient=rec, status=status, permanent=permanent)
    return e


def postfix(
    o: Orig,
    f_addr: str,
    status: str,
    diag: str,
    *,
    action: str = "failed",
    final: str | None = None,
    orig_rcpt: str | None = None,
    subject: str | None = None,
    headers_only: bool = False,
    to: str | None = None,
    text: str | None = None,
) -> bytes:
    when = o.date.replace(minute=1, second=14)
    qid = hexid(10).upper()
    host = "mx.um.example.pl"
    bnd = f"{qid}.{rng.randint(1800000000, 1899999999)}/{host}"
    final = final or f_addr
    if text is None:
        if action == "delayed":
            text = (
                f"This is the mail system at host {host}.\n\n"
                "####################################################################\n"
                "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
                "####################################################################\n\n"
                "Your message could not be delivered for more than 4 hour(s).\n"
                "It will be retried until it is 5 day(s) old.\n\n"
                "For further assistance, please send mail to postmaster.\n\n"
                "If you do so, please include this problem report. You can\n"
                "delete your own text from the attached returned message.\n\n"
                "                   The mail system\n\n"
                f"<{final}>: {diag}\n"
            )
        elif action == "failed":
            exp = f" (expanded from <{orig_rcpt}>)" if orig_rcpt else ""
            text = (
                f"This is the mail system at host {host}.\n\n"
                "I'm sorry to have to inform you that your message could not\n"
                "be delivered to one or more recipients. It's attached below.\n\n"
                "For further assistance, please send mail to postmaster.\n\n"
                "If you do so, please include this problem report. You can\n"
                "delete your own text from the attached returned message.\n\n"
                "                   The mail system\n\n"
                f"<{final}>{exp}: {diag}\n"
            )
        else:
            how = {
                "relayed": f"delivery via mx.{final.split('@')[1]}[192.0.2.44]:25: {diag}",
                "delivered": "delivered to mailbox",
                "expanded": "alias expanded",
            }[action]
            text = (
                f"This is the mail system at host {host}.\n\n"
                "Your message was successfully delivered to the destination(s)\n"
                "listed below. If the message was delivered to mailbox you will\n"
                "receive no further notifications. Otherwise you may still receive\n"
                "notifications of mail delivery errors from other systems.\n\n"
                "                   The mail system\n\n"
                f"<{final}>: {how}\n"
            )
    subj = subject or {
        "failed": "Undelivered Mail Returned to Sender",
        "delayed": "Delayed Mail (still being retried)",
    }.get(action, "Successful Mail Delivery Report")
    headers = [
        ("Return-Path", "<>"),
        ("Received", f"by {host} (Postfix)\n\tid {qid}; {rfc_date(when)}"),
        ("Date", rfc_date(when)),
        ("From", f"MAILER-DAEMON@{host} (Mail Delivery System)"),
        ("Subject", subj),
        ("To", to or o.from_addr),
        ("Auto-Submitted", "auto-replied"),
        ("Message-Id", f"<{qid}.{rng.randint(1000, 9999)}@{host}>"),
    ]
    rec = {
        "final": final,
        "action": action,
        "status": status,
        "remote": f"mx.{final.split('@')[1]}" if action != "delivered" else "",
        "diag": diag if action in ("failed", "delayed", "relayed") else "",
    }
    if orig_rcpt:
        rec["orig"] = orig_rcpt
    elif action != "expanded":
        rec["orig"] = final
    if action == "delayed":
        rec["extra"] = f"Will-Retry-Until: {rfc_date(o.date.replace(day=o.date.day + 5))}\n"
    dsn = _dsn(
        host,
        [rec],
        o.date,
        extra=f"X-Postfix-Queue-ID: {qid}\nX-Postfix-Sender: rfc822; {o.from_addr}\n",
    )
    p1 = raw_part("text/plain; charset=us-ascii", text, [("Content-Description", "Notification")])
    p1.headers.insert(0, ("Content-Description", "Notification"))
    p1.headers.pop()
    dsn.headers.insert(0, ("Content-Description", "Delivery report"))
    if action in ("failed",) and not headers_only:
        p3 = raw_part(
            "message/rfc822",
            orig_bytes(o),
            [("Content-Description", "Undelivered Message"), ("Content-Transfer-Encoding", "8bit")],
        )
    else:
        p3 = raw_part(
            "text/rfc822-headers",
            orig_bytes(o, True),
            [
                ("Content-Description", "Undelivered Message Headers")
                if action != "failed" or headers_only
                else ("Content-Description", "Message Headers")
            ],
        )
    return _report(headers, [p1, dsn, p3], bnd, preamble="This is a MIME-encapsulated message.")


def exchange_ndr(
    o: Orig,
    rcpt: str,
    status: str,
    diag: str,
    *,
    lang: str = "en",
    delayed: bool = False,
    internal: bool = False,
) -> bytes:
    srv = f"AM9PR07MB{rng.randint(1000, 9999)}.eurprd07.prod.outlook.com"
    when = o.date.replace(minute=2, second=41)
    dom = rcpt.split("@")[1]
    if lang == "pl":
        subj = ("Dostarczanie opóźnione: " if delayed else "Niedostarczalne: ") + o.subject
        text = (
            (
                f"Wiadomość do {rcpt} jeszcze nie została dostarczona.\n\n"
                "Serwer będzie ponawiał próby dostarczenia przez kolejne 23 godziny.\n"
                if delayed
                else f"Nie można dostarczyć wiadomości do {rcpt}.\n\n"
                f"Nie znaleziono adresu {rcpt} w domenie {dom}.\n\n"
                "Wymagana akcja                                   Adresat\n"
                "Nieznany adres Do\n\n"
                "Jak rozwiązać ten problem\n"
                "Adres mógł zostać wpisany niepoprawnie lub nie istnieje.\n\n"
            )
            + "\nInformacje diagnostyczne dla administratorów:\n\n"
            f"Serwer generujący: {srv}\n\n{rcpt}\nSerwer zdalny zwrócił: '{diag}'\n"
        )
    else:
        subj = ("Delivery delayed: " if delayed else "Undeliverable: ") + o.subject
        text = (
            (
                f"Delivery is delayed to these recipients or groups:\n\n{rcpt} ({rcpt})\n\n"
                f"Subject: {o.subject}\n\nThis message hasn't been delivered yet. Delivery will "
                "continue to be attempted.\n\nThe server will keep trying to deliver this message "
                "for the next 1 days, 19 hours and 54 minutes. You'll be notified if the message "
                "can't be delivered by that time.\n"
                if delayed
                else f"Your message to {rcpt} couldn't be delivered.\n\n"
                f"{rcpt.split('@')[0]} wasn't found at {dom}.\n\n"
                "ankieta           Office 365           " + rcpt.split("@")[0] + "\n"
                "Action Required                        Recipient\n\n"
                "Unknown To address\n\nHow to Fix It\n"
                "The address may be misspelled or may not exist. Try one or more of the following:\n"
                "  - Retype the recipient's address, then resend the message.\n\n"
            )
            + "\nDiagnostic information for administrators:\n\n"
            f"Generating server: {srv}\n\n{rcpt}\nRemote Server returned '{diag}'\n"
        )
    html = "<html><body>" + "".join(f"<p>{x}</p>" for x in text.split("\n\n")) + "</body></html>"
    alt = multipart(
        "alternative",
        [
            text_part(text, "plain", "utf-8", "quoted-printable"),
            text_part(html, "html", "utf-8", "quoted-printable"),
        ],
        f"_001_{hexid(30)}_",
    )
    dsn = _dsn(
        srv,
        [
            {
                "final": rcpt,
                "action": "delayed" if delayed else "failed",
                "status": status,
                "diag": diag,
                "remote": "" if internal else f"mx.{dom}",
            }
        ],
        o.date,
        extra=f"Received-From-MTA: dns;{srv}\n",
    )
    p3 = (
        raw_part("message/rfc822", orig_bytes(o))
        if not delayed
        else raw_part("text/rfc822-headers", orig_bytes(o, True))
    )
    headers = [
        ("From", f"Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{DOMAIN}>"),
        ("To", hdr(SENDER_NAME) + f" <{o.from_addr}>"),
        ("Date", rfc_date(when)),
        ("Subject", hdr(subj)),
        ("Message-ID", f"<{uid()}@{srv}>"),
        ("In-Reply-To", o.msgid),
        ("References", o.msgid),
        ("Thread-Topic", hdr(o.subject)),
        ("Content-Language", "pl-PL" if lang == "pl" else "en-US"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-Exchange-Message-Is-Ndr", ""),
        ("Auto-Submitted", "auto-replied"),
        ("X-MS-Exchange-Generated-Message-Source", "DSN"),
    ]
    return _report(headers, [alt, dsn, p3], f"_002_{hexid(30)}_", crlf=True)


def bounces() -> None:
    cat = "bounce"
    n = 0

    def nxt() -> tuple[Firm, str, Orig]:
        nonlocal n
        n += 1
        return _bounce_target(n + 3)

    f, t, o = nxt()
    a = f"biuro@{f.domain}"
    o.to = a
    add(
        cat,
        "postfix_5.1.1",
        postfix(
            o,
            a,
            "5.1.1",
            f"host mx.{f.domain}[192.0.2.10] said: 550 5.1.1\n    <{a}>: Recipient address "
            "rejected: User unknown in virtual mailbox table (in reply to RCPT TO\n    command)",
        ),
        _b(a, "5.1.1", t, "Postfix bounce, multipart/report with the returned message.", True),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Undelivered Mail Returned to Sender",
    )

    f, t, o = nxt()
    a = f"oferty@{f.domain}"
    o.to = a
    add(
        cat,
        "postfix_delayed_4.4.1",
        postfix(
            o,
            a,
            "4.4.1",
            f"connect to mx.{f.domain}[192.0.2.11]:25: Connection timed out",
            action="delayed",
        ),
        _b(a, "4.4.1", t, "Postfix delay warning: temporary, still being retried.", False),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Delayed Mail (still being retried)",
    )

    f, t, o = nxt()
    a = f"kontakt@{f.domain.replace('.example', '-old.example')}"
    o.to = a
    add(
        cat,
        "postfix_5.4.4_no_domain",
        postfix(
            o,
            a,
            "5.4.4",
            f"Host or domain name not found. Name service error for\n    name={a.split('@')[1]} "
            "type=AAAA: Host not found",
        ),
        _b(a, "5.4.4", t, "Postfix: the recipient's domain does not exist.", True),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Undelivered Mail Returned to Sender",
    )

    f, t, o = nxt()
    a = f.email
    local = f.person.split()[0].lower().translate(str.maketrans("łśąężźćńó", "lsaezzcno"))
    final = f"{local}.{hexid(4)}@stara-poczta.example.com"
    o.to = a
    add(
        cat,
        "postfix_forwarded_original_recipient",
        postfix(
            o,
            a,
            "5.1.1",
            f"host mx.stara-poczta.example.com[192.0.2.77] said: 550 5.1.1 <{final}>:\n"
            "    Recipient address rejected: User unknown (in reply to RCPT TO command)",
            final=final,
            orig_rcpt=a,
        ),
        _b(
            a,
            "5.1.1",
            t,
            "Bounce of a forwarded address: Original-Recipient is our recipient, Final-Recipient is the forward target; the recipient we used is the original.",
            True,
        ),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Undelivered Mail Returned to Sender",
    )

    f, t, o = nxt()
    a = f.email
    o.to = a
    add(
        cat,
        "postfix_5.7.1_rejected_spam",
        postfix(
            o,
            a,
            "5.7.1",
            f"host mx.{f.domain}[192.0.2.12] said: 550 5.7.1 Message rejected as spam\n"
            "    by Content Filtering (in reply to end of DATA command)",
        ),
        _b(a, "5.7.1", t, "Postfix: rejected by the recipient's spam filter (permanent).", True),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Undelivered Mail Returned to Sender",
    )

    # Exim classic, text only
    f, t, o = nxt()
    a = f"biuro@{f.domain}"
    o.to = a
    host = f"mail.{f.domain}"
    txt = (
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {a}\n    host mx.{f.domain} [192.0.2.25]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{a}>:\n"
        f"    550 5.1.1 <{a}>: Recipient address rejected: User unknown\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        + orig_bytes(o)
    )
    raw = message(
        [
            ("Return-path", "<>"),
            ("Envelope-to", o.from_addr),
            ("Delivery-date", rfc_date(o.date)),
            ("From", f"Mail Delivery System <Mailer-Daemon@{host}>"),
            ("To", o.from_addr),
            ("Subject", "Mail delivery failed: returning message to sender"),
            ("Message-Id", f"<E1q{hexid(3)}-000{hexid(3).upper()}-{hexid(2).upper()}@{host}>"),
            ("Date", rfc_date(o.date.replace(minute=3))),
            ("X-Failed-Recipients", a),
            ("Auto-Submitted", "auto-replied"),
        ],
        text_part(txt, "plain", "us-ascii", "8bit", label=False),
        mime=False,
    )
    raw = raw.replace(b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n", b"")
    add(
        cat,
        "exim_classic_text_only",
        raw,
        _b(
            a, "5.1.1", t, "Exim classic bounce: text only, no DSN part; X-Failed-Recipients.", True
        ),
        frm=f"mailer-daemon@{host}",
        subject="Mail delivery failed: returning message to sender",
    )

    # Exim multipart/report, local failure without an SMTP code
    f, t, o = nxt()
    a = f"ankiety@{f.domain}"
    o.to = a
    host = f"mail.{f.domain}"
    p1 = text_part(
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {a}\n    No Such User Here\n",
        "plain",
        "us-ascii",
        "7bit",
    )
    dsn = _dsn(host, [{"final": a, "action": "failed", "status": "5.0.0"}], o.date)
    dsn.body = dsn.body.replace(b"Final-Recipient", b"Final-Recipient", 1)
    p3 = raw_part("message/rfc822", orig_bytes(o))
    raw = _report(
        [
            ("From", f"Mail Delivery System <Mailer-Daemon@{host}>"),
            ("To", o.from_addr),
            ("Subject", "Mail delivery failed: returning message to sender"),
            ("Message-Id", f"<E1r{hexid(3)}-000{hexid(3).upper()}-{hexid(2).upper()}@{host}>"),
            ("Date", rfc_date(o.date.replace(minute=4))),
            ("X-Failed-Recipients", a),
            ("Auto-Submitted", "auto-replied"),
        ],
        [p1, dsn, p3],
        f"{rng.randint(1700000000, 1799999999)}-eximdsn-{rng.randint(10**8, 10**9)}",
    )
    add(
        cat,
        "exim_dsn_no_such_user",
        raw,
        _b(
            a,
            "5.0.0",
            t,
            "Exim with a DSN part; local failure 'No Such User Here', status 5.0.0.",
            True,
        ),
        frm=f"mailer-daemon@{host}",
        subject="Mail delivery failed: returning message to sender",
    )

    # Exim delay warning
    f, t, o = nxt()
    a = f.email
    o.to = a
    host = f"relay.{f.domain}"
    mid = f"1q{hexid(4)}-000{hexid(3).upper()}-{hexid(2).upper()}"
    p1 = text_part(
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered to one or more of its\n"
        f"recipients after more than 24 hours on the queue on {host}.\n\n"
        f"The message identifier is:     {mid}\n\n"
        "The address to which the message has not yet been delivered is:\n\n"
        f"  {a}\n    host mx2.{f.domain} [192.0.2.31]\n    Connection timed out\n\n"
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n",
        "plain",
        "us-ascii",
        "7bit",
    )
    dsn = _dsn(
        host,
        [
            {
                "final": a,
                "action": "delayed",
                "status": "4.0.0",
                "remote": f"mx2.{f.domain}",
                "extra": "Will-Retry-Until: Sat, 13 Mar 2027 09:00:14 +0100\n",
            }
        ],
        o.date,
    )
    p3 = raw_part("text/rfc822-headers", orig_bytes(o, True))
    subj = f"Warning: message {mid} delayed 24 hours"
    raw = _report(
        [
            ("From", f"Mail Delivery System <Mailer-Daemon@{host}>"),
            ("To", o.from_addr),
            ("Subject", subj),
            ("Date", rfc_date(o.date.replace(day=9, minute=5))),
            ("Message-Id", f"<E1s{hexid(3)}-000{hexid(3).upper()}-{hexid(2).upper()}@{host}>"),
            ("X-Failed-Recipients", a),
            ("Auto-Submitted", "auto-replied"),
        ],
        [p1, dsn, p3],
        f"{rng.randint(1700000000, 1799999999)}-eximdsn-{rng.randint(10**8, 10**9)}",
    )
    add(
        cat,
        "exim_delay_warning",
        raw,
        _b(
            a,
            "4.0.0",
            t,
            "Exim delay warning (X-Failed-Recipients present although not failed).",
            False,
        ),
        frm=f"mailer-daemon@{host}",
        subject=subj,
    )

    # Exchange Online
    f, t, o = nxt()
    a = f"a.{f.person.split()[1].lower()[:5]}@{f.domain}"
    o.to = a
    d = "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    add(
        cat,
        "exchange_online_en_5.1.10",
        exchange_ndr(o, a, "5.1.10", d),
        _b(a, "5.1.10", t, "Exchange Online NDR in English.", True),
        frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
        subject="Undeliverable: " + o.subject,
    )

    f, t, o = nxt()
    a = f"sekretariat@{f.domain}"
    o.to = a
    d = "550 5.1.1 User unknown"
    add(
        cat,
        "exchange_online_pl_5.1.1",
        exchange_ndr(o, a, "5.1.1", d, lang="pl"),
        _b(a, "5.1.1", t, "Exchange Online NDR in Polish (Niedostarczalne).", True),
        frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
        subject="Niedostarczalne: " + o.subject,
    )

    f, t, o = nxt()
    a = f.email
    o.to = a
    d = (
        "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
        "MapiExceptionShutoffQuotaExceeded"
    )
    add(
        cat,
        "exchange_quota_5.2.2",
        exchange_ndr(o, a, "5.2.2", d),
        _b(
            a,
            "5.2.2",
            t,
            "Exchange: mailbox full, reported with a 5.x.x code (permanent for us).",
            True,
        ),
        frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
        subject="Undeliverable: " + o.subject,
    )

    f, t, o = nxt()
    a = f.email
    o.to = a
    d = "451 4.4.316 Connection refused [Message=Socket error code 10061]"
    add(
        cat,
        "exchange_delayed_4.4.316",
        exchange_ndr(o, a, "4.4.316", d, delayed=True),
        _b(a, "4.4.316", t, "Exchange Online: delivery delayed.", False),
        frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
        subject="Delivery delayed: " + o.subject,
    )

    # an official's mailbox removed (internal, Polish)
    t = new_token()
    o = approval_request("WYN", t, ("Ryszard Malinowski", f"r.malinowski.old@{DOMAIN}"), 7, 2)
    a = o.to
    add(
        cat,
        "exchange_internal_pl_official",
        exchange_ndr(
            o,
            a,
            "5.1.1",
            "550 5.1.1 RESOLVER.ADR.RecipientNotFound; nie znaleziono adresata",
            lang="pl",
            internal=True,
        ),
        _b(
            a,
            "5.1.1",
            t,
            "Internal NDR for an approval request to an official whose mailbox is gone.",
            True,
        ),
        frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
        subject="Niedostarczalne: " + o.subject,
    )

    # Gmail, forwarded address
    f, t, o = nxt()
    a = f.email
    o.to = a
    final = f"{f.first.lower()}.{f.city.lower()[:3]}{rng.randint(10, 99)}@gmail.example.com"
    gtxt = (
        "\n** Address not found **\n\n"
        f"Your message wasn't delivered to {final} because the address couldn't be found, "
        "or is unable to receive mail.\n\nLearn more here: https://support.google.example.com/mail/?p=NoSuchUser\n\n"
        "The response from the remote server was:\n"
        "550 5.1.1 The email account that you tried to reach does not exist.\n"
    )
    alt = multipart(
        "related",
        [
            multipart(
                "alternative",
                [
                    text_part(gtxt, "plain", "UTF-8", "quoted-printable"),
                    text_part(
                        "<html><body>" + gtxt.replace("\n", "<br>") + "</body></html>",
                        "html",
                        "UTF-8",
                        "quoted-printable",
                    ),
                ],
                "0000000000" + hexid(16),
            )
        ],
        "0000000000" + hexid(16),
    )
    dsn = _dsn(
        "googlemail.com",
        [
            {
                "orig": a,
                "final": final,
                "action": "failed",
                "status": "5.1.1",
                "remote": "gmail-smtp-in.l.google.example.com",
                "diag": "550-5.1.1 The email account that you tried to reach does not exist.",
            }
        ],
        o.date,
        extra="Received-From-MTA: dns; forward.example.pl\n",
    )
    raw = _report(
        [
            ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
            ("To", o.from_addr),
            ("Auto-Submitted", "auto-replied"),
            ("Subject", "Delivery Status Notification (Failure)"),
            ("References", o.msgid),
            ("In-Reply-To", o.msgid),
            ("X-Failed-Recipients", final),
            ("Message-ID", f"<{hexid(12)}.{hexid(6)}@mx.google.example.com>"),
            ("Date", rfc_date(o.date.replace(minute=6))),
        ],
        [alt, dsn, raw_part("message/rfc822", orig_bytes(o))],
        "0000000000" + hexid(16),
    )
    add(
        cat,
        "gmail_forwarded_original_recipient",
        raw,
        _b(
            a,
            "5.1.1",
            t,
            "Gmail bounce of a forwarded address: Original-Recipient is ours, Final-Recipient and X-Failed-Recipients are the forward target.",
            True,
        ),
        frm="mailer-daemon@googlemail.com",
        subject="Delivery Status Notification (Failure)",
    )

    f, t, o = nxt()
    a = f.email
    o.to = a
    gtxt = (
        "\n** Message not delivered yet **\n\n"
        f"There was a temporary problem delivering your message to {a}. Gmail will retry "
        "for 46 more hours. You'll be notified if the delivery fails permanently.\n\n"
        "The response from the remote server was:\n"
        "421 4.4.1 Temporary failure, please try again later\n"
    )
    dsn = _dsn(
        "googlemail.com",
        [
            {
                "final": a,
                "action": "delayed",
                "status": "4.4.1",
                "remote": f"mx.{f.domain}",
                "diag": "421 4.4.1 Temporary failure",
            }
        ],
        o.date,
    )
    raw = _report(
        [
            ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
            ("To", o.from_addr),
            ("Auto-Submitted", "auto-replied"),
            ("Subject", "Delivery Status Notification (Delay)"),
            ("References", o.msgid),
            ("In-Reply-To", o.msgid),
            ("Message-ID", f"<{hexid(12)}.{hexid(6)}@mx.google.example.com>"),
            ("Date", rfc_date(o.date.replace(hour=13))),
        ],
        [
            text_part(gtxt, "plain", "UTF-8", "quoted-printable"),
            dsn,
            raw_part("text/rfc822-headers", orig_bytes(o, True)),
        ],
        "0000000000" + hexid(16),
    )
    add(
        cat,
        "gmail_delay",
        raw,
        _b(a, "4.4.1", t, "Gmail delay notice.", False),
        frm="mailer-daemon@googlemail.com",
        subject="Delivery Status Notification (Delay)",
    )

    # Sendmail
    f, t, o = nxt()
    a = f"biuro@{f.domain}"
    o.to = a
    host = f"mail.{f.domain}"
    p1 = text_part(
        f"The original message was received at {rfc_date(o.date)}\nfrom mx.um.example.pl "
        "[198.51.100.7]\n\n   ----- The following addresses had permanent fatal errors -----\n"
        f"<{a}>\n    (reason: 550 5.1.1 <{a}>... User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        f"... while talking to local delivery:\n>>> RCPT To:<{a}>\n<<< 550 5.1.1 <{a}>... User unknown\n"
        f"550 5.1.1 <{a}>... User unknown\n",
        "plain",
        "us-ascii",
        "7bit",
    )
    dsn = _dsn(
        host,
        [
            {
                "final": a,
                "action": "failed",
                "status": "5.1.1",
                "diag": f"550 5.1.1 <{a}>... User unknown",
                "extra": f"Last-Attempt-Date: {rfc_date(o.date)}\n",
            }
        ],
        o.date,
        extra="Received-From-MTA: DNS; mx.um.example.pl\n",
    )
    raw = _report(
        [
            ("Return-Path", "<>"),
            ("From", f"Mail Delivery Subsystem <MAILER-DAEMON@{host}>"),
            ("To", f"<{o.from_addr}>"),
            ("Date", rfc_date(o.date.replace(minute=2))),
            ("Message-Id", f"<20270308{hexid(6)}.{hexid(8)}@{host}>"),
            ("Subject", "Returned mail: see transcript for details"),
            ("Auto-Submitted", "auto-generated (failure)"),
        ],
        [p1, dsn, raw_part("message/rfc822", orig_bytes(o))],
        f"{rng.randint(10**8, 10**9)}.{hexid(6)}/{host}",
        preamble="This is a MIME-encapsulated message",
    )
    add(
        cat,
        "sendmail_5.1.1",
        raw,
        _b(a, "5.1.1", t, "Sendmail 'Returned mail'.", True),
        frm=f"mailer-daemon@{host}",
        subject="Returned mail: see transcript for details",
    )

    f, t, o = nxt()
    a = f.email
    o.to = a
    host = f"smtp.{f.domain}"
    p1 = text_part(
        "    **********************************************\n"
        "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
        "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
        "    **********************************************\n\n"
        f"The original message was received at {rfc_date(o.date)}\nfrom mx.um.example.pl [198.51.100.7]\n\n"
        "   ----- Transcript of session follows -----\n"
        f"<{a}>... Deferred: Connection timed out with mx.{f.domain}.\n"
        "Warning: message still undelivered after 4 hours\n"
        "Will keep trying until message is 5 days old\n",
        "plain",
        "us-ascii",
        "7bit",
    )
    dsn = _dsn(
        host,
        [{"final": a, "action": "delayed", "status": "4.4.1", "diag": "Connection timed out"}],
        o.date,
    )
    raw = _report(
        [
            ("From", f"Mail Delivery Subsystem <MAILER-DAEMON@{host}>"),
            ("To", f"<{o.from_addr}>"),
            ("Date", rfc_date(o.date.replace(hour=13))),
            ("Subject", "Warning: could not send message for past 4 hours"),
            ("Auto-Submitted", "auto-generated (warning-timeout)"),
        ],
        [p1, dsn, raw_part("text/rfc822-headers", orig_bytes(o, True))],
        f"{rng.randint(10**8, 10**9)}.{hexid(6)}/{host}",
    )
    add(
        cat,
        "sendmail_warning_4.4.1",
        raw,
        _b(a, "4.4.1", t, "Sendmail four-hour warning.", False),
        frm=f"mailer-daemon@{host}",
        subject="Warning: could not send message for past 4 hours",
    )

    # qmail
    for slug, reason, status in [
        ("qmail_5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"),
        (
            "qmail_over_quota_5.2.2",
            "The users mailfolder is over the allowed quota (size). (#5.2.2)",
            "5.2.2",
        ),
    ]:
        f, t, o = nxt()
        a = f"info@{f.domain}"
        o.to = a
        host = f"mail.{f.domain}"
        txt = (
            f"Hi. This is the qmail-send program at {host}.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            f"<{a}>:\n{reason}\n\n--- Below this line is a copy of the message.\n\n" + orig_bytes(o)
        )
        raw = message(
            [
                ("Return-Path", "<>"),
                ("Date", rfc_date(o.date.replace(minute=7))),
                ("From", f"MAILER-DAEMON@{host}"),
                ("To", o.from_addr),
                ("Subject", "failure notice"),
            ],
            text_part(txt, "plain", None, "8bit"),
            mime=False,
        )
        raw = raw.replace(b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n", b"")
        add(
            cat,
            slug,
            raw,
            _b(a, status, t, "qmail 'failure notice': plain text, no DSN.", True),
            frm=f"mailer-daemon@{host}",
            subject="failure notice",
        )

    # token only in the returned headers, bounce sent to the plain mailbox
    f, t, o = nxt()
    a = f"zamowienia@{f.domain}"
    o.to = a
    add(
        cat,
        "postfix_to_plain_mailbox_token_in_headers",
        postfix(
            o,
            a,
            "5.1.1",
            f"host mx.{f.domain}[192.0.2.13] said: 550 5.1.1 User unknown (in reply "
            "to RCPT TO command)",
            to=MAILBOX,
            headers_only=True,
        ),
        _b(
            a,
            "5.1.1",
            t,
            "Bounce addressed to the plain mailbox; the token is only in the returned headers (text/rfc822-headers).",
            True,
        ),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Undelivered Mail Returned to Sender",
    )


# ============================================================== success DSNs (not bounces)


def success_dsns() -> None:
    cat = "dsn_success"

    def other(t: str, note: str) -> dict:
        return k("other", t, note=note, also_ok={"kind": ["auto_reply"]})

    f, t, o = _bounce_target(1)
    o.to = f.email
    add(
        cat,
        "postfix_relayed_2.0.0",
        postfix(o, f.email, "2.0.0", "250 2.0.0 Ok: queued as 4Z1B2c3D4e", action="relayed"),
        other(t, "Postfix success DSN (Action: relayed, 2.0.0): not a bounce."),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Successful Mail Delivery Report",
    )

    t = new_token()
    o = approval_request("POR", t, OS_MANAGER, 3, 22)
    add(
        cat,
        "postfix_delivered_2.0.0",
        postfix(o, OS_MANAGER[1], "2.0.0", "", action="delivered"),
        other(t, "Postfix success DSN (Action: delivered) for an internal approval request."),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Successful Mail Delivery Report",
    )

    f, t, o = _bounce_target(2)
    o.to = f"biuro@{f.domain}"
    add(
        cat,
        "postfix_expanded_2.0.0",
        postfix(o, o.to, "2.0.0", "", action="expanded"),
        other(t, "Postfix success DSN (Action: expanded: an alias)."),
        frm="mailer-daemon@mx.um.example.pl",
        subject="Successful Mail Delivery Report",
    )

    for slug, lang in (("exchange_relayed_en", "en"), ("exchange_delivered_pl", "pl")):
        f, t, o = _bounce_target(3 if lang == "en" else 4)
        o.to = f.email
        srv = f"AM9PR07MB{rng.randint(1000, 9999)}.eurprd07.prod.outlook.com"
        if lang == "en":
            subj = "Relayed: " + o.subject
            text = (
                "Delivery to these recipients or groups is complete, but no delivery "
                "notification was sent by the destination server:\n\n"
                f"{f.email} ({f.email})\n\nSubject: {o.subject}\n"
            )
            action = "relayed"
        else:
            subj = "Dostarczono: " + o.subject
            text = (
                "Wiadomość została dostarczona do następujących adresatów lub grup:\n\n"
                f"{f.email} ({f.email})\n\nTemat: {o.subject}\n"
            )
            action = "delivered"
        dsn = _dsn(
            srv,
            [{"final": f.email, "action": action, "status": "2.0.0", "remote": f"mx.{f.domain}"}],
            o.date,
        )
        raw = _report(
            [
                (
                    "From",
                    f"Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{DOMAIN}>",
                ),
                ("To", o.from_addr),
                ("Date", rfc_date(o.date.replace(minute=1))),
                ("Subject", hdr(subj)),
                ("Message-ID", f"<{uid()}@{srv}>"),
                ("In-Reply-To", o.msgid),
                ("References", o.msgid),
                ("Content-Language", "en-US" if lang == "en" else "pl-PL"),
                ("X-MS-Exchange-Generated-Message-Source", "DSN"),
                ("Auto-Submitted", "auto-replied"),
            ],
            [
                text_part(text, "plain", "utf-8", "quoted-printable"),
                dsn,
                raw_part("text/rfc822-headers", orig_bytes(o, True)),
            ],
            f"_002_{hexid(30)}_",
            crlf=True,
        )
        add(
            cat,
            slug,
            raw,
            other(t, f"Exchange success report ({action}, 2.0.0)."),
            frm="microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@um.example.pl",
            subject=subj,
        )

    f, t, o = _bounce_target(5)
    o.to = f.email
    host = f"mail.{f.domain}"
    p1 = text_part(
        f"The original message was received at {rfc_date(o.date)}\nfrom mx.um.example.pl [198.51.100.7]\n\n"
        "   ----- The following addresses had successful delivery notifications -----\n"
        f"<{f.email}>  (successfully delivered to mailbox)\n\n"
        "   ----- Transcript of session follows -----\n"
        f"<{f.email}>... Successfully delivered\n",
        "plain",
        "us-ascii",
        "7bit",
    )
    dsn = _dsn(
        host, [{"final": f.email, "action": "delivered (to mailbox)", "status": "2.0.0"}], o.date
    )
    raw = _report(
        [
            ("From", f"Mail Delivery Subsystem <MAILER-DAEMON@{host}>"),
            ("To", f"<{o.from_addr}>"),
            ("Date", rfc_date(o.date.replace(minute=1))),
            ("Subject", "Return receipt"),
            ("Auto-Submitted", "auto-generated (return-receipt)"),
        ],
        [p1, dsn, raw_part("text/rfc822-headers", orig_bytes(o, True))],
        f"{rng.randint(10**8, 10**9)}.{hexid(6)}/{host}",
    )
    add(
        cat,
        "sendmail_return_receipt",
        raw,
        other(t, "Sendmail 'Return receipt' (Action: delivered): success, not a bounce."),
        frm=f"mailer-daemon@{host}",
        subject="Return receipt",
    )


# ============================================================== auto-replies


def auto_replies() -> None:
    cat = "auto_reply"
    exch = [
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-MS-Exchange-Inbox-Rules-Loop", ""),
    ]

    def oof(client, slug, subj_prefix, text, hdrs, fi, note, who=None, orig=None):
        f = firm_for(client, fi)
        if orig is None:
            token, o = ask(f)
        else:
            token, o = orig
        sender = who or me(f)
        h = [(a, b or sender[1]) for a, b in hdrs]
        m = Mail(
            client,
            sender,
            [o.from_addr],
            subj_prefix + o.subject,
            text,
            o.date.replace(minute=o.date.minute + 1),
            orig=o,
            keep_quote=False,
            extra_headers=h,
        )
        add(cat, slug, m, k("auto_reply", token, note=f"{client}: {note}"))

    oof(
        "outlook_pl",
        "exchange_oof_pl",
        "Odpowiedź automatyczna: ",
        "Dzień dobry,\n\nprzebywam na urlopie do 19.03.2027 r. W sprawach pilnych proszę o kontakt "
        "z p. Adamem Nowickim, tel. 22 610 20 30.\n\nPozdrawiam",
        exch,
        0,
        "Exchange OOF in Polish.",
    )
    oof(
        "outlook_en",
        "exchange_oof_en",
        "Automatic reply: ",
        "Thank you for your message. I am out of the office until 22 March 2027 with limited "
        "access to e-mail. For urgent matters please contact office@nordicinsight.example.com.",
        exch,
        9,
        "Exchange OOF in English.",
    )
    oof(
        "gmail",
        "gmail_vacation",
        "Re: ",
        "Dziękuję za wiadomość. Jestem na urlopie do 20 marca, odpowiem po powrocie.\n\nPozdrawiam",
        [("Auto-Submitted", "auto-replied")],
        1,
        "Gmail vacation responder (Re: subject).",
    )
    oof(
        "zimbra",
        "zimbra_vacation",
        "Poza biurem: ",
        "Jestem poza biurem do 15.03.2027. Wiadomości nie są przekazywane.",
        [("Auto-Submitted", "auto-replied (zimbra; vacation)"), ("Precedence", "bulk")],
        13,
        "Zimbra vacation.",
    )
    oof(
        "roundcube",
        "sieve_vacation",
        "Automatyczna odpowiedź: Re: ",
        "Dzień dobry,\nw dniach 10–17 marca jestem nieobecna. Odpowiem po powrocie.",
        [("Auto-Submitted", "auto-replied (vacation)"), ("Precedence", "bulk")],
        4,
        "Sieve vacation through Roundcube's managesieve.",
    )

    # ticket systems
    f = firm(7)
    token, o = ask(f)
    m = Mail(
        "owa",
        ("Helpdesk Kompas", f"helpdesk@{f.domain}"),
        [o.from_addr],
        f"[#12345] Zgłoszenie zostało zarejestrowane: {o.subject}",
        "Dzień dobry,\n\nZgłoszenie nr 12345 zostało zarejestrowane. Odpowiemy w ciągu 2 dni "
        "roboczych.\nProsimy nie odpowiadać na tę wiadomość; w korespondencji prosimy podawać "
        "numer zgłoszenia.\n\nSystem obsługi zgłoszeń",
        o.date.replace(minute=3),
        orig=o,
        keep_quote=False,
        extra_headers=[("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")],
    )
    add(
        cat,
        "ticket_pl_zgloszenie",
        m,
        k("auto_reply", token, note="Ticket-system acknowledgement with a ticket number."),
    )

    f = firm(12)
    token, o = ask(f)
    m = Mail(
        "gmail",
        ("Quantum Support", f"support@{f.domain}"),
        [o.from_addr],
        f"Request received: {o.subject} [#45678]",
        "Dear customer,\n\nWe have received your request #45678 and our team will get back "
        "to you within 48 hours.\n\nThis is an automated message.",
        o.date.replace(minute=2),
        orig=o,
        keep_quote=False,
        extra_headers=[("Auto-Submitted", "auto-generated"), ("Precedence", "bulk")],
    )
    add(
        cat,
        "ticket_en_request_received",
        m,
        k("auto_reply", token, note="English helpdesk acknowledgement."),
    )

    # an official's OOF on an approval request
    t = new_token()
    o = approval_request("POR", t, OS_MANAGER, 3, 23)
    oof(
        "outlook_pl",
        "official_oof_on_approval",
        "Odpowiedź automatyczna: ",
        "Dzień dobry,\n\njestem nieobecna do 30.03.2027 r. W sprawach pilnych proszę o kontakt z "
        "Zastępcą Kierownika, p. Hanną Gutowską.\n\nBarbara Kaczmarczyk",
        exch,
        0,
        "OOF from the OS manager on an approval request (token in subject): not a decision.",
        who=OS_MANAGER,
        orig=(t, o),
    )

    oof(
        "onet",
        "body_only_oof",
        "Re: ",
        "Dziękuję za wiadomość. Jestem nieobecna do 17.03.2027 r. Po powrocie odpowiem na Pani "
        "e-mail.\n\nDorota",
        [],
        8,
        "An out-of-office from webmail with no auto headers: only the words tell.",
    )
    oof(
        "outlook_pl",
        "autoack_2_days",
        "Automatyczna odpowiedź: ",
        "Dziękujemy za wiadomość. Odpowiemy w ciągu 2 dni roboczych.\n\nBiuro",
        [("X-Autoreply", "yes"), ("Auto-Submitted", "auto-replied")],
        11,
        "Office auto-acknowledgement.",
    )
    oof(
        "outlook_en",
        "bilingual_oof_mentions_offers",
        "Automatyczna odpowiedź / Automatic reply: ",
        "Jestem na urlopie do 21.03.2027. W sprawie ofert i zapytań ofertowych proszę pisać na "
        "oferty@quantumsurvey.example.com.\n\nI am on leave until 21 March 2027. For offers and "
        "requests for quotation please write to oferty@quantumsurvey.example.com.",
        exch,
        12,
        "A bilingual OOF that mentions offers.",
    )
    oof(
        "outlook_pl",
        "left_the_company",
        "Odpowiedź automatyczna: ",
        "Pani Renata Pietrzak nie jest już pracownikiem Instytutu. Korespondencję prosimy "
        "kierować na adres biuro@iom.example.test.",
        exch,
        11,
        "Auto-reply: the person left the firm (not a bounce, not a decline).",
    )


# ============================================================== MDNs


def mdns() -> None:
    cat = "mdn"

    def mdn(slug, subj_prefix, text, ua, disposition, who, o, token, note, crlf=False, html=False):
        parts = [text_part(text, "plain", "utf-8", "quoted-printable")]
        if html:
            parts = [
                multipart(
                    "alternative",
                    [
                        parts[0],
                        text_part(
                            "<html><body><p>"
                            + text.replace("\n\n", "</p><p>")
                            + "</p></body></html>",
                            "html",
                            "utf-8",
                            "quoted-printable",
                        ),
                    ],
                    f"_000_{hexid(30)}_",
                )
            ]
        parts.append(
            raw_part(
                "message/disposition-notification",
                f"Reporting-UA: {ua}\nFinal-Recipient: rfc822;{who[1]}\n"
                f"Original-Message-ID: {o.msgid}\nDisposition: {disposition}\n",
            )
        )
        parts.append(raw_part("text/rfc822-headers", orig_bytes(o, True)))
        subj = subj_prefix + o.subject
        raw = _report(
            [
                ("From", f"{hdr(who[0])} <{who[1]}>"),
                ("To", o.from_addr),
                ("Subject", hdr(subj)),
                ("Date", rfc_date(o.date.replace(hour=o.date.hour + 1))),
                ("Message-ID", f"<{uid()}@{who[1].split('@')[1]}>"),
                ("References", o.msgid),
            ],
            parts,
            f"_{hexid(24)}_",
            rtype="disposition-notification",
            crlf=crlf,
        )
        add(
            cat,
            slug,
            raw,
            k("other", token, note=note, also_ok={"kind": ["auto_reply"]}),
            frm=who[1],
            subject=subj,
        )

    f = firm(2)
    token, o = ask(f)
    mdn(
        "outlook_przeczytano",
        "Przeczytano: ",
        f"Twoja wiadomość\n\n  Do: {f.email}\n  Temat: {o.subject}\n  Wysłano: 8 marca 2027 09:00\n\n"
        "została przeczytana w dniu 8 marca 2027 10:14.",
        f"{f.domain}; Microsoft Outlook 16.0",
        "manual-action/MDN-sent-manually; displayed",
        me(f),
        o,
        token,
        "Outlook read receipt in Polish.",
        crlf=True,
        html=True,
    )
    f = firm(9)
    token, o = ask(f)
    mdn(
        "outlook_read_en",
        "Read: ",
        f"Your message\n\n  To: {f.email}\n  Subject: {o.subject}\n  Sent: Monday, March 8, 2027 9:00 AM\n\n"
        "was read on Monday, March 8, 2027 11:02 AM.",
        f"{f.domain}; Microsoft Outlook 16.0",
        "manual-action/MDN-sent-manually; displayed",
        me(f),
        o,
        token,
        "Outlook read receipt in English.",
        crlf=True,
        html=True,
    )
    f = firm(4)
    token, o = ask(f)
    mdn(
        "thunderbird_return_receipt",
        "Return Receipt (displayed) - ",
        f"This is a Return Receipt for the mail that you sent to {f.email}.\n\n"
        "Note: This Return Receipt only acknowledges that the message was displayed on the "
        "recipient's computer. There is no guarantee that the recipient has read or understood "
        "the message contents.",
        "Mozilla Thunderbird; MDN",
        "manual-action/MDN-sent-manually; displayed",
        me(f),
        o,
        token,
        "Thunderbird return receipt.",
    )
    f = firm(6)
    token, o = ask(f)
    mdn(
        "exchange_deleted_unread",
        "Nieprzeczytana: ",
        f"Twoja wiadomość\n\n  Do: {f.email}\n  Temat: {o.subject}\n\n"
        "została usunięta bez przeczytania w dniu 12 marca 2027 08:30.",
        f"{f.domain}; Microsoft Exchange Server",
        "automatic-action/MDN-sent-automatically; deleted",
        me(f),
        o,
        token,
        "Exchange 'deleted without being read' notification.",
        crlf=True,
    )
    f = firm(14)
    token, o = ask(f)
    mdn(
        "roundcube_przeczytane",
        "Przeczytane: ",
        f"To jest potwierdzenie odbioru Twojej wiadomości.\n\nAdresat: {f.email}\n"
        f"Temat: {o.subject}\n\nWiadomość została wyświetlona.",
        "Roundcube Webmail/1.6.6",
        "manual-action/MDN-sent-manually; displayed",
        me(f),
        o,
        token,
        "Roundcube read receipt.",
    )
    t = new_token()
    o = approval_request("POR", t, OS_MANAGER, 3, 22)
    mdn(
        "official_read_receipt_on_approval",
        "Przeczytano: ",
        f"Twoja wiadomość\n\n  Do: {OS_MANAGER[0]}\n  Temat: {o.subject}\n\n"
        "została przeczytana w dniu 22 marca 2027 09:41.",
        f"{DOMAIN}; Microsoft Outlook 16.0",
        "manual-action/MDN-sent-manually; displayed",
        OS_MANAGER,
        o,
        t,
        "A read receipt from the OS manager on an approval request: not a decision.",
        crlf=True,
        html=True,
    )


# ============================================================== decisions


def decisions() -> None:
    cat = "decision"
    specs = [
        # (code, who, client, text, verdict, review, also_ok, note)
        (
            "POR",
            OS_MANAGER,
            "outlook_pl",
            "ZATWIERDZAM",
            "approve",
            False,
            None,
            "The one-word approval in capitals.",
        ),
        (
            "KW",
            OS_MANAGER,
            "outlook_pl",
            "Zatwierdzam.\n\nBarbara Kaczmarczyk\nKierownik Oddziału "
            "Komunikacji Społecznej\ntel. 22 555 01 10",
            "approve",
            False,
            None,
            "Approval with a signature.",
        ),
        ("WYN", PLENI, "ios", "Akceptuję.", "approve", False, None, "Approval from an iPhone."),
        (
            "ZAG",
            OS_MANAGER,
            "owa",
            "Wyrażam zgodę.",
            "approve",
            False,
            None,
            "'Wyrażam zgodę' from Outlook on the web.",
        ),
        (
            "AUD",
            PLENI,
            "outlook_pl",
            "Zatwierdzam projekt polecenia. Proszę o przekazanie go "
            "Zespołowi ds. ZSZ.\n\nR. Malinowski",
            "approve",
            False,
            None,
            "Approval with an instruction to pass it on.",
        ),
        (
            "WYN",
            MAYOR,
            "outlook_pl",
            "Zapoznałem się z wynikami. Akceptuję.\n\nJan Wierzbicki\nPrezydent Miasta",
            "approve",
            False,
            None,
            "The Mayor accepts.",
        ),
        (
            "KW",
            OS_MANAGER,
            "outlook_pl",
            "OK, akceptuję bez uwag.",
            "approve",
            False,
            None,
            "Colloquial approval.",
        ),
        (
            "POR",
            OS_MANAGER,
            "owa",
            "zatwierdzam, proszę przygotować umowę z OpiniaLab",
            "approve",
            False,
            None,
            "Lowercase approval with a follow-up instruction.",
        ),
        (
            "WYN",
            OS_MANAGER,
            "outlook_pl",
            "ZWRACAM\n\nProszę uzupełnić raport o porównanie z wynikami z 2026 r.",
            "return",
            False,
            None,
            "Return with a comment.",
        ),
        (
            "KW",
            OS_MANAGER,
            "outlook_pl",
            "Do poprawy – pytania 7 i 9 są dwuznaczne, pytanie 14 proszę usunąć.",
            "return",
            False,
            None,
            "Return without the keyword ('do poprawy').",
        ),
        (
            "POR",
            OS_MANAGER,
            "owa",
            "Nie zatwierdzam. W porównaniu brakuje oferty firmy Kompas, która wpłynęła 18.03.",
            "return",
            False,
            None,
            "'Nie zatwierdzam' contains 'zatwierdzam'.",
        ),
        (
            "AUD",
            PLENI,
            "ios",
            "Zwracam – proszę doprecyzować zakres auditu (tylko Wydział Komunikacji).",
            "return",
            False,
            None,
            "Return from an iPhone.",
        ),
        (
            "ZAG",
            OS_MANAGER,
            "outlook_pl",
            "Proszę o poprawki:\n1) zagadnienie 4 połączyć z 5,\n"
            "2) dodać zagadnienie dotyczące e-usług.",
            "return",
            False,
            None,
            "A numbered list of corrections.",
        ),
        (
            "KW",
            OS_MANAGER,
            "outlook_pl",
            "Zasadniczo OK, ale porozmawiajmy jeszcze o pytaniu 7.",
            None,
            True,
            {"verdict": ["approve", "return"], "kind": ["question"]},
            "Hedged: 'basically OK, but let's talk'.",
        ),
        (
            "WYN",
            PLENI,
            "ios",
            "Chyba może być?",
            None,
            True,
            {"verdict": ["approve"], "kind": ["question"]},
            "Hedged with a question mark.",
        ),
        (
            "POR",
            OS_MANAGER,
            "outlook_pl",
            "Zatwierdzam, choć mam wątpliwości co do wyboru – "
            "proszę jeszcze sprawdzić referencje firmy.",
            None,
            True,
            {"verdict": ["approve"]},
            "Approval with reservations and a request: a person should confirm.",
        ),
        (
            "AUD",
            PLENI,
            "outlook_pl",
            "Wrócę do tego po urlopie.",
            None,
            True,
            {"kind": ["other", "question"]},
            "No decision; the quoted request below contains ZATWIERDZAM and ZWRACAM.",
        ),
        (
            "ZAG",
            OS_MANAGER,
            "owa",
            "Zatwierdzam w części dotyczącej BOK, pozostałe zagadnienia do poprawy.",
            None,
            True,
            {"verdict": ["return"]},
            "A partial approval.",
        ),
    ]
    for i, (code, who, client, text, verdict, review, also, note) in enumerate(specs):
        t = new_token()
        mon, day = {"POR": (3, 24), "KW": (5, 10), "WYN": (7, 6), "ZAG": (2, 15), "AUD": (7, 20)}[
            code
        ]
        to = who
        o = approval_request(code, t, to, mon, day)
        m = Mail(
            client,
            who,
            [o.from_addr],
            reply_subject(client, o),
            text,
            o.date.replace(hour=11 + i % 5, minute=rng.randint(0, 59)),
            orig=o,
        )
        dec = {"verdict": verdict}
        e = k("decision", t, review=review, note=f"{client}: {note}", decision=dec, verdict=verdict)
        if also:
            e["also_ok"] = also
        add(
            cat,
            f"{code.lower()}_{'approve' if verdict == 'approve' else verdict or 'unclear'}",
            m,
            e,
        )


# ============================================================== progress and results


def contractor() -> tuple[Firm, str]:
    return firm(1), new_token()


def progress() -> None:
    cat = "progress"
    f, t = contractor()
    specs = [
        (
            "outlook_pl",
            "zrealizowano_250_z_400",
            "Dzień dobry,\n\nuprzejmie informuję, że na dzień 8 czerwca zrealizowano 250 z 400 "
            "wywiadów.\n\nPozdrawiam",
            250,
            400,
            False,
        ),
        (
            "gmail",
            "stan_180_slash_400",
            "Dzień dobry,\n\nStan na 07.06.2027: 180/400 ankiet.\n\nPozdrawiam",
            180,
            400,
            False,
        ),
        (
            "thunderbird",
            "text_table",
            "Dzień dobry,\n\npostęp realizacji:\n\nZrealizowane    Plan    %\n    312          400    78%\n\n"
            "Pozdrawiam",
            312,
            400,
            False,
        ),
        ("ios", "loose_ponad_polowe", "Idzie nam dobrze, mamy ponad połowę :)", None, None, True),
        (
            "samsung",
            "loose_dwie_trzecie",
            "Jesteśmy mniej więcej w 2/3, koniec przed terminem.",
            None,
            None,
            True,
        ),
        (
            "outlook_pl",
            "loose_zgodnie_z_harmonogramem",
            "Dzień dobry,\n\nrealizacja przebiega zgodnie z harmonogramem, nie ma zagrożeń.\n\n"
            "Z poważaniem",
            None,
            None,
            True,
        ),
        (
            "owa",
            "287_with_address_distractor",
            "Dzień dobry,\n\nzrealizowano 287 wywiadów z planowanych 400, w tym 40 w BOK przy "
            "ul. Kościuszki 12.\n\nPozdrawiam",
            287,
            400,
            False,
        ),
        (
            "outlook_en",
            "380_of_400_percent",
            "Dzień dobry,\n\nPostęp: 380 z 400 (95%).\n\nPozdrawiam",
            380,
            400,
            False,
        ),
        (
            "gmail",
            "finished_400",
            "Dzień dobry,\n\nzakończyliśmy realizację – 400 wywiadów z 400. "
            "Raport prześlemy do 30.06.\n\nPozdrawiam",
            400,
            400,
            False,
        ),
        (
            "outlook_pl",
            "150_with_problem",
            "Dzień dobry,\n\nzrealizowano 150 z 400 wywiadów. Mamy problem z dostępem do sali w "
            "Wydziale Komunikacji – prosimy o kontakt.\n\nPozdrawiam",
            150,
            400,
            False,
        ),
        (
            "apple",
            "120_percent_only",
            "Dzień dobry,\n\nmamy już 120 wywiadów (30% próby).\n\nPozdrawiam",
            120,
            None,
            False,
        ),
        (
            "gmail_android",
            "dobilismy_do_200",
            "Dzisiaj dobiliśmy do 200, zostało drugie tyle.",
            200,
            None,
            True,
        ),
    ]
    for i, (client, slug, text, done, target, review) in enumerate(specs):
        o = contractor_letter(f, t, 5, 28)
        person = (f.person, f.email) if i % 2 == 0 else ("Kamil Zając", f"k.zajac@{f.domain}")
        m = Mail(
            client,
            person,
            [o.from_addr],
            reply_subject(client, o),
            text,
            dt(6, 3 + i, 16, rng.randint(0, 59)),
            orig=o,
        )
        e = k(
            "progress",
            t,
            review=review,
            note=f"{client}: progress report.",
            progress={"done": done, "target": target},
        )
        if target is None and done is not None:
            e["also_ok"] = {"progress.target": [400]}
        add(cat, slug, m, e)


def results() -> None:
    cat = "results"
    f, t = contractor()
    o = contractor_letter(f, t, 5, 28)
    data = dk.xlsx(
        [
            (
                "Dane",
                [
                    ["id", "Q1. Ocena ogólna", "Q2. Czas obsługi", "waga"],
                    *[[i, 1 + (i * 7) % 5, 1 + (i * 3) % 5, 1.0] for i in range(1, 41)],
                ],
            )
        ],
        {},
    )
    rep = dk.pdf_text(
        "Raport końcowy – badanie satysfakcji klientów 2027",
        ["Liczba wywiadów: 400", "Średnia ocena ogólna: 4,21"],
    )
    m = Mail(
        "outlook_pl",
        me(f),
        [o.from_addr],
        "Wyniki badania – " + o.subject,
        "Dzień dobry,\n\nw załączeniu raport końcowy oraz zbiór danych.\n\nPozdrawiam",
        dt(6, 28, 15, 0),
        orig=o,
        attachments=[
            ("Raport_końcowy_2027.pdf", "application/pdf", rep),
            (
                "Dane_2027.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                data,
            ),
        ],
    )
    add(cat, "report_pdf_and_xlsx", m, k("results", t, note="Results: PDF report and XLSX data."))

    m = Mail(
        "gmail",
        me(f),
        [o.from_addr],
        "Re: " + o.subject,
        "Dzień dobry,\n\nprzesyłam raport końcowy z badania (PDF). Zbiór danych prześlę jutro.\n\n"
        "Pozdrawiam",
        dt(6, 29, 9, 0),
        orig=o,
        attachments=[("Raport_koncowy.pdf", "application/pdf", rep)],
    )
    add(cat, "report_pdf_only", m, k("results", t, note="Results: the report only."))

    csv = "id;Q1;Q2;waga\n" + "".join(
        f"{i};{1 + i % 5};{1 + (i * 2) % 5};1\n" for i in range(1, 31)
    )
    docx = dk.docx_offer(
        "Raport z badania satysfakcji 2027",
        ["Wyniki w podziale na wydziały."],
        [["Wydział", "Średnia"], ["Komunikacji", "3,9"], ["Podatków", "4,3"]],
    )
    m = Mail(
        "thunderbird",
        ("Kamil Zając", f"k.zajac@{f.domain}"),
        [MAILBOX],
        "Wyniki badania satysfakcji 2027 – dane i raport",
        "Dzień dobry,\n\nw załączeniu dane (CSV) i raport (DOCX).\n\n-- \nKamil Zając",
        dt(6, 30, 8, 0),
        orig=o,
        keep_quote=False,
        attachments=[
            ("dane_surowe.csv", "text/csv", csv.encode()),
            (
                "raport.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                docx,
            ),
        ],
    )
    add(
        cat,
        "csv_and_docx_refs_only",
        m,
        k(
            "results",
            t,
            note="Results with the token only in References; CSV data and a DOCX report.",
        ),
    )


# ============================================================== charsets


def charsets() -> None:
    cat = "charset"
    i = 0

    def mk(client, slug, text, exp_fn, **kw):
        nonlocal i
        f = firm_for(client, i + 6)
        token, o = ask(f)
        keep = kw.pop("keep_quote", True)
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            kw.pop("subject", None) or reply_subject(client, o),
            text(f),
            dt(3, 10 + i % 8, 9, rng.randint(0, 59)),
            orig=o,
            keep_quote=keep,
            **kw,
        )
        e = exp_fn(f)
        e["token"] = token
        add(cat, slug, m, e)
        i += 1
        return m

    n = D(13500)
    g = gross_of(n, 23)
    body = lambda nn, gg: (  # noqa: E731
        lambda f: (
            f"Dzień dobry,\n\nprzesyłamy ofertę – cena netto {pl(nn)} zł, brutto {pl(gg)} zł "
            f"(VAT 23%). Świadczymy usługi źródłowo, bez podwykonawców.\n\n"
            f"Z poważaniem\n{f.person}\n{f.name}\nNIP {fmt_nip(f.nip, 1)}"
        )
    )
    mk(
        "outlook_pl_old",
        "cp1250_labelled_iso88592",
        body(n, g),
        lambda f: q(
            n,
            g,
            "23",
            None,
            f.nip,
            note="windows-1250 bytes labelled iso-8859-2 (ś, ź, en dash differ).",
        ),
        charset="iso-8859-2",
        encode_as="windows-1250",
    )
    n2 = D(14300)
    g2 = gross_of(n2, 23)
    mk(
        "wp",
        "utf8_labelled_latin1",
        body(n2, g2),
        lambda f: q(n2, g2, "23", None, f.nip, note="UTF-8 bytes labelled iso-8859-1."),
        charset="iso-8859-1",
        encode_as="utf-8",
        cte="quoted-printable",
        text_only=True,
    )
    n3 = D(15100)
    g3 = gross_of(n3, 23)
    mk(
        "thunderbird",
        "no_charset_label_utf8",
        body(n3, g3),
        lambda f: q(
            n3, g3, "23", None, f.nip, note="text/plain without a charset parameter, 8bit UTF-8."
        ),
        charset="utf-8",
        label=False,
        cte="8bit",
    )
    mk(
        "outlook_pl_old",
        "decline_no_label_cp1250",
        lambda f: (
            "Szanowni Państwo,\n\nuprzejmie informujemy, że nie złożymy oferty – nie "
            f"dysponujemy ankieterami w Państwa mieście.\n\nZ poważaniem\n{f.person}"
        ),
        lambda f: k("decline", None, note="A decline in windows-1250 bytes with no charset label."),
        charset="windows-1250",
        label=False,
        cte="8bit",
        text_only=True,
    )
    n5 = D(12800)
    g5 = gross_of(n5, 23)
    m5 = mk(
        "thunderbird",
        "no_mime_headers_8bit",
        body(n5, g5),
        lambda f: q(
            n5,
            g5,
            "23",
            None,
            f.nip,
            note="No MIME-Version, no Content-Type: 8-bit UTF-8 body and a raw UTF-8 Subject.",
        ),
        charset="utf-8",
        cte="8bit",
        keep_quote=False,
    )
    # rewrite the last one without MIME headers and with a raw 8-bit subject
    from base import ITEMS

    raw = ITEMS[-1].raw
    raw = raw.replace(b"MIME-Version: 1.0\n", b"")
    raw = raw.replace(b"Content-Type: text/plain; charset=utf-8; format=flowed\n", b"")
    raw = raw.replace(b"Content-Transfer-Encoding: 8bit\n", b"")
    lines = raw.split(b"\n")
    out = []
    skip = False
    for ln in lines:
        if ln.startswith(b"Subject: "):
            out.append(b"Subject: " + m5.subject.encode("utf-8"))
            skip = True
            continue
        if skip and ln.startswith(b" "):
            continue
        skip = False
        out.append(ln)
    # without a format=flowed label the soft line breaks would be hard ones: unwrap them
    ITEMS[-1].raw = b"\n".join(out).replace(b" \n", b" ")
    n6 = D(13650)
    g6 = gross_of(n6, 23)
    mk(
        "outlook_pl_old",
        "windows1250_correct",
        body(n6, g6),
        lambda f: q(
            n6, g6, "23", None, f.nip, note="windows-1250, correctly labelled, quoted-printable."
        ),
        charset="windows-1250",
    )
    n7 = D(14950)
    g7 = gross_of(n7, 23)
    mk(
        "onet",
        "iso88592_base64_correct",
        lambda f: body(n7, g7)(f).replace("–", "-"),
        lambda f: q(n7, g7, "23", None, f.nip, note="iso-8859-2, correctly labelled, base64."),
        charset="iso-8859-2",
        cte="base64",
    )
    n8 = D(16300)
    g8 = gross_of(n8, 23)
    mk(
        "wp",
        "utf8_base64_correct",
        body(n8, g8),
        lambda f: q(n8, g8, "23", None, f.nip, note="UTF-8 base64, correctly labelled."),
    )
    n9 = D(13500)
    g9 = gross_of(n9, 23)
    mk(
        "roundcube",
        "ascii_without_diacritics",
        lambda f: (
            f"Dzien dobry,\n\ncena netto {pl(n9)} zl, brutto {pl(g9)} zl (VAT 23%).\n\n"
            f"Pozdrawiam\n{f.person.encode('ascii', 'ignore').decode()}\nNIP {f.nip}"
        ),
        lambda f: q(
            n9, g9, "23", None, f.nip, note="Plain ASCII, Polish words without diacritics ('zl')."
        ),
        charset="us-ascii",
        cte="7bit",
        keep_quote=False,
    )
    mk(
        "gmail",
        "decline_utf8_bom",
        lambda f: "\ufeffDzień dobry,\n\nniestety nie składamy oferty w tym roku.\n\nPozdrawiam",
        lambda f: k("decline", None, note="UTF-8 with a byte-order mark at the start of the body."),
        text_only=True,
        cte="base64",
    )
    n11 = D(15550)
    g11 = gross_of(n11, 23)
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1250">'
        f"</head><body><p>Dzień dobry,</p><p>cena netto: {pl(n11)} zł<br>cena brutto: "
        f"{pl(g11)} zł<br>VAT 23%</p><p>Pozdrawiam</p></body></html>"
    )
    mk(
        "interia",
        "html_meta_disagrees_with_mime",
        lambda f: "",
        lambda f: q(
            n11,
            g11,
            "23",
            None,
            None,
            note="HTML only; UTF-8 bytes, MIME label utf-8, but the meta tag says windows-1250 (the MIME label wins).",
        ),
        html=html,
        html_only=True,
        charset="utf-8",
    )
    mk(
        "zimbra",
        "question_invalid_utf8_byte",
        lambda f: (
            "Dzień dobry,\n\nczy termin realizacji do 30 czerwca jest nieprzekraczalny? "
            f"Czy możliwe jest przesunięcie o tydzień?\n\nPozdrawiam\n{f.person}"
        ),
        lambda f: k(
            "question",
            None,
            note="A question in UTF-8 with one stray invalid byte (a broken signature paste).",
        ),
        cte="8bit",
        text_only=True,
    )
    ITEMS[-1].raw = ITEMS[-1].raw.replace("przesunięcie".encode(), b"przesuni\xeacie", 1)


def build_part2() -> None:
    declines()
    questions()
    bounces()
    success_dsns()
    auto_replies()
    mdns()
    decisions()
    progress()
    results()
    charsets()


_ = (COORD, PLENI, datetime)
