"""Short-time features of the source study: 25 ms Hamming frames, 10 ms hop.

Intonation uses zero-crossing rate, short-time energy, energy entropy and spectral
centroid; speech rate uses spectral entropy H = -sum n_f log2 n_f over L normalised
sub-band energies (paper 000, eqs. 1-2) and MFCC with delta and delta-delta (eq. 3).
Definitions follow Giannakopoulos & Pikrakis (pyAudioAnalysis), the toolbox family the
study cites for these four prosodic features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingest.audio.decode import SAMPLE_RATE

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
NFFT = 512
SUBFRAMES = 10  # energy entropy: sub-frames per frame
SUBBANDS = 10  # spectral entropy: L sub-bands of the frame spectrum
N_MFCC = 13
_EPS = 1e-12
_WINDOW = np.hamming(FRAME).astype(np.float32)
_FREQS = np.fft.rfftfreq(NFFT, 1.0 / SAMPLE_RATE)


@dataclass
class FrameFeatures:
    """Per-frame scalars for one block; `times` are frame centres in seconds from file start."""

    times: np.ndarray
    zcr: np.ndarray
    energy_db: np.ndarray
    energy_entropy: np.ndarray
    centroid_hz: np.ndarray
    spectral_entropy: np.ndarray
    mfcc: np.ndarray  # (39, T): 13 MFCC + delta + delta-delta


def frame_signal(x: np.ndarray) -> np.ndarray:
    """(T, FRAME) view of `x`; a block shorter than one frame gives zero frames."""
    if x.size < FRAME:
        return np.zeros((0, FRAME), dtype=x.dtype)
    n = 1 + (x.size - FRAME) // HOP
    return np.lib.stride_tricks.as_strided(
        x, shape=(n, FRAME), strides=(x.strides[0] * HOP, x.strides[0]), writeable=False
    )


def _entropy_bits(parts: np.ndarray) -> np.ndarray:
    """Entropy in bits of each row of non-negative `parts` after normalising it to sum 1."""
    p = parts / (parts.sum(axis=1, keepdims=True) + _EPS)
    return -(p * np.log2(p + _EPS)).sum(axis=1)


def frame_features(block: np.ndarray, offset_s: float) -> FrameFeatures:
    """All short-time features of one block of 16 kHz mono samples."""
    frames = frame_signal(np.ascontiguousarray(block, dtype=np.float32))
    t = offset_s + (np.arange(frames.shape[0]) * HOP + FRAME / 2) / SAMPLE_RATE
    if frames.shape[0] == 0:
        empty = np.zeros(0)
        return FrameFeatures(t, empty, empty, empty, empty, empty, np.zeros((3 * N_MFCC, 0)))
    signs = np.signbit(frames)
    zcr = np.count_nonzero(signs[:, 1:] != signs[:, :-1], axis=1) / (FRAME - 1)
    energy = np.mean(frames.astype(np.float64) ** 2, axis=1)
    sub = frames[:, : FRAME // SUBFRAMES * SUBFRAMES].reshape(frames.shape[0], SUBFRAMES, -1)
    energy_entropy = _entropy_bits((sub.astype(np.float64) ** 2).sum(axis=2))
    spec = np.abs(np.fft.rfft(frames * _WINDOW, n=NFFT, axis=1))
    centroid = (spec * _FREQS).sum(axis=1) / (spec.sum(axis=1) + _EPS)
    power = spec[:, 1:].astype(np.float64) ** 2  # drop DC so bands split evenly
    bands = power[:, : power.shape[1] // SUBBANDS * SUBBANDS].reshape(
        power.shape[0], SUBBANDS, -1
    ).sum(axis=2)
    return FrameFeatures(
        times=t,
        zcr=zcr,
        energy_db=10.0 * np.log10(energy + _EPS),
        energy_entropy=energy_entropy,
        centroid_hz=centroid,
        spectral_entropy=_entropy_bits(bands),
        mfcc=_mfcc39(spec.astype(np.float32)),
    )


def _mfcc39(spec: np.ndarray) -> np.ndarray:
    """13 MFCC from the frames' magnitude spectra, plus delta and delta-delta (librosa)."""
    import librosa

    mel = _mel_basis() @ (spec.T**2)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel, top_db=None), n_mfcc=N_MFCC)
    if mfcc.shape[1] < 3:
        zeros = np.zeros_like(mfcc)
        return np.vstack([mfcc, zeros, zeros])
    width = min(9, mfcc.shape[1] if mfcc.shape[1] % 2 else mfcc.shape[1] - 1)
    d1 = librosa.feature.delta(mfcc, width=width, order=1, mode="nearest")
    d2 = librosa.feature.delta(mfcc, width=width, order=2, mode="nearest")
    return np.vstack([mfcc, d1, d2])


_MEL: np.ndarray | None = None


def _mel_basis() -> np.ndarray:
    global _MEL
    if _MEL is None:
        import librosa

        _MEL = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=NFFT, n_mels=40).astype(np.float32)
    return _MEL


@dataclass
class MomentAccumulator:
    """Running mean/std of vectors over selected frames, so no per-frame matrix is kept."""

    dim: int
    n: int = 0
    total: np.ndarray = field(init=False)
    total_sq: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.total = np.zeros(self.dim)
        self.total_sq = np.zeros(self.dim)

    def add(self, columns: np.ndarray) -> None:
        """`columns` is (dim, k): k selected frames."""
        if columns.shape[1] == 0:
            return
        self.n += columns.shape[1]
        self.total += columns.sum(axis=1)
        self.total_sq += (columns.astype(np.float64) ** 2).sum(axis=1)

    def mean(self) -> np.ndarray:
        return self.total / max(self.n, 1)

    def std(self) -> np.ndarray:
        m = self.mean()
        return np.sqrt(np.maximum(self.total_sq / max(self.n, 1) - m**2, 0.0))
