"""Gold sets in other tools' formats, converted to newsdesk's gold format (:mod:`evals.gold`).

Formats (a file is a JSON array of objects, or JSON Lines, one object per line):

``ragas``
    RAGAS samples (``EvaluationDataset``, testset generator output): ``user_input`` (the
    question), ``reference`` (the answer), ``reference_contexts`` (optional, the passages
    that hold it).
``deepeval``
    DeepEval goldens: ``input``, ``expected_output``, ``context`` (optional, the ideal
    passages).
``multihop-rag``
    MultiHop-RAG (Tang & Yang, 2024) queries: ``query``, ``answer``, ``question_type``,
    ``evidence_list`` (``title`` of each evidence article, among others), with the articles
    in a ``corpus.json`` (``title``, ``body``, ``published_at``, ...). ``null_query``
    questions (answer "Insufficient information.") become unanswerable.
``rgb``
    RGB (Chen et al., AAAI 2024) ``en*.json`` lines: ``id``, ``query``, ``answer`` (a string,
    a list of alternatives, or a list of lists: parts that must all appear, each with
    alternatives), ``positive`` and ``negative`` passages.

Passages (contexts, RGB's positive and negative snippets, MultiHop-RAG's corpus) are
written as article files, named by a hash of their text (or the article's title), so they
can be ingested; the passages that hold the answer become the question's ``sources``.

Left out: RGB's multi-part answers keep all alternatives of the first part, but only the
first alternative of each later part (the gold format's ``all_of`` has no alternatives);
RAGAS and DeepEval answers are used verbatim, so a long reference sentence is only matched
by an answer containing it whole; CSV and Hugging Face dataset files are not read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.errors import BadInput


@dataclass
class Imported:
    """The result of an import: gold lines and article files (file name -> content)."""

    gold: list[dict[str, Any]] = field(default_factory=list)
    articles: dict[str, str] = field(default_factory=dict)

    def gold_jsonl(self) -> str:
        return "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in self.gold)


def read_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Objects of a JSON array or JSON Lines file, each with where it stands
    (``"FILE:LINE"`` for JSON Lines, ``"FILE: item N"`` for an array, 1-based).

    Raises:
        BadInput: missing or unreadable file, invalid JSON, or an item that is not an object.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"cannot read {path}: {e}") from e
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as e:
            raise BadInput(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from e
        numbered = [(f"{path}: item {n}", obj) for n, obj in enumerate(items, 1)]
    else:
        numbered = []
        # "\n" only: splitlines() also breaks at U+2028 inside a string (a breaker's)
        for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
            if not line.strip():
                continue
            try:
                numbered.append((f"{path}:{n}", json.loads(line)))
            except json.JSONDecodeError as e:
                raise BadInput(f"{path}:{n}: not valid JSON ({e.msg})") from e
    if not numbered:
        raise BadInput(f"{path}: no records in the file")
    for where, obj in numbered:
        if not isinstance(obj, dict):
            raise BadInput(f"{where}: expected a JSON object, got {type(obj).__name__}")
        yield where, obj


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: field {key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def _texts(obj: dict[str, Any], key: str, where: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{where}: field {key!r} must be a list of strings, got {value!r}")
    return [v for v in value if v.strip()]


def _passage_file(prefix: str, text: str) -> str:
    return f"{prefix}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.txt"


def _add_passages(out: Imported, prefix: str, passages: list[str]) -> list[str]:
    names = []
    for p in passages:
        name = _passage_file(prefix, p)
        out.articles[name] = p.strip() + "\n"
        names.append(name)
    return names


def _question(prefix: str, n: int, question: str, answers: list[str], **extra: Any) -> dict:
    gold: dict[str, Any] = {"id": f"{prefix}-{n}", "question": question, "answers": answers}
    gold.update({k: v for k, v in extra.items() if v not in (None, [], True)})
    return gold


_RAGAS_KEYS = ("user_input", "reference", "reference_contexts")


def import_ragas(path: Path) -> Imported:
    """RAGAS samples: ``user_input`` -> question, ``reference`` -> the accepted answer,
    ``reference_contexts`` -> articles and sources; or the field names of ragas before
    0.2 (``question``, ``ground_truth``, ``contexts``), when a sample has no new ones."""
    out = Imported()
    for n, (where, obj) in enumerate(read_records(path), 1):
        old = isinstance(obj, dict) and "user_input" not in obj and "question" in obj
        keys = ("question", "ground_truth", "contexts") if old else _RAGAS_KEYS
        question = _text(obj, keys[0], where)
        answer = _text(obj, keys[1], where)
        sources = _add_passages(out, "ragas", _texts(obj, keys[2], where))
        out.gold.append(_question("ragas", n, question, [answer], sources=sources))
    return out


def import_deepeval(path: Path) -> Imported:
    """DeepEval goldens: ``input`` -> question, ``expected_output`` -> the accepted
    answer, ``context`` -> articles and sources."""
    out = Imported()
    for n, (where, obj) in enumerate(read_records(path), 1):
        question = _text(obj, "input", where)
        answer = _text(obj, "expected_output", where)
        sources = _add_passages(out, "deepeval", _texts(obj, "context", where))
        out.gold.append(_question("deepeval", n, question, [answer], sources=sources))
    return out


def _rgb_answers(value: Any, where: str) -> tuple[list[str], list[str]]:
    """RGB ``answer`` -> (alternatives, all_of); see the module docstring."""
    if isinstance(value, str) and value.strip():
        return [value.strip()], []
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value], []
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(part, list) and part and all(isinstance(v, str) and v.strip() for v in part)
            for part in value
        )
    ):
        return [v.strip() for v in value[0]], [part[0].strip() for part in value[1:]]
    raise BadInput(
        f"{where}: field 'answer' must be a string, a list of strings or a list of lists "
        f"of strings, got {value!r}"
    )


def import_rgb(path: Path) -> Imported:
    """RGB lines: ``query`` -> question, ``answer`` -> answers (and ``all_of``),
    ``positive`` -> articles that are sources, ``negative`` -> distractor articles."""
    out = Imported()
    for n, (where, obj) in enumerate(read_records(path), 1):
        question = _text(obj, "query", where)
        answers, all_of = _rgb_answers(obj.get("answer"), where)
        sources = _add_passages(out, "rgb", _texts(obj, "positive", where))
        _add_passages(out, "rgb", _texts(obj, "negative", where))
        qid = obj.get("id", n)
        if not isinstance(qid, str | int) or isinstance(qid, bool):
            raise BadInput(f"{where}: field 'id' must be a string or an integer, got {qid!r}")
        gold = _question("rgb", n, question, answers, all_of=all_of, sources=sources)
        gold["id"] = f"rgb-{qid}"
        out.gold.append(gold)
    return out


_SLUG = re.compile(r"[^a-z0-9]+")


def _article_file(title: str) -> str:
    slug = _SLUG.sub("-", title.lower()).strip("-")[:60].strip("-") or "article"
    return f"{slug}-{hashlib.sha256(title.encode('utf-8')).hexdigest()[:8]}.md"


def import_multihop_rag(path: Path, corpus: Path | None = None) -> Imported:
    """MultiHop-RAG queries with their ``corpus.json``: each corpus article is written as
    Markdown with its title and date as front matter; ``evidence_list`` titles name the
    sources. ``corpus`` defaults to ``corpus.json`` beside ``path``.

    Raises:
        BadInput: as for the other formats; also a missing corpus file, or an evidence
            title that is not a corpus article's (the message names the item).
    """
    corpus = corpus or path.parent / "corpus.json"
    if not corpus.is_file():
        raise BadInput(
            f"MultiHop-RAG needs its articles: {corpus} not found (give --corpus-json FILE)"
        )
    out = Imported()
    by_title: dict[str, str] = {}
    for where, obj in read_records(corpus):
        title = _text(obj, "title", where)
        body = _text(obj, "body", where)
        name = _article_file(title)
        front = {"title": title}
        date = obj.get("published_at")
        if isinstance(date, str) and date.strip():
            front["published"] = date.strip()
        header = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in front.items())
        out.articles[name] = f"---\n{header}---\n{body}\n"
        by_title[title] = name
    for n, (where, obj) in enumerate(read_records(path), 1):
        question = _text(obj, "query", where)
        answer = _text(obj, "answer", where)
        qtype = obj.get("question_type")
        if qtype is not None and not isinstance(qtype, str):
            raise BadInput(f"{where}: field 'question_type' must be a string, got {qtype!r}")
        evidence = obj.get("evidence_list", [])
        if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
            raise BadInput(f"{where}: field 'evidence_list' must be a list of objects")
        sources = []
        for e in evidence:
            title = _text(e, "title", f"{where}: evidence_list")
            if title not in by_title:
                raise BadInput(
                    f"{where}: field 'evidence_list': title {title!r} is not in {corpus}"
                )
            if by_title[title] not in sources:
                sources.append(by_title[title])
        unanswerable = qtype == "null_query"
        out.gold.append(
            _question(
                "multihop",
                n,
                question,
                [] if unanswerable else [answer],
                answerable=not unanswerable,
                sources=sources,
                type=qtype,
            )
        )
    return out


#: Format name -> importer taking the file (and, for MultiHop-RAG, the corpus file).
IMPORTERS: dict[str, Callable[..., Imported]] = {
    "ragas": import_ragas,
    "deepeval": import_deepeval,
    "multihop-rag": import_multihop_rag,
    "rgb": import_rgb,
}


def write_import(result: Imported, out: Path | None, articles_dir: Path | None) -> None:
    """Write the gold JSON Lines to ``out`` (if given) and the articles into
    ``articles_dir`` (if given).

    Raises:
        BadInput: a file cannot be written.
    """
    try:
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(result.gold_jsonl(), encoding="utf-8")
        if articles_dir is not None and result.articles:
            articles_dir.mkdir(parents=True, exist_ok=True)
            for name, text in sorted(result.articles.items()):
                (articles_dir / name).write_text(text, encoding="utf-8")
    except OSError as e:
        raise BadInput(f"cannot write the import: {e}") from e
