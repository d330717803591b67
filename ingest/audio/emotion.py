"""Speech emotion over a session: the shipped EmoDB model on voiced 2 s windows, averaged.

Fed block by block from the streaming pass of analyze.py (windows never cross a block), so
memory stays bounded; at most MAX_WINDOWS windows, spread over the recording, are scored.
The model was trained on acted German speech: its estimate is context for the counselor,
unvalidated on Mandarin counseling speech, and never an observation on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ingest.audio.decode import SAMPLE_RATE
from ingest.audio.errors import AudioInputError
from ingest.audio.vad import VAD_FRAME_S

MAX_WINDOWS = 30  # 60 s of speech, spread over the session; bounds the cost (MODEL_CARD.md)
SILENT_PEAK = 10 ** (-60 / 20)  # -60 dBFS, as in analyze.py


class EmotionTrack:
    """Collects window probabilities; `result()` is the session's speech_emotion value."""

    def __init__(self, declared_s: float | None = None, max_windows: int = MAX_WINDOWS) -> None:
        from models.speech_emotion import runtime

        self._rt = runtime
        self.model = runtime.load()
        span = max((declared_s or 0.0) - runtime.CLIP_SAMPLES / SAMPLE_RATE, 0.0)
        # hop so that a recording of the declared length gives about max_windows windows
        self.hop = max(runtime.HOP_SAMPLES, int(span / max(max_windows - 1, 1) * SAMPLE_RATE))
        self.max_windows = max_windows
        self._probs: list[np.ndarray] = []
        self._count = 0

    def add_block(self, block: np.ndarray, flags: np.ndarray) -> None:
        """One decoded block (16 kHz) and its 30 ms VAD flags."""
        if self._count >= self.max_windows or not flags.any():
            return
        n = int(VAD_FRAME_S * SAMPLE_RATE)
        voiced = np.zeros(block.size, dtype=bool)
        voiced[: flags.size * n] = np.repeat(flags.astype(bool), n)
        wins = self._rt.windows(block, voiced, hop=self.hop,
                                max_windows=self.max_windows - self._count)
        if wins:
            self._probs.append(self.model.window_probs(wins))
            self._count += len(wins)

    def result(self) -> dict[str, Any] | None:
        if not self._probs:
            return None
        return self._rt.summarise(np.concatenate(self._probs), self.model)


def sentence(value: dict[str, Any]) -> tuple[str, str]:
    """'语音情绪：悲伤（0.62）…' / 'speech emotion: sadness (0.62) …' for a speech_emotion value."""
    p = value["probability"]
    zh = (f"语音情绪：{value['label_zh']}（{p:.2f}；模型以德语表演语音训练，"
          "未在咨询语音上验证）")
    en = (f"speech emotion: {value['label']} ({p:.2f}; model trained on acted German speech, "
          "unvalidated on counseling speech)")
    return zh, en


def estimate_file(path: Path, *, max_windows: int = MAX_WINDOWS) -> dict[str, Any] | None:
    """Speech emotion of one audio or video file (anything ffmpeg decodes), through the same
    decode, blocks and VAD as the speech path. None when no window has enough speech.

    Raises AudioInputError for a missing, undecodable, truncated or silent file.
    """
    from ingest.audio.decode import DecodeStats, probe, quiet_blocks, stream_samples
    from ingest.audio.vad import webrtc_flags

    if not path.is_file():
        raise AudioInputError(f"{path}: no such file")
    info = probe(path)
    track = EmotionTrack(info.declared_s, max_windows)
    stats = DecodeStats()
    for _offset, block in quiet_blocks(stream_samples(path, stats)):
        flags, _db = webrtc_flags(block, SAMPLE_RATE)
        track.add_block(block, flags)
    if stats.errors:
        raise AudioInputError(f"{path}: truncated or corrupt audio ({stats.errors[0]})")
    if stats.decoded_samples == 0:
        raise AudioInputError(f"{path}: no audio decoded")
    if stats.peak < SILENT_PEAK:
        raise AudioInputError(f"{path}: silent (peak level below -60 dBFS)")
    return track.result()
