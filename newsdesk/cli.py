"""The ``newsdesk`` command line: ingest, ask, chat, eval.

Heavy libraries are imported inside the commands, so ``newsdesk --help`` is instant.
Errors newsdesk raises on purpose are printed as one line with advice (exit code 2);
anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from newsdesk.errors import BadInput, IndexNotFound, NewsdeskError
from newsdesk.settings import MAX_K, Settings

if TYPE_CHECKING:
    from qa.types import Answer

app = typer.Typer(
    help="Question answering over news articles, with citations to the exact passages.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # plain Click help: wraps to any width (rich tables cut option names to "…" when
    # the output is piped) and skips importing rich
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"newsdesk {version('newsdesk')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("newsdesk (not installed: pip install -e .)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Question answering over news articles, with citations to the exact passages."""
    warnings.showwarning = _show_warning


_OWN_CODE = Path(__file__).resolve().parent.parent
_PYTHON_SHOWWARNING = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """newsdesk's own warnings (a damaged keyword index or embedding cache, moved aside and
    rebuilt) as one ``warning:`` line on stderr; other libraries' as Python prints them."""
    if Path(filename).resolve().is_relative_to(_OWN_CODE) and ".venv" not in filename:
        typer.secho(f"warning: {message}", err=True, fg="yellow")
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


def _nonempty_dir(value: str | None) -> str | None:
    """``--persist-dir ""`` would be the current folder: an index among the user's files."""
    if value is not None and not value.strip():
        raise typer.BadParameter("is empty: give a folder, or leave it out for the default")
    return value


PersistDir = Annotated[
    str | None,
    typer.Option(
        "--persist-dir",
        metavar="DIR",
        callback=_nonempty_dir,
        help="Folder of the index (env NEWSDESK_PERSIST_DIR; default .newsdesk/index).",
        show_default=False,
    ),
]
ChromaUrl = Annotated[
    str | None,
    typer.Option(
        "--chroma-url",
        metavar="URL",
        help="A Chroma server (http://HOST:PORT, started with `chroma run --path DIR --host "
        "HOST --port PORT`) instead of the embedded index (env NEWSDESK_CHROMA_URL).",
        show_default=False,
    ),
]
K = Annotated[
    int | None,
    typer.Option(
        "--k",
        "-k",
        metavar="N",
        min=1,
        max=MAX_K,
        help="Chunks to retrieve (env NEWSDESK_K; default 4).",
        show_default=False,
    ),
]


AnswererOpt = Annotated[
    str | None,
    typer.Option(
        "--answerer",
        metavar="NAME",
        help="extractive (default; offline, quotes a sentence) or llm (a chat model writes the "
        "answer; citations verified). Env NEWSDESK_ANSWERER.",
        show_default=False,
    ),
]
LLMBackendOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-backend",
        metavar="NAME",
        help="For --answerer llm: llamacpp (local GGUF; default), openai (any "
        "OpenAI-compatible URL) or ollama. Env NEWSDESK_LLM_BACKEND.",
        show_default=False,
    ),
]
LLMModelOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-model",
        metavar="PATH|NAME",
        help="GGUF path (llamacpp; default: packaged SmolLM2-135M-Instruct) or model name "
        "(openai, ollama). Env NEWSDESK_LLM_MODEL.",
        show_default=False,
    ),
]
LLMUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-base-url",
        metavar="URL",
        help="Endpoint, e.g. http://127.0.0.1:8080/v1 (openai) or http://127.0.0.1:11434 "
        "(ollama). Env NEWSDESK_LLM_BASE_URL; the key comes from NEWSDESK_LLM_API_KEY.",
        show_default=False,
    ),
]


def _llm_overrides(
    answerer: str | None, backend: str | None, model: str | None, url: str | None
) -> dict[str, Any]:
    return {"answerer": answerer, "llm_backend": backend, "llm_model": model, "llm_base_url": url}


