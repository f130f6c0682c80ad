"""Answers and articles as HTML for the chat window: pure functions, no Gradio.

An answer becomes one chat message: the answer text, where each ``[n]`` marker is a link
to source card ``n`` further down the same message, then the source cards (title,
source, date, author and url when known, the quoted passage with the answering span
highlighted, and a link that opens the whole article at that passage). Abstentions are
rendered as a distinct notice listing the closest articles.

Ids inside a message carry a per-message prefix so that the cards of two answers in one
conversation never share an anchor.

Not here: anything that touches the index or Gradio (see :mod:`ui.blocks`).
"""

from __future__ import annotations

import html
import re
from pathlib import PurePath
from urllib.parse import urlencode

from ingest.models import split_item_id
from qa.types import Answer, Citation
from qa.verify import defuse_markers

#: HTML specials and the characters Gradio's Markdown renderer would interpret.
_SPECIAL = re.compile(r"[&<>\"'\\`*_{}\[\]#|~$]")
_ESCAPED_MARKER = re.compile(r"&#91;(\d+)&#93;")
#: First characters of the HTML that starts the source cards; :func:`plain_answer` cuts there.
SOURCES_START = '<div class="nd-sources">'


def escape(text: str) -> str:
    """Escape HTML, and the Markdown characters Gradio's renderer would interpret."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", text)


def article_link(c: Citation) -> str:
    """Relative URL that opens the app's Article tab on ``c``'s article at its quote."""
    query = {"article": c.article_id, "start": c.start, "end": c.end}
    if c.answer_span:
        query.update(span_start=c.answer_span[0], span_end=c.answer_span[1])
    return "?" + urlencode(query)


def _highlight(quote: str, start: int, span: tuple[int, int] | None, tag: str) -> str:
    if not span:
        return escape(quote)
    a, b = max(span[0] - start, 0), min(span[1] - start, len(quote))
    if not 0 <= a < b <= len(quote):
        return escape(quote)
    return f"{escape(quote[:a])}<{tag}>{escape(quote[a:b])}</{tag}>{escape(quote[b:])}"


def _answer_html(result: Answer, prefix: str) -> str:
    """The answer text: quotes with their answer span in bold, markers as links."""
    text = result.text
    unsupported = [s for s in result.unsupported_sentences if s and s in text]
    pieces: list[tuple[int, int, str]] = []  # (start, end, html) replacements
    for c in result.citations:
        # as the answer quotes it: the article's own "[n]" made "(n)", same length
        quote = defuse_markers(c.quote)
        at = text.find(quote) if quote else -1
        if at >= 0 and not any(a <= at < b for a, b, _ in pieces):
            pieces.append(
                (at, at + len(quote), _highlight(quote, c.start, c.answer_span, "strong"))
            )
    for s in unsupported:
        at = text.find(s)
        if at >= 0 and not any(a < at + len(s) and at < b for a, b, _ in pieces):
            pieces.append(
                (
                    at,
                    at + len(s),
                    '<span class="nd-unsupported" title="No cited passage supports this '
                    f'sentence">{escape(s)}</span>',
                )
            )
    out, pos = [], 0
    for a, b, rendered in sorted(pieces):
        out += [escape(text[pos:a]), rendered]
        pos = b
    out.append(escape(text[pos:]))
    body = "".join(out)
    numbers = {c.number for c in result.citations}

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        return f'<a class="nd-cite" href="#{prefix}-src-{n}" title="Go to source {n}">[{n}]</a>'

    return _ESCAPED_MARKER.sub(link, body)  # escape() turned [n] into &#91;n&#93;


def _card(c: Citation, prefix: str) -> str:
    facts = [escape(PurePath(split_item_id(c.article_id)[0]).name)]
    if c.published:
        facts.append(escape(c.published))
    for key in ("author", "source_name"):
        value = c.metadata.get(key)
        if value:
            facts.append(escape(str(value)))
    url = str(c.metadata.get("url") or "")
    url_html = (
        f' · <a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">original page</a>'
        if url.startswith(("http://", "https://"))
        else ""
    )
    support = f" · support {c.support:.0%}" if c.support is not None else ""
    return (
        f'<div class="nd-card" id="{prefix}-src-{c.number}">'
        f'<div class="nd-card-head"><span class="nd-num">[{c.number}]</span> '
        f"<b>{escape(c.title)}</b></div>"
        f'<div class="nd-meta">{" · ".join(facts)}{url_html}'
        f" · characters {c.start}–{c.end}{support}</div>"
        f'<blockquote class="nd-quote">{_highlight(c.quote, c.start, c.answer_span, "mark")}'
        "</blockquote>"
        f'<a class="nd-open" href="{html.escape(article_link(c), quote=True)}">'
        "Open the article at this passage ↗</a></div>"
    )


def render_answer(result: Answer, prefix: str) -> str:
    """The chat message for ``result`` (HTML inside Markdown).

    Args:
        result: the final answer.
        prefix: unique within the page (for example ``m3``); card ids are
            ``{prefix}-src-{n}``, so ``[n]`` markers link to ``#{prefix}-src-{n}``.
    """
    if result.abstained:
        first, *rest = result.text.splitlines()
        listed = [line for line in rest if line.startswith("- ")]
        notes = [line for line in rest if line.strip() and not line.startswith("- ")]
        items = "".join(f"<li>{escape(line[2:])}</li>" for line in listed)
        closest = f'<ul class="nd-closest">{items}</ul>' if items else ""
        # "Only articles matching the filters ... were searched"
        after = "".join(f'<div class="nd-abstain-note">{escape(n)}</div>' for n in notes)
        return (
            '<div class="nd-abstain"><div class="nd-abstain-head">'
            f"{escape(first)}</div>{closest}{after}</div>"
        )
    parts = [f'<div class="nd-answer">{_answer_html(result, prefix)}</div>']
    warnings = []
    if result.unsupported_sentences:
        n = len(result.unsupported_sentences)
        warnings.append(
            f"{n} sentence{'s' if n > 1 else ''} of this answer {'are' if n > 1 else 'is'} "
            "not supported by the cited passages (underlined in red): check before relying "
            "on it."
        )
    if result.answerer.endswith("-> extractive"):
        # a new user's: choosing the LLM answerer seemed to change nothing
        warnings.append(
            "The language model's reply was not supported by the passages (or was not "
            "plain text), so the sentence quoted from them is shown instead."
        )
    if result.invalid_citations:
        warnings.append(
            "Citation markers that pointed to no source were removed: "
            + ", ".join(escape(m) for m in result.invalid_citations)
            + "."
        )
    for w in warnings:
        parts.append(f'<div class="nd-warning">⚠ {w}</div>')
    if result.citations:
        cards = "".join(_card(c, prefix) for c in result.citations)
        parts.append(f'{SOURCES_START}<div class="nd-sources-head">Sources</div>{cards}</div>')
    return "".join(parts)


def render_error(message: str) -> str:
    """A chat message for an error newsdesk raised on purpose (no traceback)."""
    return f'<div class="nd-error"><b>Error:</b> {escape(message)}</div>'


def plain_answer(message: object) -> str:
    """Undo :func:`render_answer` for the history: the answer text only, unescaped."""
    if isinstance(message, list):  # Gradio may send a list of content parts
        message = " ".join(
            str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in message
        )
    if not isinstance(message, str):
        return ""
    text = message.split(SOURCES_START, 1)[0]
    text = re.sub(r'<div class="nd-warning">.*?</div>', "", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


#: A text's first line and the blank lines after it.
_TITLE_LINE = re.compile(r"[ \t]*([^\n]*?)[ \t]*(?:\n+|\Z)")


def render_article(
    title: str,
    text: str,
    start: int | None = None,
    end: int | None = None,
    span: tuple[int, int] | None = None,
    facts: list[str] | None = None,
) -> str:
    """A whole article as HTML, the passage ``start:end`` marked (``id="nd-passage"``) and
    the answer ``span`` inside it highlighted more strongly.

    Offsets are character offsets in ``text``; out-of-range ones are ignored. A first
    line that repeats the title (a plain-text article's headline) is shown once, as the
    title, unless the passage starts in it.
    """
    lead = _TITLE_LINE.match(text)
    if lead and lead.group(1) == title.strip() and (start is None or start >= lead.end()):
        # a new user's: the headline was shown twice, as the title and the first line
        cut = lead.end()
        text = text[cut:]
        start = None if start is None else start - cut
        end = None if end is None else end - cut
        span = None if span is None else (span[0] - cut, span[1] - cut)
    head = f"<h2>{escape(title)}</h2>"
    if facts:
        head += f'<div class="nd-meta">{" · ".join(escape(f) for f in facts)}</div>'
    if start is not None:
        # "in bold" only when there is a span to make bold (a new user looked for it)
        bold = span is not None and start <= span[0] < span[1] <= (end or 0)
        head += (
            '<p class="nd-meta">Highlighted: the passage the answer cites'
            + ("; in bold: the words that answer the question" if bold else "")
            + ".</p>"
        )
    if start is None or end is None or not 0 <= start < end <= len(text):
        body = escape(text)
    else:
        inner = _highlight(text[start:end], start, span, "strong")
        body = (
            f'{escape(text[:start])}<mark id="nd-passage" class="nd-passage">{inner}</mark>'
            f"{escape(text[end:])}"
        )
    return f'<div class="nd-article">{head}<div class="nd-article-text">{body}</div></div>'
