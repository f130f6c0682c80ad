"""What a question asks its subject to have done: "What did the Supreme Court rule ...?".

Near-miss questions ask what *another* party did: "What did Anton Keller promise voters?"
over an article that reports only Brandt's promise, "What did the European Commission
decide about the merger?" over one that reports only the airlines' deal. The quoted
sentence then shares the question's topic, and often its verb, but not its subject.

:func:`asked_action` reads the subject and the verb of a question of the form "question
phrase + did/does/will/has/... + subject + verb ..." ("Did the Supreme Court agree to
...?", "What sentence did prosecutors ask ...?"). The verb is told from the subject's
words by its part of speech (lemminflect's English lexicon), so "coach" in "IF Solberga's
coach say" is not taken for the verb. :func:`names_subject` says whether a sentence may
speak of that subject: it names it, or refers back to it by a pronoun or by a noun of its
kind ("The force said ..." for a constabulary), and its own subject is not another named
party ("Commercial lender Nordbank said it ..." for the Bank of Norland).

Only the subject is checked. Requiring the verb too (or a synonym) in the answer's chunk
refused more near misses, but also answers worded without it ("Calloway was sentenced to
four years" for "What sentence did Ruth Calloway receive?", "Felix Amrani of the
Solvane-Rhode team" for "Which team does Felix Amrani ride for?"): see evals/RESULTS.md.

Not read: "Who/Which X + verb" questions (the subject is the answer), quantities ("How
much did Dunmere Constabulary pay?" is answered by "the force bought ..."), verbs of
change or comparison ("How did the rate change?"), and questions about the article itself
("What does the article call ...?").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import lemminflect

from qa.text import terms

_QUESTION_WORDS = frozenset(["what", "which", "who", "whom", "how", "when", "where", "why"])
_AUXILIARIES = frozenset(
    ["did", "does", "do", "will", "would", "has", "have", "had", "can", "could", "should"]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "this", "that", "these", "those"]
)
#: Words that end the verb's clause: prepositions, determiners, conjunctions, and the
#: auxiliaries of a clause inside it ("did the executive say would benefit").
_CLAUSE_END = frozenset(
    """
    about at on in of for to from with by over into after before during against as than
    the a an its his her their this that these those and or if whether
    would will could can should is was were are be has have had
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
#: Verbs that say nothing checkable: auxiliaries, and verbs of change or comparison that
#: the evidence answers in other words ("How did the rate change?" -> "it rose").
_UNCHECKED_VERBS = frozenset(
    """
    be have do may can will shall must might change move evolve compare differ happen go
    fare perform work take get make beat exceed top surpass pass miss outperform outsell
    match reach hit
    """.split()  # noqa: SIM905
)
#: Verbs that only give a figure asked by its noun ("What revenue did X report?").
_FIGURE_VERBS = frozenset("report post record announce disclose book generate".split())  # noqa: SIM905
#: Subjects that are the article itself, not a party in it.
_META_SUBJECTS = frozenset(["article", "report", "story", "piece", "text", "author"])
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])
#: What may refer to a plural subject ("prosecutors"): not "he" or "it".
_PLURAL_PRONOUNS = frozenset(["they", "we"])
#: A subject asked of by a pronoun's possessive ("its first satellites"): its owner may be
#: anyone the conversation named.
_POSSESSIVES = frozenset(["its", "his", "her", "their", "our"])
#: Nouns by which news refers back to a party it has named: "The force said ...".
_REFERRING = re.compile(
    r"^(?:company|firm|group|bank|club|side|team|carrier|airline|lender|insurer|retailer|"
    r"maker|operator|force|police|officers?|officials?|spokes(?:man|woman|person)|trust|"
    r"council|councillors|authority|ministry|government|regulator|watchdog|board|agency|"
    r"union|minister|mayor|coach|manager|executive|chairman|chairwoman|striker|player|"
    r"singer|actor|actress|director|author|candidate|vessel|ship|boat|craft|aircraft|"
    r"plane|jet|train|vehicle|car|phone|device|model|members|workers|staff|employees|"
    r"[\w-]+-year-old)$",
    re.I,
)


@dataclass(frozen=True)
class Action:
    """The subject and verb of a "What did X do?" question.

    Attributes:
        subject: the subject as the question words it ("the European Commission").
        head: the word a sentence must hold to name the subject ("commission"), ``None``
            for a pronoun subject ("What did she promise?").
        verb: the verb's lemma ("decide").
        label: the action for a refusal, in the question's tense ("what the European
            Commission decided", "when the full council will vote").
    """

    subject: str
    head: str | None
    verb: str
    label: str


#: "How many/quickly ...": a quantity, not an action ("How quickly did the enzyme break
#: down ...?" is no "the enzyme break" doing "down"; heldout-14, blind)
_QUANTITIES = frozenset(
    "many much old long far large high big tall deep wide heavy quickly fast soon often".split()  # noqa: SIM905
)


