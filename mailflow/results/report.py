"""The results report: read the file, code it, compute the indicators, compare, flag.

:func:`analyse_file` is what ``mailflow results FILE`` and the daemon both call;
:meth:`ResultsReport.to_json` is the ``--json`` contract plus the extra figures.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mailflow.errors import UserError
from mailflow.results import table as tables
from mailflow.results.codebook import (
    Codebook,
    codebook_from_rows,
    codebook_from_spss,
    load_codebook,
)
from mailflow.results.coding import CodedQuestion, CodedSurvey, NoQuestionsError, code_survey
from mailflow.results.compare import year_on_year
from mailflow.results.irregularities import (
    Finding,
    IrregularityRules,
    adjust_p_values,
    find_irregularities,
)
from mailflow.results.limits import MAX_SHEET_CELLS
from mailflow.results.scales import (
    BLANK,
    DONT_KNOW,
    FIVE_POINT_NOTE,
    INVALID,
    MISSING_CODE,
    is_recommendation,
)
from mailflow.results.stats import (
    CONFIDENCE,
    NetPromoter,
    Summary,
    base_flag,
    design_effect,
    finite_population_factor,
    group_summaries,
    kish_n_eff,
    margin_of_error,
    net_promoter,
    summarize,
    welch,
)

DIGITS = 6
INDEX_METHOD = (
    "each respondent's mean over the 4- and 5-point questions answered, as 25 x (mean - 1) "
    "on 0-100; weighted mean with a t interval on Kish's n_eff"
)


@dataclass(frozen=True)
class AnalysisOptions:
    """How a results file is analysed (``[procedure]`` keys proposed in brackets).

    ``population_size`` [population_size]: clients served in the survey period (from the
    BOK register); with it every interval carries the finite-population correction.
    ``small_base`` [small_base] / ``not_reported_base`` [not_reported_base]: the two tiers
    of the unweighted base of a question or segment: below the first it is flagged "small
    base", below the second "not reported" (not published, never a finding's ground).
    ``max_sheet_cells`` [max_sheet_cells]: the largest sheet read (see ``limits``)."""

    population_size: int | None = None
    small_base: int = 50
    not_reported_base: int = 30
    max_sheet_cells: int = MAX_SHEET_CELLS

    def __post_init__(self) -> None:
        if self.population_size is not None and self.population_size <= 0:
            raise UserError(
                f"population_size must be a positive number, not {self.population_size}"
            )
        if not 0 <= self.not_reported_base <= self.small_base:
            raise UserError(
                f"not_reported_base ({self.not_reported_base}) must be between 0 and small_base "
                f"({self.small_base})"
            )


@dataclass
class QuestionResult:
    coded: CodedQuestion
    n: int
    missing: int
    dont_know: int
    blank: int
    missing_code: int
    invalid: int
    figures: Summary  # weighted when the file has a weight column
    unweighted: Summary
    distribution: dict[str, int]
    yoy: list[dict[str, Any]] = field(default_factory=list)
    base: str = "ok"
    nps: NetPromoter | None = None

    def to_json(self, weighted: bool) -> dict[str, Any]:
        q = self.coded
        data: dict[str, Any] = {
            "id": q.id,
            "column": q.column,
            "code": q.code,
            "label": q.label,
            "scale": q.scale_kind,
            "reversed": q.reversed,
            "n": self.n,
            "missing": self.missing,
            "dont_know": self.dont_know,
            "blank": self.blank,
            "missing_code": self.missing_code,
            "invalid": self.invalid,
        }
        data.update(_figures(self.figures))
        data["n_eff"] = _round(self.figures.n_eff)
        data["deff"] = design_effect(self.n, self.figures.n_eff) if self.n else None
        data["base"] = self.base
        data["index"] = _index(self.figures)
        data["points"] = q.points
        data["mapping"] = dict(q.mapping)
        if weighted:
            data["unweighted"] = _figures(self.unweighted)
        data["distribution"] = self.distribution
        if self.nps is not None:
            data["nps"] = _nps(self.nps)
        if q.note:
            data["note"] = q.note
        if q.problem:
            data["problem"] = q.problem
        if self.yoy:
            data["yoy"] = self.yoy
        rounded: dict[str, Any] = _rounded(data)
        return rounded


@dataclass
class ResultsReport:
    file: str
    sheet: str | None
    respondents: int
    weight_column: str | None
    questions: list[QuestionResult]
    margin_of_error: dict[str, float]
    segments: dict[str, dict[str, Any]]
    department_column: str | None
    warnings: list[str]
    notes: list[str]
    codebook: str | None = None
    year: int | None = None
    findings: list[Finding] = field(default_factory=list)
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    fpc: float = 1.0
    satisfaction_index: dict[str, Any] | None = None
    multiple_testing: dict[str, Any] = field(default_factory=dict)
    columns: list[dict[str, str]] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.weight_column is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file,
            "sheet": self.sheet,
            "respondents": self.respondents,
            "weighted": self.weighted,
            "weight_column": self.weight_column,
            "codebook": self.codebook,
            "questions": [q.to_json(self.weighted) for q in self.questions],
            "margin_of_error": _rounded(self.margin_of_error),
            "segments": _rounded(self.segments),
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "findings": [_rounded(f.to_json()) for f in self.findings],
            "population_size": self.options.population_size,
            "fpc": _round(self.fpc),
            "base_thresholds": {
                "small_base": self.options.small_base,
                "not_reported": self.options.not_reported_base,
            },
            "satisfaction_index": _rounded(self.satisfaction_index),
            "nps": _rounded(self.nps_json()),
            "multiple_testing": _rounded(self.multiple_testing),
            "columns": [dict(c) for c in self.columns],
        }
        if self.year is not None:
            data["year"] = self.year
        if self.department_column is not None:
            data["departments"] = {
                value: group["respondents"]
                for value, group in self.segments[self.department_column].items()
            }
        return data

    def nps_json(self) -> dict[str, Any] | None:
        """The NPS of the recommendation question (the first 0-10 question asking it)."""
        for q in self.questions:
            if q.nps is not None and is_recommendation(f"{q.coded.column} {q.coded.label}"):
                return {"question": q.coded.id, **_nps(q.nps)}
        return None


def analyse_file(
    path: str | Path,
    codebook: str | Path | None = None,
    previous: list[dict[str, Any]] | None = None,
    *,
    rules: IrregularityRules | None = None,
    year: int | None = None,
    options: AnalysisOptions | None = None,
) -> ResultsReport:
    """Analyse one survey data file; bad input raises :class:`UserError` with one line."""
    path = Path(path)
    options = options or AnalysisOptions()
    if not path.is_file():
        raise UserError(f"results file not found: {path}")
    try:
        book = load_codebook(codebook) if codebook is not None else None
        with collection_paused():
            survey, sheet, book = read_survey(path, book, options.max_sheet_cells)
    except UserError as error:
        # Library messages (calamine, pyreadstat) may span lines; the contract is one line.
        raise UserError(" ".join(str(error).split())) from None
    report = build_report(survey, path.name, sheet, book, year, options)
    if previous:
        comparisons = year_on_year([q.to_json(report.weighted) for q in report.questions], previous)
        for question in report.questions:
            question.yoy = comparisons.get(question.coded.id, [])
    rules = rules or IrregularityRules()
    report.findings = find_irregularities(report, rules)
    # The same family of tests on the report's own entries: each gets its adjusted p.
    view = {
        "questions": [{"id": q.coded.id, "yoy": q.yoy} for q in report.questions],
        "segments": report.segments,
    }
    report.multiple_testing = adjust_p_values(view, rules)
    return report


@contextmanager
def collection_paused() -> Iterator[None]:
    """Reading makes millions of cell objects, and each batch of new containers would make
    the garbage collector walk them all again for nothing: it waits until we are done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def candidate_tables(
    path: Path, book: Codebook | None, max_cells: int = MAX_SHEET_CELLS
) -> Iterator[tuple[tables.Table, str | None, Codebook | None]]:
    """The data table (with its sheet and codebook: the given one, a sheet, SPSS labels);
    in a workbook, each sheet that may hold the data, best first, read only when asked for."""
    suffix = path.suffix.lower()
    if suffix in tables.CSV_SUFFIXES:
        yield tables.read_csv(path), None, book
        return
    if suffix in (".sav", ".sps"):
        if suffix == ".sav":
            table = tables.read_sav(path)
        else:
            from mailflow.results.spss import read_sps

            table = read_sps(path)
        yield table, None, book if book is not None else codebook_from_spss(table)
        return
    if suffix not in tables.SPREADSHEET_SUFFIXES:
        raise UserError(
            f"{path.name}: unknown data file type (use CSV, XLSX, ODS, SAV or SPSS syntax .sps)"
        )
    workbook = tables.Workbook(path, max_cells)
    if not workbook.names:
        raise UserError(f"{path.name}: the workbook has no sheets")
    if book is not None and book.sheet is not None:
        if book.sheet not in workbook.names:
            raise UserError(
                f"{path.name}: no sheet named {book.sheet!r} (sheets: {', '.join(workbook.names)})"
            )
        order = [book.sheet]
    else:
        order = tables.data_sheet_order(workbook.names)
        if book is None:
            # The other sheets are small (descriptions, codebooks): read them for a codebook.
            for other in order[1:]:
                found = codebook_from_rows(f"{path.name} [{other}]", workbook.rows(other))
                if found is not None:
                    book = found
                    order.remove(other)
                    break
    for name in order:
        source = f"{path.name} [{name}]" if len(workbook.names) > 1 else path.name
        yield workbook.table(name, source), name, book


