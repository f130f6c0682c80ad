"""Prompts and fixed answer wordings, kept as YAML data files.

Load them with :func:`load_prompt`; a test pins each prompt's input variables.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


@functools.cache
def load_prompt(name: str) -> dict[str, Any]:
    """Load ``prompts/<name>.yaml`` from the installed package.

    Raises:
        FileNotFoundError: no such prompt file.
    """
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"prompts/{name}.yaml must hold a mapping")
    return data