def _settings(as_json: bool = False, **overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except NewsdeskError as e:
        _fail(e, as_json)


def _stored_chunk_count(settings: Settings) -> int:
    """Chunks in ``settings``' collection (0 when there is none or it cannot be read):
    what a rebuild replaces, reported as removed (its articles that are read again are
    reported as added)."""
    from vectorstore.store import check_location

    try:
        client = check_location(settings, create=False)
        return int(client.get_collection(settings.collection).count())
    except Exception:  # no index yet, or one that cannot be opened: nothing to report
        return 0


def _fail(e: Exception, as_json: bool = False) -> NoReturn:
    """Exit 2 with ``e`` on stderr; with ``as_json`` also ``{"error": ..., "type": ...}``
    on stdout, so a script reading JSON reads the failure too (a breaker's)."""
    if as_json:
        typer.echo(json.dumps({"error": str(e), "type": type(e).__name__}, ensure_ascii=False))
    typer.secho(f"error: {e}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Article files (.txt .md .markdown .html .htm .pdf .json .jsonl) or folders.",
        ),
    ],
    persist_dir: PersistDir = None,
    chroma_url: ChromaUrl = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            help="Build the index anew from PATHS alone, beside the old one, which it "
            "replaces when complete (after a model or chunking change); articles not under "
            "PATHS are dropped. Check with --dry-run first."
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Say what would change; write nothing.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            help="Also remove indexed articles whose files no longer exist, and feed items "
            "no longer in their feed file."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Chunk and embed articles into the index. Re-running on the same files changes nothing.

    Exit codes: 0 done (files skipped with a reason are listed), 1 a path given does not
    exist (the others were read), 2 nothing could be ingested or the index cannot be
    used, 130 interrupted (the index keeps what was written whole)."""
    import sqlite3

    from chromadb.errors import ChromaError
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.chunking import cl100k_counter
    from ingest.loaders import iter_files, load_articles
    from ingest.models import Article, Skipped
    from ingest.pipeline import (
        ProgressEvent,
        ingest_paths,
        prune_missing,
        rebuild_would_drop,
        unreadable_but_indexed,
    )
    from vectorstore.embedding_cache import with_cache
    from vectorstore.embeddings import embedding_window, load_embeddings
    from vectorstore.store import (
        check_folder,
        check_location,
        delete_index,
        finish_rebuild,
        open_keyword_index,
        open_store,
        rebuild_lock,
        start_rebuild,
        write_lock,
    )

    started = time.perf_counter()
    settings = _settings(persist_dir=persist_dir, chroma_url=chroma_url)
    console = Console(stderr=True)
    passed_over: list[Path] = []  # files of types newsdesk does not read
    # a walk, no reading: bad paths fail before the model loads
    found = list(iter_files(paths, passed_over))
    missing = [p for p in paths if not Path(p).exists()]
    if rebuild and missing:
        # a typo'd path would drop every article read from the folder meant (a breaker's)
        _fail(
            BadInput(
                f"{', '.join(map(str, missing))}: no such file or folder; --rebuild would drop "
                "every article read from it. Check the path (the index was left as it is)"
            )
        )
    # `--prune` of folders left empty is how the last articles of a folder are removed
    prune_only = prune and not rebuild and all(Path(p).is_dir() for p in paths)
    if all(isinstance(f, Skipped) for f in found) and not prune_only:
        from ingest.pipeline import IngestReport

        skipped = [f for f in found if isinstance(f, Skipped)]
        seen = sum(f.reason != "no such file or folder" for f in skipped)
        report = IngestReport(files_seen=seen, skipped=skipped, dry_run=dry_run)
        report.unsupported = [p.absolute().as_posix() for p in passed_over]
        if as_json:  # stdout stays JSON; the error goes to stderr
            typer.echo(json.dumps(report.to_dict(), indent=2))
        kept = "; the index was left as it is" if rebuild else ""
        if len(skipped) - seen == len(paths):  # one error, not a skip line and "no files"
            _fail(
                BadInput(
                    f"{', '.join(map(str, paths))}: no such file or folder. Check the path" + kept
                )
            )
        for f in [] if as_json else skipped:
            typer.echo(f"  skipped {_shown(f.path)}: {_shown(f.reason)}")
        for line in [] if as_json else _unsupported_lines(report.unsupported_by_type()):
            typer.echo(line)
        _fail(BadInput(_NO_ARTICLE_FILES + ", ".join(map(str, paths)) + kept))
    target: Settings | None = None  # with --rebuild: the index the rebuilt one replaces
    keyword = None
    replaced = 0
    try:
        if not settings.chroma_url:
            # a dry run too: it said "3 would be ingested" into a folder the real run
            # refuses (a breaker's)
            check_folder(settings, create=True)
        if not dry_run:
            # before the ~8 s model load; a server is reached now, a folder is only
            # opened under the lock (two ingests creating one index at once collide)
            if settings.chroma_url:
                check_location(settings, create=True)
            # one ingest into an index at a time (held until the process ends)
            try:
                held = write_lock(settings, on_wait=lambda m: console.print(f"[yellow]{m}"))  # noqa: F841
            except KeyboardInterrupt:
                # a breaker's: Ctrl-C while waiting exited with no word
                typer.secho(
                    "interrupted while waiting for the other ingest: nothing was written",
                    err=True,
                    fg="yellow",
                )
                raise typer.Exit(130) from None
        with console.status("Loading the embedding model…"):
            embeddings = load_embeddings(settings.embedding_model, settings.embedding_precision)
        if rebuild and not dry_run:
            # never delete the old index for a run that would leave it empty
            if not any(isinstance(a, Article) for a in load_articles([str(p) for p in paths])):
                _fail(
                    BadInput(
                        "nothing ingestible in "
                        + ", ".join(map(str, paths))
                        + "; the index was left as it is"
                    )
                )
            # built beside the old index and swapped in at the end: stopping the run
            # half-way leaves the old index as it was
            lock = rebuild_lock(settings)  # noqa: F841 (held until the process ends)
            target, settings = settings, start_rebuild(settings)
        try:
            if dry_run and rebuild:
                replaced = _stored_chunk_count(settings)  # all of them would be replaced
                raise IndexNotFound("a rebuild starts from an empty index")
            vectors = embeddings if dry_run else with_cache(embeddings, settings)
            store = open_store(settings, vectors, create=not dry_run)
        except IndexNotFound:
            # a dry run before the first ingest, or of a rebuild: everything would be added
            store = None
        with Progress(
            TextColumn("[bold]{task.fields[label]:>6}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            disable=as_json or not console.is_terminal,
        ) as bar:
            files = bar.add_task("", total=None, label="files")
            chunks = bar.add_task("embedded", total=None, label="chunks")

            def progress(event: ProgressEvent) -> None:
                name = Path(event.current).name if event.current else ""
                bar.update(
                    files,
                    completed=event.files_done,
                    total=event.files_total,
                    description=name[-40:],
                )
                bar.update(chunks, completed=event.chunks_done, total=event.chunks_total or None)

            keyword = None if store is None or dry_run else open_keyword_index(settings, store)
            try:
                report = ingest_paths(
                    [str(p) for p in paths],
                    store,
                    settings,
                    cl100k_counter(),
                    embedding_window(embeddings),
                    dry_run=dry_run,
                    progress=progress,
                    keyword=keyword,
                )
            except (ChromaError, sqlite3.Error) as e:
                # the index folder deleted or made read-only mid-run: Chroma's "attempt to
                # write a readonly database" was a traceback (a breaker's)
                bar.stop()
                where = settings.chroma_url or settings.persist_dir
                raise NewsdeskError(
                    f"writing to the index at {where} failed ({e}): it may have been deleted, "
                    "moved or made read-only while this run was under way. Check it, then run "
                    "the same command again (what was written before is kept)"
                ) from e
            except KeyboardInterrupt:
                bar.stop()
                typer.secho(
                    "interrupted: "
                    + (
                        "the old index is unchanged (the rebuild starts over when run again)"
                        if target is not None
                        else "what was written is kept; run the same command again to finish"
                    ),
                    err=True,
                    fg="yellow",
                )
                raise typer.Exit(130) from None
        if target is not None and keyword is not None:
            keyword.close()
            lost = unreadable_but_indexed(target, report.skipped)
            if lost:
                # an indexed article whose file is empty or damaged for now would be
                # dropped though its file is there (a breaker's); a plain ingest keeps it
                delete_index(settings)  # the side collection
                _fail(BadInput(rebuild_would_drop(lost)), as_json)
            if report.ingested:
                replaced = _stored_chunk_count(target)  # the old index's chunks, all replaced
                finish_rebuild(settings, target)
                console.print(f"Rebuilt the index at {target.chroma_url or target.persist_dir}")
            else:  # nothing made it in: keep the old index rather than an empty one
                delete_index(settings)  # the empty side collection
                console.print("Nothing was ingested: the old index is kept as it was")
            settings = target
        report.chunks_removed += replaced
        if rebuild and dry_run:
            report.notes += [
                (s.path, "in the index but cannot be read now: --rebuild would stop here")
                for s in unreadable_but_indexed(settings, report.skipped)
            ]
        if prune and store is not None and target is None:  # a rebuild has nothing stale
            report.pruned, removed = prune_missing(
                store,
                None if dry_run else open_keyword_index(settings, store),
                dry_run=dry_run,
                report=report,
            )
            report.chunks_removed += removed
            # said, not silent: a line that is not JSON may hold any of the feed's items
            report.notes += [
                (
                    feed,
                    "none of its items were pruned: a line of it is not valid JSON and may "
                    "hold any of them; fix that line and run --prune again",
                )
                for feed in sorted(report.partly_read)
            ]
    except NewsdeskError as e:
        _fail(e)
    report.seconds = time.perf_counter() - started  # model loading included
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        would = "would be " if dry_run else ""
        typer.echo(
            f"{report.files_seen} file{'' if report.files_seen == 1 else 's'} seen; articles "
            f"{len(report.ingested)} {would}ingested, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped; "
            f"chunks {report.chunks_added} {would}added, "
            f"{report.chunks_updated} {would}updated, "
            f"{report.chunks_removed} {would}removed; "
            f"{report.seconds:.1f} s. Index: {settings.chroma_url or settings.persist_dir}"
            + (" (dry run: nothing was written)" if dry_run else "")
        )
        for s in report.skipped:
            typer.echo(f"  skipped {_shown(s.path)}: {_shown(s.reason)}")
        for line in _unsupported_lines(report.unsupported_by_type()):
            typer.echo(line)
        for path, note in report.notes:
            typer.echo(f"  note {_shown(path)}: {_shown(note)}")
        for gone in report.pruned:
            typer.echo(
                f"  {'would prune' if dry_run else 'pruned'} {_shown(gone)}: "
                + _pruned_reason(gone)
            )
    # copies of stories the index holds are not a failure: the stories are there
    copies = bool(report.skipped) and all(
        s.reason.startswith(("same text as", "near-duplicate of")) for s in report.skipped
    )
    if report.files_seen and not report.ingested and not report.unchanged and not copies:
        if report.pruned:
            # the prune asked for was done; it exited 2 as a failure (a breaker's)
            typer.secho(
                "note: nothing ingestible was found (see the reasons above); the prune was done",
                err=True,
                fg="yellow",
            )
            return
        typer.secho(
            "error: nothing ingestible was found (see the reasons above)", err=True, fg="red"
        )
        raise typer.Exit(2)
    if not report.files_seen and not prune_only:
        typer.secho("error: " + _NO_ARTICLE_FILES + ", ".join(map(str, paths)), err=True, fg="red")
        raise typer.Exit(2)
    if missing and not prune:
        # the other paths were ingested, but a typo'd one should not pass as success
        typer.secho(
            f"error: {', '.join(map(str, missing))}: no such file or folder (the other paths "
            "were read)",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)


@app.command("list")
def list_(
    persist_dir: PersistDir = None,
    chroma_url: ChromaUrl = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the articles as a JSON array.")
    ] = False,
) -> None:
    """List the indexed articles, newest first.

    Each with its published date, chunks, title, file and publisher (when known: the
    name `ask --source` and the chat's source filter take). To remove one: delete its
    file and run `newsdesk ingest FOLDER --prune`, or use the chat's Corpus tab."""
    from dataclasses import asdict

    from ui.corpus import Corpus
    from vectorstore.store import check_location

    settings = _settings(persist_dir=persist_dir, chroma_url=chroma_url)
    try:
        check_location(settings, create=False)  # a wrong index path fails before the model
        rows = Corpus(settings).articles()
    except NewsdeskError as e:
        _fail(e)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        by = f", {_shown(r.publisher)}" if r.publisher else ""
        typer.echo(
            f"{r.published or 'undated':10}  {r.chunks:4} chunk(s)  {_shown(r.title)}  "
            f"({_shown(r.file_name)}{by})"
        )
    where = settings.chroma_url or settings.persist_dir
    chunks = sum(r.chunks for r in rows)
    typer.echo(f"{len(rows)} article(s), {chunks} chunk(s). Index: {where}")


@app.command()
def ask(
    question: Annotated[
        str | None,
        typer.Argument(
            metavar="QUESTION",
            help="The question, in quotes. Leave it out (or give -) to read questions from "
            "standard input: typed at a prompt, where a question may follow up the ones "
            "before it, or one a line from a file or pipe, each answered on its own.",
            show_default=False,
        ),
    ] = None,
    persist_dir: PersistDir = None,
    chroma_url: ChromaUrl = None,
    k: K = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="Only articles from this source: a feed's publisher, or an article file's "
            "name (either in any case) or path (repeatable).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Only articles published on or after this date (YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Only articles published on or before this date (YYYY-MM-DD; undated "
            "articles never match a date).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full Answer as JSON.")] = False,
    answerer: AnswererOpt = None,
    llm_backend: LLMBackendOpt = None,
    llm_model: LLMModelOpt = None,
    llm_base_url: LLMUrlOpt = None,
) -> None:
    """Answer questions from the index, with citations.

    One QUESTION, or many loading the model once: `newsdesk ask` alone asks at a
    prompt (a question may follow up the ones before it: "Who leads it?"; an empty line
    or Ctrl-D ends). `newsdesk ask < questions.txt`
    answers one question a line (blank lines and lines starting with # are skipped),
    each on its own; with --json, one JSON object a line.

    Exit codes: 0 answered (a "Not found in the articles" answer too), 2 a bad question,
    filter or setting, or no usable index (piped: the other lines are still answered)."""
    from app import answer
    from qa.filters import parse_filters

    llm = _llm_overrides(answerer, llm_backend, llm_model, llm_base_url)
    filters = {"source": source, "date_from": since, "date_to": until}
    many = question is None or question == "-"
    if not many and not (question or "").strip():
        _fail(BadInput("the question is empty: ask something about the articles"), as_json)
    for option, value in (("--since", since), ("--until", until)):
        if value is not None and not value.strip():  # "--since=" was read as no filter
            _fail(
                BadInput(f"{option} is empty: give a date written YYYY-MM-DD, or leave it out"),
                as_json,
            )
    # every NEWSDESK_ setting is checked, though `ask` sets sentence_vectors itself (a
    # breaker's: NEWSDESK_SENTENCE_VECTORS=sometimes passed)
    _settings(as_json, persist_dir=persist_dir, chroma_url=chroma_url, k=k)
    try:  # checked before the model loads, and named by the option given
        parse_filters(filters)
    except BadInput as e:
        _fail(
            BadInput(str(e).replace("'date_from'", "--since").replace("'date_to'", "--until")),
            as_json,
        )
    options: dict[str, Any] = {
        "persist_dir": persist_dir,
        "chroma_url": chroma_url,
        "k": k,
        "filters": filters,
        **llm,
    }
    if many:
        _ask_many(options, as_json)
        return
    assert question is not None  # for mypy: `many` covers None
    try:
        result = answer(
            question,
            # one question, then exit: no background pass over the index's sentences
            # (on the answering side 'lazy' and 'ingest' read the cache alike)
            sentence_vectors="lazy",
            **options,
        )
    except NewsdeskError as e:
        _fail(e, as_json)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_answer(result)