@functools.lru_cache(maxsize=1024)
def asked_action(question: str) -> Action | None:
    """The action ``question`` asks about, or ``None`` when it is not of the form
    "question phrase + auxiliary + subject + verb" or its verb cannot be told.

    The question phrase is a question word and up to two nouns ("What sentence did ...",
    "Which club did ..."; not a quantity: "How many ..."), or nothing ("Did the Supreme
    Court agree to ...?"). The subject is a run of capitalised
    words ("the Bank of Norland", "Anton Keller"), closed by a possessive and the noun it
    owns ("IF Solberga's coach"), or, in lower case, at least one word ("the council",
    "the chief executive of Marrowhaven Port Holdings", "mayor Dorian Hale");
    the verb is the last word before the clause ends that can be a verb in its base form
    (its past participle after "has", "have", "had").
    """
    words = question.strip().rstrip("?").replace("’", "'").split()
    lower = [w.lower().strip(",") for w in words]
    if len(words) < 3:
        return None
    i = 0
    if lower[0] in _QUESTION_WORDS:
        if lower[1] in _QUANTITIES:
            # a quantity: the answer names its subject many ways ("the force" for "Dunmere
            # Constabulary"), and its verb too ("cut" for "eliminate")
            return None
        i = 1
        # "What sentence did", "Which club did": up to two nouns before the auxiliary
        stop = min(len(words) - 2, 3)
        while i < stop and lower[i] not in _AUXILIARIES:
            i += 1
    if lower[i] not in _AUXILIARIES or i + 2 >= len(words):
        return None
    auxiliary = lower[i]
    if lower[i + 1] in ("been", "being", "be"):
        return None  # "Who has been named ...?": a passive, its subject is the answer
    asking = " ".join(words[:i]).lower() or "whether"  # "what sentence", "what"
    i += 1 + (lower[i + 1] in _DETERMINERS)
    start = i
    start_upper = words[i][:1].isupper()
    head: str | None
    if start_upper:
        head = None
        while i < len(words) and (words[i][:1].isupper() or lower[i] in ("of", "and", "&")):
            owner = lower[i].endswith(("'s", "'"))
            head = lower[i].removesuffix("'s").rstrip("'")
            i += 1
            if owner and i < len(words) and not words[i][:1].isupper():
                head = lower[i]  # "IF Solberga's coach"; "St Aldric's Hospital Trust" goes on
                i += 1
                break
    else:
        if lower[i] in _META_SUBJECTS:
            return None
        head = lower[i]
        i += 1
    clause = []
    while i < len(words):
        # "the chief executive of Marrowhaven Port Holdings": a name inside the subject
        # "the railway line between Marbury and Tessford", "the fire in Leeds": a place too
        # (a new user's "When did the railway line between ... reopen?" read "line")
        if (
            lower[i] in _NAMING_PREPOSITIONS
            and not start_upper
            and i + 1 < len(words)
            and words[i + 1][:1].isupper()
        ):
            i += 1
            while i < len(words) and (
                words[i][:1].isupper()
                or (lower[i] in ("and", "&") and i + 1 < len(words) and words[i + 1][:1].isupper())
            ):
                i += 1
            continue
        if lower[i] == "of" and not start_upper:
            break
        if lower[i] in _CLAUSE_END:
            break
        clause.append(i)
        i += 1
    if _UNCHECKED_VERBS & {lower[j] for j in clause} or _COMPARING & set(lower[i:]):
        return None
    if (
        i + 1 < len(words)
        and lower[i] == "and"
        and (lower[i + 1] in _DETERMINERS or words[i + 1][:1].isupper())
    ):
        # "What did the St Aldric's cancer centre and the tram extension each cost?": two
        # subjects, the verb after both ("centre" was read as it; a new user's)
        return None
    if " " in asking and _FIGURE_VERBS & {lower[j] for j in clause}:
        # "What revenue did Marrow Foods report for the second quarter?": the figure is
        # asked, reported in any words ("revenue recovered to £389 million"; heldout-19)
        return None
    if {"not", "never", "n't"} & {lower[j] for j in clause}:
        # "Why did Pratt not ask for a recount?": the evidence says what he would not do
        # in its own words ("would not seek a recount"); the label read "why Pratt not
        # asked" (a new user's finding)
        return None
    if _RELATIVE & {lower[j] for j in clause}:
        # "Which party did the candidate who came third stand for?": a relative clause
        # inside the subject, whose verb is not the action's ("third" was read as one)
        return None
    if _BE_HAVE & set(lower[i:]):
        # "What will the council tax bill in Ashcombe be?", "How many beds does the new
        # wing at X have?": the verb is "be" or "have"
        return None
    form = "VBN" if auxiliary in ("has", "have", "had") else "VB"
    for j in reversed(clause):
        if not words[j].isalpha() or not words[j].islower() or len(words[j]) < 3:
            continue  # "Port" in "pay Port Alder", "up" in "end up": no verb of its own
        if lower[j] in _PARTICLES and j > clause[0]:
            return None  # "break down", "shut down": a phrasal verb, not read ("down")
        verb = _verb(lower[j], form)
        # a capitalised word before it is a name, not a modifier ("Dorian Hale say")
        modified = not words[j - 1][:1].isupper() and _only_a_modifier(lower[j - 1])
        if verb is None or modified or lower[j + 1 : j + 2] == ["of"]:
            continue  # "the first season", "the 2017 fire", "review of": nouns
        if j + 1 < len(words) and lower[j + 1] in _PARTICLES:
            return None  # "end up costing": a phrasal verb, not read
        if j > clause[0] and not words[start][:1].isupper():
            head = lower[j - 1]  # "the full council vote": the noun before the verb
        elif (
            j == clause[-1] and j > clause[0] and words[j - 1].islower() and _is_noun(lower[j - 1])
        ):
            # "When will the Caddon Island bridge open?": the noun after the name, before a
            # verb that ends the question, is what the name modifies (a new user's)
            head = lower[j - 1]
        subject = " ".join(words[start - (lower[start - 1] in _DETERMINERS) : j])
        if head in _PRONOUNS:
            head = None
        return Action(subject, head, verb, f"{asking} {subject} {_conjugate(verb, auxiliary)}")
    return None


