"""One error type for every bad video input, so callers can show the message as-is."""

from __future__ import annotations


class VideoInputError(ValueError):
    """The video (or face image) cannot be analysed; the message says why and what to do."""


class NoFaceError(VideoInputError):
    """A readable video in which no face was found in any frame: a missing modality, not a
    broken file."""
