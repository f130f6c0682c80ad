"""Sentence boundaries as character spans, for chunking and for extractive answers.

A rule-based splitter: a sentence ends at ``.``, ``!``, ``?`` (and the Devanagari and
Arabic stops ``।``, ``؟``), with closing quotes or brackets, followed by whitespace and an
upper-case letter of any script (or a letter of a script without case), a digit or an
opening quote, or at a line break. Initials and common abbreviations (``P.R.``, ``U.S.``,
``Ltd.``, ``Dr.``) do not end a sentence. CJK full stops (``。！？``) end a sentence with
no space after them.

A quotation of several sentences within one paragraph ('Lusk said: "These numbers are
not the end. They are the start of a recovery."') is one sentence, so that a quote keeps
its speaker and its closing quote mark, as long as the quotation closes within
``MAX_QUOTED`` sentences and ``MAX_QUOTED_CHARS`` characters; a longer one, or one whose
quote mark never closes (a typo, or a quotation running on into the next paragraph), is
split as above.

Deliberately not done: statistical sentence segmentation (punkt, spaCy); news text is
regular enough that the rules above hold, and they keep offsets exact.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(
    r"(?:(?<=[.!?।؟])(?P<close>[\"”’')\]]*)\s+(?=(?P<next>\S))"
    r"|(?<=[。！？])(?P<cjk>[”」』]*)|\n+)"
)


def _opens_sentence(char: str) -> bool:
    """Whether ``char`` may open a sentence after a full stop and a space: an upper-case
    letter of any script ("Łódź", "Österreich", "Борис"), a letter of a script without
    case (Arabic, Devanagari), a digit, an opening quote or bracket; not a lower-case
    letter ("approx. half")."""
    return (
        char.isupper()
        or char.isdigit()
        or char in "\"“‘'(["
        or (char.isalpha() and not char.islower())
    )


_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ltd",
        "inc",
        "co",
        "corp",
        "plc",
        "gov",
        "sen",
        "rep",
        "gen",
        "col",
        "capt",
        "lt",
        "no",
        "vs",
        "etc",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "est",
        "approx",
        "dept",
        "univ",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "p.r",
        "d.c",
        "a.m",
        "p.m",
        "e.g",
        "i.e",
    ]
)
_LAST_WORD = re.compile(r"([\w.]+)\.$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences.

    Returns:
        ``[(s, e), ...]`` character offsets into ``text``, in order, each trimmed of
        surrounding whitespace and non-empty. Offsets are absolute (not relative to
        ``start``).
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _BOUNDARY.finditer(text, start, end):
        line_break = "\n" in m.group(0)
        # (a line break always ends one: "... range.\n\n| | Q3 2025 |" was one sentence)
        if m.group("next") is not None and not line_break and not _opens_sentence(m.group("next")):
            continue
        if not line_break and _is_abbreviation(text[cursor : m.start()]):
            continue
        # closing quotes and brackets belong to the sentence they end
        closers = len(m.group("close") or m.group("cjk") or "")
        _append_trimmed(text, cursor, m.start() + closers, spans)
        cursor = m.end()
    _append_trimmed(text, cursor, end, spans)
    return _join_quotations(text, spans)


#: The longest quotation kept as one sentence: sentences, and characters of the whole.
MAX_QUOTED = 4
MAX_QUOTED_CHARS = 480


def _open_quote(sentence: str) -> bool:
    """Whether ``sentence`` leaves a double quotation open: an odd number of straight
    quotes, or more opening curly quotes than closing ones."""
    return sentence.count('"') % 2 == 1 or sentence.count("“") > sentence.count("”")


def _join_quotations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with each quotation that runs over several sentences of one paragraph
    joined into one span (see the module docstring for the limits)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        j = i
        if _open_quote(text[s:e]):
            for k in range(i + 1, min(i + MAX_QUOTED, len(spans))):
                line_break = "\n" in text[spans[k - 1][1] : spans[k][0]]
                if line_break or spans[k][1] - s > MAX_QUOTED_CHARS:
                    break
                if not _open_quote(text[s : spans[k][1]]):
                    j = k
                    break
        out.append((s, spans[j][1]))
        i = j + 1
    return out


def _is_abbreviation(sentence: str) -> bool:
    m = _LAST_WORD.search(sentence)
    if not m:
        return False
    word = m.group(1).lower()
    # single initials ("J. Smith") and dotted acronyms ("P.R.") do not end sentences
    return word in _ABBREVIATIONS or len(word) == 1 or bool(re.fullmatch(r"(\w\.)+\w", word))


def _append_trimmed(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((s, e))