_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
#: Prepositions that may join a name to a lower-case subject: "the chief executive of
#: Marrowhaven Port Holdings", "the line between Marbury and Tessford", "the fire in Leeds".
_NAMING_PREPOSITIONS = frozenset({"of", "between", "in", "at", "near"})

#: "Who won ...?", "Which actor won ...?", "What movie won ...?": the question word (and
#: its noun) is the subject.
_SUBJECT_QUESTION = re.compile(
    r"^\s*(who|which\s+[a-z-]+|what\s+[a-z-]+)\s+([a-z]+)(?:\s+([a-z]+))?", re.I
)


#: "Which author took home the prize?": news words for winning that are no form of "win"
#: ("take" itself says nothing checkable).
_WON = re.compile(
    r"^\s*(?:who|(?:which|what)\s+[a-z-]+)\s+(?:took\s+home|scooped|clinched|carried\s+off"
    r"|picked\s+up|walked\s+away\s+with)\b",
    re.I,
)


#: Auxiliaries followed by the bare verb: "Who will replace him?".
_MODALS = frozenset("will would shall should can could may might must".split())  # noqa: SIM905


@functools.lru_cache(maxsize=1024)
def subject_verb(question: str) -> str | None:
    """The verb's lemma of a question whose question word is its subject: "win" for "Who
    won the Masters in 2021?", "Which actor won Best Actor ...?" or "What movie won ...?",
    "direct" for "Who directed Pretty Woman?", "carry" for "Which company will carry out
    ...?". ``None`` for an auxiliary or "be" ("Who is ...?", "Who has been named ...?"),
    and for a word that is no verb in the past or present tense. After "what", a word
    followed by an auxiliary belongs to the noun ("What pay increase is the union asking
    for?"), and a bare form may be a noun ("What sentence ...", "What cost savings ..."),
    so only a past or "-s" form unlike the bare one is read."""
    if _WON.match(question):
        return "win"
    m = _SUBJECT_QUESTION.match(question)
    if m is None:
        return None
    word, after = m.group(2).lower(), (m.group(3) or "").lower()
    if word in _MODALS:  # "Which company will carry out the work?": the verb after it
        lemmas = lemminflect.getAllLemmas(after).get("VERB", ())
        return next(
            (
                lemma
                for lemma in lemmas
                if lemma == after and lemma != "be" and lemma not in _UNCHECKED_VERBS
            ),
            None,
        )
    if word in _FINITE_AUXILIARIES or word in _AUXILIARIES:
        return None
    bare = not m.group(1).lower().startswith("what")  # whether "win" (VBP) is read
    if not bare and (after in _FINITE_AUXILIARIES or after in _AUXILIARIES):
        return None
    tags = ("VBD", "VBZ", "VBP") if bare else ("VBD", "VBZ")
    lemmas = lemminflect.getAllLemmas(word).get("VERB", ())
    for lemma in lemmas:
        if lemma in _UNCHECKED_VERBS or lemma == "be":
            return None
        tenses = lemminflect.getAllInflections(lemma, "VERB")
        if any(word in tenses.get(tag, ()) for tag in tags) and (bare or word != lemma):
            return lemma
    return None


#: Words that report a result: "Who won ...?" is answered by a sentence that says someone
#: won, beat or was elected, not by one that names the candidates or nominees.
_RESULT_WORDS = frozenset(
    """
    win wins won winning winner winners victory victor victorious beat beats beating beaten
    defeat defeats defeated defeating elected re-elected champion champions triumph
    triumphed clinched lifted awarded trophy title
    """.split()  # noqa: SIM905
)
#: "Who was elected mayor ...?", "Which team was crowned ...": the passive asks for a result.
_ASKS_RESULT = re.compile(
    r"^\s*(?:who|(?:which|what)\s+[a-z-]+)\s+(?:was|were|has\s+been|have\s+been)\s+"
    r"(?:elected|crowned|voted\s+in)\b"
    # "Who is the Maxwell Award winner in 2019?", "Who was the winner of the final?"
    r"|^\s*who\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,6}?"
    r"(?:winners?|champions?)(?=\s+(?:of|in|at|for|from)\b|\s*\?|\s*$)",
    re.I,
)


