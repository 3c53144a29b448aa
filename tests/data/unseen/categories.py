# ruff: noqa: E501  (message texts and notes are data; long lines keep them greppable)
"""The messages of the unseen corpus, category by category, with their expected readings."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from base import (
    CITY_NIP,
    COORD,
    DOMAIN,
    INQ_SUBJECT,
    MAILBOX,
    NBSP,
    YEAR,
    D,
    Firm,
    Mail,
    add,
    dk,
    dt,
    en,
    firm,
    fmt_nip,
    gross_of,
    inquiry,
    k,
    make_nip,
    new_token,
    pl,
    q,
    reply_subject,
    rng,
    signature,
)

WEBMAIL_DOMAIN = {"onet": "onet.example.pl", "wp": "wp.example.pl", "interia": "interia.example.pl"}


def firm_for(client: str, i: int) -> Firm:
    f = firm(i)
    if client in WEBMAIL_DOMAIN:
        local = f.person.split()[1].lower().replace("ł", "l").replace("ó", "o").replace("ń", "n")
        local = local.replace("ś", "s").replace("ą", "a").replace("ę", "e").replace("ż", "z")
        f = dataclasses.replace(f, email=f"{local}.badania@{WEBMAIL_DOMAIN[client]}")
    return f


def ask(f: Firm, day: int = 8):
    token = new_token()
    return token, inquiry(f, token, day)


def me(f: Firm) -> tuple[str, str]:
    return (f.person, f.email)


def reply_to_inquiry(
    client: str, fi: int, text: str, *, day: int = 12, hour: int = 10, **mail_kw
) -> tuple[Mail, Firm, str]:
    f = firm_for(client, fi)
    token, o = ask(f)
    m = Mail(
        client,
        me(f),
        [(None, o.from_addr) if False else o.from_addr],
        reply_subject(client, o),
        text,
        dt(3, day, hour, rng.randint(0, 59), rng.randint(0, 59)),
        orig=o,
        **mail_kw,
    )
    return m, f, token


GREET = [
    "Dzień dobry,",
    "Szanowni Państwo,",
    "Dzień dobry Pani Agnieszko,",
    "Witam,",
    "Szanowna Pani,",
]


def greet(i: int) -> str:
    return GREET[i % len(GREET)]


# ============================================================== quotes: number formats


def quotes_formats() -> None:
    cat = "quote_format"
    specs = []  # (client, slug, body builder -> (text, exp kwargs))

    def s(client, slug, fn):
        specs.append((client, slug, fn))

    def b1(f, i):
        net = D(12300)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nw odpowiedzi na zapytanie przedstawiamy ofertę:\n\n"
            f"cena netto: {pl(net)} zł\nVAT 23%: {pl(g - net)} zł\ncena brutto: {pl(g)} zł\n\n"
            "Cena obejmuje realizację 400 wywiadów, raport i zbiór danych.\n"
            f"Oferta ważna do 30.04.2027 r.\n{signature(f, 1)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Polish format with space thousands separator; net, VAT amount, gross on separate lines.",
        )

    def b2(f, i):
        net = D(13900)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nnasza cena za realizację badania wynosi {pl(net, '.')} PLN netto "
            f"+ 23% VAT, tj. {pl(g, '.')} PLN brutto.\n\nPozdrawiam serdecznie\n{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Dots as thousands separators, PLN after the figure, one sentence.",
        )

    def b3(f, i):
        net = D(16500)
        g = gross_of(net, 23)
        t = (
            "Dear Ms Pawłowska,\n\nThank you for your inquiry. Please find our quotation below.\n\n"
            f"Net price: PLN {en(net)}\nVAT (23%): PLN {en(g - net)}\nGross price: PLN {en(g)}\n\n"
            "The price covers 400 face-to-face interviews, the report and the data set.\n\n"
            f"Kind regards,\n{f.person}\n{f.name}\nVAT ID: PL{f.nip}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="English number format, currency first (PLN 16,500.00).",
        )

    def b4(f, i):
        g = D("18450.00")
        t = (
            f"{greet(i)}\n\nŁączna cena brutto za wykonanie badania: {pl(g)} zł.\n\n"
            f"Z poważaniem\n{signature(f, 2)}"
        )
        return t, dict(
            net=None,
            gross=g,
            rate=None,
            nip=f.nip,
            note="Gross only, no rate: net and vat_rate are null.",
        )

    def b5(f, i):
        net = D(15000)
        t = (
            f"{greet(i)}\n\ncena za badanie: 15 000 zł netto + VAT 23%.\n"
            f"Termin realizacji zgodny z zapytaniem.\n\nPozdrawiam\n{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=None,
            rate="23",
            nip=f.nip,
            also_ok={"gross": [str(gross_of(net, 23))]},
            note="Net only with an explicit rate: gross is not stated (computing it is allowed).",
        )

    def b6(f, i):
        p = D(9800)
        t = (
            f"{greet(i)}\n\nOferujemy wykonanie badania za kwotę {pl(p)} zł "
            "(sprzedaż zwolniona z VAT – zw., art. 113 ust. 1 ustawy o VAT).\n"
            "Kwota ta jest kwotą ostateczną do zapłaty.\n\n"
            f"Z wyrazami szacunku\n{signature(f, 1)}"
        )
        return t, dict(
            net=p,
            gross=p,
            rate="zw",
            nip=f.nip,
            also_ok={"vat_rate": ["0", None], "net": [None]},
            note="VAT-exempt seller (zw.): the price is both net and gross.",
        )

    def b7(f, i):
        net = D(14000)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nprzesyłam ofertę na badanie satysfakcji klientów:\n"
            f"- netto {pl(net)} zł\n- brutto {pl(g)} zł\n\n"
            f"Pozdrawiam\n{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Net and gross stated; the 23% rate is not written but follows from them.",
        )

    def b8(f, i):
        net = D(11800)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\n{pl(net, cents=False)} zł netto ({pl(g)} zł z VAT).\n"
            "Szczegóły metodologiczne w razie potrzeby prześlę osobno.\n\n"
            f"{f.person}\n{f.name}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=None,
            note="Compact wording, gross 'z VAT' in brackets; no NIP in the message.",
        )

    def b9(f, i):
        g = D("19065.00")
        net = D("15500.00")
        t = (
            f"{greet(i)}\n\nCena brutto: {pl(g)} zł (słownie: dziewiętnaście tysięcy "
            "sześćdziesiąt pięć złotych 00/100), w tym podatek VAT 23%.\n"
            f"Cena netto: {pl(net)} zł.\n\nZ poważaniem\n{signature(f, 1, capital=True)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Gross first with the amount in words; the signature carries the share capital (an amount that is not the price).",
        )

    def b10(f, i):
        net = D(11500)
        vat = D(2645)
        g = D(14145)
        t = (
            f"{greet(i)}\n\nkwota netto {pl(net, cents=False)} PLN, podatek VAT {pl(vat, cents=False)} "
            f"PLN, razem {pl(g, cents=False)} PLN.\n\nPozdrawiam\n{signature(f, 3)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Whole złoty without decimals; 'razem' is the gross.",
        )

    def b11(f, i):
        net = D(3900)
        g = gross_of(net, 23)
        t = (
            "Dear Madam,\n\nWe are pleased to submit our offer for the customer satisfaction survey:\n"
            f"EUR {en(net)} net + 23% VAT = EUR {en(g)} gross.\n"
            "Fieldwork by our Polish partner, report in Polish.\n\n"
            f"Best regards\n{f.person}\n{f.name}\nVAT ID: PL{f.nip}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            currency="EUR",
            also_ok={"needs_review": [True]},
            note="A quote in euro, English format (flagging a foreign currency is also fine).",
        )

    def b12(f, i):
        net = D(13200)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nWartość oferty: {pl(net, NBSP)}{NBSP}zł netto / {pl(g, NBSP)}{NBSP}zł brutto.\n"
            "Oferta obejmuje wszystkie elementy wskazane w zapytaniu.\n\n"
            f"Serdecznie pozdrawiam\n{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Non-breaking spaces inside the amounts; net / gross on one line.",
        )

    def b13(f, i):
        net = D(17900)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\ndziękuję za zaproszenie. Za realizację badania proponujemy "
            f"{pl(g)} zł brutto ({pl(net)} zł netto plus 23% VAT). Cena zawiera koszty "
            "dojazdu ankieterów, 400 wywiadów oraz raport w 2 egzemplarzach.\n\n"
            f"Kwota za 1 wywiad wynosi więc ok. 45 zł netto.\n\n{signature(f, 2)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Gross named first; the text also mentions a rough per-interview figure, 400 interviews and 2 copies.",
        )

    def b14(f, i):
        net = D(12950)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nw nawiązaniu do zapytania:\n\nCena netto........... {pl(net)} zł\n"
            f"Stawka VAT........... 23 %\nCena brutto.......... {pl(g)} zł\n\n"
            f"Termin realizacji: do 20.06.2027\nWarunki płatności: 14 dni od daty doręczenia faktury\n\n{signature(f, 1)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Dotted leaders between label and amount, a date and payment days nearby.",
        )

    def b15(f, i):
        net = D(14800)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nOferta: PLN {pl(net)} netto, PLN {pl(g)} brutto (VAT 23%).\n\n"
            f"{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Currency code before a Polish-format amount.",
        )

    def b16(f, i):
        net = D(10400)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\ncena: {pl(net, cents=False)},- zł netto, tj. {pl(g)} zł brutto\n"
            f"(VAT 23%)\n\npozdrawiam\n{f.person}"
        )
        return t, dict(
            net=net, gross=g, rate="23", nip=None, note="The ',-' convention for whole złoty."
        )

    def b17(f, i):
        net = D(14500)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nproponujemy cenę 14,5 tys. zł netto, tj. {pl(g)} zł brutto.\n\n"
            f"Pozdrawiam\n{signature(f, 1)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Net written as '14,5 tys. zł'; gross exact; rate follows.",
        )

    def b18(f, i):
        net = D("12345.67")
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nNa podstawie kalkulacji kosztów (400 wywiadów x 28 zł + koszty stałe) "
            f"cena wynosi {pl(net)} zł netto, {pl(g)} zł brutto.\n\nZ poważaniem\n{signature(f, 0)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Amount with grosze; a calculation with other numbers before it.",
        )

    def b19(f, i):
        net = D(16000)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nW załączeniu nic nie ma, bo wszystko piszę tutaj :)\n"
            f"Cena: {pl(net, '')} netto, {pl(g, '')} brutto, waluta PLN.\n\n{f.person}\n"
            f"NIP {fmt_nip(f.nip, 1)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="No thousands separator (16000,00), currency written separately.",
        )

    def b20(f, i):
        net = D(15250)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nponiżej nasza propozycja cenowa.\n\n"
            f"Wynagrodzenie ryczałtowe netto: {pl(net)} zł\n"
            f"Wynagrodzenie ryczałtowe brutto (z 23% VAT): {pl(g)} zł\n\n"
            "W ubiegłym roku realizowaliśmy podobne badanie dla innego urzędu za 21 000 zł "
            f"brutto.\n\n{signature(f, 2, capital=True)}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            note="Distractor: a past price for another office in the same message.",
        )

    def b21(f, i):
        net = D(13600)
        g = gross_of(net, 23)
        html = (
            "<html><body><div>Dzień dobry,</div><div><br></div><div>w odpowiedzi na zapytanie:</div>"
            "<table border=1 cellspacing=0 cellpadding=4>"
            "<tr><th>Netto</th><th>VAT</th><th>Brutto</th></tr>"
            f"<tr><td>{pl(net, '&nbsp;')}&nbsp;zł</td><td>23%</td><td>{pl(g, '&nbsp;')}&nbsp;zł</td></tr>"
            f"</table><div><br></div><div>{f.person}</div><div>NIP {f.nip}</div></body></html>"
        )
        t = f"{greet(0)}\n\nw odpowiedzi na zapytanie:\n\nNetto VAT Brutto\n{pl(net)} zł 23% {pl(g)} zł\n\n{f.person}\nNIP {f.nip}"
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=f.nip,
            html_only=True,
            html=html,
            note="HTML only (no text/plain part): an HTML table with headers and one row.",
        )

    def b22(f, i):
        net = D(12000)
        g = gross_of(net, 23)
        t = (
            f"{greet(i)}\n\nkoszt realizacji badania to {pl(net, cents=False)} zł + VAT (23%), "
            f"czyli {pl(g, cents=False)} zł.\n\nPozdrawiam\n{f.person}\n{f.name}"
        )
        return t, dict(
            net=net,
            gross=g,
            rate="23",
            nip=None,
            note="'+ VAT (23%), czyli' – gross without the word brutto.",
        )

    s("outlook_pl", "pl_space_net_vat_gross", b1)
    s("gmail", "pl_dots_pln", b2)
    s("outlook_en", "en_currency_first", b3)
    s("thunderbird", "gross_only", b4)
    s("ios", "net_only_stated_rate", b5)
    s("roundcube", "vat_exempt_zw", b6)
    s("gmail_android", "rate_not_written", b7)
    s("apple", "compact_z_vat", b8)
    s("owa", "gross_first_in_words", b9)
    s("onet", "whole_zloty_razem", b10)
    s("outlook_en", "eur_english", b11)
    s("zimbra", "nbsp_amounts", b12)
    s("wp", "gross_first_sentence", b13)
    s("interia", "dotted_leaders", b14)
    s("samsung", "pln_prefix_polish", b15)
    s("gmail_old", "comma_dash_convention", b16)
    s("outlook_pl_old", "tys_zl", b17)
    s("gmail", "grosze_with_calculation", b18)
    s("thunderbird", "no_thousands_separator", b19)
    s("outlook_pl", "past_price_distractor", b20)
    s("onet", "html_only_table", b21)
    s("apple", "plus_vat_czyli", b22)

    for i, (client, slug, fn) in enumerate(specs):
        f = firm_for(client, i)
        token, o = ask(f)
        text, e = fn(f, i)
        html_only = e.pop("html_only", False)
        html = e.pop("html", None)
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            reply_subject(client, o),
            text,
            dt(3, 9 + i % 9, 9 + i % 8, rng.randint(0, 59)),
            orig=o,
            html=html,
            html_only=html_only,
        )
        net, gross, rate, nip = e.pop("net"), e.pop("gross"), e.pop("rate"), e.pop("nip")
        note = e.pop("note")
        add(cat, slug, m, q(net, gross, rate, token, nip, note=f"{client}: {note}", **e))


# ============================================================== quotes: structures


def quotes_structures() -> None:
    cat = "quote_structure"
    i = 0

    def mk(client, slug, text, exp, atts=(), **kw):
        nonlocal i
        f = firm_for(client, i + 3)
        token, o = ask(f)
        t, e = text(f), exp(f)
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            reply_subject(client, o),
            t,
            dt(3, 10 + i % 8, 11, rng.randint(0, 59)),
            orig=o,
            attachments=[a(f) for a in atts],
            **kw,
        )
        e["token"] = token
        e["note"] = f"{client}: {e['note']}"
        add(cat, slug, m, e)
        i += 1

    # plain-text table, headers on one line, figures on the next
    n1 = D(14800)
    g1 = gross_of(n1, 23)
    mk(
        "outlook_pl",
        "text_table_headers_then_figures",
        lambda f: (
            f"Dzień dobry,\n\nponiżej zestawienie:\n\n"
            f"Cena netto      Stawka VAT    Cena brutto\n{pl(n1):>10} zł      23%      {pl(g1):>12} zł\n\n"
            f"Pozdrawiam\n{signature(f, 1)}"
        ),
        lambda f: q(
            n1,
            g1,
            "23",
            None,
            f.nip,
            note="Plain-text table: column headers on one line, the figures on the next.",
        ),
    )

    n2 = D(15600)
    g2 = gross_of(n2, 23)
    mk(
        "thunderbird",
        "text_table_with_items",
        lambda f: (
            "Dzień dobry,\n\noferta cenowa:\n\n"
            "Pozycja                          Netto      VAT 23%      Brutto\n"
            f"Realizacja 400 wywiadów      {pl(D(12400)):>9}  {pl(D(2852)):>9}  {pl(D(15252)):>10}\n"
            f"Raport i zbiór danych        {pl(D(3200)):>9}  {pl(D(736)):>9}  {pl(D(3936)):>10}\n"
            f"RAZEM                        {pl(n2):>9}  {pl(g2 - n2):>9}  {pl(g2):>10}\n\n"
            f"Wszystkie kwoty w zł.\n{signature(f, 0)}"
        ),
        lambda f: q(
            n2,
            g2,
            "23",
            None,
            f.nip,
            note="Plain-text table with two item rows and a RAZEM row; the total is the price.",
        ),
    )

    n3 = D(13300)
    g3 = gross_of(n3, 23)
    mk(
        "gmail",
        "pipe_table",
        lambda f: (
            "Dzień dobry,\n\n| Netto | VAT | Brutto |\n|---|---|---|\n"
            f"| {pl(n3)} zł | 23% | {pl(g3)} zł |\n\nPozdrawiam\n{signature(f, 2)}"
        ),
        lambda f: q(n3, g3, "23", None, f.nip, note="Markdown-like pipe table pasted into Gmail."),
    )

    # DOCX: filled offer form (label cell / value cell)
    n4 = D(13900)
    g4 = gross_of(n4, 23)

    def form_docx(f):
        data = dk.docx_offer(
            "FORMULARZ OFERTOWY",
            [
                f"Wykonawca: {f.name}",
                f"NIP: {fmt_nip(f.nip, 1)}",
                "Przedmiot: badanie satysfakcji klientów Urzędu Miasta 2027 (400 wywiadów)",
                f"Zamawiający: Urząd Miasta, NIP {fmt_nip(CITY_NIP, 1)}",
            ],
            [
                ["Cena netto", f"{pl(n4)} zł"],
                ["Stawka VAT", "23%"],
                ["Kwota VAT", f"{pl(g4 - n4)} zł"],
                ["Cena brutto", f"{pl(g4)} zł"],
                ["Termin realizacji", "do 30.06.2027"],
            ],
            ["Oświadczamy, że zapoznaliśmy się z treścią zapytania.", "", f"{f.city}, 15.03.2027"],
        )
        return (
            "Formularz_ofertowy_wypelniony.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            data,
        )

    mk(
        "outlook_pl",
        "docx_offer_form",
        lambda f: (
            f"Dzień dobry,\n\nw załączeniu przesyłam wypełniony formularz ofertowy.\n\n{signature(f, 0, with_nip=False)}"
        ),
        lambda f: q(
            n4,
            g4,
            "23",
            None,
            f.nip,
            source="offer_form",
            also_ok={"source": ["docx"]},
            note="Amounts only in the DOCX offer form (label cell, value cell); the form also holds the city's NIP.",
        ),
        atts=[form_docx],
    )

    n5 = D(16700)
    g5 = gross_of(n5, 23)

    def cols_docx(f):
        data = dk.docx_offer(
            f"Oferta {f.name}",
            ["Szanowni Państwo,", "przedstawiamy ofertę na badanie satysfakcji klientów."],
            [
                ["Przedmiot", "Liczba wywiadów", "Cena netto", "VAT 23%", "Cena brutto"],
                ["Badanie satysfakcji 2027", "400", pl(n5), pl(g5 - n5), pl(g5)],
            ],
            [f"NIP wykonawcy: {f.nip}", "Oferta ważna 60 dni."],
        )
        return (
            f"Oferta_{f.city}_2027.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            data,
        )

    mk(
        "apple",
        "docx_column_table",
        lambda f: f"Dzień dobry,\n\nw załączeniu oferta.\n\nPozdrawiam\n{f.person}",
        lambda f: q(
            n5,
            g5,
            "23",
            None,
            f.nip,
            source="docx",
            note="DOCX table with a header row and one figure row (a count of 400 beside the money).",
        ),
        atts=[cols_docx],
    )

    # PDF with a text layer
    n6 = D(14200)
    g6 = gross_of(n6, 23)

    def pdf1(f):
        data = dk.pdf_text(
            "OFERTA CENOWA",
            [
                f"{f.name}",
                f"NIP {fmt_nip(f.nip, 1)}",
                "",
                "Dotyczy: zapytanie o cenę – badanie satysfakcji klientów Urzędu Miasta 2027",
                "Zakres: 400 wywiadów, raport, zbiór danych.",
            ],
            [
                ["Pozycja", "Netto", "VAT", "Brutto"],
                ["Badanie satysfakcji", pl(n6), pl(g6 - n6), pl(g6)],
            ],
        )
        return ("Oferta_cenowa.pdf", "application/pdf", data)

    mk(
        "gmail",
        "pdf_text_layer",
        lambda f: (
            f"Dzień dobry,\n\nprzesyłam ofertę w załączniku (PDF).\n\nPozdrawiam\n{f.person}\n{f.name}"
        ),
        lambda f: q(
            n6,
            g6,
            "23",
            None,
            f.nip,
            source="pdf",
            note="PDF with a text layer: a small table Netto/VAT/Brutto.",
        ),
        atts=[pdf1],
    )

    def pdf_scan(f):
        data = dk.pdf_image_only(
            "OFERTA", [f.name, "Cena netto: 15 900,00 zł", "Cena brutto: 19 557,00 zł"]
        )
        return ("skan_oferty.pdf", "application/pdf", data)

    mk(
        "outlook_en",
        "pdf_without_text_layer",
        lambda f: (
            f"Good morning,\n\nplease find attached our signed offer (scan).\n\nBest regards\n{f.person}"
        ),
        lambda f: q(
            None,
            None,
            None,
            None,
            None,
            review=True,
            source="pdf",
            note="Scanned PDF without a text layer: the amounts are only pixels; the body says nothing. Must go to review.",
        ),
        atts=[pdf_scan],
    )

    def pdf_enc(f):
        base_pdf = dk.pdf_text(
            "OFERTA", [f.name, "Cena netto: 13 100,00 zł", "Cena brutto: 16 113,00 zł"]
        )
        return (
            "oferta_zabezpieczona.pdf",
            "application/pdf",
            dk.pdf_encrypt(base_pdf, "Horyzont2027", "owner-secret"),
        )

    mk(
        "outlook_pl",
        "pdf_encrypted_password",
        lambda f: (
            f"Dzień dobry,\n\nw załączeniu oferta. Hasło do pliku prześlemy SMS-em.\n\n{signature(f, 0, with_nip=False)}"
        ),
        lambda f: q(
            None,
            None,
            None,
            None,
            None,
            review=True,
            source="pdf",
            note="PDF encrypted with a user password: unreadable; review.",
        ),
        atts=[pdf_enc],
    )

    n7 = D(12600)
    g7 = gross_of(n7, 23)

    def pdf_owner(f):
        base_pdf = dk.pdf_text(
            "OFERTA CENOWA",
            [
                f.name,
                f"NIP: {f.nip}",
                f"Cena netto: {pl(n7)} zł",
                "VAT: 23%",
                f"Cena brutto: {pl(g7)} zł",
            ],
        )
        return ("Oferta.pdf", "application/pdf", dk.pdf_encrypt(base_pdf, "", "tylko-do-odczytu"))

    mk(
        "zimbra",
        "pdf_owner_password_only",
        lambda f: f"Dzień dobry,\n\nprzesyłam ofertę.\n\n{f.person}",
        lambda f: q(
            n7,
            g7,
            "23",
            None,
            f.nip,
            source="pdf",
            note="PDF encrypted with an owner password only (empty user password): readable.",
        ),
        atts=[pdf_owner],
    )

    # XLSX with cached formula totals beside an assumptions sheet
    n8 = D(15200)
    g8 = gross_of(n8, 23)

    def xlsx_cached(f):
        sheets: list[tuple[str, list[list[object]]]] = [
            (
                "Oferta",
                [
                    ["Oferta cenowa – badanie satysfakcji klientów 2027"],
                    [],
                    ["Pozycja", "Kwota"],
                    ["Realizacja wywiadów", 12800],
                    ["Raport i analiza", 2400],
                    ["Razem netto", "=SUM(B4:B5)"],
                    ["VAT 23%", "=ROUND(B6*0.23,2)"],
                    ["Razem brutto", "=B6+B7"],
                    [],
                    ["Wykonawca", f.name],
                    ["NIP", f.nip],
                ],
            ),
            (
                "Założenia",
                [
                    ["Założenie", "Wartość"],
                    ["Liczba wywiadów", 400],
                    ["Stawka za wywiad (zł)", 32],
                    ["Liczba wydziałów", 12],
                    ["Liczba ankieterów", 9],
                    ["Koszty dojazdu (zł)", 1450],
                    ["NIP zamawiającego", CITY_NIP],
                    ["Rezerwa (zł)", 900],
                ],
            ),
        ]
        data = dk.xlsx(
            sheets, {("Oferta", "B6"): "15200", ("Oferta", "B7"): "3496", ("Oferta", "B8"): "18696"}
        )
        return (
            "kalkulacja_oferty.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            data,
        )

    mk(
        "outlook_pl",
        "xlsx_formulas_cached_assumptions",
        lambda f: (
            f"Dzień dobry,\n\nw załączeniu kalkulacja oferty w arkuszu Excel.\n\n{signature(f, 0, with_nip=False)}"
        ),
        lambda f: q(
            n8,
            g8,
            "23",
            None,
            f.nip,
            source="xlsx",
            note="XLSX: totals are formulas with cached values; a second sheet of assumptions holds other numbers and the city's NIP.",
        ),
        atts=[xlsx_cached],
    )

    def xlsx_nocache(f):
        sheets: list[tuple[str, list[list[object]]]] = [
            (
                "Arkusz1",
                [
                    ["Cena netto", 14600],
                    ["Stawka VAT", 0.23],
                    ["Cena brutto", "=B1*(1+B2)"],
                    ["NIP", f.nip],
                ],
            )
        ]
        return (
            "oferta.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            dk.xlsx(sheets, {}),
        )

    mk(
        "gmail",
        "xlsx_formula_without_cached_value",
        lambda f: f"Dzień dobry,\n\nw załączeniu oferta w xlsx.\n\n{f.person}",
        lambda f: q(
            D(14600),
            None,
            "23",
            None,
            f.nip,
            review=True,
            source="xlsx",
            also_ok={"gross": [str(gross_of(D(14600), 23))]},
            note="XLSX whose gross is a formula with no cached value (file saved by a library): review.",
        ),
        atts=[xlsx_nocache],
    )

    n9 = D(13750)
    g9 = gross_of(n9, 23)

    def odt(f):
        data = dk.odt_table(
            "Oferta cenowa",
            [f.name, f"NIP {fmt_nip(f.nip, 2)}", "Badanie satysfakcji klientów Urzędu Miasta 2027"],
            [["Cena netto", "Stawka VAT", "Cena brutto"], [f"{pl(n9)} zł", "23%", f"{pl(g9)} zł"]],
        )
        return ("oferta.odt", "application/vnd.oasis.opendocument.text", data)

    mk(
        "thunderbird",
        "odt_table",
        lambda f: f"Dzień dobry,\n\nw załączeniu oferta (format ODT).\n\n-- \n{f.person}",
        lambda f: q(
            n9,
            g9,
            "23",
            None,
            f.nip,
            source="odt",
            also_ok={"source": ["docx"]},
            note="ODT text document with a table: headers row and figures row.",
        ),
        atts=[odt],
    )

    n10 = D(15800)
    g10 = gross_of(n10, 23)

    def pdf2(f):
        data = dk.pdf_text(
            "Formularz ofertowy",
            [
                f"Wykonawca: {f.name}, NIP {f.nip}",
                f"Zamawiający: Urząd Miasta, NIP {CITY_NIP}",
                f"Cena netto: {pl(n10)} zł",
                "Podatek VAT 23%",
                f"Cena brutto: {pl(g10)} zł",
                "Termin: do 30.06.2027",
            ],
        )
        return ("Formularz_ofertowy.pdf", "application/pdf", data)

    mk(
        "owa",
        "pdf_form_two_nips",
        lambda f: (
            f"Dzień dobry,\n\nw załączeniu formularz ofertowy w PDF.\n\nZ poważaniem\n{f.person}"
        ),
        lambda f: q(
            n10,
            g10,
            "23",
            None,
            f.nip,
            source="pdf",
            note="PDF offer form stating both the vendor's and the city's NIP.",
        ),
        atts=[pdf2],
    )

    n11 = D(12900)
    g11 = gross_of(n11, 23)
    mk(
        "roundcube",
        "text_table_tabs",
        lambda f: (
            f"Dzień dobry,\n\nnetto\tVAT\tbrutto\n{pl(n11)}\t{pl(g11 - n11)}\t{pl(g11)}\n\n"
            f"(kwoty w PLN)\n{signature(f, 1)}"
        ),
        lambda f: q(
            n11,
            g11,
            "23",
            None,
            f.nip,
            note="Tab-separated table pasted from a spreadsheet; the VAT amount sits between net and gross.",
        ),
    )

    n12 = D(17400)
    g12 = gross_of(n12, 23)
    mk(
        "outlook_en",
        "body_and_docx_agree",
        lambda f: (
            f"Dear Madam,\n\nour price is PLN {en(n12)} net (PLN {en(g12)} gross). "
            f"The signed form is attached.\n\nRegards\n{f.person}"
        ),
        lambda f: q(
            n12,
            g12,
            "23",
            None,
            f.nip,
            source="body",
            also_ok={"source": ["docx", "offer_form"]},
            note="English body and a DOCX form (Polish format) state the same price.",
        ),
        atts=[
            lambda f: (
                "Formularz_ofertowy.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                dk.docx_offer(
                    "FORMULARZ OFERTOWY",
                    [f"Wykonawca: {f.name}, NIP {f.nip}"],
                    [["Cena netto", pl(n12)], ["VAT", "23%"], ["Cena brutto", pl(g12)]],
                ),
            )
        ],
    )


# ============================================================== quotes: where the token is


def quotes_token() -> None:
    cat = "quote_token"

    def body(f, net):
        g = gross_of(net, 23)
        return (
            f"Dzień dobry,\n\nnasza oferta: {pl(net)} zł netto, {pl(g)} zł brutto (VAT 23%).\n\n"
            f"{signature(f, 0)}"
        ), g

    # 1 token only in To (subject tag removed, no references)
    f = firm(5)
    token, o = ask(f)
    t, g = body(f, D(14100))
    m = Mail(
        "outlook_pl",
        me(f),
        [f"ankieta+{token}@{DOMAIN}"],
        "Oferta – badanie satysfakcji klientów 2027",
        t,
        dt(3, 11, 9, 12),
        orig=o,
        irt=None,
        refs=[],
        keep_quote=False,
    )
    add(
        cat,
        "token_only_in_to",
        m,
        q(
            D(14100),
            g,
            "23",
            token,
            f.nip,
            note="New message to the plus address: token only in To.",
        ),
    )

    # 2 token only in Cc, subject tag removed
    f = firm(6)
    token, o = ask(f)
    t, g = body(f, D(15300))
    m = Mail(
        "gmail",
        me(f),
        [COORD],
        "Oferta Market View – badanie satysfakcji",
        t,
        dt(3, 12, 14, 2),
        orig=o,
        cc=[f"ankieta+{token}@{DOMAIN}"],
        irt=None,
        refs=[],
        keep_quote=False,
    )
    add(
        cat,
        "token_only_in_cc",
        m,
        q(
            D(15300),
            g,
            "23",
            token,
            f.nip,
            note="Sent to the coordinator personally; the plus address only in Cc; subject tag removed.",
        ),
    )

    # 3 token only in References/In-Reply-To (reply to the plain mailbox)
    f = firm(7)
    token, o = ask(f)
    t, g = body(f, D(13800))
    m = Mail(
        "thunderbird",
        me(f),
        [MAILBOX],
        "Oferta – Kompas – badanie 2027",
        t,
        dt(3, 13, 8, 40),
        orig=o,
        keep_quote=False,
    )
    add(
        cat,
        "token_only_in_references",
        m,
        q(
            D(13800),
            g,
            "23",
            token,
            f.nip,
            note="Token only in In-Reply-To/References; no quote of the inquiry.",
        ),
    )

    # 4 token only in the subject (new message, not a reply)
    f = firm(8)
    token, o = ask(f)
    t, g = body(f, D(12700))
    m = Mail(
        "apple", me(f), [MAILBOX], f"{INQ_SUBJECT} [IN13-{YEAR}-ZO-{token}]", t, dt(3, 14, 19, 5)
    )
    add(
        cat,
        "token_only_in_subject",
        m,
        q(
            D(12700),
            g,
            "23",
            token,
            f.nip,
            note="A fresh message (no In-Reply-To) with the tag copied into the subject.",
        ),
    )

    # 5 no token anywhere; from the inquired address
    f = firm(9)
    _token, o = ask(f)
    t, g = body(f, D(16100))
    m = Mail(
        "owa", me(f), [MAILBOX], "Oferta na badanie satysfakcji klientów", t, dt(3, 15, 10, 30)
    )
    add(
        cat,
        "no_token_inquired_address",
        m,
        q(
            D(16100),
            g,
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"needs_review": [False]},
            note="No token anywhere; the sender is an address the inquiry went to. Offline parse cannot prove it answers our inquiry.",
        ),
    )

    # 6 token only inside a forwarded original in the body (colleague forwarded, then replied)
    f = firm(10)
    token, o = ask(f)
    net = D(14900)
    g = gross_of(net, 23)
    fwd = (
        f"Dzień dobry,\n\nprzejmuję sprawę od koleżanki. Nasza cena: {pl(net)} zł netto, "
        f"{pl(g)} zł brutto.\n\n{signature(f, 1)}\n\n"
        f"-----Original Message-----\nFrom: Anna Wójcik <a.wojcik@{f.domain}>\n"
        f"Sent: Tuesday, March 9, 2027 8:03 AM\nTo: {f.email}\n"
        f"Subject: FW: {o.subject}\n\nTomku, przejmiesz?\n\n{o.text}"
    )
    m = Mail(
        "outlook_en", me(f), [MAILBOX], "Oferta ResPublica", fwd, dt(3, 16, 12, 0), text_only=True
    )
    add(
        cat,
        "token_only_in_forwarded_quote",
        m,
        q(
            net,
            g,
            "23",
            token,
            f.nip,
            note="Token only in the subject line of a forwarded original inside the body (text only).",
        ),
    )

    # 7 token in To and subject, reply from a different person at the firm
    f = firm(11)
    token, o = ask(f)
    net = D(13400)
    g = gross_of(net, 23)
    other = ("Paweł Rogalski", f"p.rogalski@{f.domain}")
    t = (
        f"Dzień dobry,\n\nw zastępstwie p. {f.person}: cena netto {pl(net)} zł, brutto {pl(g)} zł.\n\n"
        f"Paweł Rogalski\n{f.name}\nNIP {f.nip}"
    )
    m = Mail(
        "outlook_pl",
        other,
        [o.from_addr],
        reply_subject("outlook_pl", o),
        t,
        dt(3, 16, 15, 0),
        orig=o,
    )
    add(
        cat,
        "colleague_replies_with_tag",
        m,
        q(
            net,
            g,
            "23",
            token,
            f.nip,
            note="Another person of the inquired firm replies; token in To, subject and references.",
        ),
    )

    # 8 subject prefixed by the firm's gateway, token intact
    f = firm(12)
    token, o = ask(f)
    net = D(15700)
    g = gross_of(net, 23)
    t = f"Dzień dobry,\n\nCena netto: {pl(net)} PLN\nCena brutto: {pl(g)} PLN\n\n{signature(f, 0)}"
    m = Mail(
        "owa", me(f), [o.from_addr], "[ZEWNĘTRZNA] Odp: " + o.subject, t, dt(3, 17, 9, 0), orig=o
    )
    add(
        cat,
        "gateway_subject_prefix",
        m,
        q(
            net,
            g,
            "23",
            token,
            f.nip,
            note="Gateway prefixes the subject with [ZEWNĘTRZNA]; tag intact.",
        ),
    )

    # 9 token in In-Reply-To only, subject changed, To the coordinator (no plus address)
    f = firm(13)
    token, o = ask(f)
    net = D(14450)
    g = gross_of(net, 23)
    t = (
        f"Pani Agnieszko,\n\nzgodnie z rozmową telefoniczną: {pl(net)} zł netto / {pl(g)} zł "
        f"brutto.\n\n{signature(f, 1)}"
    )
    m = Mail("gmail_android", me(f), [COORD], "oferta", t, dt(3, 17, 17, 45), orig=o, refs=[])
    add(
        cat,
        "in_reply_to_only_to_person",
        m,
        q(
            net,
            g,
            "23",
            token,
            f.nip,
            note="To the coordinator's own address; token only in In-Reply-To (References dropped) and the Gmail quote of the inquiry.",
        ),
    )


# ============================================================== quotes: ambiguous and special


def quotes_ambiguous() -> None:
    cat = "quote_special"
    i = 0

    def mk(client, slug, text_fn, exp, **kw):
        nonlocal i
        f = firm_for(client, i + 1)
        token, o = ask(f)
        m = Mail(
            client,
            me(f),
            [o.from_addr],
            kw.pop("subject", None) or reply_subject(client, o),
            text_fn(f),
            dt(3, 11 + i % 7, 13, rng.randint(0, 59)),
            orig=o,
            **kw,
        )
        e = exp(f)
        e["token"] = token
        e["note"] = f"{client}: {e['note']}"
        add(cat, slug, m, e)
        i += 1

    a1, a2 = D(14000), D(11600)
    mk(
        "outlook_pl",
        "two_variants",
        lambda f: (
            f"Dzień dobry,\n\nprzedstawiamy dwa warianty:\n"
            f"Wariant A (400 wywiadów PAPI): {pl(a1)} zł netto, {pl(gross_of(a1, 23))} zł brutto\n"
            f"Wariant B (250 PAPI + 150 CAWI): {pl(a2)} zł netto, {pl(gross_of(a2, 23))} zł brutto\n\n"
            f"{signature(f, 0)}"
        ),
        lambda f: q(
            None,
            None,
            "23",
            None,
            f.nip,
            review=True,
            alternatives=[
                {"net": str(a1), "gross": str(gross_of(a1, 23))},
                {"net": str(a2), "gross": str(gross_of(a2, 23))},
            ],
            note="Two variants: which one enters the comparison is a human decision.",
        ),
    )

    c_old, c_new = D(17400), D(16400)
    mk(
        "gmail",
        "correction_of_earlier_offer",
        lambda f: (
            f"Dzień dobry,\n\nprzepraszam, w poprzedniej wiadomości podałem błędną kwotę. "
            f"Prawidłowa cena to {pl(c_new)} zł netto, {pl(gross_of(c_new, 23))} zł brutto "
            f"(a nie {pl(c_old)} zł netto, jak napisałem wcześniej).\n\n{signature(f, 1)}"
        ),
        lambda f: q(
            c_new,
            gross_of(c_new, 23),
            "23",
            None,
            f.nip,
            note="A correction: the new price is stated, the wrong earlier one is named too.",
        ),
        subject=None,
    )

    n = D(15200)
    mk(
        "outlook_en",
        "quote_with_question",
        lambda f: (
            f"Dzień dobry,\n\ncena netto: {pl(n)} zł, brutto: {pl(gross_of(n, 23))} zł.\n\n"
            "Jednocześnie prosimy o informację, czy dopuszczają Państwo realizację części "
            f"wywiadów metodą CAWI?\n\n{signature(f, 2)}"
        ),
        lambda f: q(
            n,
            gross_of(n, 23),
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"needs_review": [False]},
            note="A quote that also asks a question: the figures are clear; the question needs a person.",
        ),
    )

    mk(
        "thunderbird",
        "per_interview_only",
        lambda f: (
            "Dzień dobry,\n\nnasza stawka to 45 zł netto za jeden zrealizowany wywiad "
            f"(+23% VAT). Raport w cenie.\n\n{signature(f, 0)}"
        ),
        lambda f: q(
            None,
            None,
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"net": ["18000.00"], "gross": ["22140.00"]},
            note="Only a price per interview; the total is not written.",
        ),
    )

    n = D(14100)
    n2 = D(22300)
    mk(
        "gmail",
        "per_interview_and_total",
        lambda f: (
            f"Dzień dobry,\n\nCena za 1 wywiad: 35,25 zł netto.\nŁącznie za 400 wywiadów: "
            f"{pl(n)} zł netto, tj. {pl(gross_of(n, 23))} zł brutto.\n"
            f"Opcjonalnie wywiady pogłębione (IDI): {pl(n2)} zł netto.\n\n{signature(f, 1)}"
        ),
        lambda f: q(
            n,
            gross_of(n, 23),
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"needs_review": [False]},
            note="Per-interview price, the total, and an optional extra priced separately.",
        ),
    )

    mk(
        "apple",
        "price_range",
        lambda f: (
            "Dzień dobry,\n\nw zależności od ostatecznego zakresu kwestionariusza cena wyniesie "
            f"od 13 000 do 16 000 zł netto.\n\nPozdrawiam\n{f.person}"
        ),
        lambda f: q(None, None, None, None, None, review=True, note="A price range, not a price."),
    )

    mk(
        "owa",
        "same_as_last_year",
        lambda f: (
            "Dzień dobry,\n\npodtrzymujemy cenę z ubiegłego roku, bez zmian. "
            f"Termin realizacji zgodny z zapytaniem.\n\nZ poważaniem\n{f.person}"
        ),
        lambda f: q(
            None,
            None,
            None,
            None,
            None,
            review=True,
            note="'The same price as last year' with no amount.",
        ),
    )

    n = D(12300)
    mk(
        "outlook_pl",
        "mixed_conventions",
        lambda f: (
            f"Dzień dobry,\n\ncena netto: {en(n)} zł\ncena brutto: {pl(gross_of(n, 23))} zł\n\n"
            f"{signature(f, 1)}"
        ),
        lambda f: q(
            n,
            gross_of(n, 23),
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"needs_review": [False]},
            note="English format for the net, Polish for the gross in one message; they agree with 23%.",
        ),
    )

    n = D(14700)
    mk(
        "roundcube",
        "conditional_later_deadline",
        lambda f: (
            f"Dzień dobry,\n\nmożemy zrealizować badanie za {pl(n)} zł netto "
            f"({pl(gross_of(n, 23))} zł brutto), ale tylko przy terminie do 31 lipca 2027 r., "
            f"bo czerwiec mamy już zajęty.\n\n{signature(f, 0)}"
        ),
        lambda f: q(
            n,
            gross_of(n, 23),
            "23",
            None,
            f.nip,
            review=True,
            also_ok={"needs_review": [False]},
            note="A clear price with a condition the inquiry excludes (deadline after June).",
        ),
    )


# ============================================================== non-offers with numbers


def non_offers() -> None:
    cat = "non_offer"
    stranger = ("Biuro Rachunkowe Saldo", "faktury@saldo-biuro.example.com")
    s_nip = make_nip(rng)
    net = D(4200)
    g = gross_of(net, 23)
    t = (
        f"Dzień dobry,\n\nw załączeniu przesyłamy fakturę pro forma nr PF/0317/2027.\n\n"
        f"Sprzedawca: Biuro Rachunkowe Saldo, NIP {fmt_nip(s_nip, 1)}\n"
        f"Nabywca: Urząd Miasta, NIP {fmt_nip(CITY_NIP, 1)}\n\n"
        f"Wartość netto: {pl(net)} zł\nVAT 23%: {pl(g - net)} zł\nDo zapłaty: {pl(g)} zł\n"
        "Termin płatności: 7 dni\nNr rachunku: 12 1020 0000 0000 0000 0000 0000\n\n"
        "Prosimy o terminową wpłatę.\nDział Rozliczeń"
    )
    m = Mail(
        "outlook_pl", stranger, [MAILBOX], "Faktura pro forma PF/0317/2027", t, dt(3, 17, 11, 11)
    )
    add(
        cat,
        "proforma_from_stranger",
        m,
        k(
            "other",
            None,
            note="Pro-forma invoice from a sender we never inquired, with amounts, VAT and two NIPs: never a quote.",
            also_ok={"needs_review": [True]},
        ),
    )

    t2 = (
        "Szanowni Państwo,\n\nWIOSENNA PROMOCJA! Badania satysfakcji klientów już od 9 900 zł netto.\n"
        "Pakiet Standard: 300 wywiadów – 9 900 zł netto (12 177 zł brutto)\n"
        "Pakiet Premium: 500 wywiadów – 15 500 zł netto (19 065 zł brutto)\n\n"
        "Zamów do 31 marca i zyskaj raport w wersji angielskiej gratis.\n\n"
        "Aby zrezygnować z subskrypcji, kliknij tutaj."
    )
    m = Mail(
        "gmail",
        ("Newsletter Badania.pl", "newsletter@badania-news.example.com"),
        [MAILBOX],
        "Wiosenna promocja – badania satysfakcji od 9 900 zł!",
        t2,
        dt(3, 10, 6, 0),
        extra_headers=[
            ("List-Unsubscribe", "<mailto:unsubscribe@badania-news.example.com>"),
            ("List-Id", "Newsletter <news.badania-news.example.com>"),
            ("Precedence", "bulk"),
        ],
    )
    add(
        cat,
        "newsletter_with_prices",
        m,
        k(
            "other",
            None,
            note="Marketing newsletter with package prices (List-Unsubscribe, Precedence: bulk).",
        ),
    )

    # internal remark quoting amounts, on the thread (token in subject)
    f = firm(1)
    token, o = ask(f)
    t3 = (
        "Agnieszko,\n\nzerknęłam na tę ofertę – 17 220,00 zł brutto to sporo więcej niż w 2026 "
        "(wtedy 14 500,00 zł netto). Może warto dopytać o rabat?\n\nBasia"
    )
    m = Mail(
        "outlook_pl",
        ("Barbara Kaczmarczyk", f"b.kaczmarczyk@{DOMAIN}"),
        [COORD],
        "RE: " + o.subject,
        t3,
        dt(3, 15, 10, 22),
        orig=o,
        cc=[MAILBOX],
    )
    add(
        cat,
        "internal_remark_with_amounts",
        m,
        k(
            "other",
            token,
            note="An internal remark from the OS manager quoting amounts on the inquiry thread: not a vendor's quote.",
            also_ok={"needs_review": [True]},
        ),
    )

    t4 = (
        "Dzień dobry,\n\nzapraszamy na szkolenie „Badania satysfakcji w administracji publicznej”.\n"
        "Termin: 22–23 kwietnia 2027, Warszawa.\nCena: 1 490 zł netto / osoba (1 832,70 zł brutto).\n\n"
        f"Organizator: Akademia Samorządowa, NIP {fmt_nip(make_nip(rng), 1)}"
    )
    m = Mail(
        "roundcube",
        ("Akademia Samorządowa", "szkolenia@akademia-sam.example.test"),
        [MAILBOX],
        "Szkolenie: badania satysfakcji w administracji – 1 490 zł",
        t4,
        dt(3, 9, 8, 0),
    )
    add(
        cat,
        "training_offer_spam",
        m,
        k("other", None, note="An unsolicited training offer with a price per person."),
    )

    f = firm(2)
    t5 = (
        f"Dzień dobry,\n\nw załączeniu faktura VAT nr 45/03/2027 za badanie satysfakcji z 2026 r. "
        f"(umowa nr OS.272.4.2026).\nKwota do zapłaty: 16 605,00 zł (netto 13 500,00 zł).\n\n"
        f"{signature(f, 1)}"
    )
    m = Mail("outlook_pl", me(f), [MAILBOX], "Faktura 45/03/2027", t5, dt(3, 10, 9, 30))
    add(
        cat,
        "invoice_from_known_vendor_no_token",
        m,
        k(
            "other",
            None,
            note="An invoice for last year's work from a vendor we also inquired; no token; an invoice, not a quote.",
            also_ok={"needs_review": [True]},
        ),
    )

    t6 = (
        "Dzień dobry,\n\nprzypominamy o opłacie rocznej za domenę um-ankieta.example.com: "
        "120,00 zł netto (147,60 zł brutto). Termin: 31.03.2027.\n\nZespół Obsługi Klienta"
    )
    m = Mail(
        "zimbra",
        ("Hosting Plus", "billing@hostingplus.example.com"),
        [MAILBOX],
        "Przypomnienie o płatności – domena",
        t6,
        dt(3, 8, 7, 0),
    )
    add(
        cat,
        "hosting_payment_reminder",
        m,
        k("other", None, note="A payment reminder with net and gross; a stranger."),
    )

    # a price list forwarded internally by a colleague, no token
    t7 = (
        "Dla informacji – cennik z targów, może się przydać przy szacowaniu wartości zamówienia.\n\n"
        "Badanie CATI 400 wywiadów: 11 000 zł netto\nBadanie PAPI 400 wywiadów: 16 000 zł netto\n\n"
        "Hanna"
    )
    m = Mail(
        "outlook_pl",
        ("Hanna Gutowska", f"h.gutowska@{DOMAIN}"),
        [COORD],
        "PD: cennik badań",
        t7,
        dt(3, 9, 12, 0),
        cc=[MAILBOX],
    )
    add(
        cat,
        "internal_price_list",
        m,
        k("other", None, note="An internal forward of a fair price list, no token."),
    )

    # a firm we did not inquire sends an unsolicited offer, no token
    t8 = (
        "Szanowni Państwo,\n\ndowiedzieliśmy się, że planują Państwo badanie satysfakcji klientów. "
        "Oferujemy realizację za 10 900 zł netto (13 407 zł brutto).\n\n"
        f"Tanie Badania sp. z o.o., NIP {fmt_nip(make_nip(rng), 0)}"
    )
    m = Mail(
        "wp",
        ("Tanie Badania", "oferty@taniebadania.example.com"),
        [MAILBOX],
        "Oferta na badanie satysfakcji",
        t8,
        dt(3, 13, 16, 0),
    )
    add(
        cat,
        "unsolicited_offer_not_inquired",
        m,
        k(
            "other",
            None,
            note="An offer from a firm we never sent an inquiry to; no token. Not a quote to compare (a person may look).",
            also_ok={"needs_review": [True], "kind": ["quote"]},
        ),
    )

    t9 = (
        "Dzień dobry,\n\npotwierdzamy wpłatę 250,00 zł tytułem opłaty skarbowej. "
        "Nr transakcji 2027/03/55123.\n\nBank Przykładowy"
    )
    m = Mail(
        "owa",
        ("Bank Przykładowy", "powiadomienia@bank-przyklad.example.com"),
        [MAILBOX],
        "Potwierdzenie transakcji",
        t9,
        dt(3, 12, 5, 0),
    )
    add(cat, "bank_notification", m, k("other", None, note="A bank notification with an amount."))


def build_part1() -> None:
    quotes_formats()
    quotes_structures()
    quotes_token()
    quotes_ambiguous()
    non_offers()


_unused = (Decimal, en, YEAR)
