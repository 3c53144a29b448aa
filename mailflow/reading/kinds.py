"""What a reply is, besides a quote: a decline, a question, a progress report, results, bulk
mail, or an official's decision on a routed item. Only the new text is read here.
"""

from __future__ import annotations

import re

from mailflow.reading.model import Attachment, Decision, Progress

DECLINE_RE = re.compile(
    r"\bnie\s+(?:z[łl]o[żz]ymy|sk[łl]adamy|przedstawimy|przygotujemy|prześlemy|będziemy\s+składać|"
    r"mo[żz]emy\s+z[łl]o[żz]y[ćc]|jesteśmy\s+w\s+stanie\s+złożyć)\s+(?:\w+\s+)?ofert\w*|"
    r"rezygnujemy\s+z\s+(?:udziału|złożenia|składania|ofert)|"
    r"(?:nie\s+weźmiemy|nie\s+bierzemy)\s+udziału|"
    r"(?:nie\s+jesteśmy|niestety\s+nie\s+jesteśmy)\s+zainteresowan\w*|"
    r"musimy\s+(?:odmówić|zrezygnować)|odmawiamy\s+złożenia|"
    r"will\s+not\s+(?:submit|be\s+submitting)|(?:must|have\s+to)\s+decline|not\s+able\s+to\s+quote",
    re.IGNORECASE,
)
QUESTION_WORDS = re.compile(
    r"\b(?:czy|jak\w*|kiedy|ile|gdzie|dlaczego|co|proszę\s+o\s+(?:wyjaśnienie|informację|"
    r"doprecyzowanie|odpowiedź)|prosimy\s+o\s+(?:wyjaśnienie|informację|doprecyzowanie|"
    r"odpowiedź)|mamy\s+(?:\w+\s+)?pytani\w*|pytani\w*|is|are|do|does|could|can|would)\b",
    re.IGNORECASE,
)
BULK_RE = re.compile(
    r"newsletter|zrezygnować\s+z\s+subskrypcji|wypisz\w*\s+się|unsubscribe|"
    r"wiadomość\s+marketingow\w*|oferta\s+specjalna",
    re.IGNORECASE,
)
RESULTS_WORDS = re.compile(
    r"raport\w*\s+końcow\w*|wynik\w*\s+badania|zbiór\s+danych|zbiory\s+danych|baz\w*\s+danych|"
    r"dane\s+z\s+badania|raport\s+z\s+badania|results|final\s+report",
    re.IGNORECASE,
)
DATA_FILE = re.compile(r"\.(?:xlsx|xls|ods|csv|sav|zsav|por|dta)$", re.IGNORECASE)
PROGRESS_RE = re.compile(
    r"(?P<done>\d{1,5})\s+(?:\w+\s+){0,2}?(?:z|na|spośród|of|/)\s+(?P<target>\d{1,5})\b"
    r"|(?P<done2>\d{1,5})\s*/\s*(?P<target2>\d{1,5})\s+(?:wywiad|ankiet|interview)",
    re.IGNORECASE,
)
PROGRESS_CONTEXT = re.compile(
    r"zrealizowa(?:liśmy|no|ne|ł|ła|li)\b|wykona(?:liśmy|no|ne|li)\b|przeprowadzi(?:liśmy|li)\b|"
    r"przeprowadzono|stan\w*\s+realizacji|postęp\w*\s+(?:realizacji|badania|prac)|completed",
    re.IGNORECASE,
)
PROGRESS_UNITS = re.compile(r"wywiad\w*|ankiet\w*|kwestionariusz\w*|interview\w*", re.IGNORECASE)
DONE_ONLY_RE = re.compile(
    r"(?:zrealizowa\w*|wykona\w*|przeprowadzi\w*)\s+(?:\w+\s+){0,2}?(?P<done>\d{1,5})\s+"
    r"(?:wywiad|ankiet)",
    re.IGNORECASE,
)

# Items routed to officials for a yes/no decision (ZAG, the call for topics, is not one).
ROUTING_CODES = ("POR", "KW", "WYN", "AUD")
# An approval word not negated: "nie zatwierdzam" is a return, not an approval.
APPROVE_RE = re.compile(
    r"(?<!nie\s)\b(?:zatwierdzam|zatwierdzono|zatwierdzone|akceptuję|akceptuje|akceptujemy|"
    r"zaakceptowane|zgadzam\s+się|wyrażam\s+zgodę|zgoda|bez\s+uwag|nie\s+mam\s+uwag|"
    r"brak\s+uwag|approved?)\b",
    re.IGNORECASE,
)
RETURN_RE = re.compile(
    r"\b(?:zwracam|zwracamy|do\s+poprawy|do\s+poprawienia|nie\s+zatwierdzam|nie\s+akceptuję|"
    r"nie\s+akceptuje|odrzucam|proszę\s+o\s+poprawienie|proszę\s+poprawić|proszę\s+uzupełnić|"
    r"proszę\s+dopisać|wymaga\s+poprawy|rejected?|returned?)\b",
    re.IGNORECASE,
)
RETURN_COMMENT = re.compile(
    r"(?:zwracam\w*|do\s+poprawy|do\s+poprawienia|nie\s+zatwierdzam|nie\s+akceptuję|odrzucam)"
    r"(?:\s+(?:do\s+poprawy|z\s+uwagami|do\s+uzupełnienia))?\s*[:\-–,.]?\s*(?P<comment>.*)",
    re.IGNORECASE | re.DOTALL,
)