#: "won the most medals", "won 12 seats": a count won, not a contest's winner.
_WON_A_COUNT = re.compile(r"\bwon\s+(?:the\s+)?(?:most|more|fewest|fewer|\d|how\s+many)", re.I)
#: "Which company won the contract ...?": a deal, reported as "signed a contract with
#: Stanmore" or "awarded to", in no words of a contest (a new user's was refused).
_WON_A_DEAL = re.compile(
    r"\bw(?:on|in|ins)\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,3}?"
    r"(?:contracts?|tenders?|bids?|deals?|orders?|franchises?|licen[cs]es?|concessions?)\b",
    re.I,
)


def as_asked(question: str) -> str:
    """``question`` as a clause for "say nothing of ...": "who won the Eastgate ward
    by-election" for "Who won the Eastgate ward by-election?", "how much the gallery paid
    for it" for "How much did the gallery pay for it?"."""
    text = question.strip().rstrip("?").rstrip()
    # "How much did the gallery pay for it?" as "how much the gallery paid for it" (a new
    # user's refusal read "say nothing of how much did the gallery pay ...")
    quantity = re.match(rf"how\s+(?:{'|'.join(_QUANTITIES)})\b", text, re.I)
    asking = quantity.group(0).lower() if quantity else None
    # (asked_action reads no quantity: "How much did" is read as "What did")
    action = asked_action(f"What{text[quantity.end() :]}" if quantity else text)
    if action is not None:
        subject = re.escape(action.subject)
        verb = re.search(rf"(?<!\w){subject}\s+{re.escape(action.verb)}\b", text, re.I)
        if verb is not None:
            label = f"{asking}{action.label[4:]}" if asking else action.label
            return f"{label}{text[verb.end() :]}"
    return text[:1].lower() + text[1:]


def asks_result(question: str) -> str | None:
    """What ``question`` asks as the result of a contest, as the question words it ("who
    won the Eastgate ward by-election in Dunmore"), when it asks who won or was elected;
    else ``None``."""
    if subject_verb(question) != "win" and not _ASKS_RESULT.match(question):
        return None
    if _WON_A_COUNT.search(question) or _WON_A_DEAL.search(question):
        # "Which country won the most medals?": a count; or a deal: reported in any words
        return None
    return as_asked(question)


def says_result(sentence: str) -> bool:
    """Whether ``sentence`` reports a result (:data:`_RESULT_WORDS`): "Brannock was elected
    mayor", "Rovers beat Kessel City 3-2", not "Three candidates are competing ..." nor
    "The winner ... will be announced on December 12" (:data:`_RESULT_TO_COME`)."""
    said = _RESULT_TO_COME.sub(" ", sentence)
    return bool({w.lower() for w in _WORD.findall(said)} & _RESULT_WORDS)


#: A winner still to be named: "The winner of the 2019 Maxwell Award will be announced as
#: part of ..." answers no "Who is the Maxwell Award winner in 2019?" (rgb-en-news).
_RESULT_TO_COME = re.compile(
    r"\b(?:winners?|champions?|victors?)\b(?:\s+[\w'’-]+){0,8}?\s+"
    r"(?:will|would|is\s+to|are\s+to|(?:is|are)\s+due\s+to|(?:is|are)\s+expected\s+to)"
    r"\s+be\s+(?:announced|named|revealed|crowned|decided|unveiled|known|chosen)\b",
    re.I,
)


#: Words before a verb that make it not yet done: "will appoint", "plans to appoint".
_NOT_YET = frozenset("will would shall to could may might".split())  # noqa: SIM905
#: "Who has been appointed ...?", "Which firm was chosen ...?": a passive that asks what
#: was done.
_PASSIVE_DONE = re.compile(
    r"^\s*(?:who|(?:which|what)\s+[a-z-]+)\s+(?:has|have|had)\s+been\s+([a-z]+)\b"
    r"|^\s*(?:who|(?:which|what)\s+[a-z-]+)\s+(?:was|were)\s+([a-z]+(?:ed|en))\b",
    re.I,
)


def done_verb(question: str) -> str | None:
    """The verb's lemma of a question that asks what was done, in the past or perfect:
    "appoint" for "Who has been appointed head teacher?", "complete" for "When did
    Oatmere complete its takeover?"; else ``None``."""
    m = _PASSIVE_DONE.match(question)
    if m is not None:
        word = (m.group(1) or m.group(2)).lower()
        lemma = _verb(word, "VBN")
        return None if lemma is None or lemma in ("be", "elect") else lemma
    action = asked_action(question)
    if action is not None and re.search(r"\b(?:did|has|have|had)\b", question, re.I):
        return action.verb
    return None


#: Verbs of a state, said in the future of what holds now: "The phone will cost $1,499"
#: answers "What did it cost?" (a new user's was refused).
_STATIVE = frozenset({"cost", "weigh", "measure"})


def only_not_yet(verb: str, sentence: str) -> bool:
    """Whether ``sentence`` says ``verb`` only as not yet done ("it will appoint a head
    teacher by Easter", "plans to complete the deal"), at least once and never otherwise.
    Never for a verb of a state (:data:`_STATIVE`)."""
    if verb in _STATIVE:
        return False
    forms = _verb_forms(verb)
    words = [w.lower() for w in _WORD.findall(sentence)]
    at = [i for i, w in enumerate(words) if w in forms]
    return bool(at) and all(set(words[max(0, i - 2) : i]) & _NOT_YET for i in at)


