"""Near-duplicate articles: MinHash estimates of the resemblance of word shingles.

Syndicated copies of a story are often lightly edited: another headline, the outlet's
boilerplate, a word or two changed. Their exact content hashes differ, but their sets of
word shingles (every run of :data:`SHINGLE_WORDS` consecutive words) mostly agree. The
*resemblance* of two documents is the Jaccard similarity of their shingle sets,
``|S(A) ∩ S(B)| / |S(A) ∪ S(B)|``, and the share of equal minima under random hash
permutations is an unbiased estimate of it (Broder, "On the resemblance and containment of
documents", SEQUENCES 1997). :data:`PERMUTATIONS` = 128 minima give a standard error of
``sqrt(r (1 - r) / 128)``, about 0.03 near the threshold.

Threshold: Broder (1997) calls documents whose resemblance is "close to 1" roughly the
same and leaves the cut-off to the application. :data:`NEAR_DUPLICATE_THRESHOLD` = 0.7
comes from what this module measures on news text (exact Jaccard / MinHash estimate):

- a 167-word wire story re-headlined, with an outlet's 15-word footer added and two
  words changed: 0.77 / 0.76; its first 100 words re-headlined with the footer: 0.80 / 0.80;
- a follow-up story on the same event sharing its opening sentence: 0.10 / 0.09;
- the same wire story with a 35-word update paragraph added and one figure changed:
  0.73 / 0.73, so a "write-through" update filed under a new name counts as a copy too.

No resemblance threshold separates the last case from the first: set
``near_duplicate_threshold`` to 1 to keep such updates (only copies whose sampled shingles
all agree are then skipped). A skipped copy is named in the summary with its original.

Articles of fewer than :data:`MIN_SHINGLES` shingles (about 50 words) are not tested:
on the rgb-en-news snippets (20-40 words each) a 0.7 threshold matched different films'
"cast and crew credits" blurbs. Shingles are over lower-cased word tokens; Chinese,
Japanese and Korean characters count as one token each (they are written without
spaces). Each shingle's CRC-32 is mixed with one seed per permutation by SplitMix64's
finaliser; only the low 32 bits of each minimum are kept (a false equal minimum has
probability 2^-32).

Stored articles are looked up by locality-sensitive hashing (:func:`band_hashes`, kept in
the keyword index) and only the candidates' signatures are compared; the articles of one
run are compared with each other by a vectorised scan (:class:`NearDuplicates`).

Not here: containment (a story quoted whole inside a longer one).
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib

import numpy as np

#: Words per shingle.
SHINGLE_WORDS = 5
#: MinHash permutations (signature length).
PERMUTATIONS = 128
#: Estimated resemblance at or above which a new article counts as a copy (see above).
NEAR_DUPLICATE_THRESHOLD = 0.7

#: Minimum shingles (about that many words) for the near-duplicate test: in a short
#: snippet a changed name or figure is the whole news, and shared boilerplate ("cast and
#: crew credits, including actors...") dominates; such texts are compared exactly only.
MIN_SHINGLES = 50

_rng = np.random.Generator(np.random.PCG64(20250101))  # fixed: signatures are stored
_SEEDS = _rng.integers(0, np.iinfo(np.uint64).max, size=PERMUTATIONS, dtype=np.uint64)
del _rng
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")
_BLOCK = 8192


def shingles(text: str, w: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``w``-word shingles of ``text`` (the whole text when it is shorter)."""
    words = _TOKEN.findall(text.lower())
    if len(words) <= w:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + w]) for i in range(len(words) - w + 1)}


def signature(text: str, min_shingles: int = 1) -> np.ndarray | None:
    """MinHash signature of ``text``: :data:`PERMUTATIONS` uint32 values, or ``None`` for
    a text with fewer than ``min_shingles`` shingles."""
    found = shingles(text)
    if not found or len(found) < min_shingles:
        return None
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in found), dtype=np.uint64, count=len(found)
    )
    mins = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):  # the mixing multiplies modulo 2^64 on purpose
        for i in range(0, len(hashes), _BLOCK):  # bounded memory for a 20 MB article
            mins = np.minimum(mins, _mix(hashes[i : i + _BLOCK, None] ^ _SEEDS).min(axis=0))
    return (mins & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea & Flood, OOPSLA 2014): a bijection on 64-bit
    integers whose output order is unrelated to the input order, one per seed."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated resemblance of two signatures: the share of equal minima."""
    return float(np.mean(a == b))


