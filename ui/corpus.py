"""The corpus behind the chat: list, add (uploads), delete, rebuild, and read articles.

Everything goes through the ingestion pipeline's and the vector store's public functions
(:func:`ingest.pipeline.ingest_paths`, :func:`vectorstore.store.open_store`, ...), under
one lock per :class:`Corpus`, and every change clears the cached QA chains so the next
question sees it.

Uploaded files are saved into ``settings.upload_dir`` under a sanitised name
(:func:`safe_filename`): no folder part, no leading dot, only letters, digits and
``._- ``; a name taken by a different file gets a numbered suffix. Nothing is ever
written outside that folder. The names of the files saved are kept in
:data:`UPLOADS_MANIFEST` in that folder, and only those files are ever deleted: the
folder may be one the user keeps their own articles in (``NEWSDESK_UPLOAD_DIR``).

Not here: Gradio (see :mod:`ui.blocks`); watching folders for new files; undo.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from ingest.models import Skipped, shown_name, split_item_id
from newsdesk.errors import BadInput
from newsdesk.settings import Settings

if TYPE_CHECKING:
    from langchain_chroma import Chroma

    from ingest.pipeline import IngestReport, ProgressEvent

#: File types ingestion reads (see :mod:`ingest.loaders`).
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".json", ".jsonl")

#: The list of files the chat saved into ``upload_dir`` (one name a line; a hidden file,
#: so ingesting the folder passes it by).
UPLOADS_MANIFEST = ".newsdesk-uploads"

#: ``progress(fraction 0..1, description)``.
ProgressFn = Callable[[float, str], None]


@dataclass(frozen=True)
class ArticleRow:
    """One indexed article: ``chunks`` is the number of chunks stored for it, ``publisher``
    its publisher's name (a feed item's or front matter's ``source``, a page's site name)
    when known."""

    article_id: str
    title: str
    published: str | None
    source: str
    chunks: int
    publisher: str | None = None

    @property
    def file_name(self) -> str:
        """The source file's name, with ``#key`` for an article of a feed (its id there)."""
        return shown_name(self.article_id)