#: What says an outcome is still to come: "is due to report in July", "would consider
#: closing the area", "has asked for her B sample to be analysed".
_PENDING = re.compile(
    r"\b(?:is|are) due to\b|\b(?:would|will) consider\b|\bha(?:s|ve) asked for\b"
    r"|\bto be (?:published|analy[sz]ed|decided|announced|reviewed|tested|held)\b"
    r"|\b(?:will|would) (?:decide|report|rule|announce|publish|vote)\b"
    r"|\bha(?:s|ve) yet to\b|\bnot yet\b|\bawaiting\b"
    # "Sentencing of his co-defendant ... was adjourned" (heldout-14, blind)
    r"|\b(?:was|were|has been|have been) (?:adjourned|postponed|deferred)\b",
    re.I,
)


def only_pending(verb: str, sentence: str) -> bool:
    """Whether ``sentence`` says an outcome is still to come ("The committee is due to
    report in July") and never says ``verb`` at all: no answer to "What did the committee
    recommend?" (heldout-3 and -5)."""
    if _PENDING.search(sentence) is None:
        return False
    forms = _verb_forms(verb)
    return not any(w.lower() in forms for w in _WORD.findall(sentence))


def _conjugate(verb: str, auxiliary: str) -> str:
    """``verb`` in the tense ``auxiliary`` asks it in: "decided" for "did", "decides" for
    "does", "will decide", "has decided"."""
    tag = {"did": "VBD", "does": "VBZ", "has": "VBN", "have": "VBN", "had": "VBN"}.get(auxiliary)
    if tag is None:
        return verb if auxiliary == "do" else f"{auxiliary} {verb}"
    form = (lemminflect.getInflection(verb, tag) or (verb,))[0]
    return f"{auxiliary} {form}" if tag == "VBN" else form


def _is_noun(word: str) -> bool:
    """Whether lemminflect knows ``word`` as a noun ("bridge", "trams")."""
    return "NOUN" in lemminflect.getAllLemmas(word)


def _only_a_modifier(word: str) -> bool:
    """Whether ``word`` is a number, an ordinal or only an adjective ("2017", "first",
    "full")."""
    if word[:1].isdigit() or word in _ORDINALS:
        return True
    return set(lemminflect.getAllLemmas(word)) == {"ADJ"}


_ORDINALS = frozenset(
    ["first", "second", "third", "fourth", "fifth", "last", "next", "final", "new"]
)
#: Verbs that make a question a comparison ("How did X's cost change between ...").
_COMPARING = frozenset(
    ["change", "changed", "compare", "compared", "move", "moved", "evolve", "differ"]
)
_BE_HAVE = frozenset(["be", "is", "was", "were", "are", "have", "has", "had"])
_PARTICLES = frozenset(["up", "out", "off", "down", "away", "back"])


def names_subject(action: Action, sentence: str) -> bool:
    """Whether ``sentence`` may speak of the action's subject.

    True when it holds the subject's head word. Otherwise false when its own subject
    (:func:`sentence_subject`) names another party ("Commercial lender Nordbank said it
    ..." for the Bank of Norland); true when it holds a pronoun that may stand for the
    subject ("they" only, for a plural common noun such as "prosecutors"), or when its own
    subject, or the verb's in a later clause ("... and the phone ships" for the Orbit X),
    refers back by a noun of the subject's own name ("The river peaked" for the River
    Tessel) or of its kind (:data:`_KINDS`: "The force said"
    for a constabulary, "The Yorkshire side said" for a club), any such noun for a proper
    name ("the company", "the 44-year-old" for "Keller"). Always true for a pronoun
    subject and for a sentence that opens with a quotation (its speaker comes after it).
    "Lawyers for the couriers said the ruling ..." does not speak of the Supreme Court,
    nor "Brandt, a 44-year-old, campaigned ..." of Keller."""
    if action.head is None or sentence.lstrip()[:1] in "\"“‘'":
        return True
    if _shares_stem(set(terms(action.head)), set(terms(sentence))):
        return True  # "councillors" for "the council", "Council" for "councillors"
    # "Pre-orders open on September 24 and the phone ships on October 4" for the Orbit X:
    # the verb's own subject, in a later clause, refers back (a new user's, refused)
    later = _clause_subject(action.verb, sentence)
    if later is not None and _refers_back(later) and _refers_to(action, later):
        return True
    own = sentence_subject(sentence) or _subject_of_verb(action.verb, sentence)
    asked_by_pronoun = bool(set(action.subject.lower().split()) & _POSSESSIVES)
    if own is not None and not asked_by_pronoun and another_party(own, action.subject):
        return False  # "Commercial lender Nordbank said it would cut ...": not the Bank of Norland
    # "Finance director Kwame Mensah said the company plans to open ...": a speaker named
    # by an office (of no other party) reports what the company does (a new user's,
    # refused for "Where will Brightwater open a second factory?")
    reported = _OFFICER_SAID.match(sentence) if own is not None else None
    if reported is not None and _of_no_named_party(reported.group(1)):
        said = reported.group(2)
        clause = (
            sentence_subject(said)
            or _subject_of_verb(action.verb, said)  # "members accepted": an adjective too
            or " ".join(_TOKEN.findall(said)[:2])
        )
        if _refers_back(clause) and _refers_to(action, clause):
            return True
    named = any(w[:1].isupper() for w in action.subject.split())
    pronouns = _PLURAL_PRONOUNS if not named and _plural(action.head) else _PRONOUNS
    if {w.lower() for w in _WORD.findall(sentence)} & pronouns:
        return True
    if own is None:
        return False
    # "The river peaked at ..." for the River Tessel: a noun of the name itself (a new
    # user's, refused)
    head = _head_of(own)
    if head.islower() and head in {w.lower() for w in _WORD.findall(action.subject)[1:]}:
        return True
    # "The force said ..." for Dunmere Constabulary; any such noun for a proper name
    # ("Keller", "Nordair"); for another common noun ("the Supreme Court") only its kind's
    return _refers_back(own) and _refers_to(action, own)


