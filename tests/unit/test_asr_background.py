"""Whisper on its own thread (`asr.BackgroundTranscriber`): the same segments as decoding
inline, in order, with a bounded queue, and errors reach the caller."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.audio import asr
from ingest.audio.asr import BackgroundTranscriber, Segment, model_for, transcribe

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"


def test_background_decoding_gives_the_inline_segments() -> None:
    """Three real Mandarin recordings as three blocks at their own offsets: the background
    transcriber returns exactly the segments (texts, times, word probabilities) that
    `transcribe` gives block by block, in block order, and `keep` filters them."""
    import soundfile as sf

    blocks = []
    for i, name in enumerate(["zh_01.flac", "zh_02.flac", "zh_03.flac"]):
        samples, rate = sf.read(SPEECH / name, dtype="float32")
        assert rate == 16_000
        blocks.append((30.0 * i, samples))
    label, model = model_for("base", "zh", threads=2)
    inline: list[Segment] = []
    for offset, block in blocks:
        inline += transcribe(model, block, offset, "zh")
    assert len({s.start_s // 30 for s in inline}) == 3
    with BackgroundTranscriber("base", "zh", threads=2, ahead=1) as bt:
        for offset, block in blocks:
            bt.submit(block, offset, lambda s: True)
        assert bt.finish() == inline
    assert bt.label == label == "base"
    with BackgroundTranscriber("base", "zh", threads=2) as bt:
        for offset, block in blocks:
            bt.submit(block, offset, lambda s: s.start_s >= 30.0)
        assert bt.finish() == [s for s in inline if s.start_s >= 30.0]


@pytest.fixture()
def stub(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[float]]:
    """A decoder that waits for `gate`, records which blocks started, and fails at offset 3."""
    gate, started = threading.Event(), list[float]()

    def fake(model: Any, block: np.ndarray, offset_s: float, language: str) -> list[Segment]:
        started.append(offset_s)
        assert gate.wait(10)
        if offset_s == 3.0:
            raise RuntimeError("decoder failed")
        return [Segment(offset_s, offset_s + 1, f"s{offset_s:g}", ())]

    monkeypatch.setattr(asr, "model_for", lambda *a: ("stub", object()))
    monkeypatch.setattr(asr, "transcribe", fake)
    return gate, started


def test_the_queue_is_bounded_and_keeps_order(stub: tuple[threading.Event, list[float]]
                                              ) -> None:
    gate, _started = stub
    block = np.zeros(160, np.float32)
    with BackgroundTranscriber("base", "zh", ahead=2) as bt:
        bt.submit(block, 0.0, lambda s: True)
        bt.submit(block, 1.0, lambda s: True)
        third = threading.Thread(target=bt.submit, args=(block, 2.0, lambda s: True))
        third.start()
        third.join(0.3)
        assert third.is_alive()  # two blocks wait: the third waits for the first
        gate.set()
        third.join(10)
        assert [s.text for s in bt.finish()] == ["s0", "s1", "s2"]
    assert bt.label == "stub"


def test_a_decoder_error_reaches_the_caller(stub: tuple[threading.Event, list[float]]) -> None:
    gate, _started = stub
    gate.set()
    block = np.zeros(160, np.float32)
    with pytest.raises(RuntimeError, match="decoder failed"), \
            BackgroundTranscriber("base", "zh") as bt:
        bt.submit(block, 3.0, lambda s: True)
        bt.finish()


def test_leaving_early_cancels_the_blocks_not_started(
        stub: tuple[threading.Event, list[float]]) -> None:
    gate, started = stub
    block = np.zeros(160, np.float32)
    with pytest.raises(KeyboardInterrupt), BackgroundTranscriber("base", "zh", ahead=4) as bt:
        shutdown = bt._pool.shutdown

        def cancel_then_release(wait: bool = True, *, cancel_futures: bool = False) -> None:
            shutdown(wait=False, cancel_futures=cancel_futures)  # queued blocks cancelled
            gate.set()  # only now may the running block end
            shutdown(wait=wait, cancel_futures=cancel_futures)

        bt._pool.shutdown = cancel_then_release  # type: ignore[method-assign]
        bt.submit(block, 0.0, lambda s: True)
        bt.submit(block, 1.0, lambda s: True)
        while not started:  # the first block is being decoded
            time.sleep(0.01)
        raise KeyboardInterrupt  # e.g. a cancelled job: the caller leaves mid-recording
    assert started == [0.0]  # the running block finished, the queued one never started


def test_a_missing_model_fails_at_the_first_block(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*_a: Any) -> tuple[str, Any]:
        raise asr.AudioInputError("Whisper base is not installed")

    monkeypatch.setattr(asr, "model_for", missing)
    with BackgroundTranscriber("base", "zh") as bt, \
            pytest.raises(asr.AudioInputError, match="not installed"):
        bt.submit(np.zeros(160, np.float32), 0.0, lambda s: True)
