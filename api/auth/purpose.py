"""Purpose limitation: emotion inference runs only for a declared purpose of processing.

Students' emotions are sensitive data. The deployment must state why it processes them
(MINDKG_PURPOSE=counseling or medical) before any analysis runs; see docs/privacy.md.
"""

from __future__ import annotations

from typing import Literal, get_args

Purpose = Literal["counseling", "medical"]
PURPOSES: tuple[str, ...] = get_args(Purpose)


class PurposeNotDeclared(RuntimeError):
    """Analysis was requested but no (valid) purpose of processing is configured."""


def require_purpose(purpose: str | None) -> Purpose:
    if purpose not in PURPOSES:
        shown = "not set" if not purpose else f"set to {purpose!r}"
        raise PurposeNotDeclared(
            f"MINDKG_PURPOSE is {shown}: declare the purpose of processing "
            f"({' or '.join(PURPOSES)}) before emotion inference can run (see docs/privacy.md)"
        )
    return purpose  # type: ignore[return-value]