def _subject_of_verb(verb: str, sentence: str) -> str | None:
    """The words of ``sentence`` before ``verb`` in a finite form, when
    :func:`sentence_subject` finds no finite verb: "The river" of "The river peaked at
    4.82 metres" ("peaked" is an adjective too); ``None`` when the verb is not among its
    first eight words."""
    words = _TOKEN.findall(sentence)[:9]
    forms = _verb_forms(verb)
    for i, w in enumerate(words[1:], 1):
        if w.lower() in forms and w.lower() != verb:
            return " ".join(words[:i])
    return None


def _clause_subject(verb: str, sentence: str) -> str | None:
    """The definite noun phrase just before ``verb`` in a finite form, in a clause joined
    to ``sentence`` by a conjunction: "the phone" of "Pre-orders open ... and the phone
    ships on October 4" (not a reporting clause: "..., the club said"); ``None`` when there
    is none."""
    forms = "|".join(sorted(_verb_forms(verb) - {verb}, key=len, reverse=True))
    if not forms:
        return None
    m = re.search(
        rf"\b(?:and|but|while|when|after|before|as)\s+"
        rf"((?:the|its|their)\s+(?:[a-z-]+\s+){{0,2}}?)(?:{forms})\b",
        sentence,
        re.I,
    )
    return m.group(1).strip() if m else None


def _of_no_named_party(words: str) -> bool:
    """Whether the words before a speaker's office name no party: "Finance director"
    does not, "Nordbank chief executive" does (a word no dictionary knows)."""
    return all(
        lemminflect.getAllLemmas(w.lower()) or w.lower() in _DETERMINERS
        for w in _WORD.findall(words)
    )


def _refers_to(action: Action, own: str) -> bool:
    """Whether a sentence's subject ``own``, a noun that refers back (:func:`_refers_back`),
    may stand for the action's subject: a noun of its kind (:data:`_KINDS`), any such
    noun for a proper name."""
    back = _head_of(own).lower()
    kinds = [k for heads, k in _KINDS if action.head in heads]
    if kinds:
        return back in kinds[0]
    # "Northline Rail", "Halvard Aerospace": a capitalised subject is a proper name even
    # when its head is a dictionary word (heldout-18, blind: "The company has offered ...")
    named = any(w[:1].isupper() for w in action.subject.split())
    proper = named or not lemminflect.getAllLemmas(action.head or "")
    return proper and _REFERRING.search(back) is not None


#: A sentence whose speaker is named by an office ("Finance director Kwame Mensah said
#: ..."), and what it reports.
_OFFICER_SAID = re.compile(
    r"([^,;:]{0,60}?)\b(?:director|executive|chief|spokes(?:man|woman|person)|manager|officer"
    r"|chair(?:man|woman)?|president|head|boss|founder|owner|secretary|leader)\b"
    # "The union leader, Kari Nilsen, said ..."
    r"(?:,[^,;:]{1,40},)?[^,;:]{0,40}?\s"
    r"(?:said|says|told\s+\w+|added)\s+(?:that\s+)?(.+)",
    re.I,
)
#: The nouns that refer back to a party by its kind: "the force" for a police force, "the
#: side" for a football club, "the firm" for a company.
_KINDS = [
    (frozenset(heads.split()), frozenset(refs.split()))
    for heads, refs in [
        ("police constabulary force", "force police officers officer detectives"),
        ("airways airlines airline air", "carrier airline company group"),
        ("united city rovers fc club athletic town wanderers", "side club team"),
        ("court tribunal", "court judge judges justices"),
        ("council councillors", "council councillors authority"),
        (
            "commission authority regulator watchdog agency board ministry department government",
            "regulator watchdog commission authority agency board ministry government "
            "officials department",
        ),
        ("trust hospital", "trust hospital"),
        # "The new vessel will replace ..." for "the new ferry"
        ("ferry ship vessel boat liner tanker freighter", "vessel ship boat craft"),
        ("aircraft plane jet airliner", "aircraft plane jet airliner"),
        ("phone smartphone handset", "phone device handset model"),
        ("bank lender", "bank lender group"),
        # "... said members accepted a 6 per cent pay rise" for the ferry workers (a breaker's)
        (
            "workers staff employees drivers nurses doctors teachers members union unions",
            "members workers staff employees union",
        ),
        (
            "foods motors group holdings systems technologies energy mining shipping stores "
            "homes cells audio robotics labs media pharmaceuticals therapeutics inc ltd plc "
            "corp company firm",
            # "The board proposed a final dividend" for Pellow Foods (a new user's refusal)
            "company firm group maker retailer carrier lender insurer operator chain board "
            "directors",
        ),
    ]
]


