"""The one error type of the speech path, so callers can tell bad input from bugs."""

from __future__ import annotations


class AudioInputError(ValueError):
    """Audio that cannot be analysed: missing, not audio, truncated, silent or clipped.

    The message names the file and what is wrong, for a counselor who uploaded it.
    """


class NoSpeechError(AudioInputError):
    """Readable media without usable speech: no audio stream, silence, noise only, or a signal
    too short or too clipped to measure. A session treats this as a missing modality."""