def _ask_many(options: dict[str, Any], as_json: bool) -> None:
    """``newsdesk ask`` without a question: the questions of standard input, answered by
    one chain (the model loads once).

    At a terminal, a conversation: a prompt per question (on stderr when stdout is not
    the terminal, so a redirected output holds answers only), each answered with the
    earlier turns as its history, so follow-ups are understood; an empty line or end of
    input stops, Ctrl-C drops the question being answered. From a file or pipe, one
    question a line, each on its own; blank lines and ``#`` comments are skipped, and a
    line refused as bad input (too long) is reported by its number and the next one
    answered, the exit code then 2. Settings and the index are checked before anything
    is read; any other error (the index removed meanwhile) stops.
    """
    import sys

    from app import answer
    from vectorstore.store import check_folder

    settings_options = {k: v for k, v in options.items() if k != "filters"}
    settings = _settings(as_json, sentence_vectors="lazy", **settings_options)
    try:  # a bad setting or no index: one error, not one per question (a breaker's)
        check_folder(settings, create=False)
    except NewsdeskError as e:
        _fail(e, as_json)
    stdin = sys.stdin
    if stdin is None:  # started with standard input closed (`<&-`)
        _fail(BadInput("standard input is closed: pipe questions in, or give one"), as_json)
    interactive = stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # not on Windows
            import readline  # noqa: F401  (line editing and recall for input())
        typer.secho(
            "Ask about the articles; a question may follow up the ones before it. "
            "An empty line or Ctrl-D ends.",
            err=True,
            fg="cyan",
        )
    history: list[tuple[str, str]] = []
    failed = asked = number = 0
    while True:
        try:
            line = _read_question(stdin, interactive)
        except (EOFError, KeyboardInterrupt):
            if interactive:
                typer.echo(err=True)
            break
        except (OSError, UnicodeDecodeError) as e:  # stdin open for writing only
            _fail(BadInput(f"cannot read standard input: {e}"), as_json)
        number += 1
        if line is None:
            break
        question = line.lstrip("\ufeff").strip()  # a BOM opens a file from Windows
        if interactive and not question:
            break
        if not question or question.startswith("#"):
            continue
        try:
            result = answer(
                question,
                history if interactive else None,
                sentence_vectors="lazy",  # as for one question: no background pass
                **options,
            )
        except KeyboardInterrupt:
            if not interactive:
                raise
            typer.secho("\n(stopped)", err=True, fg="yellow")
            continue
        except BadInput as e:
            failed += 1
            where = "" if interactive else f"line {number}: "
            shown = question if len(question) <= 80 else f"{question[:80]}…"
            if as_json:
                error = {"line": number, "question": shown, "error": str(e)}
                typer.echo(json.dumps({**error, "type": type(e).__name__}, ensure_ascii=False))
            typer.secho(f"error: {where}{e} ({_shown(shown)!r})", fg=typer.colors.RED, err=True)
            continue
        except NewsdeskError as e:
            _fail(e, as_json)
        asked += 1
        history.append((question, result.text))
        if as_json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
            continue
        if not interactive:
            typer.secho(f"? {_shown(question)}", bold=True)
        _print_answer(result)
        typer.echo()
    if not asked and not failed and not interactive:
        _fail(BadInput("no question on standard input: give one a line"), as_json)
    if failed and not interactive:
        raise typer.Exit(2)


