"""newsdesk's entry points: ``answer()`` for Python, the Gradio chat, and the object graph.

``from app import answer`` is cheap: nothing is loaded until the first question. The
object graph is built in one place (:func:`build_chain_for`), once per distinct settings.

    >>> from app import answer
    >>> a = answer("How many foreign-funded firms were approved for the pilot?")
    >>> a.text, a.citations[0].quote
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from newsdesk.errors import BadInput, NewsdeskError
from newsdesk.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

    from qa.chain import QAChain
    from qa.types import Answer, Citation


@functools.cache
def build_chain_for(settings: Settings) -> QAChain:
    """Build (once per ``settings``) the QA chain over the existing index.

    Raises:
        IndexNotFound: there is no index yet (run ``newsdesk ingest`` first).
        IndexMismatch: the index was built with another model or chunking.
    """
    from qa.chain import build_chain
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridRetriever
    from vectorstore.embeddings import load_embeddings
    from vectorstore.store import open_keyword_index, open_store

    embeddings = load_embeddings(settings.embedding_model)
    store = open_store(settings, embeddings, create=False)
    keyword = open_keyword_index(settings, store)
    retriever = HybridRetriever(
        store=store, keyword=keyword, k=max(settings.k, settings.candidates)
    )
    extractive = ExtractiveAnswerer(embeddings, settings.min_relevance, k=settings.k)
    if settings.answerer == "extractive":
        return build_chain(retriever, extractive)
    from qa.llm import LLMAnswerer, build_chat_model

    llm = LLMAnswerer(
        build_chat_model(settings),
        extractive,
        embeddings,
        name=f"llm:{settings.llm_backend}",
        history_tokens=settings.llm_history_tokens,
    )
    return build_chain(retriever, llm)


def answer(
    question: str,
    history: Sequence[Any] | None = None,
    *,
    filters: dict[str, Any] | None = None,
    **options: Any,
) -> Answer:
    """Answer a question about the indexed articles, with citations.

    Args:
        question: the question, plain text.
        history: earlier turns of the conversation, oldest first: question strings,
            ``(question, answer)`` pairs, or ``{"role", "content"}`` messages.
        filters: restrict retrieval to some articles: ``{"source": str | list[str],
            "date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD"}`` (any subset; dates
            inclusive, compared with the article's ``published`` date).
        options: any :class:`~newsdesk.settings.Settings` field (``k``, ``persist_dir``,
            ``min_relevance``, ``answerer``, ...); unset fields come from ``NEWSDESK_*``
            variables.

    Returns:
        An :class:`~qa.types.Answer`: ``text`` with ``[n]`` markers, ``citations``,
        ``abstained`` and the ``retrieved`` chunks with scores.

    Raises:
        BadInput: an empty or over-long question, a malformed history, filter or option.
        IndexNotFound: no index yet; run ``newsdesk ingest data/articles`` first.
        IndexMismatch: the index was built with another embedding model or chunking.
    """
    settings = Settings.from_env(**options)
    return build_chain_for(settings).invoke(
        {"question": question, "history": history, "filters": filters}
    )


def stream_answer(
    question: str,
    history: Sequence[Any] | None = None,
    *,
    filters: dict[str, Any] | None = None,
    **options: Any,
) -> Iterator[str | Answer]:
    """Like :func:`answer`, but yields the answer text as it is produced.

    Yields ``str`` pieces of the answer text as they arrive (one piece for the
    extractive answerer, tokens for an LLM), then, last, the final :class:`~qa.types.Answer`.
    The final ``Answer.text`` is authoritative: verification may remove invalid citation
    markers that were streamed, so a UI should re-render from it.

    Raises:
        The same errors as :func:`answer`, before anything is yielded.
    """
    settings = Settings.from_env(**options)
    chain = build_chain_for(settings)
    inputs = {"question": question, "history": history, "filters": filters}
    yield from chain.stream_answer(inputs)


def format_answer_markdown(result: Answer) -> str:
    """Render an answer for the chat as Markdown: the answer, then numbered source cards.

    The part of a quote that answers the question, when known, is shown in bold. A
    citation's quote is repeated in its card only when the answer text does not already
    show it word for word (the extractive answerer's answer *is* the quote).
    """
    if result.abstained:
        first, *rest = result.text.splitlines()
        return f"**{_md(first)}**\n\n" + "\n".join(_md(line) for line in rest)
    spans = {c.number: c for c in result.citations}
    text = result.text
    for c in result.citations:
        if c.quote in text and c.answer_span:
            text = text.replace(c.quote, _highlight(c), 1)
        else:
            text = text.replace(c.quote, _md(c.quote), 1)
    cards = []
    for n, c in sorted(spans.items()):
        where = f"{PurePath(c.article_id).name}, characters {c.start}–{c.end}"
        date = f" · {c.published}" if c.published else ""
        by = "".join(f" · {_md(str(v))}" for k in ("author", "url") if (v := c.metadata.get(k)))
        card = f"**[{n}]** {_md(c.title)}{date}{by}  \n<small>{_md(where)}</small>"
        if c.quote not in result.text:
            card += f"\n\n> {_highlight(c)}"
        cards.append(card)
    return text + "\n\n**Sources**\n\n" + "\n\n".join(cards)


def _highlight(c: Citation) -> str:
    if not c.answer_span:
        return _md(c.quote)
    a, b = c.answer_span[0] - c.start, c.answer_span[1] - c.start
    return f"{_md(c.quote[:a])}**{_md(c.quote[a:b])}**{_md(c.quote[b:])}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _md(text: str) -> str:
    """Escape Markdown and HTML so article text is shown as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plain_answer(markdown: Any) -> str:
    """Undo :func:`format_answer_markdown` for history: the answer text only, unescaped."""
    if not isinstance(markdown, str):
        return ""
    text = markdown.split("\n\n**Sources**", 1)[0].replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)


def create_app(settings: Settings) -> gr.Blocks:
    """The Gradio chat UI over the index described by ``settings`` (not launched)."""
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]]) -> str:
        turns = [
            {**m, "content": plain_answer(m["content"])} if m.get("role") == "assistant" else m
            for m in history
        ]
        try:
            result = build_chain_for(settings).invoke({"question": message, "history": turns})
        except NewsdeskError as e:
            return f"**Error:** {_md(str(e))}"
        return format_answer_markdown(result)

    return gr.ChatInterface(
        respond,
        title="newsdesk",
        description=(
            "Ask questions about the indexed news articles. Every answer quotes its source "
            "sentence and cites it as [n]; when the articles do not hold the answer, "
            "newsdesk says so and lists the closest articles."
        ),
        examples=[
            "How many foreign-funded firms were approved for the pilot?",
            "Who is the CEO of Airbus China?",
            "Which cities are part of the pilot?",
        ],
        chatbot=gr.Chatbot(label="Conversation", height=520, sanitize_html=True),
        flagging_mode="never",
    )


def main(settings: Settings | None = None) -> None:
    """Launch the chat UI on ``settings.host:settings.port`` (127.0.0.1:7860 by default)."""
    settings = settings or Settings.from_env()
    _check_port_free(settings.host, settings.port)
    build_chain_for(settings)  # fail early, before the server starts, if there is no index
    create_app(settings).launch(server_name=settings.host, server_port=settings.port)


def _check_port_free(host: str, port: int) -> None:
    """Raise :class:`BadInput` with advice when ``host:port`` cannot be bound."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            raise BadInput(
                f"cannot listen on {host}:{port} ({e.strerror}): is newsdesk already running? "
                "Pick another port with --port or NEWSDESK_PORT."
            ) from e


if __name__ == "__main__":
    main()
