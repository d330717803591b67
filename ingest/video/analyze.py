"""Session video -> AU table, spotted micro-expression events and feature texts.

One streaming pass: decode -> track the main face (detector every ~1 s) -> FaceMesh ->
aligned key points -> AU intensities, pipelined over three threads (decode | FaceMesh | AUs).
Only compact per-frame numbers are kept (20 AU values), never frames, so memory stays small
however long the session is. Spotting and event classification run on the AU series
afterwards.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from contracts.feature_text import FeatureText
from ingest.video import au_defs
from ingest.video import geometry as g
from ingest.video.au_defs import AUS
from ingest.video.aus import C_COLUMNS, R_COLUMNS, AUModel, get_au_model, presence
from ingest.video.decode import iter_frames, probe
from ingest.video.errors import NoFaceError, VideoInputError
from ingest.video.face import FaceTracker, Landmarker, Prepared, TrackResult, aligned_face
from ingest.video.relative import frame_quality
from ingest.video.spotting import (
    ME_MAX_S,
    EyeEvent,
    Interval,
    SpotParams,
    au_confidence,
    event_confidence,
    spot,
    spot_eyes,
    sustained,
)
from ingest.video.stream import close_iter, prefetch

SOURCE = "mindkg.ingest.video/0.1"
RULES_CLASSIFIER = "au_rules_table1_v1"
EYE_REGION_AUS = frozenset({5, 6, 7, 43})
LOW_QUALITY = 0.5  # frame_quality below this (near profile): AUs not estimated
STAGE_QUEUE = 8  # frames waiting between two stages (~1 MB each at 640x480): bounded memory
ME_WINDOW_FRAMES = 9  # face crops per spotted window given to a trained classifier (+ apex)


@runtime_checkable
class MEClassifier(Protocol):
    """A trained micro-expression classifier (e.g. the CNN+GCN) run on spotted windows only.

    `crops` are aligned, equalised grayscale faces (T x H x W, uint8) from onset to offset.
    Returns (me_class, emotion or None, confidence 0..1, representation vector).
    `name` goes into each event's feature text (`classifier`), `description` (model, what
    it was trained on) and `representation_kind` into the texts and the components.
    Implementation: models/mer/runtime.py (selected by Settings.me_model / me_weights).
    """

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def representation_kind(self) -> str: ...

    def classify(self, crops: np.ndarray, apex_aus: dict[int, float]
                 ) -> tuple[str, str | None, float, list[float]]: ...


@dataclass
class AUFrames:
    """OpenFace-like per-frame table without pandas: `columns` name the columns of `data`."""

    columns: list[str]
    data: np.ndarray

    def column(self, name: str) -> np.ndarray:
        out: np.ndarray = self.data[:, self.columns.index(name)]
        return out

    def to_csv(self, path: Path) -> None:
        with Path(path).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(self.columns)
            w.writerows(np.round(self.data, 4).tolist())


@dataclass
class MicroExpressionEvent:
    onset_frame: int  # 0-based frame indices into the video
    apex_frame: int
    offset_frame: int
    fps: float
    confidence: float
    region: str
    me_class: str
    emotion: str | None
    classifier: str
    apex_aus: dict[int, float]  # AU -> intensity above the sliding baseline at the apex (0-5)
    dominant_aus: list[int]
    representation: list[float]
    kind: str = "micro"  # "micro" (<= 0.5 s) or "macro"
    au_confidence: dict[int, float] = field(default_factory=dict)  # per dominant AU, 0..1
    representation_kind: str = ""
    emotion_classifier: str = ""  # who named `emotion` (a class-level model leaves it to rules)

    @property
    def onset_s(self) -> float:
        return self.onset_frame / self.fps

    @property
    def apex_s(self) -> float:
        return self.apex_frame / self.fps

    @property
    def offset_s(self) -> float:
        return (self.offset_frame + 1) / self.fps


@dataclass
class VideoAnalysis:
    video_path: Path
    fps: float
    n_frames: int
    frames_with_face: int
    au_frames: AUFrames
    events: list[MicroExpressionEvent]
    blinks: int
    macro_events: int
    feature_texts: list[FeatureText]
    warnings: list[str] = field(default_factory=list)
    components: dict[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0
    eye_events: list[EyeEvent] = field(default_factory=list)  # blinks, closures, winks
    low_confidence_frames: int = 0  # face lost or near profile: AUs not estimated (NaN)
    spans: list[dict[str, object]] = field(default_factory=list)  # eye events: timeline
    me_classify_s: list[float] = field(default_factory=list)  # per spotted window (crop+model)

    @property
    def processing_fps(self) -> float:
        return self.n_frames / self.elapsed_s if self.elapsed_s > 0 else 0.0


class _Rows:
    """Append-only float32 table in fixed-size chunks: ~4 bytes per value, no per-row objects."""

    def __init__(self, width: int, chunk: int = 4096) -> None:
        self.width, self.chunk = width, chunk
        self._chunks: list[np.ndarray] = []
        self.n = 0

    def append(self, row: np.ndarray | float) -> None:
        if self.n % self.chunk == 0:
            self._chunks.append(np.full((self.chunk, self.width), np.nan, np.float32))
        self._chunks[-1][self.n % self.chunk] = row
        self.n += 1

    def __setitem__(self, i: int, row: np.ndarray) -> None:
        self._chunks[i // self.chunk][i % self.chunk] = row

    def __len__(self) -> int:
        return self.n

    def array(self) -> np.ndarray:
        if not self._chunks:
            return np.zeros((0, self.width), np.float32)
        return np.concatenate(self._chunks)[: self.n]


def _ffill(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    ok = ~np.isnan(out[:, 0])
    if not ok.any():
        return np.zeros_like(out)
    first = int(np.argmax(ok))
    out[:first] = out[first]
    for i in range(first + 1, len(out)):
        if not ok[i]:
            out[i] = out[i - 1]
    return out


def window_crops(video_path: Path, onset: int, offset: int, size: int = 128,
                 picks: Sequence[int] | None = None) -> np.ndarray:
    """Aligned grayscale face crops for frames onset..offset (second, short decode pass).

    `picks`: only these frame indices (within onset..offset) are landmarked and cropped.
    """
    wanted = None if picks is None else set(picks)
    lm = Landmarker(static=False)
    crops = []
    try:
        for i, frame in enumerate(iter_frames(video_path, start=onset, stop=offset + 1), onset):
            if wanted is not None and i not in wanted:
                continue
            pts = lm(frame)
            if pts is not None:
                crops.append(aligned_face(frame, pts, size=size))
    finally:
        lm.close()
    if not crops:
        raise VideoInputError(f"no face in frames {onset}-{offset} of {video_path}")
    return np.stack(crops)


def window_picks(onset: int, apex: int, offset: int, n: int = ME_WINDOW_FRAMES) -> list[int]:
    """Onset, apex, offset and frames evenly between: the frames a classifier reads."""
    even = np.linspace(onset, offset, n).round().astype(int).tolist()
    return sorted(set(even) | {apex})


Tracked = tuple[np.ndarray, np.ndarray, TrackResult]  # BGR frame, its grayscale, face track


def _tracked(frames: Iterator[np.ndarray], tracker: FaceTracker, rate: float, threads: bool
             ) -> Generator[Tracked, None, None]:
    """(frame, grayscale frame, face track) per frame; decode and tracking in two threads of
    their own.

    The decode thread also does the tracker's crop/resize/colour work and scheduled
    detections ahead (`FaceTracker.prepare`), and the grayscale conversion the AU models
    read, so the FaceMesh and AU threads do little else.
    """
    def decode() -> Generator[tuple[np.ndarray, np.ndarray, Prepared | None], None, None]:
        try:
            for i, frame in enumerate(frames):
                gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                yield frame, gray, tracker.prepare(frame, i) if threads else None
        finally:
            close_iter(frames)

    source = prefetch(decode(), STAGE_QUEUE, "mindkg-decode") if threads else decode()

    def track() -> Generator[Tracked, None, None]:
        try:
            for i, (frame, gray, prepared) in enumerate(source):
                yield frame, gray, tracker.step(frame, i, rate, prepared)
        finally:
            close_iter(source)

    return prefetch(track(), STAGE_QUEUE, "mindkg-track") if threads else track()


def _eye_row(model: AUModel) -> np.ndarray:
    e = getattr(model, "last_eyes", None)
    if e is None:
        return np.full(3, np.nan, np.float32)
    return np.array([e.closure_right, e.closure_left, e.asymmetry], np.float32)


def _event_from(iv: Interval, au_r: np.ndarray, fps: float, baseline_s: float,
                absolute: bool = False) -> tuple[dict[int, float], list[int]]:
    """Apex AU intensities above the surrounding frames (`absolute`: above the person's
    neutral, for held expressions whose surroundings are expressive too) and the dominant AUs."""
    half = int(baseline_s * fps / 2)
    lo, hi = max(0, iv.onset - half), min(len(au_r), iv.offset + half + 1)
    ctx = np.concatenate([au_r[lo:iv.onset], au_r[iv.offset + 1:hi]])
    base = np.median(ctx, axis=0) if len(ctx) and not absolute else np.zeros(len(AUS))
    delta = np.clip(au_r[iv.apex] - base, 0.0, 5.0)
    apex = {au: round(float(delta[k]), 3) for k, au in enumerate(AUS)}
    top = max(apex.values()) if apex else 0.0
    # eye closure (AU43) is reported as eye events; it still sets the bar, so an event that
    # is mostly a blink does not become an expression made of its side effects
    dom = sorted((au for au, v in apex.items() if v >= max(0.3, 0.35 * top) and au != 43),
                 key=lambda a: -apex[a])[:3]
    return apex, dom


def _timed_spans(eye_events: list[EyeEvent]) -> list[dict[str, object]]:
    """Blinks, eye closures and winks with their times, for the session timeline (expression
    events, micro and macro, are feature texts of their own)."""
    return [{"kind": e.kind, "side": e.side, "au": f"AU{e.au}",
             "onset_s": round(e.onset_frame / e.fps, 3),
             "offset_s": round((e.offset_frame + 1) / e.fps, 3)} for e in eye_events]


def analyze_video(
    video_path: Path,
    *,
    fps: float | None = None,
    progress: bool = True,
    au_model: str = "geometric",
    me_classifier: MEClassifier | None = None,
    baseline_s: float = 0.5,
    redetect_s: float = 1.0,
    spot_params: SpotParams | None = None,
    landmarks_every: int = 1,
    threads: bool = True,
) -> VideoAnalysis:
    """Analyse one session video; raise VideoInputError for unreadable files or no face.

    `landmarks_every=2` runs FaceMesh on every other frame only (the optical-flow AU stage
    measures the fine motion on every frame). `threads=False` runs every stage in the
    calling thread: identical results, but only one core used.
    """
    started = time.perf_counter()
    video_path = Path(video_path)
    info = probe(video_path, fps)
    rate = info.fps
    params = spot_params or SpotParams()
    tracker = FaceTracker(redetect_every=max(1, round(rate * redetect_s)),
                          landmarks_every=max(1, landmarks_every))
    model: AUModel = get_au_model(au_model)
    rows = _Rows(len(AUS))
    aperture = _Rows(1)
    eyes = _Rows(3)  # closure right, left, asymmetry (when the AU model measures them)
    quality = _Rows(1)
    nan3 = np.full(3, np.nan, np.float32)
    # the built-in models predict from the grayscale frame and skip the key points
    gray_input = bool(getattr(model, "gray_input", False))
    no_keypoints = not getattr(model, "uses_keypoints", True)
    skipped = np.zeros((0, 2))
    # the first (baseline) frames wait, as grayscale, until the neutral reference is chosen
    pending: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    need = max(1, round(rate * baseline_s))
    nan_row = np.full(len(AUS), np.nan, np.float32)
    # three threads, each stage in order: decode | detection + FaceMesh | AUs (this thread)
    tracked = _tracked(iter_frames(video_path), tracker, rate, threads)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=info.frame_count or None, unit="frame", desc=video_path.name)
    n = 0
    try:
        for frame, gray, res in tracked:
            n += 1
            if res.landmarks is None:
                rows.append(nan_row)
                aperture.append(np.nan)
                eyes.append(nan3)
                quality.append(0.0)
            else:
                aperture.append(g.eye_aperture(res.landmarks))
                quality.append(frame_quality(res.landmarks))
                if model.ready():
                    kp = skipped if no_keypoints else g.to_face(res.landmarks)
                    rows.append(model.predict(gray if gray_input else frame, res.landmarks,
                                              kp).astype(np.float32))
                    eyes.append(_eye_row(model))
                else:
                    kp = g.to_face(res.landmarks)
                    eyes.append(nan3)
                    model.observe_neutral(gray, res.landmarks, kp)
                    pending.append((len(rows), gray, res.landmarks, kp))
                    rows.append(nan_row)
                    if len(pending) >= need:
                        model.finish_baseline()
                    if model.ready():
                        for idx, gry, lms, kps in pending:
                            rows[idx] = model.predict(gry, lms, kps).astype(np.float32)
                            eyes[idx] = _eye_row(model)
                        pending = []
            if bar is not None:
                bar.update(1)
    finally:
        tracked.close()  # stops and joins the stage threads before FaceMesh is closed
        if bar is not None:
            bar.close()
        tracker.close()
    if n == 0:
        raise VideoInputError(f"video {video_path} has zero frames")
    if tracker.frames_with_face == 0:
        raise NoFaceError(
            f"no face found in any of the {n} frames of {video_path.name} "
            f"(detector: {tracker.detector.name}); check the camera framing and lighting"
        )
    if pending:
        model.finish_baseline()
        for idx, gry, lms, kps in pending:
            rows[idx] = model.predict(gry, lms, kps).astype(np.float32)
            eyes[idx] = _eye_row(model)
    au_r = rows.array()
    # frames with no face or a near-profile face: AUs are not estimated there (NaN, success 0)
    frame_q = quality.array()[:, 0]
    low = frame_q < LOW_QUALITY
    au_r[low] = np.nan
    eye_r = eyes.array()
    eye_r[low] = np.nan
    warnings = list(tracker.warnings)
    coverage = tracker.frames_with_face / n
    if coverage < 0.5:
        warnings.append(f"face visible in only {coverage:.0%} of frames; results are partial")
    filled = _ffill(au_r)
    intervals = spot(filled, rate, params, aperture=aperture.array()[:, 0].astype(np.float64))
    eye_events = spot_eyes(eye_r[:, :2].astype(np.float64), eye_r[:, 2].astype(np.float64),
                           rate)
    # expressions held past the sliding baseline's reach, where no spotted event covers them
    held = [h for h in sustained(filled, rate)
            if not any(iv.onset <= h.offset and iv.offset >= h.onset for iv in intervals)]
    events = []
    classify_s: list[float] = []
    for iv in sorted([*intervals, *held], key=lambda v: v.onset):
        apex, dom = _event_from(iv, filled, rate, params.baseline_s, absolute=iv in held)
        if not dom:  # eye closure only: reported as an eye event, not an expression
            continue
        if set(dom) <= EYE_REGION_AUS and any(
                e.onset_frame <= iv.offset and e.offset_frame >= iv.onset for e in eye_events):
            continue  # lid and cheek motion of a blink / closure / wink is that eye event
        kind = "micro" if (iv.offset - iv.onset + 1) / rate <= ME_MAX_S else "macro"
        good = float(1.0 - low[iv.onset : iv.offset + 1].mean())
        me_class, emotion, _margin = au_defs.classify_by_rules(apex)
        rep = [round(apex[au] / 5.0, 4) for au in AUS]
        name, rep_kind = RULES_CLASSIFIER, ""
        emotion_by = RULES_CLASSIFIER
        if me_classifier is not None and kind == "micro":
            t0 = time.perf_counter()
            try:
                crops = window_crops(video_path, iv.onset, iv.offset,
                                     picks=window_picks(iv.onset, iv.apex, iv.offset))
                if len(crops) < 2:
                    raise VideoInputError(f"one face crop in frames {iv.onset}-{iv.offset}")
            except VideoInputError as exc:  # that window falls back to the AU rules
                warnings.append(f"{me_classifier.name}: {exc}; AU rules used for that event")
            else:
                rules_class, rules_emotion = me_class, emotion
                me_class, emotion, _conf, rep = me_classifier.classify(crops, apex)
                name, rep_kind = me_classifier.name, me_classifier.representation_kind
                emotion_by = name
                if emotion is None and rules_class == me_class and rules_emotion:
                    # a class-level model: the AU rules' emotion leaning, where they agree
                    emotion, emotion_by = rules_emotion, RULES_CLASSIFIER
            classify_s.append(time.perf_counter() - t0)
        events.append(MicroExpressionEvent(
            onset_frame=iv.onset, apex_frame=iv.apex, offset_frame=iv.offset, fps=rate,
            confidence=round(event_confidence(apex, dom) * good, 3),
            region=iv.region, me_class=me_class, emotion=emotion, classifier=name,
            apex_aus=apex, dominant_aus=dom, representation=list(rep), kind=kind,
            au_confidence={au: round(au_confidence(apex[au]) * good, 3) for au in dom},
            representation_kind=rep_kind, emotion_classifier=emotion_by if emotion else "",
        ))
    c = presence(np.nan_to_num(au_r, nan=0.0))
    t = np.arange(n, dtype=np.float32) / rate
    success = (~np.isnan(au_r[:, 0])).astype(np.float32)
    table = AUFrames(
        columns=["frame", "timestamp", "success", *R_COLUMNS, *C_COLUMNS],
        data=np.column_stack([np.arange(n, dtype=np.float32), t, success, au_r,
                              c.astype(np.float32)]),
    )
    analysis = VideoAnalysis(
        video_path=video_path, fps=rate, n_frames=n, frames_with_face=tracker.frames_with_face,
        au_frames=table, events=events,
        blinks=sum(e.kind == "blink" for e in eye_events),
        macro_events=sum(e.kind == "macro" for e in events),
        spans=_timed_spans(eye_events),
        feature_texts=[], warnings=warnings,
        components={"detector": tracker.detector.name, "landmarks": tracker.landmarker.name,
                    "au_model": model.name,
                    "me_classifier": me_classifier.name if me_classifier else RULES_CLASSIFIER},
    )
    if me_classifier is not None:
        analysis.components["me_classifier_detail"] = me_classifier.description
        analysis.me_classify_s = classify_s
    from ingest.video.texts import feature_texts

    analysis.eye_events = eye_events
    analysis.low_confidence_frames = int(low.sum())
    analysis.feature_texts = feature_texts(analysis)
    analysis.elapsed_s = time.perf_counter() - started
    return analysis