def is_bulk(subject: str, text: str) -> bool:
    return bool(BULK_RE.search(subject) or BULK_RE.search(text))


def is_decline(text: str) -> bool:
    return bool(DECLINE_RE.search(text))


CONDITION_WORDS = re.compile(
    r"\b(?:jeśli|jeżeli|o\s+ile|chyba\s+że|gdyby|w\s+przypadku|unless|if)\b", re.I
)


def is_conditional_decline(text: str) -> bool:
    """ "Jeśli termin się nie zmieni, nie złożymy oferty": a decline only under a condition."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
        if DECLINE_RE.search(sentence) and CONDITION_WORDS.search(sentence):
            return True
    return False


def is_question(text: str) -> bool:
    """A question mark on a sentence with a question word, or "mamy pytanie"-style words."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
        if "?" in sentence and QUESTION_WORDS.search(sentence):
            return True
    return bool(re.search(r"\b(?:mamy|mam)\s+(?:\w+\s+)?pytani", text, re.IGNORECASE))


def results_delivery(
    subject: str, text: str, attachments: tuple[Attachment, ...]
) -> tuple[bool, bool]:
    """(is a results delivery, has a data file): the words say results and files are attached.

    A cost estimate (an offer's XLSX) is not results, whatever its words.
    """
    if not attachments or re.search(
        r"\bofert\w*|kosztorys\w*|formularz\w*|\bcen[aęy]\b", text, re.I
    ):
        return False, False
    says_results = bool(RESULTS_WORDS.search(text) or RESULTS_WORDS.search(subject))
    has_data = any(DATA_FILE.search(a.filename) for a in attachments)
    return says_results, has_data


def read_progress(text: str) -> Progress | None:
    """Completed/target interviews ("250 z 400 wywiadów") from a progress report."""
    if not (PROGRESS_CONTEXT.search(text) and PROGRESS_UNITS.search(text)):
        return None
    for line in text.split("\n"):
        if not PROGRESS_UNITS.search(line):
            continue
        for m in PROGRESS_RE.finditer(line):
            done = int(m.group("done") or m.group("done2"))
            target = int(m.group("target") or m.group("target2"))
            if 0 < done <= target:
                return Progress(done=done, target=target)
        done_only = DONE_ONLY_RE.search(line)
        if done_only:
            return Progress(done=int(done_only.group("done")), target=None)
    return None


def is_routing_reply(thread_code: str | None) -> bool:
    return thread_code in ROUTING_CODES


# Words that make an approval conditional, doubtful or negated: "nie jestem pewna, czy
# zatwierdzam", "zatwierdzam dopiero po poprawkach", "proszę nie traktować tego jako ...".
HEDGE_RE = re.compile(
    r"\b(nie|czy|dopiero|jeśli|jeżeli|gdyby|pod warunkiem|warunkowo|po popraw\w*|chyba|"
    r"może|prawdopodobnie|jeszcze|ale|jednak|not|if|unless)\b",
    re.IGNORECASE,
)
# "No remarks" is an approval, though it says "nie".
NO_REMARKS_RE = re.compile(r"\bnie\s+(mam|wnoszę|wnosze|zgłaszam|zglaszam)\s+uwag\b", re.I)


def _hedged(text: str) -> bool:
    """Whether the sentence with the approval word also doubts, conditions or negates it."""
    for sentence in re.split(r"(?<=[.!;])\s+|\n", text):
        if APPROVE_RE.search(sentence) and HEDGE_RE.search(NO_REMARKS_RE.sub("", sentence)):
            return True
    return False


def read_decision(text: str) -> tuple[Decision, list[str]]:
    """approve / return with its comment, or verdict None with the reason it is unclear."""
    words = text.strip()
    approve = bool(APPROVE_RE.search(words))
    give_back = bool(RETURN_RE.search(words))
    if not words:
        return Decision(None), ["decision reply has no new text"]
    if approve and give_back:
        return Decision(None), ["decision unclear: both approval and return words"]
    if "?" in words:
        return Decision(None), ["decision unclear: the reply asks a question"]
    if give_back:
        m = RETURN_COMMENT.search(words)
        # "Proszę poprawić tabelę 3" is itself the comment.
        comment = _first_paragraph(m.group("comment") if m else words)
        reasons = ["returned with a comment"] if comment else ["returned without a comment"]
        return Decision("return", comment), reasons
    if approve and _hedged(words):
        return Decision(None), ["decision unclear: the approval is doubted, conditional or negated"]
    if approve:
        return Decision("approve"), ["approved"]
    return Decision(None), ["no decision word (zatwierdzam / zwracam) in the reply"]


def _first_paragraph(text: str) -> str:
    paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    return " ".join(paragraph.split())