def source_choices(rows: list[ArticleRow]) -> list[tuple[str, str]]:
    """:meth:`Corpus.source_choices` of the articles ``rows``."""
    files = sorted({(Path(a.source).name, a.source) for a in rows if a.source})
    publishers: dict[str, str] = {}
    for a in rows:
        if a.publisher:
            publishers.setdefault(a.publisher.casefold(), a.publisher)
    named = sorted(publishers.values(), key=str.casefold)
    return files + [(f"publisher: {p}", p) for p in named]


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder, made from an uploaded file's name.

    Folder parts (``/`` or ``\\``) are dropped, the name is NFKC-normalised, characters
    other than letters, digits, ``.``, ``_``, ``-`` and space become ``_``, leading dots
    and spaces are removed (no hidden files, no ``..``), and it is cut to 120 characters
    keeping the suffix.

    Raises:
        BadInput: nothing usable is left of the name.
    """
    base = unicodedata.normalize("NFKC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).rstrip()
    # the suffix of the name as given (and as the upload's type was read): "..txt" and
    # " .md" have no name before it (they were saved as "txt" and "md", with no suffix,
    # and then skipped and deleted: a breaker's)
    suffix = PurePath(base).suffix if base.strip() else ""
    stem = base[: len(base) - len(suffix)].strip().lstrip(". ")
    base = stem[: 120 - len(suffix)].rstrip(" .") + suffix
    if not stem.strip("._- "):
        raise BadInput(f"the file name {name!r} has no usable characters; rename the file")
    return base


#: MinHash resemblance at or above which an upload is a corrected version of the file
#: saved under its name before (a correction changes a few figures or words; another
#: story shares little beyond a site's menus).
CORRECTION_RESEMBLANCE = 0.5


def _same_story(old: Path, new: Path) -> bool:
    """Whether ``new``, uploaded under the name of the saved file ``old``, is a corrected
    version of it: an article title in common, or texts whose MinHash resemblance is at
    least :data:`CORRECTION_RESEMBLANCE` (:mod:`ingest.dedup`). True when ``old`` holds
    no readable article (nothing of it is lost); false when ``new`` holds none (it is
    saved beside ``old``, and ingesting it says why it is skipped)."""
    from ingest import dedup
    from ingest.loaders import load_articles
    from ingest.models import Article

    def read(path: Path) -> list[Article]:
        return [a for a in load_articles([path]) if isinstance(a, Article)]

    before, after = read(old), read(new)
    if not before:
        return True
    if not after:
        return False
    if {a.title.casefold() for a in before} & {a.title.casefold() for a in after}:
        return True
    was, now = dedup.signature(before[0].text), dedup.signature(after[0].text)
    return (
        was is not None
        and now is not None
        and dedup.resemblance(was, now) >= CORRECTION_RESEMBLANCE
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Corpus:
    """The index described by ``settings``, for the chat UI.

    Args:
        settings: ``persist_dir``, ``collection``, ``embedding_model``, chunking,
            ``upload_dir`` and ``max_upload_mb`` are used.
        on_change: called after every change to the index (the UI passes a function that
            clears the cached QA chains).
    """

    def __init__(self, settings: Settings, on_change: Callable[[], None] | None = None):
        self.settings = settings
        self.on_change = on_change or (lambda: None)
        self._lock = threading.Lock()
        self._manifest_lock = threading.Lock()

    # ----------------------------------------------------------------- reading

    def _store(self) -> Chroma:
        """The index, opened to read and delete chunks: without the embedding model, which
        only adding and searching need (``newsdesk list`` took 8 s to load it)."""
        from vectorstore.store import open_store

        return open_store(self.settings, None, create=False)

    def articles(self) -> list[ArticleRow]:
        """Every indexed article, newest first (undated last), then by title.

        Raises:
            IndexMismatch, NewsdeskError: the index cannot be opened.
        """
        from newsdesk.errors import IndexNotFound

        try:
            store = self._store()
        except IndexNotFound:
            return []
        got = store.get(include=["metadatas"])
        rows: dict[str, dict[str, Any]] = {}
        for meta in got["metadatas"]:
            meta = meta or {}
            aid = str(meta.get("article_id", ""))
            row = rows.setdefault(aid, {"meta": meta, "chunks": 0})
            row["chunks"] += 1
        out = [
            ArticleRow(
                article_id=aid,
                title=str(r["meta"].get("title") or PurePath(aid).name),
                published=str(r["meta"]["published"]) if r["meta"].get("published") else None,
                source=str(r["meta"].get("source", "")),
                chunks=r["chunks"],
                publisher=str(r["meta"].get("source_name") or "").strip() or None,
            )
            for aid, r in rows.items()
            if aid
        ]
        out.sort(key=lambda a: a.title.lower())
        out.sort(key=lambda a: a.published or "", reverse=True)
        return out

    def source_choices(self) -> list[tuple[str, str]]:
        """The source filter's choices, ``[(label, value)]``: each indexed file by name,
        then each publisher (``"publisher: Border Gazette"``), both sorted; the value is
        what ``filters={"source": [...]}`` takes. A publisher spelt in several cases
        appears once, as first found (filters ignore case)."""
        return source_choices(self.articles())

    def sources(self) -> list[str]:
        """Distinct source file paths of the indexed articles (for the source filter)."""
        return sorted({a.source for a in self.articles() if a.source})

    def article_text(self, article_id: str) -> tuple[str, str, list[str]]:
        """``(title, text, facts)`` of an indexed article, ``text`` exactly as chunk offsets
        index it.

        Read from its source file with the ingestion loaders; when the file is gone or has
        changed since it was indexed, rebuilt from the stored chunks (gaps, such as page
        boilerplate that was never indexed, are filled with spaces so offsets still hold).

        Raises:
            BadInput: no such article in the index.
        """
        from ingest.loaders import load_articles

        store = self._store()
        got = store.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        if not got["ids"]:
            raise BadInput(f"no article {article_id!r} in the index (was it deleted?)")
        metas = [m or {} for m in got["metadatas"]]
        meta = metas[0]
        facts = [PurePath(split_item_id(article_id)[0]).name]
        facts += [str(meta[k]) for k in ("published", "author", "url") if meta.get(k)]
        title = str(meta.get("title") or facts[0])
        source = str(meta.get("source", ""))
        if source and Path(source).is_file():
            for item in load_articles([source]):
                if getattr(item, "id", None) == article_id and getattr(
                    item, "content_hash", None
                ) == meta.get("content_hash"):
                    return title, str(item.text), facts  # type: ignore[union-attr]
        end = max(int(m.get("end", 0)) for m in metas)
        chars = [" "] * end
        for doc, m in zip(got["documents"], metas, strict=True):
            start = int(m.get("start", 0))
            chars[start : start + len(doc or "")] = list(doc or "")
        return title, "".join(chars), [*facts, "rebuilt from the index: the file has changed"]

    # ----------------------------------------------------------------- writing

    def save_uploads(self, files: Iterable[tuple[str, Path]]) -> tuple[list[Path], list[str]]:
        """Copy uploaded files into ``upload_dir``.

        Args:
            files: ``(name the user gave, path of the uploaded temporary file)`` pairs.

        Returns:
            ``(saved paths, messages for files refused)``: a file is refused when its type
            is not one ingestion reads, it is larger than ``max_upload_mb``, or its name has
            no usable characters. A file identical to one already saved is not copied again;
            one named like a file uploaded in an earlier call, different but of the same
            story (:func:`_same_story`), replaces it (a corrected version: ingesting it then
            updates that article); one named like another file, or holding another story,
            gets a numbered name (``name-2.txt``).
        """
        limit = int(self.settings.max_upload_mb * 1_000_000)
        folder = self.settings.upload_dir.expanduser().resolve()
        saved: list[Path] = []
        refused: list[str] = []
        for name, temp in files:
            shown = PurePath(str(name).replace("\\", "/")).name or str(name)
            suffix = PurePath(shown).suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                refused.append(
                    f"{shown}: file type {suffix or '(none)'} is not supported; "
                    f"upload {', '.join(UPLOAD_SUFFIXES)}"
                )
                continue
            size = Path(temp).stat().st_size
            if size > limit:
                refused.append(
                    f"{shown}: {size / 1e6:.1f} MB is over the {self.settings.max_upload_mb:g} MB "
                    "upload limit (NEWSDESK_MAX_UPLOAD_MB)"
                )
                continue
            try:
                clean = safe_filename(name)
                target = self._target(folder, clean, Path(temp))
            except BadInput as e:
                refused.append(str(e))
                continue
            earlier = (folder / clean).resolve()
            if (
                target != earlier
                and earlier.parent == folder
                and earlier not in saved
                and earlier.name in self._uploaded(folder)
                and _same_story(earlier, Path(temp))
            ):
                # the same name as a file uploaded before, with other content of the same
                # story: a corrected version, which replaces it (saved beside it, it was
                # skipped as a near-duplicate of the old one, and the old figures stayed;
                # a breaker's). Another story under a common name ("index.html") is saved
                # beside it: it replaced the earlier story (another breaker's)
                partial = earlier.with_name(f".{earlier.name}.part")
                shutil.copyfile(temp, partial)
                partial.replace(earlier)
                saved.append(earlier)
                continue
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(temp, target)
                self._uploaded(folder, add=target.name)
            saved.append(target)
        return saved, refused

    def _uploaded(self, folder: Path, add: str = "", drop: str = "") -> set[str]:
        """The names in ``folder``'s :data:`UPLOADS_MANIFEST`, after adding ``add`` and
        removing ``drop`` (the file is rewritten only then, through a temporary file)."""
        manifest = folder / UPLOADS_MANIFEST
        with self._manifest_lock:
            try:
                names = set(manifest.read_text(encoding="utf-8").splitlines()) - {""}
            except FileNotFoundError:
                names = set()
            changed = (names | {add}) - {drop, ""}
            if changed != names:
                temp = manifest.with_name(manifest.name + ".tmp")
                temp.write_text("".join(f"{n}\n" for n in sorted(changed)), encoding="utf-8")
                temp.replace(manifest)
            return changed

    def _delete_upload(self, file: Path) -> None:
        """Delete ``file`` when the chat saved it (it is in the upload folder's manifest);
        a file of the user's own in that folder is kept."""
        folder = self.settings.upload_dir.expanduser().resolve()
        if file.parent == folder and file.name in self._uploaded(folder) and file.is_file():
            file.unlink()
            self._uploaded(folder, drop=file.name)

    @staticmethod
    def _target(folder: Path, name: str, temp: Path) -> Path:
        """Where to save ``temp`` as ``name``: the name itself, or ``stem-2.ext``, ... when a
        different file has it; the same path when an identical file is there already."""
        stem, suffix = PurePath(name).stem, PurePath(name).suffix
        digest = _sha256(temp)
        for n in range(1, 1000):
            candidate = (folder / (name if n == 1 else f"{stem}-{n}{suffix}")).resolve()
            if candidate.parent != folder:  # belt and braces: safe_filename already ensures it
                raise BadInput(f"{name!r} would be saved outside {folder}; rename the file")
            if not candidate.exists() or (candidate.is_file() and _sha256(candidate) == digest):
                return candidate
        raise BadInput(f"too many files named {name!r} in {folder}; rename the file")

    def add(self, paths: list[Path], progress: ProgressFn | None = None) -> IngestReport:
        """Ingest ``paths`` into the index (created when missing); see
        :func:`ingest.pipeline.ingest_paths` for the report. A file the chat saved
        (see :data:`UPLOADS_MANIFEST`) of which nothing was stored is deleted, its skip
        reason saying so: no row of the corpus shows it, so it could not be deleted
        later."""
        from vectorstore.store import write_lock

        with self._lock:
            held = write_lock(self.settings)  # waits for an ingest in another process
            try:
                report = self._ingest([str(p) for p in paths], progress)
                self._drop_skipped_uploads(paths, report)
                return report
            finally:
                held.release()
                self.on_change()

    def _drop_skipped_uploads(self, paths: list[Path], report: IngestReport) -> None:
        folder = self.settings.upload_dir.expanduser().resolve()
        stored = [*report.ingested, *report.unchanged]
        for path in paths:
            file = Path(path).resolve()
            if folder not in file.parents or not file.is_file():
                continue
            name = file.as_posix()
            if any(a == name or a.startswith(name + "#") for a in stored):
                continue  # a feed with some items stored is kept whole
            if file.parent != folder or file.name not in self._uploaded(folder):
                continue  # the user's own file, not a copy the chat saved
            for i, s in enumerate(report.skipped):
                if Path(split_item_id(s.path)[0]).resolve() == file:
                    report.skipped[i] = replace(s, reason=s.reason + "; the upload is deleted")
            self._delete_upload(file)

    def _ingest(
        self, paths: list[str], progress: ProgressFn | None, into: Settings | None = None
    ) -> IngestReport:
        """Run the ingest pipeline over ``paths`` into the (created when missing) index, or
        into the index ``into`` names (a rebuild's side collection)."""
        from ingest.chunking import cl100k_counter
        from ingest.pipeline import ingest_paths
        from vectorstore.embeddings import embedding_window, load_embeddings
        from vectorstore.store import open_keyword_index, open_store

        settings = into or self.settings
        embeddings = load_embeddings(settings.embedding_model, settings.embedding_precision)
        store = open_store(settings, embeddings, create=True)
        keyword = open_keyword_index(settings, store)
        try:
            return ingest_paths(
                paths,
                store,
                settings,
                cl100k_counter(),
                embedding_window(embeddings),
                progress=_adapt(progress),
                keyword=keyword,
            )
        finally:
            if into is not None:
                keyword.close()  # its file is moved into place by finish_rebuild

    def delete(self, article_id: str) -> int:
        """Remove an article's chunks from the index; returns how many were removed.

        When the chat saved the article's file (see :data:`UPLOADS_MANIFEST`) and no
        other indexed article comes from that file, the file is deleted too, so that a
        later ingest of the folder does not bring it back.

        Raises:
            BadInput: no such article in the index.
        """
        from vectorstore.store import write_lock

        with self._lock:
            held = write_lock(self.settings)
            try:
                return self._delete(article_id)
            finally:
                held.release()

    def _delete(self, article_id: str) -> int:
        from vectorstore.store import delete_chunks, open_keyword_index

        store = self._store()
        got = store.get(where={"article_id": article_id}, include=["metadatas"])
        ids = list(got["ids"])
        if not ids:
            raise BadInput(f"no article {article_id!r} in the index (already deleted?)")
        source = str((got["metadatas"][0] or {}).get("source", ""))
        open_keyword_index(self.settings, store).delete(ids)
        delete_chunks(store, ids)
        self.on_change()
        if source and not store.get(where={"source": source}, include=[], limit=1)["ids"]:
            self._delete_upload(Path(source).resolve())
        return len(ids)

    def rebuild(self, progress: ProgressFn | None = None) -> IngestReport:
        """Build the index again from the source files of the articles it held, beside
        the old one, which it replaces only once complete. Only those articles: an item
        deleted from a feed's articles stays deleted, and items new in a feed are left to
        an ingest (both are in ``skipped``, with the reason).

        Raises:
            BadInput: the index is empty, an indexed article's file is missing now (a
                folder renamed or not mounted) or cannot be read (empty or damaged: the
                rebuild would drop its article), or nothing could be ingested; the index
                is then left as it is.
        """
        from ingest.pipeline import rebuild_would_drop, unreadable_but_indexed
        from vectorstore.store import (
            delete_index,
            finish_rebuild,
            rebuild_lock,
            start_rebuild,
            write_lock,
        )

        with self._lock:
            held_before = self.articles()
            sources = sorted({a.source for a in held_before if a.source})
            existing = [s for s in sources if Path(s).exists()]
            if not existing:
                raise BadInput(
                    "nothing to rebuild from: the index is empty or none of its article "
                    "files exist any more; the index was left as it is"
                )
            missing = [s for s in sources if s not in existing]
            if missing:
                # a folder renamed or a drive not mounted: the index holds the only copy
                # of those articles' text the chat has (a breaker's lost two)
                shown = ", ".join(PurePath(m).name for m in missing[:3])
                more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                raise BadInput(
                    f"{len(missing)} indexed article file(s) cannot be found now ({shown}"
                    f"{more}): a rebuild would drop their articles. Bring the files back "
                    "(mount the folder), or delete those articles first; the index was "
                    "left as it is"
                )
            lock = rebuild_lock(self.settings)  # BadInput when another one is running
            held = write_lock(self.settings)  # no ingest into the old index meanwhile
            try:
                # built beside the old index and swapped in when complete: the chat keeps
                # answering from the old one meanwhile, and a failed rebuild leaves it
                side = start_rebuild(self.settings)
                report = self._ingest(sources, progress, into=side)
                # the articles held, not every item of their feeds: one deleted in the
                # Corpus tab came back with its feed (a breaker's)
                held_ids = {a.article_id for a in held_before}
                # (feed items only: a file of its own is a source only while held, and a
                # copy kept in place of a held one must stay)
                dropped = [a for a in report.ingested if a not in held_ids and split_item_id(a)[1]]
                if dropped:
                    report.chunks_added -= _drop_articles(side, dropped)
                    report.ingested = [a for a in report.ingested if a in held_ids]
                    report.skipped += [
                        Skipped(
                            a,
                            "not in the index before the rebuild (deleted, or new in its "
                            "file since): ingest its file to add it",
                        )
                        for a in dropped
                    ]
                if not report.ingested:
                    delete_index(side)  # the empty side collection
                    raise BadInput(
                        "the rebuild ingested nothing (see the reasons in the log); the index "
                        "was left as it is"
                    )
                lost = unreadable_but_indexed(self.settings, report.skipped)
                if lost:  # an article whose file is empty or damaged for now (a breaker's)
                    delete_index(side)
                    raise BadInput(rebuild_would_drop(lost))
                finish_rebuild(side, self.settings)
                # every old chunk was replaced, as `ingest --rebuild` counts them (a new
                # user's: the chat said "0 removed")
                report.chunks_removed += sum(a.chunks for a in held_before)
                return report
            finally:
                held.release()
                lock.release()
                self.on_change()


def _drop_articles(settings: Settings, article_ids: list[str]) -> int:
    """Delete ``article_ids``' chunks from the index ``settings`` names (its keyword index
    too, closed after); returns how many chunks were deleted."""
    from vectorstore.store import delete_chunks, open_keyword_index, open_store

    store = open_store(settings, None, create=False)
    ids: list[str] = []
    for article_id in article_ids:
        ids += store.get(where={"article_id": article_id}, include=[])["ids"]
    keyword = open_keyword_index(settings, store)
    try:
        keyword.delete(ids)
    finally:
        keyword.close()
    delete_chunks(store, ids)
    return len(ids)


def _adapt(progress: ProgressFn | None) -> Callable[[ProgressEvent], None] | None:
    if progress is None:
        return None

    def call(event: ProgressEvent) -> None:
        # files count for half, embedded chunks for the other half of the bar
        files = event.files_done / max(event.files_total, 1)
        chunks = event.chunks_done / max(event.chunks_total, 1) if event.chunks_total else files
        name = PurePath(event.current).name
        progress(
            0.5 * files + 0.5 * chunks,
            f"{event.files_done}/{event.files_total} files, "
            f"{event.chunks_done}/{event.chunks_total} chunks embedded {name}",
        )

    return call


def summarize(report: IngestReport, refused: list[str] | None = None) -> str:
    """A short Markdown summary of an ingestion run (and of refused uploads)."""
    lines = [
        f"**{len(report.ingested)} added**, {len(report.unchanged)} already indexed, "
        f"{len(report.skipped) + len(refused or [])} skipped; "
        f"{report.chunks_added} chunk{'' if report.chunks_added == 1 else 's'} written, "
        f"{report.chunks_removed} removed "
        f"({report.seconds:.1f} s)."
    ]
    lines += [f"- added: {shown_name(a)}" for a in report.ingested]
    lines += [f"- already indexed: {shown_name(a)}" for a in report.unchanged]
    lines += [f"- skipped {shown_name(s.path)}: {s.reason}" for s in report.skipped]
    lines += [f"- note on {shown_name(path)}: {note}" for path, note in report.notes]
    lines += [f"- refused {r}" for r in refused or []]
    return "\n".join(lines)


__all__ = [
    "UPLOAD_SUFFIXES",
    "ArticleRow",
    "Corpus",
    "safe_filename",
    "source_choices",
    "summarize",
]