def _read_question(stdin: Any, interactive: bool) -> str | None:
    """The next line of ``stdin`` (``None`` at its end); at a terminal after a prompt, on
    stderr when stdout is not the terminal."""
    import sys

    if not interactive:
        return stdin.readline() or None
    if sys.stdout.isatty():
        return input("question> ")  # with line editing
    sys.stderr.write("question> ")
    sys.stderr.flush()
    return stdin.readline() or None


def _print_answer(result: Answer) -> None:
    """An :class:`~qa.types.Answer` as text: the answer, flags, then its citations."""
    typer.echo(_shown_lines(result.text))
    for sentence in result.unsupported_sentences:
        typer.secho(f"  (not supported by its cited passage: {sentence!r})", fg="yellow")
    if result.invalid_citations:
        typer.secho(
            f"  (removed invalid citation markers: {' '.join(result.invalid_citations)})",
            fg="yellow",
        )
    for c in result.citations:
        typer.echo(
            f"\n[{c.number}] {_shown(c.title)} ({_shown(Path(c.article_id).name)}, "
            f"chars {c.start}-{c.end})\n    “{_shown(c.quote)}”"
        )


@app.command()
def chat(
    persist_dir: PersistDir = None,
    chroma_url: ChromaUrl = None,
    k: K = None,
    host: Annotated[
        str | None,
        typer.Option(
            metavar="HOST",
            help="Address to bind (env NEWSDESK_HOST; default 127.0.0.1).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT", help="Port (env NEWSDESK_PORT; default 7860).", show_default=False
        ),
    ] = None,
    answerer: AnswererOpt = None,
    llm_backend: LLMBackendOpt = None,
    llm_model: LLMModelOpt = None,
    llm_base_url: LLMUrlOpt = None,
) -> None:
    """Serve the chat UI at http://HOST:PORT for a browser.

    Set from the environment only: NEWSDESK_AUTH="user:password[,user2:password2]" asks
    for a login; NEWSDESK_UPLOAD_DIR is where uploaded articles are saved (default
    .newsdesk/uploads); NEWSDESK_MAX_UPLOAD_MB caps an upload (default 20). The README's
    Settings table lists every variable."""
    import app as webapp

    llm = _llm_overrides(answerer, llm_backend, llm_model, llm_base_url)
    settings = _settings(
        persist_dir=persist_dir, chroma_url=chroma_url, k=k, host=host, port=port, **llm
    )
    try:
        webapp.main(settings)
    except NewsdeskError as e:
        _fail(e)


