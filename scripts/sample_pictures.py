"""Render the timelines and trends of the SYNTHETIC sample sessions into docs/img/.

Analyses every bundle under samples/sessions/ into MINDKG_HOME (the embedded store; bundles
already in the graph are not analysed again), then writes, named after the sample:
timeline-<sample>.png, trend-<student's first sample>.png, and a headless-Chromium screenshot
of the multimodal sample's HTML timeline with claim 1 opened as by a click
(timeline-<sample>-html.png).

    export MINDKG_HOME=/tmp/pics MINDKG_PURPOSE=counseling MINDKG_SEMANTIC_ALIGNMENT=false
    mindkg kg seed        # the graph paths of the evidence need the ontology in the store
    python scripts/sample_pictures.py --out docs/img
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from api.pipeline import analyze_bundle
from api.plots import timeline_html, timeline_png, trend_png
from api.timeline import timeline_from_graph, trend_from_graph
from contracts.settings import load_settings
from ingest.bundle import read_bundle
from kg.pseudonym import student_pseudonym
from kg.schema import CONCEPT, SESSION
from kg.store.factory import open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "sessions"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--force-device-scale-factor=1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--html-sample", default="zh_w03_multimodal")
    args = parser.parse_args()
    settings = load_settings()
    args.out.mkdir(parents=True, exist_ok=True)
    students: dict[str, str] = {}
    with open_store(settings) as store:
        if not store.count_by_label().get(CONCEPT):
            raise SystemExit("the store holds no concepts: run `mindkg kg seed` first")
        for folder in sorted(p for p in SAMPLES.iterdir() if (p / "manifest.json").is_file()):
            bundle = read_bundle(folder)
            student = student_pseudonym(settings, bundle.student)
            key = f"{student}/{bundle.session}"
            if store.get_node(SESSION, key) is None:
                print(f"analysing {folder.name}")
                analyze_bundle(folder, settings, store)
            students.setdefault(student, folder.name)
            timeline = timeline_from_graph(store, key)
            assert timeline is not None
            (args.out / f"timeline-{folder.name}.png").write_bytes(timeline_png(timeline))
            print(f"wrote timeline-{folder.name}.png")
            if folder.name == args.html_sample:
                with tempfile.TemporaryDirectory() as tmp:
                    page = Path(tmp) / "timeline.html"
                    page.write_text(timeline_html(timeline), encoding="utf-8")
                    shot = args.out / f"timeline-{folder.name}-html.png"
                    subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/p",
                                    "--window-size=1500,1250", f"--screenshot={shot}",
                                    page.as_uri() + "#claim-1"], check=True, capture_output=True, timeout=120)
                    print(f"wrote {shot.name}")
        for student, first in students.items():
            (args.out / f"trend-{first}.png").write_bytes(trend_png(trend_from_graph(store,
                                                                                     student)))
            print(f"wrote trend-{first}.png")


if __name__ == "__main__":
    main()
