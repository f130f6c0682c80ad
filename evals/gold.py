"""The gold-question format (JSON Lines), read with line-precise errors.

One object per line::

    {"id": str, "question": str, "answers": [str, ...], "all_of": [str, ...]?,
     "answerable": bool?, "sources": [article file name, ...]?,
     "history": [earlier user question, ...]?, "type": str?}

``answerable`` defaults to true; an unanswerable question may have empty ``answers``.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from evals.metrics import normalize_answer
from newsdesk.errors import BadInput


@dataclass(frozen=True)
class GoldQuestion:
    """One gold question; see the module docstring for the fields."""

    id: str
    question: str
    answers: list[str]
    all_of: list[str] = field(default_factory=list)
    answerable: bool = True
    sources: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    type: str | None = None


_FIELDS = ("id", "question", "answers", "all_of", "answerable", "sources", "history", "type")


def _misspelt(key: str) -> str | None:
    """The field ``key`` is a misspelling of ("all_off" -> "all_of"), or ``None``: for a
    field itself, for a dissimilar key, and for a field with a word added to it
    ("question_id", "unanswerable"), which is another field, not a typo."""
    if key in _FIELDS:
        return None
    close = difflib.get_close_matches(key, _FIELDS, n=1, cutoff=0.85)
    if not close:
        return None
    field = close[0]
    if key.startswith(field + "_") or key.endswith("_" + field) or key == "un" + field:
        return None
    return field


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read and validate a gold file.

    Raises:
        BadInput: the file is missing, or a line is not valid JSON, has a missing or
            wrongly typed field, text that is not valid (lone surrogates), a question over
            ``qa.chain.MAX_QUESTION_CHARS`` or empty once cleaned as it is asked
            (``"[1] [2]"``, :func:`qa.chain.check_question`), a field name that looks misspelt
            (``all_off``), or answers given to an unanswerable question; the message names
            the line and the field. Other extra fields
            are ignored. A UTF-8 byte-order mark is skipped.
    """
    if path.is_dir():
        raise BadInput(f"gold file {path} is a folder: pass the .jsonl file in it")
    if not path.exists():
        raise BadInput(f"gold file {path} not found")
    try:
        # a BOM is not text; "\n" only: splitlines() also breaks at U+2028, which
        # json.dumps(ensure_ascii=False) leaves inside strings (a breaker's); a pipe
        # (`--gold <(head -3 gold.jsonl)`) is read as a file is
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        lines = text.split("\n")
    except UnicodeDecodeError as e:
        raise BadInput(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    out: list[GoldQuestion] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(f"{where}: not valid JSON ({e.msg})") from e
        if not isinstance(obj, dict):
            raise BadInput(f"{where}: expected a JSON object")
        for key in obj:
            typo = _misspelt(str(key))
            if typo:
                # other keys (notes, provenance) are kept out of the way; a misspelt field
                # would silently make a check weaker
                raise BadInput(f"{where}: unknown field {key!r}; did you mean {typo!r}?")
        answerable = _bool(obj, "answerable", where)
        q = GoldQuestion(
            id=_str(obj, "id", where),
            question=_str(obj, "question", where),
            answers=_strs(obj, "answers", where, required=answerable),
            all_of=_strs(obj, "all_of", where),
            answerable=answerable,
            sources=_strs(obj, "sources", where),
            history=_strs(obj, "history", where),
            type=_str(obj, "type", where) if obj.get("type") is not None else None,
        )
        _check_text(q, where)
        _check_id(q.id, where)
        if not q.answerable and (q.answers or q.all_of):
            # the answers were ignored without a word (a breaker's): one of the two is wrong
            field = "answers" if q.answers else "all_of"
            raise BadInput(
                f'{where}: field {field!r}: an unanswerable question ("answerable": false) has '
                f'no accepted answers: give "{field}": [] or drop "answerable": false'
            )
        if q.id in seen:
            raise BadInput(f"{where}: field 'id': duplicate id {q.id!r}")
        seen.add(q.id)
        out.append(q)
    if not out:
        raise BadInput(f"{path}: no gold questions in the file")
    return out


def _check_text(q: GoldQuestion, where: str) -> None:
    """Refuse what would fail only later, mid-run or when the report is written: text that
    cannot be written as UTF-8 (a lone surrogate, valid in JSON) and over-long questions."""
    from qa.chain import MAX_QUESTION_CHARS, check_question

    fields = {
        "id": [q.id], "question": [q.question], "answers": q.answers, "all_of": q.all_of,
        "sources": q.sources, "history": q.history, "type": [q.type or ""],
    }  # fmt: skip
    for key, values in fields.items():
        for value in values:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise BadInput(
                    f"{where}: field {key!r} holds characters that are not valid text "
                    f"(a lone surrogate, {value[e.start]!r})"
                ) from e
    if len(q.question) > MAX_QUESTION_CHARS:
        raise BadInput(
            f"{where}: field 'question' is {len(q.question)} characters long; questions "
            f"are at most {MAX_QUESTION_CHARS}"
        )
    try:
        check_question(q.question)  # as the eval will ask it: "[1] [2]" is no question
    except BadInput as e:
        raise BadInput(f"{where}: field 'question': {e}") from e
    for key, values in (("answers", q.answers), ("all_of", q.all_of)):
        for value in values:
            if not normalize_answer(value):
                # "[1]" is "" once compared, and "" is in every answer (a breaker's)
                raise BadInput(
                    f"{where}: field {key!r}: {value!r} is empty once compared (citation markers "
                    "are left out), so every answer would contain it; give the answer's words"
                )


def _check_id(qid: str, where: str) -> None:
    """Raise :class:`BadInput` for an id that prints as another or breaks a report line:
    spaces at its ends ("q1 " beside "q1"), a control or invisible character (NUL, ESC,
    a newline, a zero-width space: written raw into the Markdown report, a breaker's)."""
    if qid != qid.strip():
        raise BadInput(f"{where}: field 'id': {qid!r} has spaces at its ends; remove them")
    odd = next((c for c in qid if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if odd is not None:
        raise BadInput(
            f"{where}: field 'id': {qid!r} holds the control or invisible character "
            f"U+{ord(odd):04X}; ids are printed in reports, so use visible characters"
        )


def _str(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: field {key!r} must be a non-empty string, got {value!r}")
    return value


def _strs(obj: dict, key: str, where: str, required: bool = False) -> list[str]:
    value = obj.get(key)
    if value is None and not required:
        return []
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v.strip() for v in value)
        or (required and not value)
    ):
        # a new user's: "non-empty" read as wrong for an unanswerable's "answers": []
        hint = (
            ' (an unanswerable question gives "answers": [] and "answerable": false)'
            if key == "answers"
            else ""
        )
        raise BadInput(
            f"{where}: field {key!r} must be a non-empty list of strings, got {value!r}{hint}"
        )
    return value


def _bool(obj: dict, key: str, where: str) -> bool:
    value = obj.get(key, True)
    if not isinstance(value, bool):
        raise BadInput(f"{where}: field {key!r} must be true or false, got {value!r}")
    return value