def _shown(text: object) -> str:
    """``text`` on one line of output: control characters (a newline in a file name)
    written as escapes ("\\n"), so one article or skip is one line."""
    out = str(text)
    if out.isprintable():
        return out
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in out)


def _shown_lines(text: str) -> str:
    """:func:`_shown` line by line: an article's title or text with terminal escape
    sequences (ESC, BEL) cannot retitle or recolour the user's terminal (a breaker's)."""
    return "\n".join(_shown(line) for line in text.split("\n"))


def _unsupported_lines(by_type: dict[str, list[str]], shown: int = 3) -> list[str]:
    """One summary line per file type newsdesk does not read (``by_type``: extension ->
    paths), naming its first ``shown`` files: a folder of 500 images is one line."""
    lines = []
    for suffix, files in by_type.items():
        more = f" and {len(files) - shown} more" if len(files) > shown else ""
        lines.append(
            f"  skipped {len(files)} file{'' if len(files) == 1 else 's'} of a type newsdesk "
            f"does not read ({suffix or 'no extension'}): "
            f"{', '.join(map(_shown, files[:shown]))}{more}"
        )
    return lines


_NO_ARTICLE_FILES = "no article files (.txt, .md, .html, .pdf, .json, .jsonl) found in "

#: Where `newsdesk eval --corpus` keeps its index unless told otherwise.
EVAL_INDEX_CACHE = Path(".newsdesk/eval-index")
eval_app = typer.Typer(
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # plain Click help: wraps to any width (rich tables cut option names to "…" when
    # the output is piped) and skips importing rich
    rich_markup_mode=None,
)
app.add_typer(eval_app, name="eval", short_help="Score gold questions, or import a gold set.")


