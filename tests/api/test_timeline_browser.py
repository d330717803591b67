"""The session timeline as a psychologist sees it: rendered by real headless Chromium.

The session is SYNTHETIC and shaped as the recognizers store it (the issue's demo: a negative
micro-expression at 1.61-1.94 s, a positive one at 4.21-4.53 s, the video summary over
0-6 s, two blinks, two utterances). Checks are DOM- and pixel-level: each event sits at its
x, nothing spans the session for a summary, words are on hover, the claim markers sit on
their events with the numbers the assessment text cites ("[n]", the real decoder's text), and
clicking a marker or a number in the text shows the claim with its graph path.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from api.plots import timeline_html, timeline_png
from api.plots.timeline_html import LEFT
from api.timeline import SessionTimeline, build_timeline
from contracts.claims import numbers_in
from contracts.feature_text import Bilingual, FeatureText
from contracts.session_records import Assessment
from ingest.audio.contour import contour, pause_spans
from ingest.video.analyze import AUFrames, MicroExpressionEvent, VideoAnalysis
from ingest.video.au_defs import AUS
from ingest.video.texts import feature_texts
from models.decoder import assess
from tests.api.chromium import dump_dom, screenshot

FPS = 120.0
NEG = (1.61, 1.94)
POS = (4.21, 4.53)
UTTERANCES = [(0.3, 2.6, "我最近总是睡不好，很累", "negative"),
              (3.4, 5.6, "周末去跑步了感觉好一点", "positive")]


def _approx(span: tuple[float, float]) -> tuple[Any, Any]:
    """Event times are whole frames at 120 fps: within 1/120 s of the planted span."""
    return pytest.approx(span[0], abs=0.009), pytest.approx(span[1], abs=0.009)


def _event(span: tuple[float, float], aus: dict[int, float], me_class: str,
           emotion: str) -> MicroExpressionEvent:
    onset, offset = round(span[0] * FPS), round(span[1] * FPS) - 1
    apex = {au: 0.0 for au in AUS} | aus
    return MicroExpressionEvent(
        onset_frame=onset, apex_frame=(onset + offset) // 2, offset_frame=offset, fps=FPS,
        confidence=0.9, region="face", me_class=me_class, emotion=emotion,
        classifier="au_rules", apex_aus=apex, dominant_aus=list(aus),
        representation=[apex[a] / 5 for a in AUS])


def demo_features() -> list[FeatureText]:
    """SYNTHETIC: the 6-second demo session's feature texts."""
    video = VideoAnalysis(
        video_path=Path("SYNTHETIC.mp4"), fps=FPS, n_frames=720, frames_with_face=720,
        au_frames=AUFrames(["frame", "timestamp", "success", *map(str, AUS)],
                           np.zeros((4, 3 + len(AUS)), dtype=np.float32)),
        events=[_event(NEG, {4: 0.6, 14: 0.5}, "negative", "contempt"),
                _event(POS, {12: 0.6, 6: 0.4}, "positive", "happiness")],
        blinks=2, macro_events=0, feature_texts=[],
        spans=[{"kind": "blink", "onset_s": 0.79, "offset_s": 1.09},
               {"kind": "blink", "onset_s": 2.58, "offset_s": 2.85}])
    t = np.arange(0.0, 6.0, 0.01)
    speaking = np.zeros(t.size, dtype=bool)
    for a, b, _text, _pol in UTTERANCES:
        speaking |= (t >= a) & (t < b)
    f0 = np.where(speaking, 220 + 30 * np.sin(3 * t), 0.0)
    energy = np.where(speaking, -22.0, -60.0)
    starts = np.arange(0.0, 6.0, 0.03)
    vad = np.zeros(starts.size, dtype=bool)
    for a, b, _text, _pol in UTTERANCES:
        vad |= (starts >= a) & (starts < b)
    segments = [{"start_s": a, "end_s": b, "text": text, "polarity": pol,
                 "syllables_per_s": round(len(text) / (b - a), 2)}
                for a, b, text, pol in UTTERANCES]
    speech = [
        FeatureText(modality="audio", kind="speech_content", start_s=0.0, end_s=6.0,
                    text=Bilingual(zh="言语内容（合成）：消极", en="Speech content (SYNTHETIC)"),
                    values={"segments": segments, "polarity": {"label": "negative"},
                            "symptom_mentions": {"sleep": ["睡不好"]}, "risk_phrases": [],
                            "concept_ids": ["polarity:negative", "symptom:sleep"]}),
        FeatureText(modality="audio", kind="intonation", start_s=0.0, end_s=6.0,
                    text=Bilingual(zh="语调（合成）", en="Intonation (SYNTHETIC)"),
                    values={"contour": contour(t, f0, t, energy), "f0_mean_hz": 220.0}),
        FeatureText(modality="audio", kind="speech_rate", start_s=0.0, end_s=6.0,
                    text=Bilingual(zh="语速（合成）", en="Speech rate (SYNTHETIC)"),
                    values={"pauses": pause_spans(starts, vad)}),
    ]
    scale = FeatureText(modality="scales", kind="scale_score", instance="SDS",
                        text=Bilingual(zh="SDS 标准分 66（合成），中度", en="SDS 66 (SYNTHETIC)"),
                        values={"instrument": "SDS", "index": 66, "level": "moderate"})
    return [*feature_texts(video), *speech, scale]


