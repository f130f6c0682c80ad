"""Turn a follow-up question into a standalone retrieval query, without an LLM.

A follow-up such as "Who is its vice president?" carries no topic of its own. When a
question refers back (a pronoun or demonstrative, or it is very short) the previous
question is prepended, together with the previous answer's quoted sentence when there is
one, so that retrieval sees the topic. A question that stands alone is left unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def is_followup(question: str) -> bool:
    """Whether ``question`` refers back to earlier turns (see module docstring)."""
    words = re.findall(r"\w+", question)
    return bool(_ANAPHORA.search(question) or _CONTINUATION.match(question) or len(words) <= 3)


def condense_question(question: str, history: list[Turn]) -> str:
    """The standalone query for retrieval.

    Args:
        question: the new question.
        history: earlier turns, oldest first.

    Returns:
        ``question`` itself when it stands alone or there is no history; otherwise the
        previous question, the previous answer (citation markers removed) and ``question``
        joined by spaces.
    """
    if not history or not is_followup(question):
        return question
    last = history[-1]
    parts = [last.question]
    if last.answer:
        parts.append(re.sub(r"\s*\[\d+\]", "", last.answer))
    parts.append(question)
    return " ".join(p.strip() for p in parts if p.strip())
