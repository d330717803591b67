"""Frame-level inputs of the attention-LSTM (paper 004, section 2.2): MFCC + delta +
delta-delta, Fbank + delta + delta-delta, and the log power spectrogram, on 25 ms Hamming
frames with a 10 ms hop, concatenated per frame.

Kept independent of ingest/ (models must not import ingest; DESIGN.md section 2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MFCC = 13
N_MELS = 40
DIM_MFCC = 3 * N_MFCC
DIM_FBANK = 3 * N_MELS
DIM_SPEC = N_FFT // 2 + 1
FEATURE_DIM = DIM_MFCC + DIM_FBANK + DIM_SPEC  # 39 + 120 + 201 = 360


class ClipError(ValueError):
    """A clip that cannot be turned into features (unreadable, empty, too short)."""


def load_clip(path: Path) -> np.ndarray:
    """16 kHz mono float32 samples (soundfile for WAV/FLAC, audioread/ffmpeg otherwise)."""
    import librosa

    try:
        y, _sr = librosa.load(str(path), sr=SAMPLE_RATE, mono=True)
    except Exception as exc:  # librosa raises several unrelated types for bad files
        raise ClipError(f"{path}: cannot decode audio ({type(exc).__name__}: {exc})") from exc
    if y.size < N_FFT:
        raise ClipError(f"{path}: shorter than one 25 ms frame")
    return y.astype(np.float32)


def _with_deltas(x: np.ndarray) -> np.ndarray:
    import librosa

    if x.shape[1] < 3:
        zeros = np.zeros_like(x)
        return np.vstack([x, zeros, zeros])
    width = min(9, x.shape[1] if x.shape[1] % 2 else x.shape[1] - 1)
    return np.vstack([
        x,
        librosa.feature.delta(x, width=width, order=1, mode="nearest"),
        librosa.feature.delta(x, width=width, order=2, mode="nearest"),
    ])


def clip_features(y: np.ndarray) -> np.ndarray:
    """(T, 360) features of one clip: [MFCC+d+dd | Fbank+d+dd | log spectrogram]."""
    import librosa

    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, win_length=N_FFT,
                                window="hamming", center=False)) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=SAMPLE_RATE, n_mels=N_MELS)
    log_mel = librosa.power_to_db(mel, top_db=None)
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=N_MFCC)
    spec = librosa.power_to_db(power, top_db=None)
    feats = np.vstack([_with_deltas(mfcc), _with_deltas(log_mel), spec]).T
    return feats.astype(np.float32)


def standardise(
    clips: list[np.ndarray], stats: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[list[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """X = (X - mean) / std per feature. The paper standardises each split with its own
    statistics (`stats=None`); a single clip at inference uses saved training statistics."""
    if stats is None:
        frames = np.concatenate(clips, axis=0)
        stats = (frames.mean(axis=0), frames.std(axis=0) + 1e-6)
    mean, std = stats
    return [((c - mean) / std).astype(np.float32) for c in clips], stats
