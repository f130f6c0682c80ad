"""A question that asks what someone or something is called, and whether a sentence says.

"What was the name of the lorry driver killed ...?" is not answered by "A 58-year-old
lorry driver died ...": the sentence speaks of the driver but gives no name. Every
capitalised word is a candidate name for the answer type, so the type check passes any
sentence with a place in it; this module reads instead which noun the question asks the
name of (its *head*: "driver") and whether a sentence puts a name beside that noun
("lorry driver Dan Pryce", "the driver, Dan Pryce,", "Dan Pryce, a lorry driver") or
names something outright ("named Cirrothauma lucerna", "known as Operation Kestrel").

Not here: a name given in another sentence than the noun ("The driver was 58. He was
Dan Pryce."), a name without a capital letter, and names asked without the word "name",
"called" or "named" ("Who was the driver?" is a person question like any other).
"""

from __future__ import annotations

import re

#: "the name(s) of the lorry driver killed ...", "the name of Corwin Ashdale's wife".
_NAME_OF = re.compile(r"\bnames?\s+of\s+(?P<phrase>[^?]+)", re.I)
#: "What is the new octopus species called?", "What was the operation named?".
_CALLED = re.compile(
    r"^\W*what\s+(?:is|was|are|were|will)\s+(?P<phrase>.+?)\s+(?:be\s+)?"
    r"(?:called|named|known\s+as|dubbed)\W*$",
    re.I,
)
#: "What is the captain's name?", "What are the directors' names?".
_OWNERS_NAME = re.compile(
    r"^\W*what\s+(?:is|was|are|were)\s+(?P<phrase>.+?)['’]s?\s+(?:full\s+)?names?\W*$", re.I
)
#: Words that end the noun phrase of the thing named: relative pronouns, prepositions,
#: determiners and verbs after it ("the captain who was flying", "the tool the hackers
#: exploited", "the driver killed by").
_ENDS_PHRASE = frozenset(
    (  # noqa: SIM905
        "who whom whose that which where when in of for at on by during from with to into "
        "after before under over near about as and or but is was are were will has have "
        "had used the a an his her its their this these those"
    ).split()
)
_FILLERS = frozenset("the a an his her its their this that these those new".split())  # noqa: SIM905


def asked_name_of(question: str) -> str | None:
    """The noun a question asks the name of, lower-case ("driver", "species"), or ``None``.

    Read from "the name of X", "What is X called / named / known as?" and "What is X's
    name?": the head is the last lower-case word of X before a word that ends a noun
    phrase (:data:`_ENDS_PHRASE`) or a participle ("killed", "investigating");
    capitalised words are names and are skipped ("the two Brightwell Property Services
    directors arrested" asks of "directors"). ``None`` too for a question that asks
    another thing besides ("When was the cub born and what was it named?"); "who" of a
    relative clause asks nothing ("the captain who was flying the plane")."""
    if _ASKS_MORE.search(question):
        return None
    for pattern in (_CALLED, _OWNERS_NAME, _NAME_OF):
        m = pattern.search(question.strip())
        if m is None:
            continue
        head = None
        for i, word in enumerate(re.findall(r"[\w'’-]+", m.group("phrase"))):
            low = word.lower()
            if i and (low in _ENDS_PHRASE or re.fullmatch(r"[a-z]{3,}(?:ed|ing)", word)):
                break
            if low in _FILLERS or not word[0].islower() or word.endswith(("'s", "’s")):
                continue
            head = low
        if head is not None:
            return head
    return None


#: A second question, after "and" or a comma: "..., and what was it named?".
_ASKS_MORE = re.compile(
    r"(?:\band|[,;:])\s+(?:who|what|when|where|which|why|how)\b|\bcompared?\b|\bthan\b", re.I
)
#: A name given outright: "named Cirrothauma lucerna", "known as Operation Kestrel",
#: "police named the man as Dan Pryce", "identified him as".
_NAMING = re.compile(
    r"\b(?:named|called|dubbed|nicknamed|christened|code-?named|known\s+as|titled|branded)"
    r"\s+(?:as\s+)?[\"“‘']?[A-Z]"
    r"|\b(?:named|identified|called)\b[^.;]{0,40}?\bas\s+[\"“‘']?[A-Z]"
)
#: Capitalised words that open a sentence and name nothing ("It is a ...").
_NO_NAMES = frozenset(
    "it he she they we this that these those there the a an his her its their which who".split()  # noqa: SIM905
)
_NAME = r"(?:(?:Mr|Mrs|Ms|Dr|Sir|Dame)\.?\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"


def gives_name(head: str, sentence: str, question: str) -> bool:
    """Whether ``sentence`` gives a name for ``head`` (as :func:`asked_name_of` reads it)
    that ``question`` does not already hold.

    A name stands beside the head noun, in either number and any case ("lorry driver Dan
    Pryce", "the fisherman, Karel Duvnjak,", "Karel Duvnjak, a 61-year-old fisherman",
    "the tool was MOVEit", "Operation Kestrel", "HoloLens is a mixed reality headset"),
    or the sentence names something outright (:data:`_NAMING`)."""
    if _NAMING.search(sentence):
        return True
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    noun = rf"(?i:{re.escape(head.rstrip('s'))}s?|{re.escape(head)})"
    patterns = (
        rf"\b{noun},?\s+(?:(?:is|was|are|were)\s+)?[\"“‘']?(?P<name>{_NAME})",
        # "Microsoft HoloLens is an augmented reality (AR) headset" (rgb-en-news)
        rf"(?P<name>{_NAME})\s+(?:is|was|are|were)\s+(?:a|an|the|its|their)\s+"
        rf"(?:[\w'’()/.-]+\s+){{0,6}}?{noun}\b",
        rf"(?P<name>{_NAME}),\s+(?:a|an|the|his|her|its|their|[A-Z][\w-]*['’]s)\s+(?:[\w'’-]+\s+){{0,4}}{noun}\b",
    )
    for pattern in patterns:
        for m in re.finditer(pattern, sentence):
            words = re.findall(r"[\w'’-]+", m.group("name"))
            if any(w.lower() not in asked | _NO_NAMES for w in words if w[:1].isupper()):
                return True
    return False
