"""One error type for every bad video input, so callers can show the message as-is."""

from __future__ import annotations


class VideoInputError(ValueError):
    """The video (or face image) cannot be analysed; the message says why and what to do."""
