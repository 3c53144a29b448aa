"""Survey results: indicators from the contractor's data file (issue 7, step 5 of IN-13).

``analyse_file(path, codebook=None, previous=None)`` reads a CSV / XLSX / ODS / SAV file,
finds the questions (by codebook or by content), computes per-question indicators (weighted
when there is a weight column), compares with earlier campaigns and flags irregularities.
``ResultsReport.to_json()`` is the ``mailflow results --json`` shape.
"""

from mailflow.results.codebook import Codebook, load_codebook
from mailflow.results.irregularities import Finding, IrregularityRules, find_irregularities
from mailflow.results.questionnaire import (
    QuestionnaireMatch,
    apply_questionnaire,
    match_questionnaire,
)
from mailflow.results.report import AnalysisOptions, QuestionResult, ResultsReport, analyse_file

__all__ = [
    "AnalysisOptions",
    "Codebook",
    "Finding",
    "IrregularityRules",
    "QuestionResult",
    "QuestionnaireMatch",
    "ResultsReport",
    "analyse_file",
    "apply_questionnaire",
    "find_irregularities",
    "load_codebook",
    "match_questionnaire",
]