def read_survey(
    path: Path, book: Codebook | None, max_cells: int = MAX_SHEET_CELLS
) -> tuple[CodedSurvey, str | None, Codebook | None]:
    """The first candidate table that has questions; else the first table's error."""
    first_error: NoQuestionsError | None = None
    for table, sheet, sheet_book in candidate_tables(path, book, max_cells):
        try:
            return code_survey(table, sheet_book), sheet, sheet_book
        except NoQuestionsError as error:
            first_error = first_error or error
    assert first_error is not None  # every path yields at least one table or raises
    raise first_error


def build_report(
    survey: CodedSurvey,
    file_name: str,
    sheet: str | None,
    book: Codebook | None,
    year: int | None,
    options: AnalysisOptions | None = None,
) -> ResultsReport:
    options = options or AnalysisOptions()
    weights = survey.weights
    notes = list(survey.notes)
    warnings = list(survey.warnings)
    population = options.population_size
    if population is not None and population < survey.respondents:
        warnings.append(
            f"the population size {population} is smaller than the {survey.respondents} "
            "respondents: no finite-population correction applied"
        )
        population = None
    fpc = finite_population_factor(survey.respondents, population)
    if population is not None:
        notes.append(
            f"finite-population correction: {survey.respondents} respondents of {population} "
            f"clients, intervals narrowed by sqrt(1 - n/N) = {fpc**0.5:.4f}"
        )
    questions = [question_result(q, weights, survey.respondents, fpc) for q in survey.questions]
    for q in survey.questions:
        if q.note:
            notes.append(f"{q.id}: {q.note}")
    plain = [q.id for q in survey.questions if q.scores is not None and q.scale_kind == "numeric"]
    if plain:
        notes.append(f"{', '.join(plain)}: {FIVE_POINT_NOTE}")
    for result in questions:
        result.base = base_flag(result.n, options.small_base, options.not_reported_base)
        q = result.coded
        if result.base == "not_reported":
            warnings.append(
                f"{q.id} ({q.column}): only {result.n} valid answers, fewer than "
                f"{options.not_reported_base}: not to be reported"
            )
        elif result.base == "small_base":
            notes.append(
                f"{q.id}: small base ({result.n} valid answers, fewer than {options.small_base})"
            )
    n_eff = kish_n_eff(weights) if weights is not None else float(survey.respondents)
    moe = {
        "value": margin_of_error(n_eff) * fpc**0.5,
        "n": survey.respondents,
        "n_eff": n_eff,
        "deff": design_effect(survey.respondents, n_eff),
        "confidence": CONFIDENCE,
        "p": 0.5,
    }
    segments = {
        column: segment_report(values, survey.questions, weights, fpc, options)
        for column, values in survey.segments.items()
    }
    return ResultsReport(
        file=file_name,
        sheet=sheet,
        respondents=survey.respondents,
        weight_column=survey.weight_column,
        questions=questions,
        margin_of_error=moe,
        segments=segments,
        department_column=survey.department_column,
        warnings=warnings,
        notes=notes,
        codebook=book.source if book else None,
        year=year,
        options=options,
        fpc=fpc,
        satisfaction_index=satisfaction_index(survey, fpc),
        columns=survey.columns,
    )