def demo_assessment(features: list[FeatureText], ids: list[str]) -> Assessment:
    """The real decoder's assessment of the demo (curated ontology, no store)."""
    return assess(features, ids, [], None)


@pytest.fixture(scope="module")
def demo() -> SessionTimeline:
    features = demo_features()
    ids = [f"stu_demo/w03/f{i}" for i in range(len(features))]
    a = demo_assessment(features, ids)
    return build_timeline("stu_demo/w03", "2026-03-16T10:00:00+08:00", features, ids,
                          [e.model_dump() for e in a.evidence], a.text)


def test_summary_is_never_an_event(demo: SessionTimeline) -> None:
    assert [(e.start_s, e.end_s, e.me_class) for e in demo.face_events] == [
        (*_approx(NEG), "negative"), (*_approx(POS), "positive")]
    assert [s.kind for s in demo.summaries] == ["action_units", "speech_content", "intonation",
                                                 "speech_rate"]
    assert len(demo.blinks) == 2 and demo.duration_s == pytest.approx(6.0)
    assert [u.polarity for u in demo.utterances] == ["negative", "positive"]
    assert demo.contour is not None and len(demo.contour.t) <= 2000
    # claims: 1 emotional state, 2 depression level, 3 suicide risk ("none": decided by fusion
    # over the whole session, so not on the axis), 4 video evidence, 5 speech evidence
    assert [(c.number, c.claim.split(":")[0], bool(c.spans)) for c in demo.claims] == [
        (1, "emotional_state", True), (2, "depression_level", True), (3, "suicide_risk", False),
        (4, "observed", True), (5, "observed", True)]
    assert demo.claims[4].spans == [UTTERANCES[0][:2]]  # the negative utterance
    events = {(e.start_s, e.end_s) for e in demo.face_events}
    assert set(demo.claims[0].spans) <= events and set(demo.claims[3].spans) == events


def test_claim_numbers_in_text_match_the_pictures(demo: SessionTimeline) -> None:
    """Unit level: the text cites [1]..[n] once each, in order, in both languages; the PNG's
    and the HTML's markers carry exactly the numbers of the claims that rest on timed features,
    each at a span of its own claim."""
    assert demo.assessment is not None
    cited = numbers_in(demo.assessment.zh)
    assert cited == numbers_in(demo.assessment.en) == [c.number for c in demo.claims]
    assert cited == list(range(1, len(cited) + 1))
    assert "不构成诊断" in demo.assessment.zh and "not a diagnosis" in demo.assessment.en
    for c in demo.claims:
        assert c.sentence is not None and c.sentence.en.endswith(f"[{c.number}].")
        assert c.sentence.zh.endswith(f"[{c.number}]。")
    timed = {c.number for c in demo.claims if c.spans}
    # HTML: one marker per (span, claim), at a span of that claim
    page = timeline_html(demo)
    markers = re.findall(r"class='evidence-marker' href='#claim-(\d+)' data-number='\d+' "
                         r"data-start='([\d.]+)' data-end='([\d.]+)'", page)
    assert {int(n) for n, _a, _b in markers} == timed
    spans = {c.number: {(round(a, 3), round(b, 3)) for a, b in c.spans} for c in demo.claims}
    assert all((float(a), float(b)) in spans[int(n)] for n, a, b in markers)
    # PNG: the numbers drawn in the evidence lane are the timed claims' numbers
    drawing = importlib.import_module("api.plots.timeline_png")  # the package names a function so
    fig = Figure(figsize=drawing.figure_size())
    FigureCanvasAgg(fig)
    drawing.draw(fig, demo)
    lane = fig.axes[0]
    assert "Evidence" in lane.get_title(loc="left")
    drawn = {int(n) for t in lane.texts for n in t.get_text().split(",") if n.isdigit()}
    assert drawn == timed


