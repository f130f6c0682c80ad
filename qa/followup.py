"""Turn a follow-up question into a standalone retrieval query.

A follow-up such as "Who is its vice president?" carries no topic of its own. When a
question refers back (a pronoun or demonstrative, it is very short, or it names nothing
and speaks of "the" thing the turn before spoke of: "How much does the bike cost?" after
"Which company is recalling e-bikes?") and there is history:

- with an LLM (any LangChain ``BaseChatModel``, passed as ``llm``), the model rewrites the
  question as a standalone one from the prompt in ``prompts/condense.yaml``;
- without one, deterministically: the previous question is prepended, together with the
  previous answer's quoted sentence when there is one, so that retrieval sees the topic.

A question that stands alone is left unchanged either way (no LLM call).

For the answer itself, :func:`resolve_person` reads "he" or "she" of a follow-up as the
person the previous answer named, when the previous question asked who, and "it" or
"its" as the company it named: "How old is she?" after "Who won the Marbury Indoor
Open?" is answered as "How old is Karolina Novak?", not with the age of the runner-up
the same sentence names.

Not here: coreference across more than the last turn in the deterministic query (the
answer's :func:`resolve_person` looks back :data:`PERSON_TURNS` turns), the gender of a
name, "they" as a follow-up, a definite noun the turn before worded otherwise ("the
bike" after "the CityGlide 2"); the LLM sees the last :data:`LLM_TURNS` turns.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prompts import load_prompt
from qa.text import terms

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


def is_followup(question: str, last: Turn | None = None) -> bool:
    """Whether ``question`` refers back to earlier turns (see module docstring); a
    message of thanks or greeting only is not one.

    With ``last``, the turn before it, a question that names nothing (no capitalised word
    after its first) and speaks of "the" thing that turn spoke of refers back too: "How
    much does the bike cost?" after "Which company is recalling e-bikes?"."""
    words = re.findall(r"\w+", question)
    if words and all(w.lower() in _PHATIC for w in words):
        return False
    if _ANAPHORA.search(question) or _CONTINUATION.match(question) or len(words) <= 3:
        return True
    return last is not None and _definite_of(question, last)


def _definite_of(question: str, last: Turn) -> bool:
    """Whether ``question`` names nothing and holds "the X" whose noun ``last`` used."""
    from qa.text import terms

    if any(w[:1].isupper() for w in re.findall(r"[\w'’-]+", question)[1:]):
        return False
    nouns = {t for m in _DEFINITE.finditer(question) for t in terms(m.group(1))}
    earlier = f"{last.question}\n{'' if _refused(last.answer or '') else last.answer or ''}"
    # "e-bikes" holds "bike": hyphenated words are read by their parts too
    return bool(nouns & set(terms(earlier.replace("-", " "))))


