"""Frame-level inputs of the attention-LSTM (paper 004, section 2.2: Fbank + delta +
delta-delta on 25 ms Hamming frames, 10 ms hop) and the utterance statistics of the floor model
(MFCC/Fbank/prosody statistics).

Everything runs at 16 kHz, the rate the product decodes to (ingest/audio/decode.py); EmoDB's
22.05 kHz clips are resampled on load. The only per-utterance normalisation is one gain
offset (the level of the loudest frames), because at inference the product has one recording
of one speaker at an unknown gain; per-dimension standardisation uses saved training
statistics (inside the model). Full per-utterance CMVN was tried and removes the level and
spectral-tilt cues that separate the emotions (model card).

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
FRAME_STEP = 2  # every 2nd 10 ms frame goes to the LSTM (20 ms steps, 99 per 2 s clip)
FEATURE_DIM = 3 * N_MELS  # log-Mel + delta + delta-delta = 120
CLIP_S = 2.0  # the EmoDB copy is cut or padded to 2 s; windows at inference have this length
CLIP_SAMPLES = int(CLIP_S * SAMPLE_RATE)
FMIN_HZ, FMAX_HZ = 60.0, 500.0


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


def fit_length(y: np.ndarray, n: int = CLIP_SAMPLES) -> np.ndarray:
    """Cut or zero-pad to `n` samples, as the training clips were."""
    if y.size >= n:
        return y[:n]
    return np.concatenate([y, np.zeros(n - y.size, dtype=y.dtype)])


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


def frame_features(y: np.ndarray) -> np.ndarray:
    """(T, 120) LSTM inputs of one clip: 40 log-Mel bands (Fbank) minus one gain offset (the
    95th percentile of the frames' mean level), with delta and delta-delta, every
    FRAME_STEP-th 10 ms frame."""
    import librosa

    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, win_length=N_FFT,
                                window="hamming", center=False)) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=SAMPLE_RATE, n_mels=N_MELS)
    log_mel = librosa.power_to_db(mel + 1e-10, top_db=None)
    log_mel -= np.percentile(log_mel.mean(axis=0), 95)
    return np.ascontiguousarray(_with_deltas(log_mel).T[::FRAME_STEP], dtype=np.float32)


def _f0_voiced(y: np.ndarray) -> np.ndarray:
    """F0 (Hz) of the voiced 10 ms frames, Praat's autocorrelation method (as in
    ingest/audio/voice.py; librosa's numba YIN crashed beside torch in one process)."""
    import parselmouth

    snd = parselmouth.Sound(y.astype(np.float64), sampling_frequency=SAMPLE_RATE)
    f0 = snd.to_pitch_ac(time_step=0.01, pitch_floor=FMIN_HZ,
                         pitch_ceiling=FMAX_HZ).selected_array["frequency"]
    return np.asarray(f0[f0 > 0], dtype=np.float64)


def _stats(x: np.ndarray) -> list[float]:
    """mean, sd, 10th/50th/90th percentile of each row of x (D, T)."""
    if x.shape[1] == 0:
        return [0.0] * (5 * x.shape[0])
    q = np.percentile(x, [10, 50, 90], axis=1)
    return [*x.mean(axis=1), *x.std(axis=1), *q.ravel()]


def utterance_stats(y: np.ndarray) -> np.ndarray:
    """Utterance-level descriptors of the floor model: statistics of MFCC 1-12 (+deltas),
    gain-free log-Mel bands, frame energy relative to the utterance's loudest frames, F0
    (Praat autocorrelation, Hz and semitones), spectral centroid, roll-off, flatness and
    zero-crossing rate."""
    import librosa

    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, win_length=N_FFT,
                                window="hamming", center=False)) ** 2
    energy = 10 * np.log10(power.sum(axis=0) + 1e-10)
    active = energy > np.percentile(energy, 95) - 40  # frames within 40 dB of the loudest
    if active.sum() < 5:
        active = np.ones_like(active)
    log_mel = librosa.power_to_db(
        librosa.feature.melspectrogram(S=power, sr=SAMPLE_RATE, n_mels=N_MELS), top_db=None)
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=N_MFCC)[1:]  # c0 is gain
    d_mfcc = _with_deltas(mfcc)[N_MFCC - 1:2 * (N_MFCC - 1)]
    mel_shape = log_mel - log_mel[:, active].mean()  # spectral shape, not recording gain
    e_rel = energy - np.percentile(energy, 95)
    f0v = _f0_voiced(y)
    semis = 12 * np.log2(f0v / np.median(f0v)) if f0v.size else np.zeros(0)
    centroid = librosa.feature.spectral_centroid(S=np.sqrt(power), sr=SAMPLE_RATE)
    rolloff = librosa.feature.spectral_rolloff(S=np.sqrt(power), sr=SAMPLE_RATE)
    flat = librosa.feature.spectral_flatness(S=np.sqrt(power))
    frames = librosa.util.frame(y, frame_length=N_FFT, hop_length=HOP)
    zcr = np.mean(np.abs(np.diff(np.sign(frames), axis=0)) > 0, axis=0)[None, :]
    a = active
    feats = [
        *_stats(mfcc[:, a]), *_stats(d_mfcc[:, a]), *_stats(mel_shape[:, a])[: 2 * N_MELS],
        *_stats(e_rel[None, a]),
        *_stats(f0v[None, :]), *_stats(semis[None, :]),
        float(f0v.size / max(a.sum(), 1)), float(a.mean()),
        *_stats(np.log(centroid[:, a] + 1)), *_stats(np.log(rolloff[:, a] + 1)),
        *_stats(np.log(flat[:, a] + 1e-6)), *_stats(zcr[:, a[: zcr.shape[1]]]),
    ]
    return np.nan_to_num(np.asarray(feats, dtype=np.float64))