_PROBE = """<script>
window.addEventListener('load', () => {
  const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; };
  const all = sel => [...document.querySelectorAll(sel)];
  const out = {
    svg: box(document.getElementById('timeline')),
    face: all('.face-event').map(e => ({start: +e.dataset.start, end: +e.dataset.end,
      cls: e.getAttribute('class'), box: box(e)})),
    blinks: all('.blink').map(e => ({start: +e.dataset.start, box: box(e)})),
    utterances: all('.utterance').map(e => ({start: +e.dataset.start, end: +e.dataset.end,
      polarity: e.dataset.polarity, title: e.querySelector('title').textContent,
      box: box(e.querySelector('rect'))})),
    markers: all('.evidence-marker').map(e => ({n: +e.dataset.number, start: +e.dataset.start,
      end: +e.dataset.end, box: box(e.querySelector('circle'))})),
    cites: ['zh', 'en'].map(l => all(`p.assessment[lang="${l}"] .cite`).map(e => +e.dataset.number)),
    popBefore: getComputedStyle(document.getElementById('claim-1')).display,
  };
  const click = e => e.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
  const shown = () => { const pop = document.querySelector('.claim-pop:target');
    return pop ? {display: getComputedStyle(pop).display, n: +pop.dataset.number,
                  text: pop.textContent} : {display: 'none', n: 0, text: ''}; };
  click(document.querySelector('.evidence-marker[data-number="1"]'));
  setTimeout(() => {
    out.afterMarker = shown();
    click(document.querySelector('p.assessment[lang="en"] .cite[data-number="5"]'));
    setTimeout(() => {
      out.afterCite = shown();
      const pre = document.createElement('pre'); pre.id = 'layout';
      pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
    }, 200);
  }, 200);
});
</script>"""


def _layout(page: str, tmp_path: Path) -> dict[str, Any]:
    probe = re.sub(r"<meta http-equiv='Content-Security-Policy'[^>]*>", "", page)
    probe = probe.replace("</body>", _PROBE + "</body>")
    path = tmp_path / "probe.html"
    path.write_text(probe, encoding="utf-8")
    dom = dump_dom(path.as_uri())
    found = re.search(r"<pre id=\"layout\">(.*?)</pre>", dom, re.S)
    assert found, dom[-2000:]
    return dict(json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<")
                           .replace("&gt;", ">").replace("&quot;", '"')))


