"""Which figure in a text is the net price, the gross price, the VAT amount or a unit price.

A clerk reads "9 840,00 zł brutto (8 000,00 zł netto + 23% VAT)" by the word right after each
amount, or else the nearest label before it in the same clause. That is what :func:`label_figures`
does, line by line; :func:`table_lines` first turns table rows into such lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from mailflow.reading.documents import Cell
from mailflow.reading.money import Amount, find_amounts

_AFTER_NET = r"netto|net\b|bez\s+VAT|bez\s+podatku|\+\s*(?:\d{1,2}\s?%\s*)?VAT|plus\s+VAT"
_AFTER_GROSS = (
    r"brutto|gross\b|z\s+VAT|wraz\s+z\s+(?:podatkiem|VAT)|z\s+podatkiem|łącznie\s+z\s+VAT"
)
AFTER_LABEL = re.compile(
    rf"\s*(?:[:(]\s*)?(?:(?P<net>{_AFTER_NET})|(?P<gross>{_AFTER_GROSS}))", re.IGNORECASE
)
# Compound labels first: "z VAT" / "do zapłaty" mean gross, "bez VAT" means net, and only a
# bare "VAT"/"podatek" labels the tax amount.
BEFORE_LABEL = re.compile(
    r"\b(?:(?P<net>netto|net|bez\s+(?:VAT|podatku))"
    r"|(?P<gross>brutto|gross|z\s+(?:VAT|podatkiem)|do\s+zap[łl]aty)"
    r"|(?P<vat>VAT|podat\w*))\b",
    re.IGNORECASE,
)
PER_UNIT_AFTER = re.compile(
    r"\s*(?:(?:netto|brutto)\s*)?(?:za|per|/|od)\s*(?:(?:jeden|jedną|jednego|jedno|1)\s+)?"
    r"(?:zrealizowan\w*\s+|przeprowadzon\w*\s+)?"
    r"(?:wywiad|ankiet|respondent|osob|kwestionariusz|interview|godzin|sztuk|szt\.)",
    re.IGNORECASE,
)
PER_UNIT_BEFORE = re.compile(
    r"jednostk\w*|\bjedn\.|stawk\w*\b(?!\s*(?:VAT|podatk|\(?\d))|za\s+(?:jeden\s+)?wywiad",
    re.IGNORECASE,
)
TOTAL_WORDS = re.compile(
    r"\b(?:razem|suma|łącznie|ogółem|total|do\s+zapłaty|wartość\s+oferty)\b", re.IGNORECASE
)
APPROXIMATE_BEFORE = re.compile(
    r"(?:\bok\.|\boko[łl]o|\bszacunkowo|\borientacyjn\w*|\brzędu|\bw\s+granicach|\bmax\.?|"
    r"\bmaksymalnie|\bnie\s+więcej\s+niż|\bod|\bdo|\bpowyżej|\bponiżej|\bapprox\.?|\babout)\s*$",
    re.IGNORECASE,
)
SUM_BEFORE = re.compile(r"(?:\+|plus)\s*(?:\d{1,2}\s?%\s*)?VAT(?:\s*\d{1,2}\s?%)?\s*=\s*$", re.I)
VARIANT_WORDS = re.compile(r"\b(?:wariant\w*|opcj\w*|variant|option)\b", re.IGNORECASE)


@dataclass
class Figures:
    """The labelled amounts of one source (body, DOCX, PDF or spreadsheet)."""

    net: list[Amount] = field(default_factory=list)
    gross: list[Amount] = field(default_factory=list)
    vat: list[Amount] = field(default_factory=list)  # the tax amount, not the rate
    per_unit: list[tuple[Amount, str]] = field(default_factory=list)  # (amount, net/gross/"")
    unlabelled: list[Amount] = field(default_factory=list)
    approximate: list[Amount] = field(default_factory=list)  # "ok. 15 tys. zł", "od 9 900 zł"
    variant_lines: int = 0
    net_in_total: list[bool] = field(default_factory=list)
    gross_in_total: list[bool] = field(default_factory=list)
    vat_in_total: list[bool] = field(default_factory=list)

    def any_price(self) -> bool:
        return bool(self.net or self.gross or self.per_unit or self.unlabelled)


def _label(line: str, amount: Amount, clause_start: int) -> str:
    after = line[amount.end : amount.end + 40]
    m = AFTER_LABEL.match(after)
    if m:
        return "net" if m.group("net") else "gross"
    before = line[clause_start : amount.start]
    if SUM_BEFORE.search(before):
        return "gross"  # "12 300 zł netto + VAT 23% = 15 129 zł"
    labels = list(BEFORE_LABEL.finditer(before))
    if not labels:
        return ""
    last = labels[-1]
    return "net" if last.group("net") else "gross" if last.group("gross") else "vat"


def label_figures(lines: list[str]) -> Figures:
    """Sort each amount of ``lines`` into net, gross, VAT amount, unit price or unlabelled."""
    totals = {line for line in lines if TOTAL_WORDS.search(line)}
    figures = Figures()
    for line in lines:
        if VARIANT_WORDS.search(line) and find_amounts(line):
            figures.variant_lines += 1
        clause_start = 0
        for amount in find_amounts(line):
            label = _label(line, amount, clause_start)
            before = line[clause_start : amount.start]
            clause_start = amount.end
            if PER_UNIT_AFTER.match(line[amount.end : amount.end + 60]) or PER_UNIT_BEFORE.search(
                before
            ):
                figures.per_unit.append((amount, label if label != "vat" else ""))
                continue
            in_total = line in totals
            if APPROXIMATE_BEFORE.search(before):
                figures.approximate.append(amount)
            if label == "vat":
                figures.vat.append(amount)
                figures.vat_in_total.append(in_total)
            elif label == "net":
                figures.net.append(amount)
                figures.net_in_total.append(in_total)
            elif label == "gross":
                figures.gross.append(amount)
                figures.gross_in_total.append(in_total)
            else:
                figures.unlabelled.append(amount)
    figures.net = _prefer_totals(figures.net, figures.net_in_total)
    figures.gross = _prefer_totals(figures.gross, figures.gross_in_total)
    figures.vat = _prefer_totals(figures.vat, figures.vat_in_total)
    return figures


def _prefer_totals(amounts: list[Amount], in_total: list[bool]) -> list[Amount]:
    """Item rows above a "razem" row are parts of the total, not competing prices."""
    if len(distinct(amounts)) <= 1:
        return amounts
    totals = [a for a, flag in zip(amounts, in_total, strict=True) if flag]
    return totals if len(distinct(totals)) == 1 else amounts


def distinct(amounts: list[Amount]) -> list[Decimal]:
    return sorted({a.value for a in amounts})


# --------------------------------------------------------------------------- tables ----
MONEY_HEADER = re.compile(r"cena|warto|kwota|netto|brutto|VAT|podat|koszt|\bzł\b|PLN|EUR", re.I)


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, Decimal)


def _money_text(cell: Cell, currency: str) -> str:
    """A cell as text; a spreadsheet number is written Polish-style with its currency."""
    if isinstance(cell, Decimal):
        return f"{cell.quantize(Decimal('0.01')):f}".replace(".", ",") + f" {currency}"
    text = cell.strip()
    if currency and re.fullmatch(r"[\d \u00a0\u202f\u2009.,]+", text) and re.search(r"\d", text):
        return f"{text} {currency}"  # a bare figure under a "[zł]" header
    return text


def _currency_of_header(header: str) -> str:
    if re.search(r"EUR|€", header, re.I):
        return "EUR"
    return "zł" if MONEY_HEADER.search(header) else ""


def table_lines(rows: list[list[Cell]]) -> list[str]:
    """Turn a table into lines that :func:`label_figures` can read.

    A header row with money words ("Cena netto [zł]") gives each row as "header: cell; ...";
    a row with its own money label ("Razem brutto | 20 664,00") gives "label: last figure".
    """
    rows = [row for row in rows if any(str(c).strip() for c in row)]
    header_index = next(
        (
            i
            for i, row in enumerate(rows)
            if sum(1 for c in row if isinstance(c, str) and MONEY_HEADER.search(c)) >= 2
            and not any(_is_number(c) or _looks_numeric(str(c)) for c in row)
        ),
        None,
    )
    euro = any("EUR" in str(c) or "€" in str(c) for row in rows for c in row)
    default_currency = "EUR" if euro else "zł"
    lines: list[str] = []
    for i, row in enumerate(rows):
        if header_index is not None and i < header_index:
            lines.append(" ".join(_money_text(c, "") for c in row if str(c).strip()))
            continue
        if i == header_index:
            continue
        own_label = " ".join(c for c in row if isinstance(c, str) and not _is_value(c))
        if BEFORE_LABEL.search(own_label) and any(_is_value(c) for c in row):
            lines.append(_labelled_pairs(row, default_currency))
        elif header_index is not None:
            header = rows[header_index]
            parts = []
            for j, cell in enumerate(row):
                head = str(header[j]) if j < len(header) else ""
                parts.append(f"{head}: {_money_text(cell, _currency_of_header(head))}")
            lines.append("; ".join(parts))
        else:
            lines.append(" ".join(_money_text(c, "") for c in row if str(c).strip()))
    return lines


def _is_value(cell: Cell) -> bool:
    return _is_number(cell) or _looks_numeric(str(cell))


def _labelled_pairs(row: list[Cell], currency: str) -> str:
    """ "Cena netto | 12 300,00 | Cena brutto | 15 129,00" -> "Cena netto: 12 300,00 zł; ...".

    Each figure goes with the nearest label on its left; the currency is added only where
    that label is about money, and only the last figure after a label is kept (the total).
    """
    pairs: list[tuple[str, Cell]] = []
    label = ""
    for cell in row:
        if _is_value(cell):
            if pairs and pairs[-1][0] == label:
                pairs[-1] = (label, cell)
            else:
                pairs.append((label, cell))
        elif str(cell).strip():
            label = str(cell).strip()
    return "; ".join(
        f"{label}: {_money_text(value, currency if MONEY_HEADER.search(label) else '')}"
        for label, value in pairs
    )


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[\d][\d \u00a0\u202f\u2009.,]*\s*(?:zł|PLN|EUR)?\s*", text))