def satisfaction_index(survey: CodedSurvey, fpc: float = 1.0) -> dict[str, Any] | None:
    """0-100: each respondent's mean score over the 4- and 5-point questions answered,
    25 x (mean - 1); their (weighted) mean with a t interval."""
    chosen = [q for q in survey.questions if q.scores is not None and q.points != 11]
    if not chosen:
        return None
    total = np.zeros(survey.respondents)
    count = np.zeros(survey.respondents)
    for q in chosen:
        assert q.scores is not None
        valid = q.scores > 0
        total[valid] += q.values(valid)
        count[valid] += 1
    answered = count > 0
    if not answered.any():
        return None
    index = 25 * (total[answered] / count[answered] - 1)
    weights = survey.weights[answered] if survey.weights is not None else None
    figures = summarize(index, weights, fpc)
    return {
        "value": figures.mean,
        "ci95": list(figures.ci95) if figures.ci95 else None,
        "n": figures.n,
        "n_eff": figures.n_eff,
        "questions": [q.id for q in chosen],
        "method": INDEX_METHOD,
    }


def question_result(
    q: CodedQuestion, weights: np.ndarray | None, respondents: int, fpc: float = 1.0
) -> QuestionResult:
    scores = q.scores
    empty = Summary(0, 0.0, None, None, None, None, None, None)
    if scores is None:  # direction unknown: no answer can be scored
        return QuestionResult(q, 0, respondents, 0, 0, 0, 0, empty, empty, {})
    valid = scores > 0
    x = q.values(valid)
    counts = np.bincount(scores - INVALID, minlength=15)  # shift so INVALID (-3) is index 0
    n = int(x.size)
    unweighted = summarize(x, None, fpc)
    figures = summarize(x, weights[valid], fpc) if weights is not None else unweighted
    if q.points == 11:
        distribution = {str(k): int(counts[k + 1 - INVALID]) for k in range(11)}
        answers = q.answers(valid)
        nps = net_promoter(answers, weights[valid] if weights is not None else None, fpc)
    else:
        distribution = {str(k): int(counts[k - INVALID]) for k in range(1, 6)}
        nps = None
    return QuestionResult(
        coded=q,
        n=n,
        missing=int(scores.size - n),
        dont_know=int(counts[DONT_KNOW - INVALID]),
        blank=int(counts[BLANK - INVALID]),
        missing_code=int(counts[MISSING_CODE - INVALID]),
        invalid=int(counts[0]),
        figures=figures,
        unweighted=unweighted,
        distribution=distribution,
        nps=nps,
    )


