"""Spotting on AU series and the MEGC evaluation arithmetic."""

from __future__ import annotations

import numpy as np

from ingest.video.au_defs import AUS
from ingest.video.spotting import evaluate_spotting, interval_iou, spot
from research.video.synthetic import profile

FPS = 120.0


def _series(events: list[tuple[int, float, float, float]], seconds: float = 4.0,
            seed: int = 0) -> np.ndarray:
    """AU_r series: noise plus raised-cosine bumps (au, onset_s, offset_s, peak)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FPS)
    t = np.arange(n) / FPS
    x = np.abs(rng.normal(0, 0.12, (n, len(AUS))))
    for au, on, off, peak in events:
        x[:, AUS.index(au)] += peak * profile(t, on, (on + off) / 2, off)
    return x


def test_iou_and_megc_counts() -> None:
    assert interval_iou((0, 9), (0, 9)) == 1.0
    assert interval_iou((0, 9), (10, 19)) == 0.0
    assert interval_iou((0, 9), (5, 14)) == 5 / 15
    score = evaluate_spotting([(0, 9), (100, 120), (300, 310)], [(2, 10), (105, 125), (500, 510)])
    assert (score.tp, score.fp, score.fn) == (2, 1, 1)
    assert score.f1 == 2 / 3
    # one truth interval cannot be matched twice
    assert evaluate_spotting([(0, 9), (1, 9)], [(0, 9)]).tp == 1


def test_spots_a_short_brow_event_with_good_iou() -> None:
    x = _series([(4, 2.0, 2.3, 2.5)])
    found = [iv for iv in spot(x, FPS) if iv.kind == "micro"]
    assert len(found) == 1
    truth = (int(2.0 * FPS), int(2.3 * FPS))
    assert interval_iou((found[0].onset, found[0].offset), truth) >= 0.5
    assert found[0].region == "brows"
    assert 0.0 < found[0].confidence <= 1.0


def test_quiet_face_has_no_events() -> None:
    assert [iv for iv in spot(_series([]), FPS) if iv.kind == "micro"] == []


def test_long_expression_is_macro_not_micro() -> None:
    kinds = {iv.kind for iv in spot(_series([(12, 1.0, 2.4, 3.0)], seconds=5.0), FPS)}
    assert "micro" not in kinds
    assert "macro" in kinds


def test_blink_from_eye_aperture_is_not_a_micro_expression() -> None:
    x = _series([(14, 2.0, 2.2, 2.5)])
    aperture = np.full(len(x), 0.38)
    aperture[int(2.02 * FPS) : int(2.15 * FPS)] = 0.25
    kinds = [iv.kind for iv in spot(x, FPS, aperture=aperture)]
    assert kinds == ["blink"]


def test_leading_emotions_match_emotion_scores_per_frame() -> None:
    """The all-frames scoring in `sustained` picks, frame by frame, what
    `au_defs.emotion_scores` ranks first, ties (one AU shared by two emotions) included."""
    from ingest.video.au_defs import emotion_scores
    from ingest.video.spotting import _leading_emotions

    rng = np.random.default_rng(3)
    x = np.round(rng.normal(0, 1, (400, len(AUS))), 1)
    x[rng.random(x.shape) < 0.7] = 0.0
    x[:len(AUS)] = 0.0
    x[np.arange(len(AUS)), np.arange(len(AUS))] = 2.0  # one AU per row: tied emotions
    names = sorted({e for au in AUS if au != 43 for e in emotion_scores({au: 1.0})})
    want = []
    for row in x:
        sc = emotion_scores({au: float(row[k]) for k, au in enumerate(AUS) if au != 43})
        want.append(names.index(max(sc, key=lambda e: sc[e]))
                    if sc and max(sc.values()) > 0 else -1)
    assert _leading_emotions(x).tolist() == want
