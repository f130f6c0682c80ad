"""Turn a follow-up question into a standalone retrieval query.

A follow-up such as "Who is its vice president?" carries no topic of its own. When a
question refers back (a pronoun or demonstrative, or it is very short) and there is
history:

- with an LLM (any LangChain ``BaseChatModel``, passed as ``llm``), the model rewrites the
  question as a standalone one from the prompt in ``prompts/condense.yaml``;
- without one, deterministically: the previous question is prepended, together with the
  previous answer's quoted sentence when there is one, so that retrieval sees the topic.

A question that stands alone is left unchanged either way (no LLM call).

Not here: coreference across more than the last turn in the deterministic method; the LLM
sees the last :data:`LLM_TURNS` turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: Earlier turns shown to the LLM when it condenses a follow-up.
LLM_TURNS = 3
#: A rewrite longer than this (characters) is not a question: the deterministic query is
#: used instead.
MAX_REWRITE_CHARS = 500

_ANAPHORA = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|"
    r"there|then|the same|the company|the firm|the ministry|the article|the pilot)\b",
    re.I,
)
_CONTINUATION = re.compile(r"^\s*(?:and|also|what about|how about|why|so)\b", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the user's question and, when known, the answer shown."""

    question: str
    answer: str | None = None


#: Words of a message that asks nothing ("Thanks!", "OK, great"): a short message of
#: only these is no follow-up (a breaker's: "Thanks!" was answered with the previous
#: answer again, cited).
_PHATIC = frozenset(
    """
    thanks thank you ta cheers ok okay great good nice cool fine sure right alright
    hi hello hey bye goodbye yes no yeah yep nope wow perfect brilliant excellent lovely
    much very so
    """.split()  # noqa: SIM905
)


def is_followup(question: str) -> bool:
    """Whether ``question`` refers back to earlier turns (see module docstring); a
    message of thanks or greeting only is not one."""
    words = re.findall(r"\w+", question)
    if words and all(w.lower() in _PHATIC for w in words):
        return False
    return bool(_ANAPHORA.search(question) or _CONTINUATION.match(question) or len(words) <= 3)


def condense_question(question: str, history: list[Turn], llm: BaseChatModel | None = None) -> str:
    """The standalone query for retrieval.

    Args:
        question: the new question.
        history: earlier turns, oldest first.
        llm: a chat model to rewrite follow-ups with; ``None`` for the deterministic method.

    Returns:
        ``question`` itself when it stands alone or there is no history. Otherwise, with
        ``llm``, the model's one-line rewrite (or the deterministic query when the reply is
        empty or longer than :data:`MAX_REWRITE_CHARS`); without it, the previous question,
        the previous answer (citation markers removed) and ``question`` joined by spaces.

    Raises:
        Whatever ``llm.invoke`` raises (connection errors are the caller's to report).
    """
    if not history or not is_followup(question):
        return question
    if llm is not None:
        rewrite = _llm_rewrite(question, history, llm)
        if rewrite:
            return rewrite
    last = history[-1]
    parts = [last.question]
    if last.answer:
        parts.append(_strip_markers(last.answer))
    parts.append(question)
    return " ".join(p.strip() for p in parts if p.strip())


def _strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


def _llm_rewrite(question: str, history: list[Turn], llm: BaseChatModel) -> str | None:
    """The LLM's standalone rewrite, or ``None`` when its reply is unusable."""
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt("condense")
    lines = []
    for turn in history[-LLM_TURNS:]:
        lines.append(f"User: {turn.question.strip()}")
        if turn.answer:
            lines.append(f"Assistant: {_strip_markers(turn.answer).strip()}")
    reply = llm.invoke(
        [
            SystemMessage(prompt["system"]),
            HumanMessage(prompt["user"].format(history="\n".join(lines), question=question)),
        ]
    )
    text = reply.content if isinstance(reply.content, str) else str(reply.text)
    text = text.strip().splitlines()[0].strip() if text.strip() else ""
    text = re.sub(r"^(?:standalone question:\s*)", "", text, flags=re.I).strip().strip('"')
    return text if 0 < len(text) <= MAX_REWRITE_CHARS else None
