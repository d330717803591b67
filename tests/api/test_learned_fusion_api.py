"""A deployment with trained learned fusion: loaded at start-up, shown in readiness, used per request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from models.fusion.hgc import HGCConfig
from models.fusion.learned_store import LabelledSession, save_learned_fusion, train_learned_fusion
from research.cohort import generate_cohort
from tests.api.conftest import Keys

FEATURES = [{"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
             "text": {"zh": "PHQ-9 总分 12，中度抑郁", "en": "PHQ-9 total 12, moderate"},
             "values": {"level": "moderate", "risk_level": "none"}}]


def test_learned_fusion_is_loaded_once_and_used(
    home_settings: Settings, api_settings: ApiSettings, keys: Keys, tmp_path: Path
) -> None:
    rows = [LabelledSession(s.features, s.truth.emotion, s.truth.level)
            for s in generate_cohort(60, seed=5)]
    folder = save_learned_fusion(train_learned_fusion(rows, cfg=HGCConfig(epochs=2)),
                                 tmp_path / "fusion", {"synthetic": True})
    settings = home_settings.model_copy(update={"learned_fusion_dir": folder})
    with TestClient(create_app(settings, api_settings)) as client:
        ready = client.get("/v1/health/ready").json()
        assert ready["checks"]["model:learned_fusion"] == "ok"
        reply = client.post("/v1/assessments", json={"feature_texts": FEATURES},
                            headers=keys.header("app"))
        assert reply.status_code == 200, reply.text
        assert "learned-hgc" in reply.json()["assessment"]["method"]
