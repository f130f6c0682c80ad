"""Sentence vectors embedded in the background while the chat is idle.

The extractive answerer scores every sentence of its ~20 candidate chunks by cosine to
the question. A sentence seen for the first time must be embedded: about 150 of them for
a new question, five times the cost of the rest of the answer (bench/RESULTS.md,
benchmark 2). With ``sentence_vectors=background`` (the default) a long-lived process
(the chat, ``answer()`` from Python) runs a :class:`SentenceFill` thread that embeds the
sentences of every stored chunk into the embedding cache, a batch at a time, and holds
back while a question is being answered (:meth:`SentenceFill.foreground`). Once it has
passed over the index a question embeds only itself.

It is the model work of ``sentence_vectors=ingest``, done after ingestion rather than
inside it: ``newsdesk ingest`` stays as fast as before and the articles are searchable as
soon as it ends; the vectors persist in the cache file, keyed by content, so each
sentence is embedded once, ever, and a later pass over a filled index only reads.

Not done here: priorities between several indexes of one process (each fill holds back
only for questions on its own index), and following articles added after the pass
began beyond the page it reads next (the answerer embeds what is missing, as ``lazy``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from qa.extractive import scorable_sentences
from vectorstore.embedding_cache import CachedEmbeddings, content_hash

log = logging.getLogger(__name__)

#: Chunks read from the vector store per page.
PAGE_CHUNKS = 256
#: Sentences embedded per batch. A question that arrives during a batch waits for at most
#: this one batch: 32 sentences take about 60 ms on 2 cores in bfloat16 (bench/RESULTS.md).
FILL_BATCH = 32


class SentenceFill(threading.Thread):
    """A daemon thread that embeds the scorable sentences of every chunk in ``store``.

    Args:
        store: a LangChain ``Chroma`` (anything with ``get(limit=, offset=, include=)``
            and ``_collection.count()``).
        vectors: the answerer's cache-backed embeddings; vectors land in its cache file.

    Attributes (read them from any thread):
        chunks_total: chunks in the store when the pass began.
        chunks_done: chunks whose sentences have been looked up (and embedded if missing).
        embedded: sentences embedded by this pass (the rest were in the cache already).
        seconds: wall time of the pass so far, pauses included.
        error: the exception that ended the pass early (e.g. the collection was replaced
            by a rebuild in another process), else ``None``.

    The pass ends by itself; :meth:`stop` ends it early (after the batch in flight).
    """

    def __init__(
        self,
        store: Any,
        vectors: CachedEmbeddings,
        *,
        page: int = PAGE_CHUNKS,
        batch: int = FILL_BATCH,
    ):
        super().__init__(name="newsdesk-sentence-fill", daemon=True)
        self.store, self.vectors = store, vectors
        self.page, self.batch = page, batch
        self.chunks_total = 0
        self.chunks_done = 0
        self.embedded = 0
        self.seconds = 0.0
        self.error: Exception | None = None
        self.finished = threading.Event()
        self._halt = threading.Event()
        self._gate = threading.Condition()
        self._busy = 0

    @contextlib.contextmanager
    def foreground(self) -> Iterator[None]:
        """While inside, no new batch starts (the one in flight finishes): wrap answering."""
        with self._gate:
            self._busy += 1
        try:
            yield
        finally:
            with self._gate:
                self._busy -= 1
                self._gate.notify_all()

    def stop(self) -> None:
        """End the pass after the batch in flight."""
        self._halt.set()
        with self._gate:
            self._gate.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the pass has ended; ``True`` when it has."""
        return self.finished.wait(timeout)

    def run(self) -> None:
        started = time.perf_counter()
        try:
            self.chunks_total = int(self.store._collection.count())
            offset = 0
            while self._wait_idle():
                page = self.store.get(
                    limit=self.page, offset=offset, include=["documents", "metadatas"]
                )
                # with its article's title: a sentence that says "it" is also read after it
                titled = [
                    (t, str((m or {}).get("title") or ""))
                    for t, m in zip(
                        page.get("documents") or [], page.get("metadatas") or [], strict=False
                    )
                    if t
                ]
                if not page.get("ids"):
                    break
                offset += len(page["ids"])
                self._fill(titled)
                self.chunks_done = min(offset, max(self.chunks_total, offset))
                self.seconds = time.perf_counter() - started
        except Exception as e:  # a background pass never takes the process down
            self.error = e
            log.warning("the background sentence pass stopped early: %r", e, exc_info=True)
        finally:
            self.seconds = time.perf_counter() - started
            self.finished.set()

    def _fill(self, titled: list[tuple[str, str]]) -> None:
        sentences = list(
            dict.fromkeys(s for t, title in titled for s in scorable_sentences(t, title))
        )
        hashes = [content_hash(s) for s in sentences]
        found = self.vectors.cache.get(self.vectors.model, hashes)
        missing = [s for s, h in zip(sentences, hashes, strict=True) if h not in found]
        for i in range(0, len(missing), self.batch):
            if not self._wait_idle():
                return
            part = missing[i : i + self.batch]
            self.vectors.embed_documents(part)  # stores what is still missing
            self.embedded += len(part)

    def _wait_idle(self) -> bool:
        """Wait while a question is answered; ``False`` when the pass was stopped."""
        with self._gate:
            while self._busy and not self._halt.is_set():
                self._gate.wait(timeout=1.0)
        return not self._halt.is_set()