def test_html_in_chromium_dom_and_pixels(demo: SessionTimeline, tmp_path: Path) -> None:
    page = timeline_html(demo)
    assert "src='http" not in page and "<script" not in page and len(page) < 2_000_000
    layout = _layout(page, tmp_path)
    svg_left = layout["svg"][0]
    px_per_s = 900 / 6.0  # the axis is MIN_PLOT_W wide for a short session
    # 1. each facial event at its onset..offset, micro and distinguishable by class
    assert [(f["start"], f["end"]) for f in layout["face"]] == [_approx(NEG), _approx(POS)]
    for f in layout["face"]:
        left, _top, width, _h = f["box"]
        assert left - svg_left == pytest.approx(LEFT + f["start"] * px_per_s, abs=1.5)
        assert width == pytest.approx((f["end"] - f["start"]) * px_per_s, abs=1.5)
        assert "micro" in f["cls"]
    # 2. no element spans the session for a summary
    assert all(f["box"][2] < 0.5 * 900 for f in layout["face"])
    assert len(layout["blinks"]) == 2
    # 3. utterances: one band each, words on hover
    assert [(u["start"], u["end"], u["polarity"]) for u in layout["utterances"]] == [
        (a, b, pol) for a, b, _t, pol in UTTERANCES]
    assert "我最近总是睡不好" in layout["utterances"][0]["title"]
    # 4. evidence markers on their events; clicking opens the claim with its graph path
    first = next(m for m in layout["markers"] if m["n"] == 1)
    assert (first["start"], first["end"]) == _approx(NEG)
    centre = first["box"][0] + first["box"][2] / 2 - svg_left
    assert LEFT + NEG[0] * px_per_s - 15 < centre < LEFT + NEG[1] * px_per_s + 15
    # the numbers on the axis are the numbers the text cites for claims resting on timed
    # features (3, "no risk signal", is session-level: cited in the text, not on the axis)
    timed = {c.number for c in demo.claims if c.spans}
    assert {m["n"] for m in layout["markers"]} == timed == {1, 2, 4, 5}
    assert layout["cites"][0] == layout["cites"][1] == [1, 2, 3, 4, 5]
    assert layout["popBefore"] == "none"
    pop = layout["afterMarker"]
    assert pop["display"] == "block" and pop["n"] == 1
    assert "情绪状态：消极情绪" in pop["text"] and "Emotional state: negative emotion" in pop["text"]
    assert "au:AU14 → emotion:contempt" in pop["text"]  # the graph path from the feature
    pop = layout["afterCite"]  # a number in the text opens the same claim
    assert pop["display"] == "block" and pop["n"] == 5
    assert "[5] 语音证据：消极内容" in pop["text"] and "Speech evidence: negative content" in pop["text"]
    assert "polarity:negative" in pop["text"] and "0.30–2.60 s" in pop["text"]

    # Pixels of the real page (no probe): red where the negative event is, blue where the
    # positive one is, lane background between them in the micro row.
    shot_path = tmp_path / "page.html"
    shot_path.write_text(page, encoding="utf-8")
    shot = np.asarray(Image.open(screenshot(shot_path.as_uri(), tmp_path / "shot.png"))
                      .convert("RGB")).astype(int)

    def mean_rgb(box: list[float]) -> np.ndarray:
        left, top, width, height = (round(v) for v in box)
        region = shot[top + 2:top + height - 2, left + 1:left + max(width - 1, 2)]
        return np.asarray(region.reshape(-1, 3).mean(axis=0))

    neg, pos = (mean_rgb(f["box"]) for f in layout["face"])
    assert neg[0] > neg[1] + 40 and neg[0] > neg[2] + 40, neg  # red
    assert pos[2] > pos[0] + 40, pos  # blue
    top, height = layout["face"][0]["box"][1], layout["face"][0]["box"][3]
    gap_x = round(svg_left + LEFT + 3.0 * px_per_s)
    between = shot[round(top) + 4:round(top + height) - 4, gap_x - 3:gap_x + 3].reshape(-1, 3)
    assert between.min() > 200, "something is drawn in the micro row at 3 s"


def test_png_has_events_where_they_are(demo: SessionTimeline, tmp_path: Path) -> None:
    png = timeline_png(demo)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "t.png"
    path.write_bytes(png)
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    height = image.shape[0]
    band = image[int(0.2 * height):int(0.33 * height)]  # the facial-events lane
    dark = (band.max(axis=2) < 80).mean(axis=0) > 0.95  # its left and right spines
    spines = np.flatnonzero(dark)
    left, right = spines.min(), spines.max()
    red = (band[..., 0] > 150) & (band[..., 1] < 90) & (band[..., 2] < 90)
    columns = np.flatnonzero(red.any(axis=0))
    assert columns.size, "no red (negative) event drawn"
    at = (columns.min() - left) / (right - left) * 6.0, (columns.max() - left) / (right - left) * 6.0
    # the red bar is the negative event at 1.61-1.94 s, not a 0-6 s summary bar
    assert at == (pytest.approx(NEG[0], abs=0.05), pytest.approx(NEG[1], abs=0.05))