def segment_report(
    values: np.ndarray,
    questions: list[CodedQuestion],
    weights: np.ndarray | None,
    fpc: float = 1.0,
    options: AnalysisOptions | None = None,
) -> dict[str, Any]:
    """Per segment value: respondents, and per question its figures beside the rest's."""
    # A handful of labels: a dict pass instead of np.unique's sort of 100 000 strings.
    labels = np.array(sorted(set(map(str, values.tolist()))), dtype=object)
    position = {label: k for k, label in enumerate(labels.tolist())}
    inverse = np.fromiter(
        map(position.__getitem__, map(str, values.tolist())), np.intp, len(values)
    )
    sizes = np.bincount(inverse, minlength=labels.size)
    result: dict[str, Any] = {
        str(label): {"respondents": int(sizes[k]), "questions": {}}
        for k, label in enumerate(labels)
    }
    for q in questions:
        if q.scores is None:
            continue
        valid = q.scores > 0
        mine, rest = group_summaries(
            q.values(valid),
            weights[valid] if weights is not None else None,
            inverse[valid],
            labels.size,
            fpc,
        )
        small, hidden = (
            (options or AnalysisOptions()).small_base,
            (options or AnalysisOptions()).not_reported_base,
        )
        for k, label in enumerate(labels):
            figures = {"n": mine[k].n, "n_eff": mine[k].n_eff, **_figures(mine[k])}
            figures["deff"] = design_effect(mine[k].n, mine[k].n_eff) if mine[k].n else None
            figures["base"] = base_flag(mine[k].n, small, hidden)
            other = rest[k]
            figures["rest"] = {
                "n": other.n,
                "n_eff": other.n_eff,
                "mean": other.mean,
                "sd": other.sd,
                "top2_share": other.top2_share,
            }
            if mine[k].sd is not None and other.sd is not None:
                test = welch(
                    mine[k].mean or 0.0,
                    mine[k].sd or 0.0,
                    mine[k].n_eff,
                    other.mean or 0.0,
                    other.sd or 0.0,
                    other.n_eff,
                )
                figures["p_value"] = test.p_value
            result[str(label)]["questions"][q.id] = figures
    return result


def _figures(s: Summary) -> dict[str, Any]:
    return {
        "mean": s.mean,
        "ci95": list(s.ci95) if s.ci95 else None,
        "top2_share": s.top2_share,
        "top2_ci95": list(s.top2_ci95) if s.top2_ci95 else None,
        "sd": s.sd,
        "t_quantile": s.t_quantile,
    }


def _index(s: Summary) -> dict[str, Any] | None:
    """The mean as a 0-100 index, 25 x (mean - 1), with its interval."""
    if s.mean is None:
        return None
    interval = [25 * (s.ci95[0] - 1), 25 * (s.ci95[1] - 1)] if s.ci95 else None
    return {"value": 25 * (s.mean - 1), "ci95": interval}


def _nps(value: NetPromoter) -> dict[str, Any]:
    return {
        "value": value.value,
        "ci95": list(value.ci95) if value.ci95 else None,
        "promoters": value.promoters,
        "passives": value.passives,
        "detractors": value.detractors,
        "n": value.n,
        "n_eff": value.n_eff,
        "note": "promoters answer 9-10, detractors 0-6; NPS = % promoters - % detractors",
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _rounded(value: Any) -> Any:
    """Floats to 6 decimals all through a JSON-like value (NaN becomes None)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float | np.floating):
        return None if value != value else round(float(value), DIGITS)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value
