"""The question-answering chain: condense follow-up, retrieve, answer.

:func:`build_chain` returns a LangChain ``Runnable`` that maps
``{"question": str, "history": [...]}`` to an :class:`~qa.types.Answer`.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig

from ingest.loaders import TERMINAL_ESCAPE
from newsdesk.errors import BadInput, LLMUnavailable
from prompts import load_prompt
from qa.filters import RetrievalFilter, parse_filters
from qa.followup import Turn, condense_question, resolve_person
from qa.retriever import to_retrieved
from qa.types import Answer, RetrievedChunk, final_answer

MAX_QUESTION_CHARS = 2000


def normalize_history(history: Sequence[Any] | None) -> list[Turn]:
    """Accept the history shapes callers have and return :class:`Turn` records.

    Accepted items: a question string; a ``(question, answer)`` pair; a :class:`Turn`;
    Gradio/OpenAI-style messages ``{"role": "user"|"assistant", "content": str}`` (a user
    message followed by an assistant message make one turn).

    Raises:
        BadInput: an item of another shape.
    """
    if history is None:
        return []
    if isinstance(history, str | bytes | dict) or not isinstance(history, Iterable):
        raise BadInput(
            f"history must be a list of turns, got {type(history).__name__}: use question "
            "strings, (question, answer) pairs or {'role', 'content'} messages"
        )
    turns: list[Turn] = []
    for item in history:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, str):
            turns.append(Turn(item))
        elif isinstance(item, dict) and "role" in item:
            if item["role"] not in ("user", "assistant", "system") or "content" not in item:
                raise BadInput(
                    f"cannot read history message {_short(item)}: messages need a role of "
                    "user, assistant or system, and a content"
                )
            content = _message_text(item.get("content"))
            if item["role"] == "user":
                turns.append(Turn(content))
            elif item["role"] == "assistant" and turns and turns[-1].answer is None:
                turns[-1] = Turn(turns[-1].question, content)
        elif (
            isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and (item[1] is None or isinstance(item[1], str))
        ):
            turns.append(Turn(item[0], item[1]))
        else:
            raise BadInput(
                f"cannot read history item {_short(item)}: use question strings, "
                "(question, answer) pairs or {'role', 'content'} messages"
            )
    return [_checked_turn(t, n) for n, t in enumerate(turns, 1)]


def _checked_turn(turn: Turn, number: int) -> Turn:
    """A history turn as the question is checked: valid text, no terminal escapes or
    control characters, the question cut to :data:`MAX_QUESTION_CHARS` (a follow-up's
    query is built from it; a chat keeps questions it refused in its history)."""
    texts: list[str | None] = []
    for text in (turn.question, turn.answer):
        if text is None:
            texts.append(None)
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise BadInput(f"history turn {number} holds characters that are not valid text") from e
        texts.append(_CONTROL.sub("", TERMINAL_ESCAPE.sub("", text)))
    question = (texts[0] or "")[:MAX_QUESTION_CHARS]
    if (question, texts[1]) == (turn.question, turn.answer):
        return turn
    return Turn(question, texts[1])


def _short(item: Any, limit: int = 120) -> str:
    """``repr(item)``, cut to ``limit`` characters (an Answer's repr runs to kilobytes)."""
    text = repr(item)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_text(content: Any) -> str:
    """A message's text: a string, Gradio's list of content parts, or a part's ``text``.

    Raises:
        BadInput: content of another type (``5``): it was read as the text "5", and the
            follow-up was answered about item 5 (a breaker's).
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list | tuple):  # Gradio may send a list of content parts
        return " ".join(_message_text(c) for c in content)
    if isinstance(content, dict):
        return _message_text(content.get("text", ""))
    if content is None:
        return ""
    raise BadInput(
        f"cannot read history message content {_short(content)}: give text, or a list "
        "of {'text': ...} parts"
    )


#: Control characters (not tab or line breaks): dropped from a question ("\x00\x01"
#: alone is an empty question).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Citation markers pasted from an answer ("... approved? [2]"): not part of a question,
#: and their numbers would be read as numbers the answer must hold.
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
#: A list number before a question ("1. How much ...?", "4) Who ...", "(2)", "#3", "5 -"):
#: no number the answer must hold (a breaker's numbered list quoted "From 1 July ...").
_LIST_NUMBER = re.compile(r"^(?:\(\d{1,3}\)|#\d{1,3}[.):]?|\d{1,3}[.):]|\d{1,3}\s+[-–—])\s+(?=\S)")


def check_question(question: Any) -> str:
    """Validate a question; return it stripped of terminal escapes, control characters,
    pasted citation markers (``[2]``), a leading list number ("1. ", "4) ") and surrounding
    spaces.

    Raises:
        BadInput: not a string, empty, without a word (punctuation or digits only), or
            longer than :data:`MAX_QUESTION_CHARS`.
    """
    if not isinstance(question, str):
        raise BadInput(f"the question must be text, got {type(question).__name__}")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as e:
        raise BadInput("the question holds characters that are not valid text") from e
    question = _MARKER.sub("", _CONTROL.sub("", TERMINAL_ESCAPE.sub("", question)))
    question = question.strip().strip("\u200b\u200c\u200d\ufeff").strip()
    question = _LIST_NUMBER.sub("", question)
    if not question:
        raise BadInput("the question is empty: ask something about the articles")
    if not re.search(r"[^\W\d_]", question):
        # "?" alone was answered "Not found" with four unrelated articles (a new user's),
        # "42" with a cited sentence holding 42 (a breaker's)
        raise BadInput("the question has no words: ask something about the articles")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(
            f"the question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    return question


class _Answerer(Protocol):
    def __call__(
        self,
        question: str,
        retrieved: list[RetrievedChunk],
        *,
        query: str | None = None,
        history: list[Turn] | None = None,
    ) -> Answer: ...


class QAChain(Runnable[dict, Answer]):
    """Condense follow-up, retrieve, answer; as a LangChain ``Runnable`` that also streams.

    ``invoke`` maps ``{"question": str, "history": list | None, "filters": dict | None}``
    (filters: see :mod:`qa.filters`) to an :class:`Answer`
    with ``timings_ms`` for ``retrieve`` and ``answer`` (milliseconds).
    :meth:`stream_answer` yields the answer text as it is produced, then the Answer.
    """

    def __init__(
        self,
        retriever: BaseRetriever,
        answerer: _Answerer,
        condense_llm: BaseChatModel | None = None,
    ) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.condense_llm = condense_llm
        self.name = "newsdesk_qa"

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return final_answer(self.stream_answer(input))

    def _without_dates(self, query: str, selection: RetrievalFilter) -> list[RetrievedChunk] | None:
        """What ``selection``'s other filters find for ``query`` once its dates are
        dropped; ``None`` when it has no dates."""
        if selection.date_from is None and selection.date_to is None:
            return None
        wider = replace(selection, date_from=None, date_to=None)
        return to_retrieved(self.retriever.invoke(query, filters=wider))

    def _undated_left_out(self, query: str, selection: RetrievalFilter) -> bool:
        """Whether ``selection``'s dates leave out an undated article its other filters
        would search for ``query``: only then does a refusal say that undated articles
        never match a date filter (it said so over an index of dated articles)."""
        found = self._without_dates(query, selection)
        return any(c.published is None for c in found or ())

    def stream_answer(self, inputs: dict[str, Any]) -> Iterator[str | Answer]:
        """Yield ``str`` pieces of the answer text, then the final :class:`Answer`.

        Input errors (:class:`BadInput`) are raised before anything is yielded.
        """
        question = check_question(inputs.get("question"))
        history = normalize_history(inputs.get("history"))
        try:
            query = condense_question(question, history, llm=self.condense_llm)
        except Exception as e:  # network, server and model errors of any backend
            if self.condense_llm is None:
                raise
            raise LLMUnavailable(
                f"the LLM failed while rewriting a follow-up: {type(e).__name__}: {e}. Check "
                "that the endpoint is running, or use --answerer extractive"
            ) from e
        selection = parse_filters(inputs.get("filters"))
        # "How old is she?" after "Who won ...?": she is the person that answer named
        asked = resolve_person(question, history)
        t0 = time.perf_counter()
        retrieved = to_retrieved(self.retriever.invoke(query, filters=selection))
        t1 = time.perf_counter()
        stream = getattr(self.answerer, "stream", None)
        result: Answer | None = None
        if selection is not None and not retrieved:
            found = self._without_dates(query, selection)
            undated = any(c.published is None for c in found or ())
            names = getattr(self.retriever, "source_names", None)
            # names are suggested only when the source matched nothing, not when the dates
            # left its articles out ("Did you mean: council.txt?" for council.txt, a
            # breaker's)
            known = names() if selection.sources and not found and callable(names) else []
            result = _no_match(question, query, selection, undated=undated, known=known)
            yield result.text
        elif stream is None:
            result = self.answerer(asked, retrieved, query=query, history=history)
            yield result.text
        else:
            for item in stream(asked, retrieved, query=query, history=history):
                if isinstance(item, Answer):
                    result = item
                else:
                    yield item
        assert result is not None
        if selection is not None and retrieved and result.abstained:
            # the answer may be in an article the filters leave out: say so, not only that
            # the passages say nothing of it (a new user's)
            prompts = load_prompt("answer")
            note = prompts["abstention_filtered"].format(filters=_describe(selection))
            if self._undated_left_out(query, selection):
                # an undated article is never searched under a date filter (a new user's
                # was told the passages "say nothing of the tram extension")
                note += prompts["abstention_no_match_dates"]
            result = replace(result, text=f"{result.text}\n{note}")
            if stream is not None:
                yield f"\n{note}"
        t2 = time.perf_counter()
        timings = {"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2)}
        yield replace(result, question=question, timings_ms=timings)


def _describe(selection: RetrievalFilter) -> str:
    """The filters as a reader would say them: "source Wire or Post, published from
    2025-01-01"."""
    parts = []
    if selection.sources:
        parts.append("source " + " or ".join(selection.sources))
    if selection.date_from:
        parts.append(f"published from {selection.date_from.isoformat()}")
    if selection.date_to:
        parts.append(f"published until {selection.date_to.isoformat()}")
    return ", ".join(parts)


#: How many source names an abstention under a source filter that matched none names.
SOURCES_SHOWN = 5


def _no_match(
    question: str,
    query: str,
    selection: RetrievalFilter,
    *,
    undated: bool = False,
    known: Sequence[str] = (),
) -> Answer:
    """The abstention when the filters leave no article to search; ``undated``: some
    articles the date filter left out have no date (the note then says they never match);
    ``known``: the source names the index holds, when a source filter matched none of them
    (the note then names the closest, or the first :data:`SOURCES_SHOWN`)."""
    prompts = load_prompt("answer")
    text = prompts["abstention_no_match"].format(
        filters=_describe(selection),
        dates_note=prompts["abstention_no_match_dates"] if undated else "",
    )
    if known and not any(s in known for s in selection.sources):
        # a --source matching nothing said only "widen the filters" (a new user's)
        # the names holding the one given ("court-cole" in "court-cole-fraud.txt"), then
        # those alike by difflib's ratio
        close = list(
            dict.fromkeys(
                name
                for s in selection.sources
                for name in [
                    *(n for n in known if Path(s).stem and Path(s).stem.casefold() in n.casefold()),
                    *difflib.get_close_matches(s, known, n=SOURCES_SHOWN, cutoff=0.7),
                ]
            )
        )[:SOURCES_SHOWN]
        shown = close or list(known[:SOURCES_SHOWN])
        more = len(known) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 and not close else "")
        key = "abstention_no_match_close" if close else "abstention_no_match_sources"
        text += "\n" + prompts[key].format(sources=listed)
    return Answer(
        question=question, text=text, citations=[], abstained=True, retrieved=[], query=query
    )


def build_chain(
    retriever: BaseRetriever, answerer: _Answerer, *, condense_llm: BaseChatModel | None = None
) -> QAChain:
    """Compose follow-up condensing, retrieval and answering (see :class:`QAChain`).

    Follow-ups are condensed by ``condense_llm`` when one is given, else deterministically
    (see :func:`qa.followup.condense_question`).

    ``answerer`` is an :class:`~qa.extractive.ExtractiveAnswerer` or an
    :class:`~qa.llm.LLMAnswerer` (anything with that call signature; a ``stream``
    method, when present, is used to stream).
    """
    return QAChain(retriever, answerer, condense_llm)