#: The two words after "the", one of them its noun: "the bike cost", "the new bike".
_DEFINITE = re.compile(r"\bthe\s+([a-z-]{3,}(?:\s+[a-z-]{3,})?)", re.I)


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
        the previous answer (citation markers removed) and ``question`` joined by spaces;
        when the previous answer was a refusal, the last answered turn (question and
        answer, within :data:`PERSON_TURNS`) in its place.

    Raises:
        Whatever ``llm.invoke`` raises (connection errors are the caller's to report).
    """
    if not history or not is_followup(question, history[-1]):
        return question
    if llm is not None:
        rewrite = _llm_rewrite(question, history, llm)
        if rewrite:
            return rewrite
    last = history[-1]
    parts = [last.question]
    if last.answer and not _refused(last.answer):
        parts.append(_strip_markers(last.answer))
    else:
        # a refusal names no topic ("Not found in the articles. The closest articles are:
        # ..." went into the query, and "its" found another company, a new user's): the
        # answer before it does
        answered = next(
            (t for t in reversed(history[-PERSON_TURNS:-1]) if t.answer and not _refused(t.answer)),
            None,
        )
        if answered is not None and answered.answer:
            parts[:0] = [answered.question, _strip_markers(answered.answer)]
    parts.append(question)
    return " ".join(p.strip() for p in parts if p.strip())


#: How many turns back :func:`resolve_person` looks for the one asked about.
PERSON_TURNS = 3
#: The pronouns that stand for a person, and for a company or body ("its chief executive").
_PERSONAL = re.compile(r"\b(?:he|she|him|his|her)\b", re.I)
_NEUTER = re.compile(r"\b(?:it|its)\b", re.I)
#: Words after "her" that make it an object, not a possessive ("Who did Novak beat her
#: in?", "Who coached her before Ruiz?").
_AFTER_OBJECT = frozenset(
    "in on at to for from with by before after about as than and or but so over".split()  # noqa: SIM905
)


def _refused(answer: str) -> bool:
    """Whether ``answer`` is a refusal: it starts with the first sentence of the abstention
    wording in ``prompts/answer.yaml`` ("Not found in the articles"), as every refusal does."""
    return answer.lstrip().startswith(load_prompt("answer")["abstention"].split(".")[0])


def resolve_person(question: str, history: list[Turn]) -> str:
    """``question`` with "he", "she", "him", "his" and "her" read as the person an earlier
    answer named, and "it" and "its" as the company or body it named.

    The earlier turn is the last one, back past refusals and follow-ups that use the same
    pronouns, within :data:`PERSON_TURNS` turns; its question must ask for a person
    ("Who won ...?") or an organisation ("Which company is recalling ...?"), and its
    answer name one that question does not already hold (a person by two words or more):
    the one who does the verb asked, else the one starting nearest the question's words.
    "his", "its" and a possessive "her" become "Name's". Without such a turn, ``question``
    is returned unchanged."""
    from qa.actions import does_verb, subject_verb
    from qa.text import ORG, PERSON, answer_type, span_strength, terms, typed_candidates

    for pronouns, kind in ((_PERSONAL, PERSON), (_NEUTER, ORG)):
        if not history or not pronouns.search(question):
            continue
        # the turn that named it: back past refusals and follow-ups with the same pronouns
        last = next(
            (
                t
                for t in reversed(history[-PERSON_TURNS:])
                if t.answer
                and t.answer.strip()
                and not _refused(t.answer)
                and not pronouns.search(t.question)
            ),
            None,
        )
        if last is None or answer_type(last.question) != kind:
            continue
        answer = _strip_markers(last.answer or "")
        sentence = answer.splitlines()[0]
        names = [
            (a, b)
            for a, b in typed_candidates(sentence, kind, last.question)
            if (kind == ORG or len(sentence[a:b].split()) >= 2)
            and not sentence[a:b].endswith(("'s", "’s", "'"))
            and span_strength(sentence[a:b], kind, last.question, sentence[b : b + 60]) == 1.0
        ]
        # the one that starts nearest the words of the question it answered (as the answer
        # highlights one, qa.extractive._closest_span): "Northvale Grid" of "...
        # in the Ardell valley, was started by a Northvale Grid power line" for "Which
        # company's power line started the fire?" (heldout-10)
        lowered = sentence.lower()
        anchors = [i for i in (lowered.find(t) for t in terms(last.question)) if i >= 0] or [0]
        # first the one who does what was asked: "Karolina Novak won the Open, beating
        # Lucia Ruiz" for "Who won the Open?"
        # and for a company, not a place ("Stanmore Civil Engineering", not "Ferris
        # Airport", for "Which company will build the tram extension?"; a new user's)
        verb = subject_verb(last.question)
        name = (
            sentence[
                slice(
                    *min(
                        names,
                        key=lambda sp: (
                            verb is None or not does_verb(verb, sentence, *sp),
                            kind == ORG and _PLACE_END.search(sentence[sp[0] : sp[1]]) is not None,
                            min(abs(sp[0] - i) for i in anchors),
                        ),
                    )
                )
            ]
            if names
            else None
        )
        if name is not None:
            question = pronouns.sub(
                functools.partial(_referent, name=name, question=question), question
            )
    return question


#: The last word of a place's name: no company is named so ("Ferris Airport").
_PLACE_END = re.compile(
    r"\b(?:Airport|Station|Street|Road|Avenue|Square|Bridge|River|Park|Valley|Bay|Island"
    r"|Hill|Lane|Quay|Wharf)$"
)


def _referent(m: re.Match[str], *, name: str, question: str) -> str:
    """``name`` in the place of the pronoun ``m`` matched, possessive where it was."""
    word = m.group(0).lower()
    after = re.match(r"\s+(\w+)", question[m.end() :])
    possessive = word in ("his", "its") or (
        word == "her" and after is not None and after.group(1).lower() not in _AFTER_OBJECT
    )
    return f"{name}'s" if possessive else name


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
    if not 0 < len(text) <= MAX_REWRITE_CHARS:
        return None
    # a rewrite keeps what was asked: "Who is its keeper?" came back as "The zoo welcomed
    # a giant panda named Bao on Wednesday." from the packaged small model (a breaker's),
    # and retrieval ran on that
    return text if set(terms(question)) <= set(terms(text)) else None
