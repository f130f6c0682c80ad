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
    assert p["abstention"].startswith("Not found in the articles")
    assert p["abstention_missing"].startswith("Not found in the articles")


def test_condense_prompt_variables_are_pinned():
    p = load_prompt("condense")
    assert _fields(p["system"]) == set()
    assert _fields(p["user"]) == {"history", "question"}
