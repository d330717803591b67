"""Gabor wavelet features (5 scales x 8 orientations, sigma = 2*pi) + z-score + PCA.

Source study section 5.1: convolve the face with 40 Gabor wavelets, take the modulus,
downsample by 1/4, z-score, then PCA. The wavelets are built directly in the frequency
domain (their Fourier transform is closed-form), so one batched FFT filters a whole batch
with all 40 kernels at once instead of 40 spatial convolutions per image.

PCA here reduces the 40 Gabor channels at each position (a channel PCA), which keeps the
spatial layout the residual CNN needs; `GaborPCA.flat` gives the paper's whole-vector PCA
coordinates for vector models.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

N_SCALES = 5
N_ORIENTATIONS = 8
SIGMA = 2 * math.pi
K_MAX = math.pi / 2
SPACING = math.sqrt(2)


@functools.lru_cache(maxsize=8)
def gabor_bank_freq(height: int, width: int) -> torch.Tensor:
    """Frequency responses (40, H, W) of the Lades/Wiskott wavelets on an H x W FFT grid.

    psi_hat(w) = exp(-s^2 |w - k|^2 / (2|k|^2)) - exp(-s^2 (|w|^2 + |k|^2) / (2|k|^2)),
    k_v = k_max / f^v, phi_u = pi*u/8; the second term removes the DC response.
    Cached per size (read-only): the video path classifies window after window.
    """
    wy = torch.fft.fftfreq(height, dtype=torch.float64) * 2 * math.pi
    wx = torch.fft.fftfreq(width, dtype=torch.float64) * 2 * math.pi
    gy, gx = torch.meshgrid(wy, wx, indexing="ij")
    bank = []
    for v in range(N_SCALES):
        k = K_MAX / SPACING**v
        for u in range(N_ORIENTATIONS):
            phi = math.pi * u / N_ORIENTATIONS
            kx, ky = k * math.cos(phi), k * math.sin(phi)
            shifted = (gx - kx) ** 2 + (gy - ky) ** 2
            norm = SIGMA**2 / (2 * k**2)
            bank.append(torch.exp(-norm * shifted) - torch.exp(-norm * (gx**2 + gy**2 + k**2)))
    return torch.stack(bank).to(torch.float32)


def gabor_magnitudes(images: torch.Tensor, *, downsample: int = 4, chunk: int = 32) -> torch.Tensor:
    """Modulus of the 40 Gabor responses, area-downsampled: (N, H, W) -> (N, 40, H/d, W/d).

    Images are reflect-padded by half their size before the FFT so the circular convolution
    does not wrap the largest wavelets (about 16 px std at scale 4) around the face border.
    """
    if images.ndim != 3:
        raise ValueError(f"expected grayscale images (N, H, W), got shape {tuple(images.shape)}")
    n, h, w = images.shape
    if h % downsample or w % downsample:
        raise ValueError(f"image size {h}x{w} is not divisible by the downsampling {downsample}")
    ph, pw = h // 2, w // 2
    bank = gabor_bank_freq(h + 2 * ph, w + 2 * pw)
    out = []
    for start in range(0, n, chunk):
        batch = images[start : start + chunk].to(torch.float32)
        padded = F.pad(batch[:, None], (pw, pw, ph, ph), mode="reflect")[:, 0]
        spectrum = torch.fft.fft2(padded)[:, None] * bank[None]
        response = torch.fft.ifft2(spectrum)[..., ph : ph + h, pw : pw + w]
        out.append(F.avg_pool2d(response.abs(), downsample))
    return torch.cat(out) if out else torch.zeros(0, 40, h // downsample, w // downsample)


@dataclass
class GaborPCA:
    """Per-channel z-score then PCA over the 40 Gabor channels, fitted on training data only."""

    n_components: int = 16
    mean: torch.Tensor | None = None
    std: torch.Tensor | None = None
    components: torch.Tensor | None = None

    def fit(self, maps: torch.Tensor) -> GaborPCA:
        """Fit on (N, 40, h, w) Gabor maps of the training fold."""
        channels = maps.shape[1]
        if not 0 < self.n_components <= channels:
            raise ValueError(f"n_components must be in 1..{channels}, got {self.n_components}")
        flat = maps.transpose(0, 1).reshape(channels, -1).to(torch.float64)
        self.mean = flat.mean(dim=1)
        self.std = flat.std(dim=1).clamp_min(1e-8)
        z = (flat - self.mean[:, None]) / self.std[:, None]
        cov = z @ z.T / max(z.shape[1] - 1, 1)
        values, vectors = torch.linalg.eigh(cov)
        order = torch.argsort(values, descending=True)[: self.n_components]
        comps = vectors[:, order].T
        # Fix each component's sign so refits on the same data give identical features.
        signs = torch.sign(comps[torch.arange(len(comps)), comps.abs().argmax(dim=1)])
        self.components = comps * signs[:, None]
        return self

    def transform(self, maps: torch.Tensor) -> torch.Tensor:
        """(N, 40, h, w) -> (N, k, h, w) z-scored principal-component maps."""
        if self.mean is None or self.std is None or self.components is None:
            raise RuntimeError("GaborPCA.transform called before fit")
        z = (maps.to(torch.float64) - self.mean[None, :, None, None]) / self.std[
            None, :, None, None
        ]
        return torch.einsum("kc,nchw->nkhw", self.components, z).to(torch.float32)

    def flat(self, maps: torch.Tensor) -> torch.Tensor:
        """Whole-vector coordinates (N, k*h*w), the paper's concatenated feature vector."""
        return self.transform(maps).flatten(1)

    def state_dict(self) -> dict[str, torch.Tensor | int]:
        """Saved with a checkpoint: a transferred model must see the source's feature space."""
        if self.mean is None or self.std is None or self.components is None:
            raise RuntimeError("GaborPCA not fitted")
        return {
            "n_components": self.n_components,
            "mean": self.mean,
            "std": self.std,
            "components": self.components,
        }

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor | int]) -> GaborPCA:
        """Inverse of state_dict."""
        n = state["n_components"]
        mean, std, comps = state["mean"], state["std"], state["components"]
        if not isinstance(n, int) or not all(
            isinstance(t, torch.Tensor) for t in (mean, std, comps)
        ):
            raise ValueError("corrupt GaborPCA state")
        return cls(n, mean, std, comps)  # type: ignore[arg-type]
