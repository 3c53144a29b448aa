"""SPSS syntax (.sps) with its data file, as LimeSurvey and other tools export them.

The syntax's ``GET DATA /TYPE=TXT`` (or ``DATA LIST``) names the data file, its delimiter,
qualifier and variables; ``VARIABLE LABELS``, ``VALUE LABELS``, ``MISSING VALUES`` and
``WEIGHT BY`` give what a .sav would carry. Only these commands are read; anything else
in the file is ignored (it transforms data we do not need). A command that cannot be read
is refused with its line, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from mailflow.errors import UserError
from mailflow.results import table as tables
from mailflow.results.scales import value_key

_TOKEN = re.compile(
    r"""\s*(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([/()=,])|([^\s/()=,'"]+))""", re.DOTALL
)


@dataclass
class Syntax:
    source: str
    data_file: str | None = None
    delimiter: str = ","
    qualifier: str = '"'
    first_case: int = 1
    variables: list[str] = field(default_factory=list)
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, set[str]] = field(default_factory=dict)
    weight: str | None = None


@dataclass
class _Token:
    text: str
    quoted: bool
    line: int


def _commands(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each command: a command ends with a period at a line's end
    (outside quotes); comment lines start with '*'."""
    commands: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    quote = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not current and (not line.strip() or line.lstrip().startswith("*")):
            continue
        if not current:
            start = number
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
        stripped = line.rstrip()
        if not quote and stripped.endswith("."):
            current.append(stripped[:-1])
            commands.append((start, "\n".join(current)))
            current = []
        else:
            current.append(line)
    if current:
        commands.append((start, "\n".join(current)))
    return commands


def _tokens(source: str, text: str, line: int) -> list[_Token]:
    found: list[_Token] = []
    at = 0
    while at < len(text):
        if not text[at:].strip():
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise UserError(f"{source}: line {line}: cannot read {text[at : at + 30].strip()!r}")
        here = line + text.count("\n", 0, match.start())
        if match.group(1) is not None:
            found.append(_Token(match.group(1).replace("''", "'"), True, here))
        elif match.group(2) is not None:
            found.append(_Token(match.group(2).replace('""', '"'), True, here))
        else:
            found.append(_Token(match.group(3) or match.group(4), False, here))
        at = match.end()
    return found


def parse_syntax(source: str, text: str) -> Syntax:
    syntax = Syntax(source)
    for line, command in _commands(text):
        words = command.split(None, 2)
        head = " ".join(words[:2]).upper()
        if head == "GET DATA" or head.startswith("DATA LIST"):
            _data(syntax, _tokens(source, command, line)[2:])
        elif head == "VARIABLE LABELS":
            _variable_labels(syntax, _tokens(source, command, line)[2:])
        elif head in ("VALUE LABELS", "ADD VALUE"):
            skip = 2 if head == "VALUE LABELS" else 3
            _value_labels(syntax, _tokens(source, command, line)[skip:])
        elif head == "MISSING VALUES":
            _missing(syntax, _tokens(source, command, line)[2:])
        elif head == "WEIGHT BY":
            syntax.weight = words[2].split()[0] if len(words) > 2 else None
    return syntax


def _data(syntax: Syntax, tokens: list[_Token]) -> None:
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.text == "/" and k + 1 < len(tokens):
            key = tokens[k + 1].text.upper()
            value = tokens[k + 3] if k + 3 < len(tokens) and tokens[k + 2].text == "=" else None
            if key == "FILE" and value is not None:
                syntax.data_file = value.text
            elif key == "DELIMITERS" and value is not None:
                syntax.delimiter = (value.text.replace("\\t", "\t") or ",")[0]
            elif key == "QUALIFIER" and value is not None:
                syntax.qualifier = value.text[:1] or '"'
            elif key == "FIRSTCASE" and value is not None and value.text.isdigit():
                syntax.first_case = int(value.text)
            elif key == "VARIABLES":
                k += 3
                while k < len(tokens) and tokens[k].text != "/":
                    name = tokens[k].text
                    syntax.variables.append(name)
                    k += 2  # the name, then its format (A10, F2, F6.4)
                continue
            k += 2
            continue
        k += 1


def _names(syntax: Syntax, tokens: list[_Token]) -> list[str]:
    """A variable list, with SPSS's ``A TO B``."""
    names: list[str] = []
    k = 0
    while k < len(tokens):
        text = tokens[k].text
        if text.upper() == "TO" and names and k + 1 < len(tokens):
            first, last = names[-1], tokens[k + 1].text
            if first in syntax.variables and last in syntax.variables:
                at, end = syntax.variables.index(first), syntax.variables.index(last)
                names.extend(syntax.variables[at + 1 : end + 1])
            else:
                raise UserError(
                    f"{syntax.source}: line {tokens[k].line}: {first} TO {last} names variables "
                    "the syntax does not declare"
                )
            k += 2
            continue
        names.append(text)
        k += 1
    return names


def _variable_labels(syntax: Syntax, tokens: list[_Token]) -> None:
    pending: list[str] = []
    for token in tokens:
        if token.text == "/" and not token.quoted:
            continue
        if token.quoted:
            if not pending:
                raise UserError(
                    f"{syntax.source}: line {token.line}: the label {token.text!r} has no variable"
                )
            for name in pending:
                syntax.variable_labels[name] = token.text
            pending = []
        else:
            pending.append(token.text)


def _groups(tokens: list[_Token]) -> list[list[_Token]]:
    groups: list[list[_Token]] = [[]]
    for token in tokens:
        if token.text == "/" and not token.quoted:
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if g]


def _value_labels(syntax: Syntax, tokens: list[_Token]) -> None:
    for group in _groups(tokens):
        # The variables come first, then value / label pairs: the first token that is a
        # number or quoted, followed by a quoted label, starts the pairs.
        split = next(
            (
                k
                for k in range(len(group) - 1)
                if group[k + 1].quoted
                and (group[k].quoted or re.fullmatch(r"-?\d+(\.\d+)?", group[k].text))
            ),
            None,
        )
        if split is None:
            raise UserError(
                f"{syntax.source}: line {group[0].line}: VALUE LABELS without value / label pairs"
            )
        names = _names(syntax, group[:split])
        pairs = group[split:]
        if len(pairs) % 2:
            raise UserError(
                f"{syntax.source}: line {pairs[-1].line}: a value without its label in VALUE LABELS"
            )
        labels = {value_key(pairs[k].text): pairs[k + 1].text for k in range(0, len(pairs), 2)}
        for name in names:
            syntax.value_labels.setdefault(name, {}).update(labels)


def _missing(syntax: Syntax, tokens: list[_Token]) -> None:
    for group in _groups(tokens):
        if "(" not in [t.text for t in group]:
            continue
        at = [t.text for t in group].index("(")
        names = _names(syntax, group[:at])
        inside = [t.text for t in group[at + 1 :] if t.text not in (",", ")")]
        codes: set[str] = set()
        if len(inside) == 3 and inside[1].upper() == "THRU":
            low, high = inside[0], inside[2]
            for name in names:
                for code in syntax.value_labels.get(name, {}):
                    try:
                        if float(low) <= float(code) <= float(high):
                            codes.add(code)
                    except ValueError:
                        continue
        else:
            codes = {value_key(v) for v in inside}
        for name in names:
            syntax.missing.setdefault(name, set()).update(codes)


def codebook_entries(syntax: Syntax) -> list[tuple[str, str | None, dict[str, str], set[str]]]:
    """(name, label, value labels, missing codes) of each labelled variable."""
    names = list(syntax.variables) or list(syntax.value_labels)
    return [
        (
            name,
            syntax.variable_labels.get(name),
            syntax.value_labels[name],
            syntax.missing.get(name, set()),
        )
        for name in names
        if name in syntax.value_labels
    ]


def load_syntax(path: Path) -> Syntax:
    try:
        text = tables.decode_text(path.read_bytes(), path.name)
    except OSError as error:
        raise UserError(f"{path.name}: cannot be read: {error}") from None
    return parse_syntax(path.name, text)


def read_sps(path: Path) -> tables.Table:
    """The data file the syntax names (beside it), as a table with its labels."""
    syntax = load_syntax(path)
    if syntax.data_file is None or not syntax.variables:
        raise UserError(
            f"{path.name}: no GET DATA /FILE= ... /VARIABLES= in the syntax: the data file "
            "and its variables are not named"
        )
    data_path = path.parent / Path(syntax.data_file.replace("\\", "/")).name
    if not data_path.is_file():
        raise UserError(f"{path.name}: the data file {data_path.name} it names is not beside it")
    text = tables.decode_text(data_path.read_bytes(), data_path.name)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=syntax.delimiter, quotechar=syntax.qualifier
    )
    width = len(syntax.variables)
    rows: list[list[str]] = [list(syntax.variables)]
    try:
        for number, row in enumerate(reader, start=1):
            if number < syntax.first_case or not any(cell.strip() for cell in row):
                rows.append([""] * width)
                continue
            if len(row) != width:
                raise UserError(
                    f"{data_path.name}: row {number} has {len(row)} fields, the syntax "
                    f"{path.name} declares {width} variables (expected one field per variable)"
                )
            rows.append(row)
    except csv.Error as error:
        raise UserError(f"{data_path.name}: row {reader.line_num}: not readable: {error}") from None
    table = tables.table_from_rows(data_path.name, rows, first_row_number=0, width=width)
    table.column_refs = list(table.headers)
    table.variable_labels = dict(syntax.variable_labels)
    table.value_labels = {k: v for k, v in syntax.value_labels.items() if k in syntax.variables}
    table.missing_values = {k: v for k, v in syntax.missing.items() if k in syntax.variables}
    table.notes.append(
        f"data read from {data_path.name} as the SPSS syntax {path.name} describes it"
    )
    table.weight_name = syntax.weight
    return table
