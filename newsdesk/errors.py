"""The newsdesk error hierarchy.

Library code raises these; only the edges (the CLI and the chat UI) turn them into
messages for people. Each message says what went wrong and what to do about it.
"""


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises on purpose."""


class BadInput(NewsdeskError):
    """An argument, file or gold record that newsdesk cannot use as given."""


class IndexNotFound(NewsdeskError):
    """No index (Chroma collection) exists where one was expected."""


class IndexMismatch(NewsdeskError):
    """An index was built with another embedding model or chunking than requested."""


class ModelIntegrityError(NewsdeskError):
    """A packaged model file is missing or its checksum does not match."""


class LLMUnavailable(NewsdeskError):
    """The configured LLM cannot be used: not installed, unreachable, or it failed."""