def _refers_back(own: str) -> bool:
    """Whether a sentence's subject ``own`` is a noun phrase that refers back to a party:
    its head is a referring noun in lower case ("The Yorkshire side", "Officers" opening
    the sentence), not part of a name ("The Ministry of Industry")."""
    head = _head_of(own)
    lower_case = head.islower() or head == own.split()[0]
    return lower_case and _REFERRING.search(head) is not None


def _head_of(subject: str) -> str:
    """The last word of ``subject`` before a preposition: "Lawyers" of "Lawyers for the
    couriers", "Council" of "Harlow District Council on Tuesday"."""
    words = subject.split()
    for i, w in enumerate(words[1:], 1):
        if w.lower() in _OPENERS or w.lower() == "of":
            return words[i - 1]
    return words[-1]


def another_party(own: str, subject: str) -> bool:
    """Whether a sentence's subject ``own`` names a party that is not ``subject``: it holds
    a capitalised word after its first, shares no term with ``subject``, and no word of it
    may speak for a party ("Chief executive Ingrid Solberg" may speak for her company)."""
    words = own.split()
    # a capital that is not just the sentence's first letter ("Officers said")
    first = words[0].lower()
    first_is_name = (
        words[0][:1].isupper() and first not in _DETERMINERS and not lemminflect.getAllLemmas(first)
    )
    if not any(w[:1].isupper() for w in words[1:]) and not first_is_name:
        return False
    if _refers_back(own):
        return False  # "The Yorkshire side said ...": refers back
    if _shares_stem(set(terms(own)), set(terms(subject))):
        return False  # "Harlow District Council" for "councillors"
    return not any(w.lower() in _SPEAKERS for w in words)


def _shares_stem(mine: set[str], theirs: set[str]) -> bool:
    """Whether a term of one set equals a term of the other, or begins it when both are
    over four letters long ("council", "councillor")."""
    return bool(mine & theirs) or any(
        a.startswith(b) or b.startswith(a) for a in mine for b in theirs if min(len(a), len(b)) > 4
    )


#: Words of a subject that may speak for the party asked about ("Chief executive Ingrid
#: Solberg said ..." for "What did Halvorsen say ...?").
_SPEAKERS = frozenset(
    """
    chief executive president chairman chairwoman head founder spokesman spokeswoman
    spokesperson official officials minister director manager coach secretary leader
    """.split()  # noqa: SIM905
)


def sentence_subject(sentence: str) -> str | None:
    """The words of ``sentence`` before its first finite verb, after an opening clause
    ("In a statement, ...", "Sentencing him, ..."): "Brandt, a 44-year-old former
    schoolteacher," for "Brandt, a 44-year-old former schoolteacher, campaigned on ...".
    ``None`` when no finite verb is found in its first 25 words."""
    words = _TOKEN.findall(sentence)
    while words and words[0].lower() in _CONJUNCTIONS:
        words = words[1:]  # "But he said ...": the subject is "he" (a new user's finding)
    if words and (words[0].lower() in _OPENERS or words[0].lower().endswith("ing")):
        comma = sentence.find(",")
        if 0 < comma < 120:
            words = _TOKEN.findall(sentence[comma + 1 :])
    for i, w in enumerate(words[:25]):
        if i > 0 and _finite(w.lower()):
            return " ".join(words[:i])
    return None


#: Words that open a clause before the sentence's subject: "In a statement, the bank ...".
_OPENERS = frozenset(
    """
    in on at after before during under with without despite although though while when
    since as for by from following amid
    """.split()  # noqa: SIM905
)
#: Capitalised words that open a sentence without naming anyone: its determiners and the
#: openers of a phrase before the subject ("The", "In", "Following ...").
NOT_NAME_OPENERS = _DETERMINERS | _OPENERS
#: Words that join a sentence to the one before it: "But he said ...", "And the council ...".
_CONJUNCTIONS = frozenset(["but", "and", "yet", "so", "or", "nor", "still", "also", "then"])
_FINITE_AUXILIARIES = frozenset(
    """
    is are was were has have had will would could can may might shall should must did does
    """.split()  # noqa: SIM905
)


@functools.lru_cache(maxsize=16384)
def _finite(word: str) -> bool:
    """Whether ``word`` is an auxiliary or a verb in a finite form that is not also a
    noun ("said", "campaigned", "reduced"; not "plans", "costs")."""
    if word in _FINITE_AUXILIARIES:
        return True
    readings = lemminflect.getAllLemmas(word)
    if "VERB" not in readings or "NOUN" in readings or "ADJ" in readings:
        return False
    for lemma in readings["VERB"]:
        inflections = lemminflect.getAllInflections(lemma, "VERB")
        if word in inflections.get("VBD", ()) + inflections.get("VBZ", ()):
            return True
    return False


def _plural(noun: str) -> bool:
    """Whether ``noun`` is a plural common noun ("prosecutors", "farmers")."""
    lemmas = lemminflect.getAllLemmas(noun).get("NOUN", ())
    return bool(lemmas) and noun not in lemmas


