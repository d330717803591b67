"""Video modality: face video -> AUs, spotted micro-expressions, feature texts.

Heavy dependencies (OpenCV, MediaPipe, SciPy) load on first use, so importing the package
for `VideoInputError` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.video.errors import VideoInputError

if TYPE_CHECKING:
    from ingest.video.analyze import VideoAnalysis, analyze_video

__all__ = ["VideoAnalysis", "VideoInputError", "analyze_video"]


def __getattr__(name: str) -> Any:
    if name in ("analyze_video", "VideoAnalysis"):
        from ingest.video import analyze

        return getattr(analyze, name)
    raise AttributeError(name)