@eval_app.callback(invoke_without_command=True)
def eval_(
    ctx: typer.Context,
    gold: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Gold questions, JSON Lines (format: evals/README.md).",
            show_default=False,
        ),
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="PATH", help="Articles to ingest into the eval index first (repeatable)."
        ),
    ] = None,
    k: K = None,
    persist_dir: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            callback=_nonempty_dir,
            help="Use this index instead of the eval index (with --corpus: ingest into it).",
        ),
    ] = None,
    index_cache: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="With --corpus: keep the eval index under this folder, one per corpus and "
            "embedding/chunking settings, so a re-run on an unchanged corpus embeds nothing "
            f"(not with --persist-dir)  [default: {EVAL_INDEX_CACHE}]",
            show_default=False,
        ),
    ] = None,
    fresh_index: Annotated[
        bool,
        typer.Option(
            help="With --corpus: build a temporary index and delete it afterwards "
            "(not with --persist-dir)."
        ),
    ] = False,
    report: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the JSON report here.")
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write JUnit XML here (one test case per question)."),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write a Markdown summary here (for a PR comment)."),
    ] = None,
    thresholds: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="JSON file of minimum/maximum metric values and regression tolerances; "
            "exit 1 when one is missed.",
        ),
    ] = None,
    baseline_report: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Committed baseline report (evals/baselines/SUITE.json): exit 1 when a metric "
            "regresses from it by more than the thresholds file's tolerance.",
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(help="Write this run's results to --baseline-report instead of comparing."),
    ] = False,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="N",
            help="Answer every question N times; answer metrics become the mean, with the "
            "standard deviation over runs (for LLM answerers).",
        ),
    ] = 1,
    timings: Annotated[
        bool,
        typer.Option(
            help="Include timings and index reuse in the JSON report; --no-timings makes "
            "reports byte-identical between runs of the extractive answerer."
        ),
    ] = True,
    show_failures: Annotated[
        bool, typer.Option(help="List the questions answered wrongly.")
    ] = True,
    baseline: Annotated[
        bool,
        typer.Option(
            help="Also run the LangChain tutorial recipe (1000/200 splitter, Chroma top-k) on "
            "the same corpus and report its hit@k beside newsdesk's."
        ),
    ] = False,
    answerer: AnswererOpt = None,
    llm_backend: LLMBackendOpt = None,
    llm_model: LLMModelOpt = None,
    llm_base_url: LLMUrlOpt = None,
) -> None:
    """Score gold questions: answers, abstention, retrieval, citations, cost (or: import).

    Metrics and options: evals/README.md. Exit codes: 0 every check holds, 1 a threshold
    or a regression check failed (each named on stderr), 2 the evaluation could not run.
    """
    if ctx.invoked_subcommand is not None:
        return
    from evals.gold import load_gold
    from evals.runner import (
        baseline_snapshot,
        check_comparable,
        gate,
        load_baseline,
        load_thresholds,
        run_eval,
    )

    if gold is None:
        _fail(BadInput("give --gold FILE (gold questions, JSON Lines; see evals/README.md)"))
    if corpus is None and persist_dir is None:
        _fail(NewsdeskError("give --corpus DIR to ingest, or --persist-dir of an existing index"))
    if update_baseline and baseline_report is None:
        _fail(BadInput("--update-baseline needs --baseline-report FILE to write"))
    if persist_dir is not None and (fresh_index or index_cache is not None):
        # --corpus went into the index of --persist-dir for good, the flag ignored (a
        # breaker's): the user's index is never the temporary or cached one
        flag = "--fresh-index" if fresh_index else "--index-cache"
        _fail(
            BadInput(
                f"{flag} says where the eval index of --corpus is built, and --persist-dir "
                "names an index of your own (--corpus is ingested into it): give one of them"
            )
        )
    if index_cache is not None and index_cache.exists() and not index_cache.is_dir():
        # it warned twice about the embedding cache, then named --persist-dir (a breaker's)
        _fail(BadInput(f"--index-cache {index_cache} is a file; give a folder for the eval index"))
    if baseline and corpus is None:
        # the recipe is built from the corpus files; it was silently left out (a breaker's)
        _fail(BadInput("--baseline runs the recipe on the articles of --corpus DIR; give it"))
    for out in (report, junit, markdown, baseline_report):
        if out is not None and out.is_dir():
            _fail(BadInput(f"{out} is a folder; give a file name such as report.json"))
    _refuse_overwriting_inputs(
        {"--report": report, "--junit": junit, "--markdown": markdown}
        | ({"--baseline-report": baseline_report} if update_baseline else {}),
        {"--gold": gold, "--thresholds": thresholds}
        | ({} if update_baseline else {"--baseline-report": baseline_report}),
    )
    for out in (report, junit, markdown, baseline_report if update_baseline else None):
        if out is not None:
            _check_writable(out)  # before the run, not after minutes of it (a breaker's)
    try:
        # read the inputs before the run, so a bad file fails in seconds, not minutes
        limits = load_thresholds(thresholds) if thresholds else {}
        before = load_baseline(baseline_report) if baseline_report and not update_baseline else None
        settings = Settings.from_env(
            **_llm_overrides(answerer, llm_backend, llm_model, llm_base_url)
        )
        questions = load_gold(gold)  # once: a pipe (`--gold <(...)`) is read once
        if before is not None:  # another k or other questions: known before the run
            check_comparable(before, settings.k if k is None else k, {q.id for q in questions})
        result = run_eval(
            questions,
            corpus=corpus,
            k=k,
            persist_dir=None if persist_dir is None else Path(persist_dir),
            baseline=baseline,
            runs=runs,
            index_cache=None if fresh_index else (index_cache or EVAL_INDEX_CACHE),
            settings=settings,
        )
        failures = gate(result, limits, before)
    except NewsdeskError as e:
        _fail(e)
    from evals.reports import to_junit, to_markdown

    # timings and index reuse vary between runs: shown below, left out of the JSON on request
    saved = {n: v for n, v in result.items() if timings or n not in ("timings", "index")}
    outputs = {
        report: lambda: json.dumps(saved, indent=2, ensure_ascii=False) + "\n",
        junit: lambda: to_junit(result, gold.stem),
        markdown: lambda: to_markdown(result, gold.stem, failures),
    }
    if update_baseline:
        outputs[baseline_report] = lambda: (
            json.dumps(baseline_snapshot(result, gold), indent=2, ensure_ascii=False) + "\n"
        )
    for path, render in outputs.items():
        if path is None:
            continue
        try:
            _write_whole(path, render())
        except (OSError, UnicodeError) as e:
            _fail(BadInput(f"cannot write {path}: {e}"))
    m = result["metrics"]
    intervals = result.get("intervals", {})
    spread = result.get("runs", {})
    typer.echo(f"gold: {gold} ({m['questions']} questions, k={m['k']})")
    majority = m.get("majority_baseline", {})
    for name, value in m.items():
        if name in ("questions", "k", "by_type", "majority_baseline"):
            continue
        line = f"  {name:28s} {value if value is not None else 'n/a (undefined)'}"
        if intervals.get(name):
            line += f"  [95% CI {intervals[name][0]}-{intervals[name][1]}]"
        if isinstance(spread.get(name), dict) and spread[name]["std"] is not None:
            line += f"  (sd {spread[name]['std']} over {spread['n']} runs)"
        if name in ("answer_accuracy", "overall_accuracy") and majority.get(name) is not None:
            always = majority["answer"] if name == "answer_accuracy" else majority["output"]
            line += f"  (majority-answer baseline {majority[name]}: always {always!r})"
        typer.echo(line)
    for kind, v in m.get("by_type", {}).items():
        typer.echo(f"  accuracy[{kind}]".ljust(30) + f" {v['accuracy']} ({v['questions']} q)")
    for name, value in result.get("timings", {}).items():
        if name != "per_question_ms":
            typer.echo(f"  {name:28s} {value}")
    if "index" in result:
        i = result["index"]
        typer.echo(
            f"  index: {i['articles_reused']} articles reused, {i['articles_embedded']} "
            f"embedded ({i['chunks_embedded']} chunks), {i['articles_pruned']} pruned"
        )
    if update_baseline:
        typer.echo(f"baseline written to {baseline_report}")
    if show_failures:
        for q in result["questions"]:
            if not q["correct"]:
                typer.echo(f"  WRONG {q['id']}: {q['question']!r} -> {q['answer'][:120]!r}")
    for name in result.get("unknown_sources", []):
        typer.secho(
            f"warning: gold source {name!r} names no indexed article (compared by file "
            "name; a feed item is FILE#ITEM, as `newsdesk list` shows it); the questions "
            "citing it score 0 on the article metrics",
            fg="yellow",
            err=True,
        )
    for f in failures:
        typer.secho(f"FAIL {f}", fg="red", err=True)
    if failures:
        raise typer.Exit(1)


