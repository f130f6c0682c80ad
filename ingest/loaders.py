"""Read ``.txt``, ``.md``, ``.html`` and ``.pdf`` files into Article records.

Folders are walked recursively in sorted order (symlinked folders are not followed, so
a symlink loop cannot trap the walk); extensions match case-insensitively; a file reached
twice is read once; a broken symlink is skipped with that reason. Text is decoded as
UTF-8 (a BOM is dropped; a few stray bytes in UTF-8 text are dropped; lines that are not
UTF-8 in UTF-8 text are read as Windows-1252, with a note), UTF-16 when it
starts with its BOM, or, failing those, as Windows-1252 when it reads as a Western
language, else in the legacy encoding charset-normalizer finds (GB18030, Shift-JIS...),
then normalised to Unicode NFKC with line endings unified and control characters (and
joiners inside Latin words, soft hyphens) removed. A text that is mostly base64 or hex is
skipped as encoded data. A
file with NUL bytes is binary unless it is valid UTF-8 or UTF-16 (then the stray control
bytes are dropped and the text kept), and so is one whose first 8 KiB are over a fifth
control bytes.
HTML pages are reduced to their main text by trafilatura (navigation, scripts and page
furniture dropped), with title, author, date and publisher (``og:site_name``, kept as
``source_name`` like a feed's ``source``) from the page's metadata; a page nested deeper
than libxml2's 256 levels is parsed again without that limit. A whole page saved as
``.txt`` is read as a page; HTML markup in a ``.txt`` file, a feed item's body or a
Markdown HTML block is read as the text it shows (:func:`html_to_text`), with a note.

PDFs are read with pypdf, page by page (wrapped lines joined into paragraphs,
:func:`reflow_lines`; pages joined by a blank line; each chunk records the page it starts
on and the page breaks inside it); a PDF without a text layer is skipped with that
reason.

JSON article feeds (``.json``: an array of objects, or an object holding one under
``articles``/``items``/``data``; ``.jsonl``: one object per line) give one article per
object, from ``title``, ``body``/``text``/``content``, ``published_at``/``date``, and
``url``/``author``/``category``/``source`` kept as metadata (Markdown front matter gives
the same keys and ``tags``). A feed item's id is the file path, ``#`` and the item's key
(see :func:`feed_keys`): its own ``id``/``guid``/``url``/``link``, else a hash of its
title and date (of its text when untitled), so an item keeps its id when lines are added
or removed around it. Objects without a body are skipped one by one.
Metadata that is not understood (a date that is no date or out of :data:`MIN_YEAR` to
:data:`MAX_YEAR`, a list as ``source``) is kept as described in the article's ``notes``,
which the ingest report prints.

Not done here (yet): OCR.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ingest.models import Article, Skipped

#: The file that makes a folder an index (Chroma's database): never walked for articles.
INDEX_FILE = "chroma.sqlite3"
SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".json", ".jsonl"}
)
# JSON Feed 1.1's own names too (content_text, content_html, summary, date_published): a
# breaker's JSON Feed items were skipped as having no text
_FEED_BODY = (
    "body", "text", "content", "content_text", "content_html", "article", "description",
    "summary",
)  # fmt: skip
_FEED_DATE = ("published_at", "published", "date_published", "date", "pubDate", "datetime")
_FEED_META = ("url", "author", "category", "source")
_HTML = frozenset({".html", ".htm"})

_CONTROL = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f\u200b\u2060\ufeff\u00ad]"
    # joiners split a Latin word for search ("air\u200cport"); Persian and Indic scripts
    # need them, so they are kept there
    r"|(?<=[A-Za-z])[\u200c\u200d](?=[A-Za-z])"
)
#: Characters read as a line break: CR, VT, FF, NEL, LINE and PARAGRAPH SEPARATOR.
_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\x0b\x0c\x85\u2028\u2029", "\n"))
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
#: A fence left unclosed: "key: value" lines up to the first blank line.
_UNCLOSED_FRONT_MATTER = re.compile(r"\A---\n((?:[A-Za-z_][\w-]*[ \t]*:[^\n]*\n)+)\n")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_DATE_LINE = re.compile(
    r"^\s*(?:published|date|updated|posted)(?:\s+on)?\s*[:\-–]\s*(.+?)\s*$", re.I
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2}),?\s+(\d{4})\b", re.I), ("mon", "d", "y")),
    (re.compile(r"\b(\d{1,2})\s+" + _MONTH + r",?\s+(\d{4})\b", re.I), ("d", "mon", "y")),
]


#: Earliest year read as a publication date: the first printed newspapers date from
#: 1605 (Strasbourg's *Relation*). "-0001-01-01" or "0001-01-01" (a feed's placeholder for
#: no date) was stored as published in the year 1.
MIN_YEAR = 1600
#: Latest year read as a publication date: "9999-12-31" is a feed's placeholder for "no
#: date" (it was listed as the newest article and passed every --since filter, a
#: breaker's). A fixed bound, so that re-reading a file never changes its date.
MAX_YEAR = 2200


def parse_date(text: str) -> str | None:
    """Find the first date in ``text`` and return it as ISO 8601 ``YYYY-MM-DD``.

    Understands ``2025-03-14``, ``March 14, 2025``, ``Mar 14 2025`` and ``14 March 2025``.
    Returns ``None`` when no valid date is found; a date before :data:`MIN_YEAR` or after
    :data:`MAX_YEAR` is no publication date.
    """
    found: list[tuple[int, str]] = []
    for pattern, order in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        try:
            month = int(parts["m"]) if "m" in parts else _MONTHS[parts["mon"].lower().rstrip(".")]
            d = date(int(parts["y"]), month, int(parts["d"]))
        except (KeyError, ValueError):
            continue
        if not MIN_YEAR <= d.year <= MAX_YEAR:
            continue
        found.append((m.start(), d.isoformat()))
    return min(found)[1] if found else None


#: Terminal escape sequences (ECMA-48), dropped whole: CSI (colours "\x1b[31m"), OSC and
#: the other string commands ("\x1b]0;title\x07", ended by BEL or ST "\x1b\\", or
#: unended: to the end of the line), and two-character escapes ("\x1bc"). With only the
#: ESC dropped, a hyperlink's "]8;;http://..." stayed in the text (a breaker's).
TERMINAL_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\|$)"
    r"|\x1b[ -/]*[0-~]",
    re.M,
)


def normalize_text(text: str) -> str:
    """NFKC-normalise, unify line endings to ``\\n`` and drop terminal escape sequences
    and control characters. A vertical tab (a line break in text copied from Word or a
    spreadsheet cell), a form feed (pdftotext's page break), NEL and the Unicode line and
    paragraph separators are line breaks too (a breaker's: they were dropped, and
    "daily.\\fThe line cost ..." became one sentence)."""
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub("", TERMINAL_ESCAPE.sub("", text))


#: Text files saved as UTF-16 ("Unicode" in Windows editors) are full of NUL bytes.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


#: A file whose first 8 KiB are more than this share control bytes (other than tab and
#: line breaks) is binary even when it decodes as UTF-8: "\x00\x01\x02binary" is not an
#: article, while a few stray bytes pasted from a terminal are dropped and the text kept.
MAX_CONTROL_SHARE = 0.2
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0D}


#: A file more than half of whose characters are in runs of 60 or more letters, digits,
#: "+", "/" and "=" without a space (base64, hex dumps) is encoded data: a breaker's 400 KB
#: blob became 2,048 chunks. Prose, URLs and CJK text (not ASCII) have no such runs.
MAX_ENCODED_SHARE = 0.5
_ENCODED_RUN = re.compile(r"[A-Za-z0-9+/=]{60,}")


def _encoded_share(text: str) -> float:
    return sum(len(m.group(0)) for m in _ENCODED_RUN.finditer(text)) / max(1, len(text))


def _control_share(head: bytes) -> float:
    """Share of ``head``'s bytes that are control bytes (0 for an empty file)."""
    return sum(b in _CONTROL_BYTES for b in head) / len(head) if head else 0.0


def _is_utf8(raw: bytes) -> bool:
    """Valid UTF-8: then NUL bytes in it are stray control characters, dropped later."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def iter_files(
    paths: Iterable[str | os.PathLike[str]], unsupported: list[Path] | None = None
) -> Iterator[tuple[Path, str] | Skipped]:
    """Yield ``(file, article_id)`` for every supported file under ``paths``.

    The article id is the file's absolute path with symlinks resolved, so one file has one
    id however it is reached, and two files of the same name in different folders never
    share one. Dotfiles and dot-folders (``.git``, ``.github``) below a folder are passed
    over: they are not the user's articles. Unsupported files found in folders are passed
    over, and appended to ``unsupported`` when it is given; missing paths, unsupported
    files named directly, unreadable folders and file names that are not valid UTF-8
    yield :class:`Skipped` with the reason.
    """
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw).expanduser()
        try:
            root.stat()
        except PermissionError as denied:
            # a file in a folder this user may not enter (a breaker's traceback)
            why = denied.strerror or denied
            yield Skipped(str(root), f"cannot read: {why} (check its folder's permissions)")
            continue
        except OSError:
            pass  # missing, a broken link, a loop: told apart below
        if not root.exists():
            missing = _broken_link(root) if root.is_symlink() else None
            yield Skipped(str(root), missing or "no such file or folder")
            continue
        if root.exists() and not root.is_file() and not root.is_dir():
            yield Skipped(str(root), "not a regular file (a device, socket or pipe)")
            continue
        if root.is_file():
            if root.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield Skipped(str(root), f"unsupported file type {root.suffix or '(none)'!r}")
                continue
            yield from _once(root, seen)
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
            # dot-folders and dotfiles are not the user's articles: ".github" issue
            # templates, ".ipynb_checkpoints" copies (breaker)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            # an index kept inside the folder (--persist-dir news/index) is no articles:
            # its own files were listed as types newsdesk does not read (a breaker's)
            # (an unreadable folder is walked into, and os.walk reports it: "lost+found"
            # at a drive's root raised PermissionError here, a breaker's)
            dirnames[:] = [d for d in dirnames if not _holds_index(Path(dirpath, d))]
            for name in sorted(n for n in filenames if not n.startswith(".")):
                file = Path(dirpath) / name
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    if unsupported is not None:
                        unsupported.append(file)
                    continue
                if file.is_file():
                    yield from _once(file, seen)
                elif file.is_symlink():
                    yield Skipped(str(file), _broken_link(file))
                else:
                    yield Skipped(str(file), "not a regular file (a device, socket or pipe)")
        for e in errors:
            yield Skipped(str(e.filename), f"cannot read folder: {e.strerror or e}")


def _holds_index(folder: Path) -> bool:
    """Whether ``folder`` holds a newsdesk index (false when it cannot be read)."""
    try:
        return (folder / INDEX_FILE).exists()
    except OSError:
        return False


def _broken_link(link: Path) -> str:
    """Why the symlink ``link`` leads to no file: a loop, a missing target, or a target
    that is no regular file (``/dev/zero``, a pipe)."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "symlink loop: the link leads back to itself"
    except OSError:
        return "broken symlink: its target does not exist"
    return f"symlink to {target}, not a regular file (a device, socket or pipe)"


def _once(file: Path, seen: set[Path]) -> Iterator[tuple[Path, str] | Skipped]:
    try:
        str(file).encode("utf-8")
    except UnicodeEncodeError:
        yield Skipped(repr(str(file)), "file name is not valid UTF-8: rename the file")
        return
    try:
        resolved = file.resolve(strict=True)
    except (OSError, RuntimeError) as e:  # RuntimeError: a symlink loop
        yield Skipped(str(file), f"cannot resolve path: {e}")
        return
    if resolved not in seen:
        seen.add(resolved)
        yield file, resolved.as_posix()


def load_article(path: Path, article_id: str) -> Article | Skipped:
    """Read one file into an :class:`Article`, or say why it cannot be one."""
    try:
        return _load_article(path, article_id)
    except (OSError, ValueError, TypeError, RecursionError) as e:
        # one odd file must never stop a run over thousands
        return Skipped(str(path), f"cannot read file: {type(e).__name__}: {e}")


def _load_article(path: Path, article_id: str) -> Article | Skipped:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Skipped(str(path), DELETED)
    except OSError as e:
        return Skipped(str(path), f"cannot read file: {e.strerror or e}")
    if path.suffix.lower() == ".pdf" or raw.startswith(b"%PDF-"):
        # a PDF saved under another name ("story.html") is read as the PDF it is, not as
        # its raw syntax ("<< /Length 129 >>" was quoted; a breaker's)
        return _load_pdf(path, article_id, raw)
    head = raw[:8192]
    order = _utf16_order(head) if not raw.startswith(_UTF16_BOMS) else None
    if order is not None:
        # UTF-16 saved without its byte-order mark was called "binary" (a breaker's)
        raw = (b"\xff\xfe" if order == "le" else b"\xfe\xff") + raw
    if not raw.startswith(_UTF16_BOMS) and (
        (b"\x00" in head and not _is_utf8(raw)) or _control_share(head) > MAX_CONTROL_SHARE
    ):
        return Skipped(str(path), "binary file, not text")
    decoded = _decode(raw)
    if decoded is None:
        return Skipped(
            str(path), "text in an unknown encoding (not UTF-8, no legacy encoding fits)"
        )
    if path.suffix.lower() in _HTML or _HTML_PAGE.match(decoded):
        return _load_html(path, article_id, decoded)  # a page saved as .txt or .md too
    text = normalize_text(decoded)
    meta: dict[str, object] = {}
    fm_notes = []
    if path.suffix.lower() == ".txt":
        # tags and entities were quoted (a breaker's); its lines are a text file's
        text, markup = markup_to_text(text, keep_lines=True)
        text = normalize_text(text)
        fm_notes += [HTML_NOTE] if markup else []
    fm = _FRONT_MATTER.match(text) or _unclosed_front_matter(text)
    if fm and path.suffix.lower() != ".txt":
        loaded = _front_matter(fm.group(1))
        meta = loaded if isinstance(loaded, dict) else {}
        if not isinstance(loaded, dict) and fm.group(1).strip():
            fm_notes.append(
                "front matter is not 'key: value' fields (or uses YAML anchors, or is over "
                "20 kB): its title, date and source were not read"
            )
        text = text[fm.end() :]  # front matter is metadata, never story text
    if not text.strip():
        return Skipped(str(path), "empty file (no text)")
    if not re.search(r"[^\W_]", text):
        return Skipped(str(path), "no words (only punctuation or symbols)")
    if _encoded_share(text) > MAX_ENCODED_SHARE:
        return Skipped(str(path), "encoded data (base64 or hex runs), not prose")
    is_markdown = path.suffix.lower() != ".txt"
    if is_markdown and all(
        _MD_HEADING.match(line) or not line.strip() for line in text.splitlines()
    ):
        return Skipped(str(path), "Markdown with headings only, no body text")
    if not is_markdown and _headline_only(text):
        # it would be quoted as the answer, though headlines are not quoted (a breaker's)
        return Skipped(str(path), "a headline only (one short line, no sentence), no story text")
    given = meta.get("title")
    # a scalar title (``title: 1984``) is text too; lists and mappings are not titles
    given = str(given) if isinstance(given, int | float) and not isinstance(given, bool) else given
    title = normalize_text(given).strip()[:300] if isinstance(given, str) else ""
    # "<h1>Storm Closes Kelby Harbour</h1>" opening a Markdown file (a breaker's)
    title = title or _plain_title(_title_from_text(text, is_markdown, path)) or path.stem
    if is_markdown:
        text = markdown_to_text(text)
    published = _published(meta, text)
    notes = fm_notes + _metadata_notes(meta, (*_FEED_META, "tags"), _META_DATES, published)
    notes += [MIXED_NOTE] if _read_mixed(raw) else []
    if given is not None and not isinstance(given, str):
        notes.append(f"title is {_json_kind(given)}, not text: the title is read from the text")
    return Article(
        id=article_id,
        title=title,
        source=str(path.resolve()),
        text=text,
        published=published,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata=_metadata(meta, (*_FEED_META, "tags")),
        notes=tuple(notes),
    )


def _headline_only(text: str) -> bool:
    """One line of at most 20 words that does not end like a sentence ("Storm Hits
    Kelby"): a title with no story."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return len(lines) == 1 and len(lines[0].split()) <= 20 and not lines[0].endswith(_SENTENCE_ENDS)


def _has_sentence(text: str) -> bool:
    """Whether a line of ``text`` that is not page boilerplate
    (:func:`ingest.boilerplate.boilerplate_spans`: "Subscribe now to continue reading.")
    reads as a sentence: at least four words, ending like one (as in
    :func:`_headline_only`)."""
    from ingest.boilerplate import boilerplate_spans

    for start, end in reversed(boilerplate_spans(text)):
        text = text[:start] + text[end:]
    return any(
        len(line.split()) >= 4 and line.rstrip().endswith(_SENTENCE_ENDS)
        for line in text.splitlines()
    )


_SENTENCE_ENDS = (".", "!", "?", '"', "”", "'", "’", ")", "。", "।", "؟")


def markdown_to_text(source: str) -> str:
    """The text a reader sees in a Markdown article: headings without ``#``, links as
    their text, images as their alt text, emphasis and inline HTML markers dropped,
    fenced code blocks dropped (a program is not story text: its lines were quoted with
    the sentence before them, a breaker's), HTML blocks read as the text they show
    (:func:`html_to_text`), indented blocks (often prose indented by
    accident) and the numbers of ordered list items kept; one block (heading, paragraph,
    list item, table) per paragraph, a table's rows one a line, written as in Markdown
    ("| Piet Lund | Map Curator |": read with their header when scored).

    Parsed with markdown-it-py (CommonMark, plus tables), so what counts as Markdown is
    the standard's; soft line breaks inside a paragraph become spaces.
    """
    from markdown_it import MarkdownIt

    blocks: list[str] = []
    row: list[str] | None = None
    rows: list[str] = []
    number = ""  # an ordered list item's own number ("1984. It was..." keeps its year)
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        if token.type == "list_item_open" and token.info:
            number = f"{token.info}{token.markup} "
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            rows.append(f"| {' | '.join(row)} |")
            row = None
        elif token.type == "table_close":
            # one block, a row a line: the rows of a table are read together (one row a
            # paragraph, each was judged alone and a row of words dropped as a menu)
            blocks.append("\n".join(r for r in rows if r))
            rows = []
        elif token.type == "inline":
            text = _inline_text(token.children or [])
            if row is not None:
                row.append(text)
            else:
                blocks.append(number + text)
                number = ""
        elif token.type == "code_block":
            # a blank line inside <table> makes the rest an indented block (a breaker's)
            code = token.content.rstrip("\n")
            blocks.append(html_to_text(code) if is_html(code) else code)
        elif token.type == "html_block":
            # a paragraph written as <p>...</p> or <div>...</div> is story text (it was
            # dropped, a breaker's); a comment or a <script> shows nothing
            blocks.append(html_to_text(token.content))
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _inline_text(children: list[Any]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)  # the alt text
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "html_inline" and re.fullmatch(r"<br\s*/?>", child.content, re.I):
            parts.append("\n")  # "said.<br>Some 300 homes" read as one sentence
    return "".join(parts)


def _plain_title(title: str) -> str:
    """A title without tags or character references ("<b>Library</b> Closes", "Ferry &amp;
    Bus Strike"): their text, on one line."""
    if "<" not in title and not _ENTITY.search(title):
        return title
    return " ".join(html_to_text(title).split())


def _utf16_order(head: bytes) -> str | None:
    """``"le"`` or ``"be"`` when ``head`` reads as UTF-16 text without a byte-order mark:
    at least 16 bytes, nearly every other byte NUL (text in Latin script, as Windows
    "Unicode" files are) and the others not, and it decodes; else ``None``."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    for order, zeros, chars in (("le", odd, even), ("be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.05 * len(chars):
            try:
                head.decode(f"utf-16-{order}")
            except UnicodeDecodeError:
                return None
            return order
    return None


def _decode(raw: bytes) -> str | None:
    try:
        if raw.startswith(_UTF16_BOMS):
            return raw.decode("utf-16")  # Windows "Unicode" text; the BOM gives the order
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = _mixed(raw)
    if mixed is not None:
        return mixed
    damaged = _damaged_utf8(raw)
    if damaged is not None:
        return damaged
    western = _western(raw)
    if western is not None:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return None if best is None else str(best)


def _damaged_utf8(raw: bytes) -> str | None:
    """``raw`` as UTF-8 without its few stray bytes, when it is UTF-8 text (it holds valid
    multi-byte characters) with at most 3 bytes, or one in 1,000, that are not: one stray
    byte skipped a whole article. A legacy-encoded file holds no valid multi-byte UTF-8
    character, so it is left to :func:`_western` and charset_normalizer."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(not c.isascii() for c in text) - bad
    if multibyte and bad <= max(3, len(text) // 1000):
        return text.replace("\ufffd", "")
    return None


def _mixed(raw: bytes) -> str | None:
    """``raw`` line by line, when it holds lines of UTF-8 (with multi-byte characters)
    and lines that are not UTF-8 but Windows-1252: each line in its own encoding. A file
    pasted together from two sources was read wholly as Windows-1252 ("CafÃ© owners").
    ``None`` when not both kinds of line are there, or a line is neither: one with two
    non-ASCII bytes in a row is broken UTF-8 (:func:`_damaged_utf8`), and one that does
    not read as a Western language (:func:`_western`) is of another legacy encoding.

    Tried before dropping stray bytes: "José" in a Windows-1252 line of a UTF-8 file
    became "Jos" (breaker)."""
    lines, utf8, legacy = [], False, False
    for line in raw.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            western = None if _HIGH_PAIR.search(line) else _western(line)
            if western is None:
                return None
            lines.append(western)
            legacy = True
    return "\n".join(lines) if utf8 and legacy else None


_HIGH_PAIR = re.compile(rb"[\x80-\xff]{2}")


def _read_mixed(raw: bytes) -> bool:
    """Whether :func:`_decode` read ``raw`` line by line (:func:`_mixed`)."""
    return not raw.startswith(_UTF16_BOMS) and not _is_utf8(raw) and _mixed(raw) is not None


#: Said of a text read by :func:`_mixed`.
MIXED_NOTE = "the file mixes encodings: its lines that are not UTF-8 were read as Windows-1252"


#: Most letters of Western European text are ASCII ("Économie à Montréal" is 3 of 16
#: accented); Cyrillic or Greek text read as Windows-1252 is mostly accented letters.
_MAX_ACCENTED_SHARE = 0.3


def _western(raw: bytes) -> str | None:
    """``raw`` as Windows-1252 (Latin-1's superset, with curly quotes, dashes and "€"),
    when it decodes and reads as a Western European language: under
    :data:`_MAX_ACCENTED_SHARE` of its letters outside ASCII. charset_normalizer alone
    took French and English Windows-1252 text for Baltic cp775 ("Montrķal"). Text that
    reads as Windows-1250 misread (:data:`_CP1250_TELL`) is read as Windows-1250
    (charset_normalizer took it for Windows-1252)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _CP1250_TELL.search(text):
        try:
            central = raw.decode("cp1250")
        except UnicodeDecodeError:
            central = ""
        if _mostly_ascii_letters(central):
            return central
    return text if _mostly_ascii_letters(text) else None


def _mostly_ascii_letters(text: str) -> bool:
    """Under :data:`_MAX_ACCENTED_SHARE` of the letters of ``text`` outside ASCII (and it has
    letters): a Latin-script language, not Chinese or Russian read in the wrong code page."""
    letters = [c for c in text if c.isalpha()]
    accented = sum(not c.isascii() for c in letters)
    return bool(letters) and accented / len(letters) < _MAX_ACCENTED_SHARE


#: Windows-1250 (Polish, Czech, Slovak, Hungarian...) read as Windows-1252: a superscript,
#: "¿", "¯", "¥" or "Ÿ" inside a word ("zosta³" for "został", "mo¿e" for "może"), where no
#: Western text has one. NFKC then made "³" a 3: numbers appeared that the article never
#: had (a breaker's).
#: (Not at a word's end: "100 m³ of water" is Western.)
_CP1250_TELL = re.compile(r"(?<=[^\W\d_])[³¹¿¯¥¾¼Ÿ](?=[^\W\d_])")


def reflow_lines(page: str) -> str:
    """A PDF page's text with its wrapped lines joined into paragraphs.

    pypdf gives one line of the layout per line of text; a sentence cut over lines would
    be cut into sentences (a line break ends one). A line joins the next with a space
    unless it is short (under 70% of the page's median line: a heading or a paragraph's
    last line) or blank. A word hyphenated over a line break is joined: without the hyphen
    when the joined word is English ("govern-" + "ment"), with it otherwise ("well-" +
    "known"). Returns the page stripped, paragraphs separated by one newline.
    """
    import statistics

    import lemminflect

    lines = [ln.strip() for ln in page.split("\n")]
    full = [len(ln) for ln in lines if ln]
    if not full:
        return ""
    wide = 0.7 * statistics.median(full)
    out: list[str] = []
    open_line = False  # whether the last line in ``out`` runs on into the next
    for line in lines:
        if not line:
            open_line = False
            continue
        if out and open_line:
            prev = out[-1]
            cut = re.search(r"([A-Za-z]+)-$", prev)
            if cut and line[:1].islower():
                rest = re.match(r"[A-Za-z]+", line)
                word = (cut.group(1) + (rest.group(0) if rest else "")).lower()
                known = bool(lemminflect.getAllLemmas(word))
                out[-1] = (prev[:-1] if known else prev) + line
            else:
                out[-1] = f"{prev} {line}"
        else:
            out.append(line)
        open_line = len(line) >= wide or line.endswith("-")
    return "\n".join(out)


#: Block tags of HTML markup: a closing one (``</p>``), a line break (``<br>``) or two
#: of them make a text HTML. Inline tags do not: "Use the <strong> element for important
#: text" is prose about markup (a breaker's lost its tag names), and a plain-text article
#: with a ``<b>`` or two keeps its lines.
_HTML_BLOCK_TAG = re.compile(
    r"<(/?)(?:p|div|br|li|ul|ol|h[1-6]|table|tr|td|th|blockquote|section|article|figure"
    r"|figcaption|script|style|body|head|html|hr)(?:\s[^<>]*)?/?>"
    r"(?!\s+(?:elements?|tags?)\b)",  # "the <table> element must not be used for layout"
    re.I,
)
#: A pair of inline tags around text, "<b>eleven years</b>": markup too.
_HTML_INLINE_PAIR = re.compile(r"<(b|i|em|strong|span|a|u|small|sup|sub)\b[^<>]*>[^<]*</\1>", re.I)
_HTML_PAGE = re.compile(
    r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_HTML_BLOCKS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "pre",
    "hr", "dd", "dt", "dl",
)  # fmt: skip
#: An HTML character reference: "&amp;", "&nbsp;", "&#8217;", "&#x20AC;".
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
#: An address or link in angle brackets, "<desk@paper.example>": text, not a tag.
_BRACKETED = re.compile(r"<((?:mailto:|https?://)?[^<>\s@/]+@[^<>\s]+|https?://[^<>\s]+)>")
#: Said of a text whose HTML markup was read as the text it shows.
HTML_NOTE = "HTML markup read as the text it shows (tags, scripts and styles dropped)"


def is_html(text: str) -> bool:
    """Whether ``text`` is HTML markup rather than prose: it opens like a page
    (``<!DOCTYPE html>``, ``<html>``, after an XML prolog), or holds a closing block tag,
    a ``<br>`` or two block tags (:data:`_HTML_BLOCK_TAG`), a pair of inline tags around
    text (``<b>eleven years</b>``) or a CDATA section ("Use the <b> tag" is prose,
    ``<p>Storm hits.</p>`` is markup). Only the first 200,000 characters are looked at."""
    if _HTML_PAGE.match(text) or _HTML_INLINE_PAIR.search(text, 0, 200_000):
        return True
    tags = list(_HTML_BLOCK_TAG.finditer(text, 0, 200_000))
    closing = any(m.group(1) or m.group(0)[1:3].lower() == "br" for m in tags)
    return closing or len(tags) >= 2 or "<![CDATA[" in text[:200_000]


_ROW = "\ue001"  # a private-use mark of a table row's start


def _html_line(line: str) -> str:
    """A line of :func:`html_to_text`'s output: whitespace collapsed; a table row written
    as in Markdown, "| Mira Sand | Green Party |" (read with its header when scored)."""
    text = " ".join(line.split())
    if text.startswith(_ROW):
        cells = text.lstrip(_ROW).strip().removesuffix("|").strip()
        return f"| {cells} |" if cells.strip(" |") else ""
    return text.strip(" |")


def html_to_text(markup: str, *, keep_lines: bool = False) -> str:
    """The text an HTML fragment shows: scripts, styles and comments dropped, entities
    decoded, one paragraph per block element (``<p>``, ``<div>``, ``<li>``, headings,
    tables, whose rows are lines as in Markdown, "| Mira Sand | Green Party |"; ``<br>`` a
    line break) and per blank
    line of the source (a plain-text article with a few tags keeps its paragraphs),
    other whitespace collapsed as a browser does; addresses in angle brackets
    ("<desk@paper.example>") kept as text. Parsed by lxml (libxml2's HTML parser, which
    mends unclosed tags); markup it cannot parse is returned unchanged. Not a main-text
    extractor: menus and footers stay (whole pages go through trafilatura,
    :func:`_load_html`). With ``keep_lines`` every line break of the source is one too
    (a plain-text article with a few tags)."""
    import lxml.etree
    import lxml.html

    # U+E000 (private use) marks a break: one a line, two a paragraph
    marked = re.sub(r"\n[ \t]*\n\s*", "\ue000\ue000", markup.replace("\r\n", "\n"))
    marked = _CDATA.sub("", marked.replace("\n", "\ue000") if keep_lines else marked)
    marked = _BRACKETED.sub(lambda m: f"&lt;{m.group(1)}&gt;", marked)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return markup
    for gone in root.xpath("//script|//style|//noscript|//template|//head"):
        gone.drop_tree()
    for cell in root.iter("td", "th"):
        cell.tail = " | " + (cell.tail or "")
    for element in root.iter(*_HTML_BLOCKS):
        if element.tag in ("br", "tr"):  # a line break; a table is one paragraph, a row a line
            element.tail = "\ue000" + (element.tail or "")
            if element.tag == "tr":
                element.text = _ROW + (element.text or "")
        else:
            element.text = "\ue000\ue000" + (element.text or "")
            element.tail = "\ue000\ue000" + (element.tail or "")
    paragraphs = re.split(r"\ue000\s*\ue000[\ue000\s]*", root.text_content())
    lines = ([_html_line(line) for line in p.split("\ue000")] for p in paragraphs)
    return "\n\n".join("\n".join(line for line in p if line) for p in lines if any(p))


def markup_to_text(text: str, *, keep_lines: bool = False) -> tuple[str, bool]:
    """``text`` as it reads, and whether it was markup: HTML (:func:`is_html`) read by
    :func:`html_to_text` (``keep_lines`` passed on), character references alone decoded
    ("AT&amp;T", "&euro;3 billion"), and markup escaped once more ("&lt;p&gt;") read after
    decoding."""
    if not is_html(text) and _ENTITY.search(text):
        import html

        decoded = html.unescape(text)
        if not is_html(decoded):
            return decoded, True
        text = decoded
    if not is_html(text):
        return text, False
    return html_to_text(text, keep_lines=keep_lines), True


def _load_pdf(path: Path, article_id: str, raw: bytes) -> Article | Skipped:
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    # pypdf logs damage it recovers from ("EOF marker not found"); the skip reason says it
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return Skipped(str(path), "encrypted PDF: save an unencrypted copy")
        pages = [reflow_lines(normalize_text(p.extract_text() or "")) for p in reader.pages]
        info = reader.metadata
    except DependencyError as e:
        # AES encryption without the cryptography package, a JBIG2 image (a breaker's:
        # the error ended the whole run with a traceback)
        return Skipped(str(path), f"unreadable PDF: it needs what is not installed ({e})")
    except (PyPdfError, ValueError, KeyError) as e:  # damage; a stream bomb's limit reached
        return Skipped(str(path), f"unreadable PDF: {e}")
    if not any(pages):
        return Skipped(str(path), "PDF has no text layer (a scan?): OCR it first")
    starts, parts, offset = [], [], 0
    for page in pages:
        starts.append(offset)
        parts.append(page)
        offset += len(page) + 2
    text = "\n\n".join(parts)
    title = str(getattr(info, "title", None) or "").strip()[:300] if info else ""
    if title and " ".join(title.split()).casefold() not in " ".join(text[:2000].split()).casefold():
        # a tool's name for the file ("pdfsrc.html", "Report", "Microsoft Word - a.docx"),
        # not the headline the text opens with (a breaker's)
        title = ""
    created = getattr(info, "creation_date", None) if info else None
    return Article(
        id=article_id,
        title=title or _title_from_text(text, False, path),
        source=str(path.resolve()),
        text=text,
        # the date the text gives ("Published: March 5, 2024", a dateline) before the day
        # the file was made (a printed page was dated the day it was printed, a breaker's)
        published=_published({}, text)
        or (created.date().isoformat() if isinstance(created, datetime) else None),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        page_starts=tuple(starts),
    )


def _load_html(path: Path, article_id: str, page: str) -> Article | Skipped:
    import trafilatura

    def extract(source: Any) -> tuple[Any, str]:
        # no extensive date search: it dated a page by its footer's "Copyright 2024"
        doc = trafilatura.bare_extraction(
            source,
            with_metadata=True,
            include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        return doc, normalize_text(getattr(doc, "text", None) or "") if doc is not None else ""

    doc, body = extract(page)
    if not body.strip():
        # libxml2 stops at 256 nested elements (a page of unclosed <font> or <li> tags):
        # trafilatura found nothing; parsed without that limit, the text is there (a
        # breaker's)
        import lxml.etree
        import lxml.html

        try:
            tree = lxml.html.fromstring(page, parser=lxml.html.HTMLParser(huge_tree=True))
        except (lxml.etree.ParserError, ValueError):
            tree = None
        if tree is not None:
            doc, body = extract(tree)
    if not body.strip():
        return Skipped(str(path), "no main text found in the page")
    if not _has_sentence(body):
        # a menu of links, or a headline behind a paywall: nothing to quote (a breaker's)
        return Skipped(str(path), "no story text in the page (no sentence: a menu or headline)")
    title = str(getattr(doc, "title", None) or "").strip()[:300]
    return Article(
        id=article_id,
        title=title or _title_from_text(body, False, path),
        source=str(path.resolve()),
        text=body,
        # the page's metadata date, else the one its text gives ("Published: ...", a
        # dateline; a breaker's page was undated)
        published=parse_date(str(getattr(doc, "date", None) or "")) or _published({}, body),
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        metadata=_page_metadata(doc),
    )


def _page_metadata(doc: Any) -> dict[str, str]:
    """A page's ``author``, and its publisher (trafilatura's ``sitename``: the page's
    ``og:site_name``...) as ``source_name``, where a feed item's ``source`` is kept, so a
    source filter ("Metro Herald") finds the page. Blanks dropped, at most 300
    characters."""
    fields = {"author": getattr(doc, "author", None), "source_name": getattr(doc, "sitename", None)}
    return {k: str(v).strip()[:300] for k, v in fields.items() if v and str(v).strip()}


class _NoTimestamps(yaml.SafeLoader):
    """YAML's safe loader with dates left as text: ``date: 2024-02-30`` made the whole
    front matter fail (the timestamp constructor raises), losing title, source and author
    with it; as text, the bad date alone is not understood (:func:`parse_date`)."""


_NoTimestamps.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RULE = re.compile(r"^\s*([-*_=])\1{2,}\s*$")
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def _unclosed_front_matter(text: str) -> re.Match[str] | None:
    """A front matter fence left unclosed: ``key: value`` lines up to the first blank
    line, taken as front matter only when one of them is a field newsdesk reads (title,
    date, author...), so a note after a rule stays text."""
    m = _UNCLOSED_FRONT_MATTER.match(text)
    known = {"title", "date", "published", "published_at", "tags", *_FEED_META}
    keys = (_KEY_VALUE.match(line) for line in m.group(1).splitlines()) if m else ()
    if m and any(k and k.group(1).lower() in known for k in keys):
        return m
    return None


def _front_matter(block: str) -> object:
    """Parse YAML front matter safely: no anchors or aliases (an alias "bomb" can expand a
    kilobyte into gigabytes), no more than 20 kB, dates kept as text. A block that is not
    valid YAML is read as plain ``key: value`` lines, so one stray quote does not lose
    every field."""
    if len(block) > 20_000 or re.search(r"(^|[\s\[{,:])[&*][^\s]", block, re.M):
        return None
    try:
        return yaml.load(block, Loader=_NoTimestamps)  # a SafeLoader subclass
    except (yaml.YAMLError, ValueError, TypeError):
        pairs = (_KEY_VALUE.match(line) for line in block.splitlines())
        return {m.group(1): m.group(2).strip("\"'") for m in pairs if m and m.group(2)}


def load_articles(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Article | Skipped]:
    """Yield an :class:`Article` or a :class:`Skipped` for every article under ``paths``
    (one per file, or one per object of a JSON feed)."""
    for item in iter_files(paths):
        yield from load_entry(item)


def load_entry(item: tuple[Path, str] | Skipped) -> list[Article | Skipped]:
    """The articles of one entry of :func:`iter_files` (a feed holds several)."""
    if isinstance(item, Skipped):
        return [item]
    head, _, _ = item[1].rpartition("#")
    if head and Path(head).suffix.lower() in (".json", ".jsonl") and Path(head).is_file():
        # "feed.jsonl#wire-1.txt" beside feed.jsonl has the id of that feed's item
        # "wire-1.txt": the two replaced each other at every ingest (a breaker's)
        return [
            Skipped(
                str(item[0]),
                f"its name reads as an item of the feed {Path(head).name}, whose articles' ids "
                "are FILE#ITEM: rename it (no '#' after the feed's name)",
            )
        ]
    if item[0].suffix.lower() in (".json", ".jsonl"):
        return load_feed(*item)
    return [load_article(*item)]


#: Reason given for a file listed at the start of a run but gone when it was to be read.
DELETED = "file deleted or moved while the run was under way"


def load_feed(path: Path, file_id: str) -> list[Article | Skipped]:
    """Read a JSON or JSON Lines article feed (see module docstring): one
    :class:`Article` or :class:`Skipped` per object, ids as :func:`feed_keys` gives them.
    What is no JSON object is skipped as ``feed.jsonl#line-3`` (``feed.json#item-3``)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [Skipped(str(path), DELETED)]
    try:
        decoded = _decode(raw)
        if decoded is None:
            return [Skipped(str(path), "text in an unknown encoding")]
        where = "line" if path.suffix.lower() == ".jsonl" else "item"
        if where == "line":
            # "\n" only: splitlines() also breaks at U+2028, which json.dumps leaves in
            # strings with ensure_ascii=False, and an item became two broken lines
            lines = enumerate(decoded.split("\n"), 1)
            objects = [(n, _json_line(line, n)) for n, line in lines if line.strip()]
        else:
            data = json.loads(decoded)
            if isinstance(data, dict):
                # a wrapper holds its articles in a list; one article may have a "data" or
                # "items" field of its own ({"data": {"views": 3}}: breaker)
                data = next(
                    (
                        data[k]
                        for k in ("articles", "items", "data")
                        if isinstance(data.get(k), list)
                        and (not data[k] or any(isinstance(item, dict) for item in data[k]))
                    ),
                    [data],
                )
                wrapper = _unread_wrapper(data[0]) if len(data) == 1 else None
                if wrapper:
                    return [Skipped(str(path), wrapper)]
            objects = list(enumerate(data, 1)) if isinstance(data, list) else []
    except (OSError, json.JSONDecodeError, RecursionError) as e:
        return [Skipped(str(path), f"not a readable JSON feed: {e}")]
    if not objects:
        return [Skipped(str(path), "no article objects in the JSON feed")]
    keys = feed_keys([obj for _, obj in objects])
    return [
        _feed_entry(path, file_id, f"{path}#{where}-{n}", obj, key)
        for (n, obj), key in zip(objects, keys, strict=True)
    ]


def _unread_wrapper(obj: object) -> str | None:
    """Why a JSON object with no article text but an ``articles``, ``items`` or ``data``
    field that is no list of objects is no feed (``{"items": {...}}`` was skipped as a
    feed item with no text, a breaker's), or ``None``."""
    if not isinstance(obj, dict) or any(isinstance(obj.get(k), str) for k in _FEED_BODY):
        return None
    for key in ("articles", "items", "data"):
        if key in obj:
            value = obj[key]
            kind = (
                "text"
                if isinstance(value, str)
                else "null"
                if value is None
                else "a list of no objects"
                if isinstance(value, list)
                else _json_kind(value)
            )
            return (
                f"{key!r} is {kind}, not a list of article objects: a JSON "
                "feed is a list of objects, or an object with that list under 'articles', "
                "'items' or 'data'"
            )
    return None


def _feed_entry(
    path: Path, file_id: str, place: str, obj: object, key: tuple[str, str | None] | None
) -> Article | Skipped:
    """One feed object as an article, or skipped at ``place`` (its line or position)."""
    if isinstance(obj, Skipped):
        return Skipped(place, obj.reason, unknown_item=True)
    if not isinstance(obj, dict) or key is None:
        return Skipped(place, "feed item is not a JSON object")
    return _feed_article(path, f"{file_id}#{key[0]}", f"{path}#{key[0]}", obj, key[1])


def _json_line(line: str, n: int) -> object:
    """Line ``n`` of a JSON Lines feed as JSON, or a :class:`Skipped` saying why not."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        return Skipped("", f"line {n}, column {e.colno}: not valid JSON ({e.msg})")
    except RecursionError:  # one over-nested line, not the whole feed
        return Skipped("", f"line {n}: JSON nested too deeply")


#: An item's own identifier, in this order; used as its key when it is short and plain.
_FEED_ID = ("id", "guid", "url", "link")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def feed_keys(objects: list[Any]) -> list[tuple[str, str | None] | None]:
    """Each feed object's key in its feed, with a note when it is not the obvious one:
    ``[(key, note or None) | None]``, ``None`` for what is not a JSON object.

    The key is the item's own identifier (:data:`_FEED_ID`) when it has one, verbatim
    when it is up to 64 letters, digits and ``._:-`` (``"a-123"``), else the first 12
    hex digits of its sha256 (a URL: ``/`` and ``#`` would break the id); without one, the
    hash of its title and date, or of its text when it has no title. Keys never depend on
    positions, so an item keeps its id when other lines are added or removed. A key
    taken by an earlier item gets ``-`` and a hash of the item's whole JSON, and a true
    duplicate after that ``-2``, ``-3``... in order, so every id is unique in its feed
    and nothing stored is overwritten by another item.
    """
    keys: list[tuple[str, str | None] | None] = []
    taken: set[str] = set()
    for obj in objects:
        if not isinstance(obj, dict):
            keys.append(None)
            continue
        key = _own_key(obj)
        note = None
        if key in taken:
            first = key
            key = base = f"{first}-{_hash(json.dumps(obj, sort_keys=True, default=str))}"
            n = 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            note = f"key #{first} is an earlier item's too: stored as #{key}"
        taken.add(key)
        keys.append((key, note))
    return keys


def _own_key(obj: dict[str, Any]) -> str:
    """A feed object's key before duplicates are told apart (see :func:`feed_keys`)."""
    own = next(
        (
            str(obj[k]).strip()
            for k in _FEED_ID
            if isinstance(obj.get(k), str | int) and str(obj[k]).strip()
        ),
        None,
    )
    if own is not None:
        return own if _PLAIN_KEY.fullmatch(own) else _hash(own)
    title = obj.get("title")
    if isinstance(title, str) and title.strip():
        date_value = next((str(obj[k]) for k in _FEED_DATE if obj.get(k)), "")
        return _hash(f"{title.strip()}\n{date_value}")
    body = next((obj[k] for k in _FEED_BODY if isinstance(obj.get(k), str)), "")
    return _hash(normalize_text(body))


def _epoch_date(value: object) -> str | None:
    """The UTC date of a JSON number that is a Unix time in seconds or milliseconds, from
    10**8 (1973) up (``1754006400`` is 2025-08-01; a breaker's feed was stored undated), within
    :data:`MIN_YEAR`..:data:`MAX_YEAR`; else ``None``."""
    from datetime import UTC

    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 1e8:
        return None  # also NaN, and small numbers, which are no Unix time of a news story
    try:
        # inside: an integer of 400 digits overflows the division (a breaker's stopped a run)
        seconds = value / 1000 if abs(value) >= 1e11 else value
        day = datetime.fromtimestamp(seconds, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR else None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _json_kind(value: object) -> str:
    """What a JSON value that is not text is, in words ("a number", "a list")."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def _feed_article(
    path: Path, article_id: str, where: str, obj: dict[str, Any], key_note: str | None
) -> Article | Skipped:
    body = next((obj[k] for k in _FEED_BODY if isinstance(obj.get(k), str) and obj[k].strip()), "")
    # RSS and CMS exports carry HTML bodies and escaped titles (tags were quoted)
    text, markup = markup_to_text(body)
    text = normalize_text(text)
    if not text.strip():
        odd = [
            f"{k} is {_json_kind(obj[k])}"
            for k in _FEED_BODY
            if obj.get(k) is not None and not isinstance(obj[k], str)
        ]
        reason = f"feed item has no text (looked for {', '.join(_FEED_BODY)})"
        return Skipped(where, reason + (f": {', '.join(odd)}, not text" if odd else ""))
    title = obj.get("title")
    shown_title = (
        normalize_text(_plain_title(title)).strip()[:300] if isinstance(title, str) else ""
    )
    obj = _with_author_names(obj)
    # the first date field that holds a date: "published": "n/a" beside a good
    # "date_published" left an item undated (a breaker's)
    present = [k for k in _FEED_DATE if obj.get(k)]
    published, date_key = None, ""
    for key in present:
        published = parse_date(str(obj[key])) or _epoch_date(obj[key])
        if published:
            date_key = key
            break
    date_value = str(obj[date_key]) if date_key else ""
    metadata = _metadata(obj, _FEED_META)
    notes = _metadata_notes(obj, _FEED_META, _FEED_DATE, published)
    if published and present[0] != date_key:
        first = present[0]
        notes.append(f"{first} {str(obj[first])[:60]!r} is not a date: {date_key} read instead")
    if published and _bad_time_of_day(date_value):
        notes.append(
            f"{date_key} {date_value[:60]!r} has no valid time of day: read as {published}"
        )
    if title is not None and not isinstance(title, str):
        notes.append(f"title is {_json_kind(title)}, not text: the title is read from the text")
    notes += [key_note] if key_note else []
    notes += [HTML_NOTE] if markup else []
    return Article(
        id=article_id,
        title=shown_title or _title_from_text(text, False, path),
        source=str(path.resolve()),
        text=text,
        published=published,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata=metadata,
        notes=tuple(notes),
    )


def _with_author_names(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with ``author`` as the names of JSON Feed's ``authors`` list (1.1) or
    ``author`` object (1.0), ``{"name": ...}`` each (or plain names), joined by ", "; unchanged when
    ``author`` is text or no name is given (JSON Feed 1.1's authors were dropped
    silently, a breaker's)."""
    if isinstance(obj.get("author"), str) and obj["author"].strip():
        return obj
    given = obj.get("authors") if obj.get("author") is None else obj.get("author")
    people = given if isinstance(given, list) else [given]
    named = (p.get("name") if isinstance(p, dict) else p for p in people)
    names = [n.strip() for n in named if isinstance(n, str) and n.strip()]
    return {**obj, "author": ", ".join(names)} if names else obj


#: An ISO 8601 date followed by a time of day ("2024-05-02T09:30:00Z").
_ISO_DATETIME = re.compile(r"\s*\d{4}-\d{2}-\d{2}[T ]\d")


def _bad_time_of_day(value: str) -> bool:
    """An ISO 8601 date-time whose time is no time ("2024-05-02T25:99:00"); its date is
    still read, but a feed that writes such times may have other fields wrong."""
    if not _ISO_DATETIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return True
    return False


def _metadata(obj: dict[str, object], keys: Iterable[str]) -> dict[str, str]:
    """String metadata from a feed object or front matter: ``None`` and blanks dropped,
    lists and dicts as JSON, dates as ISO 8601, at most 500 characters; ``source`` is
    renamed ``source_name`` (``source`` is the file an article was read from)."""
    metadata = {}
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False, default=str)
        elif isinstance(value, date):  # datetime is a date too
            value = value.isoformat()
        if value is not None and str(value).strip():
            metadata[key if key != "source" else "source_name"] = str(value).strip()[:500]
    return metadata


#: Front matter fields read as the publication date, in this order.
_META_DATES = ("published", "published_at", "date")


def _metadata_notes(
    obj: dict[str, object], keys: Iterable[str], date_keys: Iterable[str], published: str | None
) -> list[str]:
    """What :func:`_metadata` and the date reading did not keep as given: a date field
    that is no date (when no other date was found), and a list or mapping given for a
    single-valued field, stored as JSON text (a ``source`` list matches a source filter
    by none of its names)."""
    notes = []
    if published is None:
        for key in date_keys:
            value = obj.get(key)
            if value is not None and str(value).strip():
                notes.append(f"{key} {str(value)[:60]!r} is not a date: stored undated")
                break
    for key in keys:
        value = obj.get(key)
        if key in _SINGLE_VALUED and isinstance(value, list | dict) and value:
            notes.append(f"{key} is {_json_kind(value)}: stored as its JSON text")
    return notes


#: Fields that name one thing; a list of tags or categories is as expected.
_SINGLE_VALUED = frozenset({"source", "author", "url"})


def _title_from_text(text: str, is_markdown: bool, path: Path) -> str:
    # rules (a front matter fence left unclosed, "***") are no titles
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not _RULE.match(ln)]
    if not lines:
        return path.stem
    if is_markdown:
        for line in lines[:5]:
            m = _MD_HEADING.match(line)
            if m:
                return m.group(1)
    first = lines[0]
    if len(lines) > 1 and len(first) <= 120 and not first.endswith((".", "?", "!", ":")):
        return first.lstrip("# ").strip()
    # No title line: the article's first sentence, shortened at a word boundary.
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) > 90:
        sentence = sentence[:90].rsplit(" ", 1)[0] + "…"
    return sentence or path.stem


def _published(meta: dict[str, object], text: str) -> str | None:
    for key in _META_DATES:
        value = meta.get(key)
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and (found := parse_date(value)):
            return found
    head = text.lstrip()[:400]
    for line in head.splitlines()[:6]:
        m = _DATE_LINE.match(line)
        if m and (found := parse_date(m.group(1))):
            return found
    # A dateline at the very start ("Mar 15, 2023 ... text").
    first = head[:40]
    found = parse_date(first)
    if found and parse_date(first[:20]):
        return found
    # A wire dateline in the first lines, under a headline: "PORT ELLERY, March 8, 2025 —
    # ...", "LONDON (March 8, 2025) - ...", "March 8, 2025 (Wire) - ...", or the date alone
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()][:3]
    for line in lines:
        if len(line) <= 40 and _DATE_ONLY.match(line) and (found := parse_date(line)):
            return found
        m = _WIRE_DATELINE.match(line)
        if m and (found := parse_date(m.group(1))):
            return found
    return None


#: The part of a first line before a dash that is a wire dateline: an optional place in
#: capitals ("PORT ELLERY,"), the date (bare or in brackets) and an optional agency in
#: brackets ("(Northwind Press)"), then the dash that opens the story.
_WIRE_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*)*(?:,\s*[A-Z][A-Za-z.]*)?\s*,?\s*)?"
    r"\(?((?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    r"|(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4})|(?:\d{4}-\d{2}-\d{2}))\)?"
    r"\s*(?:\([^()]{1,40}\)\s*)?(?:[-—–]{1,2}|:)\s"
)
#: A line that is only a date ("March 8, 2025", "Tuesday 8 March 2025").
_DATE_ONLY = re.compile(
    r"^(?:[A-Z][a-z]+day,?\s+)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})\.?$"
)
