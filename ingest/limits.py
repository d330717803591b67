"""Bounds on every input MindKG parses or decodes, checked before the expensive work starts.

Media limits are read from the container header (ffprobe for audio, the video container for
video) BEFORE decoding, so a 170 KB WAV whose header claims 1 Hz (23 h) is refused in
milliseconds instead of decoding for an hour. Text inputs (manifest, scales.json, transcripts)
have size and nesting limits, and JSON objects may not repeat a key. Every limit is named in
its error message (a ValueError: CLI exit 2, HTTP 4xx) and can be changed with the
MINDKG_<NAME> environment variable of the same name, upper-cased (contracts.settings.InputLimits).

Defaults fit a counseling session: up to 2 h (plus a margin) of audio or video at up to
120 fps (high-speed cameras up to 240 fps for shorter clips).
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

from contracts.settings import InputLimits


def input_limits() -> InputLimits:
    """The limits in force now (environment read at each call: cheap, and tests can vary it)."""
    return InputLimits.from_env()


class JsonLimitError(ValueError):
    """JSON refused by a limit (size, depth, duplicate key); the message names it."""


DUPLICATE_KEY = "key {key!r} appears twice in one object (duplicate keys)"
NON_NUMBER = "{name} is not a JSON number"


def _no_duplicate_keys(message: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonLimitError(message.format(key=key))
        out[key] = value
    return out


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _prescan_depth(text: str, limit: int) -> None:
    """Refuse nesting over `limit` before parsing (the parser recurses per level)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise JsonLimitError(
                    f"JSON is nested deeper than MINDKG_MAX_JSON_DEPTH={limit} levels"
                )
        else:
            depth -= 1


def _no_constants(message: str, name: str) -> Any:
    raise JsonLimitError(message.format(name=name))


def loads_bounded(
    text: str,
    *,
    max_depth: int | None = None,
    duplicate_key: str = DUPLICATE_KEY,
    non_number: str = NON_NUMBER,
) -> Any:
    """json.loads with a nesting limit, duplicate keys refused and NaN/Infinity refused
    (callers may word those two refusals for their file: format strings with `{key}` and
    `{name}`).

    Raises JsonLimitError for a limit and json.JSONDecodeError (a ValueError) for bad JSON."""
    limit = max_depth or input_limits().max_json_depth
    if text.count("[") + text.count("{") > limit:  # only then can it be too deep
        _prescan_depth(text, limit)
    try:
        data = json.loads(text, object_pairs_hook=partial(_no_duplicate_keys, duplicate_key),
                          parse_constant=partial(_no_constants, non_number))
    except RecursionError:  # the prescan should have caught it; never leak a RecursionError
        raise JsonLimitError(
            f"JSON is nested deeper than MINDKG_MAX_JSON_DEPTH={limit} levels"
        ) from None
    if _depth(data) > limit:
        raise JsonLimitError(f"JSON is nested deeper than MINDKG_MAX_JSON_DEPTH={limit} levels")
    return data


def check_file_size(path: Path, limit: int, setting: str, what: str) -> None:
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{path}: {what} is {size} bytes, over MINDKG_{setting}={limit}")