#: Locality-sensitive hashing of signatures: :data:`BANDS` bands of :data:`ROWS` minima.
#: Two articles share a band with probability ``1 - (1 - r**ROWS)**BANDS`` at resemblance
#: ``r`` (Leskovec, Rajaraman and Ullman, *Mining of Massive Datasets*, ch. 3.4): a copy at
#: the 0.7 threshold is missed with probability ``(1 - 0.7**4)**32`` < 0.0002, so looking
#: up only the articles that share a band with a new one misses almost no copy.
BANDS, ROWS = 32, 4


def band_hashes(sig: np.ndarray) -> list[int]:
    """The signature's :data:`BANDS` band keys: signed 64-bit integers (for SQLite), equal
    for two signatures exactly when that band's :data:`ROWS` minima are all equal (up to
    hash collisions, which only add candidates)."""
    raw = to_bytes(sig)
    width = 4 * ROWS
    return [
        int.from_bytes(
            hashlib.blake2b(bytes([b]) + raw[b * width : (b + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for b in range(BANDS)
    ]


def to_bytes(sig: np.ndarray) -> bytes:
    """A signature as 4 * :data:`PERMUTATIONS` little-endian bytes (for SQLite)."""
    return sig.astype("<u4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray | None:
    """The signature written by :func:`to_bytes`, or ``None`` if ``raw`` is not one."""
    if len(raw) != 4 * PERMUTATIONS:
        return None
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def encode(sig: np.ndarray) -> str:
    """A signature as a short ASCII string (for Chroma metadata)."""
    return base64.b64encode(to_bytes(sig)).decode("ascii")


def decode(value: object) -> np.ndarray | None:
    """The signature stored by :func:`encode`, or ``None`` if ``value`` is not one."""
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except ValueError:
        return None
    return from_bytes(raw)


class NearDuplicates:
    """Signatures of the articles kept so far, and a lookup of the most similar one.

    Args:
        threshold: estimated resemblance at which an article counts as a copy.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD):
        self.threshold = threshold
        self.ids: list[str] = []
        # signatures as rows of one array that doubles when full: adding is amortised
        # O(1) (re-stacking every row after each add made ingestion quadratic)
        self._matrix: np.ndarray | None = None
        self._rows: dict[str, int] = {}

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._rows

    def add(self, article_id: str, sig: np.ndarray | None) -> None:
        """Keep ``sig`` as ``article_id``'s signature; a later one replaces an earlier one
        (an article edited since it was stored is compared as it is now)."""
        if sig is None:
            return
        if article_id in self._rows:
            assert self._matrix is not None
            self._matrix[self._rows[article_id]] = sig
            return
        n = len(self.ids)
        if self._matrix is None:
            self._matrix = np.empty((64, *sig.shape), dtype=sig.dtype)
        elif n == len(self._matrix):
            self._matrix = np.concatenate([self._matrix, np.empty_like(self._matrix)])
        self._matrix[n] = sig
        self._rows[article_id] = n
        self.ids.append(article_id)

    def remove(self, article_id: str) -> None:
        """Forget ``article_id`` (a copy replaced by a better one); unknown ids are
        ignored. The last row moves into its place, O(1)."""
        row = self._rows.pop(article_id, None)
        if row is None:
            return
        assert self._matrix is not None
        last = len(self.ids) - 1
        if row != last:
            moved = self.ids[last]
            self._matrix[row], self.ids[row], self._rows[moved] = self._matrix[last], moved, row
        self.ids.pop()

    def find(self, sig: np.ndarray | None, exclude: str = "") -> tuple[str, float] | None:
        """``(article id, resemblance)`` of the most similar kept article at or above the
        threshold (``exclude`` left out: an article is no copy of itself), else ``None``."""
        if sig is None or self._matrix is None or not self.ids:
            return None
        scores = (self._matrix[: len(self.ids)] == sig).mean(axis=1)
        above = np.flatnonzero(scores >= self.threshold)
        for i in above[np.argsort(-scores[above], kind="stable")]:
            if self.ids[i] != exclude:
                return self.ids[i], float(scores[i])
        return None
