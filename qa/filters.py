"""Retrieval filters: by source and by published-date range.

``{"source": str | list[str], "date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD"}`` (any
subset) is validated into a frozen :class:`RetrievalFilter`, which renders as a Chroma
``where`` clause over chunk metadata. The BM25 side is filtered to the articles that the
same clause selects (see :class:`qa.retriever.HybridRetriever`), so both halves of hybrid
search see the same articles.

A ``source`` value matches an article when it equals the feed's publisher name
(``source_name``, from a JSON feed's or front matter's ``source`` field, or an HTML page's
``og:site_name``), the article file's absolute path,
or the file's name (``published_day`` and ``source_file`` are written at ingestion by
:func:`vectorstore.store.chunk_to_document`); a feed item matches by its article id
(``/news/feed.jsonl#key``), or the end of it as citations show it (``feed.jsonl#key``).
Dates are inclusive and compared with the article's ``published`` date; an article
without a date never matches a date filter.

A source also matches publisher and file names that differ from it only in case
("halden gazette" and "Halden Gazette" find both; :func:`sources_ignoring_case`).

Not here: substring matching of sources, case-insensitive paths, time-of-day, relative
dates ("last week"); indexes built before ``published_day``/``source_file`` existed need
``newsdesk ingest --rebuild`` for date and file-name filters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsdesk.errors import BadInput

FILTER_KEYS = ("source", "date_from", "date_to")


@dataclass(frozen=True)
class RetrievalFilter:
    """A validated filter.

    Attributes:
        sources: accepted sources (publisher names, file paths or file names); empty
            means any source.
        date_from, date_to: inclusive bounds on the published date, or ``None``.
    """

    sources: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause, or ``None`` when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            values = list(self.sources)
            paths = [p for p in map(_as_path, self.sources) if p is not None]
            either: list[dict[str, Any]] = [
                {"source_name": {"$in": values}},
                {"source": {"$in": values + paths}},
                {"source_file": {"$in": values}},
            ]
            items = [v for v in values + paths if "#" in v]
            if items:  # a feed item by its id: "/news/feed.jsonl#lh-101"
                either.append({"article_id": {"$in": items}})
            clauses.append({"$or": either})
        if self.date_from is not None:
            clauses.append({"published_day": {"$gte": day_number(self.date_from)}})
        if self.date_to is not None:
            clauses.append({"published_day": {"$lte": day_number(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def sources_ignoring_case(
    selection: RetrievalFilter, stored: Iterable[Mapping[str, Any] | None]
) -> RetrievalFilter | None:
    """``selection`` with each source replaced by the publisher and file names in
    ``stored`` (chunk metadata) that equal it ignoring case (``str.casefold``), and each
    feed item named as ``FILE#KEY`` or ``folder/FILE#KEY`` by the id of the item whose id
    ends with it; ``None`` when nothing stored does.

    "island post" finds "Island Post", "feed.jsonl#halden-0309" the item
    "/news/feed.jsonl#halden-0309".
    """
    wanted = {s.casefold() for s in selection.sources}
    items = {s.casefold().lstrip("/") for s in selection.sources if "#" in s}
    found = {
        value
        for meta in stored
        for key in ("source_name", "source_file")
        if isinstance(value := (meta or {}).get(key), str) and value.casefold() in wanted
    }
    # a feed item as its citation names it, "local-feed.jsonl#lh-101": the item whose
    # id ends with it (a new user's and a breaker's matched nothing)
    found |= {
        value
        for meta in stored
        if items
        and isinstance(value := (meta or {}).get("article_id"), str)
        and "#" in value
        and any(value.casefold().endswith("/" + item) for item in items)
    }
    return replace(selection, sources=tuple(sorted(found))) if found else None


def _as_path(source: str) -> str | None:
    """``source`` as the absolute path an article's ``source`` records, when it names a
    file path ("a/b.txt", "~/news/b.txt"); ``None`` when it does not, or cannot be
    resolved (an unknown user's "~x", a symlink loop, a NUL byte): then it matches only
    as a name."""
    if "/" not in source:
        return None
    try:
        return str(Path(source).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):
        return None


def day_number(day: dt.date) -> int:
    """A date as the integer ``YYYYMMDD`` (orders like the date; Chroma compares numbers)."""
    return day.year * 10000 + day.month * 100 + day.day


def published_day(published: str | None) -> int | None:
    """``YYYYMMDD`` of an ISO date string (its first 10 characters), ``None`` if it has none."""
    if not published:
        return None
    try:
        return day_number(dt.date.fromisoformat(published[:10]))
    except ValueError:
        return None


def parse_filters(filters: Mapping[str, Any] | RetrievalFilter | None) -> RetrievalFilter | None:
    """Validate ``filters`` (see module docstring); ``None`` or ``{}`` means no filter.

    Raises:
        BadInput: not a mapping, an unknown key, a source that is not a non-empty string
            or list of them, a date that is not ``YYYY-MM-DD``, or ``date_from`` after
            ``date_to``; the message names the field.
    """
    if filters is None or isinstance(filters, RetrievalFilter):
        return filters
    if not isinstance(filters, Mapping):
        raise BadInput(
            f"filters must be a dict with keys {', '.join(FILTER_KEYS)}, "
            f"got {type(filters).__name__}"
        )
    unknown = sorted(str(k) for k in filters if k not in FILTER_KEYS)
    if unknown:
        raise BadInput(f"unknown filter {', '.join(unknown)}; known: {', '.join(FILTER_KEYS)}")
    raw_sources = filters.get("source")
    if raw_sources is None or raw_sources == []:
        sources: tuple[str, ...] = ()
    elif isinstance(raw_sources, str):
        sources = (raw_sources,)
    elif isinstance(raw_sources, list | tuple) and all(isinstance(s, str) for s in raw_sources):
        sources = tuple(raw_sources)
    else:
        raise BadInput(
            f"filter 'source' must be a string or a list of strings, got {raw_sources!r}"
        )
    sources = tuple(s.strip() for s in sources)
    if any(not s for s in sources):
        raise BadInput("filter 'source' holds an empty name")
    date_from = _date(filters.get("date_from"), "date_from")
    date_to = _date(filters.get("date_to"), "date_to")
    if date_from and date_to and date_from > date_to:
        raise BadInput(f"filter 'date_from' ({date_from}) is after 'date_to' ({date_to})")
    result = RetrievalFilter(sources, date_from, date_to)
    return result if result.to_where() is not None else None


def _date(value: Any, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:  # not any ISO form fromisoformat takes: "2024-W01-1" is a week date
            return dt.date.fromisoformat(value.strip())
        except ValueError as e:
            # "2024-02-30" is written as asked: say what is wrong with it (a breaker's)
            raise BadInput(f"filter {field!r}: {value.strip()} is no calendar date ({e})") from e
    raise BadInput(f"filter {field!r} must be a date written YYYY-MM-DD, got {value!r}")
