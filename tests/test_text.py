"""Stems and terms (qa.text) when several threads ask at once."""

from __future__ import annotations

import itertools
import string
import threading

import snowballstemmer

from qa import text


def test_threads_stemming_at_once_get_the_stems_one_thread_gets():
    """The chat answers on request threads while SentenceFill scores sentences in the
    background; one Snowball stemmer shared between them returned other words' stems
    (and raised IndexError in CI on 66336d9). Each word here is new to the stem cache, so
    every call reaches a stemmer."""
    words = [
        "".join(letters) + suffix
        for letters in itertools.product(string.ascii_lowercase, repeat=3)
        for suffix in ("ing", "ed", "ies", "ational", "ness")
    ]
    reference = snowballstemmer.stemmer("english")
    expected = {w: reference.stemWord(w) for w in words}
    text.stem.cache_clear()
    wrong: list[str] = []
    errors: list[BaseException] = []

    def work(part: list[str]) -> None:
        try:
            wrong.extend(w for w in part if text.stem(w) != expected[w])
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(words[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not wrong, (errors[:1], wrong[:5])
