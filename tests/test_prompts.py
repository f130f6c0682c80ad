import string

from prompts import load_prompt


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_answer_prompt_variables_are_pinned():
    p = load_prompt("answer")
    assert _fields(p["abstention"]) == {"closest"}
    assert _fields(p["closest_item"]) == {"title", "name"}
    assert _fields(p["abstention_no_articles"]) == set()
    assert _fields(p["abstention_no_match"]) == {"filters", "dates_note"}
    assert _fields(p["abstention_filtered"]) == {"filters"}
    assert _fields(p["abstention_no_match_close"]) == {"sources"}
    assert _fields(p["abstention_no_match_sources"]) == {"sources"}
    assert _fields(p["abstention_missing"]) == {"missing", "closest"}
    assert _fields(p["user"]) == {"passages", "question"}
    assert _fields(p["system"]) == set()
    # every refusal starts with the abstention's first sentence: follow-ups tell a refused
    # turn by it (qa.followup._refused) and the LLM is told to reply with it
    first = p["abstention"].split(".")[0]
    assert first == "Not found in the articles"
    for key in ("abstention_missing", "abstention_no_articles", "abstention_no_match"):
        assert p[key].startswith(first), key
    assert f"reply exactly: {first}." in p["system"]


def test_condense_prompt_variables_are_pinned():
    p = load_prompt("condense")
    assert _fields(p["system"]) == set()
    assert _fields(p["user"]) == {"history", "question"}