def says_verb(action: Action, sentence: str, *, done: bool = False) -> bool:
    """Whether ``sentence`` holds the action's verb in any inflection ("promised",
    "promises" for "promise"), or, for "decide", a verb that reports a decision
    (:data:`DECISION_VERBS`: "voted ... to approve"), for "win", a verb that reports a
    win (:data:`WIN_VERBS`: "beat"). ``done``: not as an infinitive
    ("applications to host the 2004 Olympics" does not say who hosted them), nor in a
    question the sentence leaves open ("She declined to say who would headline",
    heldout-4)."""
    forms = _reported_forms(action.verb)
    words = [w.lower() for w in _WORD.findall(sentence)]
    return any(
        w in forms
        and not (
            done
            and i > 0
            and (
                words[i - 1] == "to"
                or (i > 1 and words[i - 1] in _MODALS and words[i - 2] in _OPEN_QUESTION)
            )
        )
        for i, w in enumerate(words)
    )


#: Words that open a question a sentence leaves open: "... who would headline".
_OPEN_QUESTION = frozenset("who which what whom whether if".split())  # noqa: SIM905
#: Words that are no one's name, though capitalised at a sentence's start.
_NO_NAMES = frozenset(
    "i i've i'm i'd i'll we we've we're he she they it you this that these those".split()  # noqa: SIM905
)


def does_verb(verb: str, sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]`` (a name) is who does ``verb`` (a lemma): its
    subject, "Kellow Construction will carry out the work" ("Kellow Construction, the
    lowest bidder, will ..." too; not "The prize has been awarded"), or its passive's
    agent, "Work will be carried out by Kellow Construction". Read within a few words,
    not parsed; a pronoun ("I've come away with nothing") is nobody's name."""
    if sentence[start:end].lower().replace("’", "'") in _NO_NAMES:
        return False
    active, passive = _doer_patterns(verb)
    return active.match(sentence, end) is not None or passive.search(sentence[:start]) is not None


@functools.lru_cache(maxsize=1024)
def _doer_patterns(verb: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """:func:`does_verb`'s two patterns for ``verb``: what follows its subject (an
    apposition, an auxiliary, an adverb or two, then the verb), and what precedes its
    passive's agent ("carried out by the")."""
    forms = "|".join(map(re.escape, sorted(_reported_forms(verb), key=len, reverse=True)))
    auxiliaries = "|".join(sorted(_FINITE_AUXILIARIES | {"do"}))
    active = re.compile(
        rf"(?:\s*,[^,.;]{{0,60}},)?\s+(?:(?:{auxiliaries})\s+)?(?:(?:also|now|then|soon|not)\s+)"
        rf"{{0,2}}(?:{forms})\b",
        re.I,
    )
    passive = re.compile(rf"\b(?:{forms})\b(?:\s+[a-z]+){{0,2}}?\s+by\s+(?:the\s+)?$", re.I)
    return active, passive


#: How news reports that a body decided: "What did the council decide?" is answered by
#: "The council voted 7 to 2 to approve a new bridge", which never says "decided" (new
#: user; it scored below the relevance threshold).
DECISION_VERBS = ("vote", "approve", "reject", "agree", "choose", "rule", "adopt", "opt")
#: How news reports a win: "Who won the match?" is answered by "Ashby Rovers beat Kelton
#: Town 3-2" (a new user's: the next fixture's sentence was quoted, then refused).
WIN_VERBS = ("beat", "defeat", "edge", "clinch", "triumph")


@functools.lru_cache(maxsize=1024)
def _reported_forms(verb: str) -> frozenset[str]:
    """The inflections of ``verb`` and of the verbs news reports it with (a decision's
    :data:`DECISION_VERBS`, a win's :data:`WIN_VERBS`)."""
    return _verb_forms(verb).union(
        *(_verb_forms(v) for v in DECISION_VERBS if verb == "decide"),
        *(_verb_forms(v) for v in WIN_VERBS if verb == "win"),
    )


@functools.lru_cache(maxsize=1024)
def _verb_forms(verb: str) -> frozenset[str]:
    """``verb`` and its inflections ("promise", "promised", "promises", "promising")."""
    forms = {verb}
    for inflected in lemminflect.getAllInflections(verb, "VERB").values():
        forms.update(inflected)
    return frozenset(forms)


_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_TOKEN = re.compile(r"[\w'’-]+")


@functools.lru_cache(maxsize=4096)
def _verb(word: str, form: str) -> str | None:
    """The lemma of ``word`` when it can be a verb in ``form`` (Penn tag: "VB" for
    "decide", "rule", "coach"; "VBN" for "banned"), not an auxiliary or a verb of change or
    comparison; else ``None``."""
    for lemma in lemminflect.getAllLemmas(word).get("VERB", ()):
        if lemma in _UNCHECKED_VERBS:
            return None
        inflections = lemminflect.getAllInflections(lemma, "VERB")
        # lemminflect leaves out VBN where it equals VBD ("ban": "banned")
        if word in inflections.get(form, inflections.get("VBD", ()) if form == "VBN" else ()):
            return lemma
    return None