def _refuse_overwriting_inputs(
    outputs: dict[str, Path | None], inputs: dict[str, Path | None]
) -> None:
    """Exit 2 when an output file is one of the inputs (``--report`` naming the gold file
    replaced the gold questions with the report) or two outputs are one file."""
    seen: dict[Path, str] = {}
    for name, path in inputs.items():
        if path is not None:
            seen.setdefault(path.expanduser().resolve(), name)
    for name, path in outputs.items():
        if path is None:
            continue
        where = path.expanduser().resolve()
        other = seen.get(where)
        if other is not None:
            _fail(BadInput(f"{name} {path} is also {other}, which it would overwrite"))
        seen[where] = name


def _pruned_reason(article_id: str) -> str:
    """Why ``article_id`` was pruned: its feed no longer holds it, or its file (a feed's
    too) is gone (an item of a deleted feed was said to be "no longer in its feed")."""
    from ingest.models import split_item_id

    feed, key = split_item_id(article_id)
    return "no longer in its feed" if key and Path(feed).is_file() else "its file is gone"


def _check_writable(path: Path) -> None:
    """Exit 2 unless a file can be written beside ``path`` (in its folder, or in the
    nearest existing folder above it that :func:`_write_whole` would create it in): the
    check writes and removes an empty file, as permission bits do not bind root. A
    symlink is checked at its target; a named pipe or device (``/dev/stdout``) is
    written in place, so only its permission is checked."""
    if path.exists() and not path.is_file():
        # not resolved: /dev/stdout to a pipe resolves to "pipe:[23835]", no path (a
        # breaker's)
        if not os.access(path, os.W_OK):
            _fail(BadInput(f"cannot write {path}: permission denied; give a writable path"))
        return
    path = path.resolve() if path.is_symlink() else path
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    probe = folder / f".{path.name}.writable"
    try:
        probe.open("xb").close()
        probe.unlink()
    except OSError as e:
        _fail(BadInput(f"cannot write {path}: {e.strerror or e}; give a writable path"))


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, so a failure (a
    full disk, text that cannot be encoded) leaves the old file as it was. A symlink is
    followed (its target is written, the link kept); a named pipe or device
    (``/dev/stdout``) is written in place: renaming over them replaced them (a
    breaker's)."""
    data = text.encode("utf-8")  # fails before anything is written
    if path.exists() and not path.is_file():
        with path.open("wb") as f:
            f.write(data)
        return
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_bytes(data)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


@eval_app.command("import", short_help="Convert a ragas, deepeval, multihop-rag or rgb gold set.")
def eval_import(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT", help="ragas, deepeval, multihop-rag or rgb (see evals/importers.py)."
        ),
    ],
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The gold set: a JSON array or JSON Lines.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Gold JSON Lines to write (default: print it)."
        ),
    ] = None,
    articles_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write the passages/articles here, to ingest (default with -o: OUT's name "
            "without suffix plus '-articles').",
        ),
    ] = None,
    corpus_json: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="multihop-rag: its corpus.json (default: beside FILE)."),
    ] = None,
) -> None:
    """Convert a gold set from another tool's format into newsdesk's gold format."""
    from evals.importers import IMPORTERS, import_multihop_rag, write_import
    from evals.importers import Imported as _Imported

    if fmt not in IMPORTERS:
        _fail(BadInput(f"unknown format {fmt!r}; use one of {', '.join(IMPORTERS)}"))
    inputs = [p for p in (file, corpus_json) if p is not None]
    if out is not None and any(out.resolve() == p.resolve() for p in inputs):
        _fail(BadInput(f"--out {out} is an input file: writing it would replace it; name another"))
    try:
        result: _Imported = (
            import_multihop_rag(file, corpus_json)
            if fmt == "multihop-rag"
            else IMPORTERS[fmt](file)
        )
        if out is None:
            typer.echo(result.gold_jsonl(), nl=False)
            write_import(result, None, articles_dir)
            if result.articles and articles_dir is None:
                typer.echo(
                    f"note: the set's {len(result.articles)} articles were not written; "
                    "add --articles-dir DIR (or -o OUT) to write them for ingestion",
                    err=True,
                )
            return
        folder = articles_dir or out.with_name(out.stem + "-articles")
        write_import(result, out, folder)
    except NewsdeskError as e:
        _fail(e)
    typer.echo(
        f"{len(result.gold)} questions written to {out}"
        + (f"; {len(result.articles)} articles to {folder}" if result.articles else ""),
        err=True,
    )


def main() -> None:  # pragma: no cover - console entry
    app(prog_name="newsdesk")


if __name__ == "__main__":  # pragma: no cover
    main()
