"""Fusion: decision weights, KG propagation, missing modalities, risk floor, encoders, HGC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contracts.feature_text import Bilingual, FeatureText
from contracts.session_records import Alignment
from ingest.scales import scale_feature_texts
from models.fusion import FusionConfig, fuse
from models.fusion.encode import GROUP_DIMS, joint_vector, values_vector
from models.fusion.graph import curated_view
from models.fusion.hgc import HGCConfig
from models.fusion.kg_fusion import kg_opinion
from models.fusion.learned import predict_sessions, train_session_model
from models.fusion.state import EMOTIONS, ChannelOutput
from models.fusion.weighted import weighted_fusion
from research.cohort import generate_cohort


def _p(*xs: float) -> np.ndarray:
    return np.array(xs)


def test_weighted_fusion_is_paper_004_rule_with_scales_as_separate_channel() -> None:
    cfg = FusionConfig(scales_weight_emotion=0.25, rule="linear")
    v, a, s = _p(0.7, 0.1, 0.1, 0.1), _p(0.1, 0.7, 0.1, 0.1), _p(0.25, 0.25, 0.25, 0.25)
    chans = {"video": ChannelOutput("video", v, None), "speech": ChannelOutput("speech", a, None),
             "scales": ChannelOutput("scales", s, None)}
    got = weighted_fusion(chans, "emotion", cfg)
    assert got is not None
    np.testing.assert_allclose(got, 0.75 * (0.6 * v + 0.4 * a) + 0.25 * s)
    only_audio = weighted_fusion({"speech": chans["speech"]}, "emotion", cfg)
    assert only_audio is not None
    np.testing.assert_allclose(only_audio, a)  # renormalised, not scaled by 0.4
    assert weighted_fusion(chans, "depression", cfg) is None


def test_kg_propagation_reaches_states_through_ontology_edges() -> None:
    view = curated_view()
    f = FeatureText(modality="video", kind="micro_expression", text=Bilingual(zh="皱眉", en="frown"),
                    values={"concept_ids": ["au:AU4", "au:AU15"]})
    op = kg_opinion([f], ["f1"], [], view)
    assert op.activation["emotion:sadness"] > 0 and op.activation["valence:negative"] > 0
    assert op.emotion is not None and EMOTIONS[int(np.argmax(op.emotion))] == "negative"
    # An alignment (not named by the recognizer) also seeds the propagation.
    g = FeatureText(modality="audio", kind="intonation", text=Bilingual(zh="语调", en="tone"))
    op2 = kg_opinion([g], ["g1"], [Alignment(feature_id="g1", concept_id="prosody:low_flat",
                                             score=0.8, method="cosine", rank=1)], view)
    assert op2.seeds == {"prosody:low_flat": 0.8}
    assert op2.activation.get("symptom:depressed_mood", 0) > 0


def test_missing_modalities_and_unknown_concepts_are_reported() -> None:
    feats = scale_feature_texts({"SDS": [2] * 20})
    feats.append(FeatureText(modality="audio", kind="intonation", text=Bilingual(zh="x", en="x"),
                             values={"descriptor": "odd", "concept_ids": ["prosody:odd"]}))
    st = fuse(feats, ["a", "b"], [], curated_view())
    assert st.missing == ["video"]
    assert any("modality missing: video" in n for n in st.notes)
    assert any("prosody:odd" in n for n in st.notes)
    assert any("unknown intonation descriptor" in n for n in st.notes)


def test_risk_floor_is_never_diluted_by_other_modalities() -> None:
    view = curated_view()
    for s in generate_cohort(60, seed=4):
        feats = [f for f in s.features if f.kind != "scale_score"]
        feats += scale_feature_texts({"PHQ9": [0, 0, 0, 0, 0, 0, 0, 0, 2]})  # only item 9
        ids = [f"x{i}" for i in range(len(feats))]
        st = fuse(feats, ids, [], view)
        assert st.risk == "high" and st.risk_probs[-1] == 1.0
        assert any(sig.feature_id == ids[-1] for sig in st.risk_signals)


def test_encoders() -> None:
    s = generate_cohort(1, seed=2)[0]
    vecs = values_vector(s.features)
    assert set(vecs) == set(GROUP_DIMS)
    assert all(v.shape == (GROUP_DIMS[g],) for g, v in vecs.items())
    words = {"悲伤": np.array([1.0, 0.0]), "微表情": np.array([0.0, 1.0])}
    concepts = {"au:AU4": np.array([1.0, 1.0])}
    joint = joint_vector(s.features, words.get, concepts.get, lambda t: ["微表情"] if "微表情" in t else [])
    assert "micro_expression" in joint and np.isclose(np.linalg.norm(joint["micro_expression"]), 1)
    assert "scales" not in joint  # nothing known about it: left out, so reported missing


def test_learned_hgc_trains_predicts_and_is_seeded() -> None:
    train = generate_cohort(120, seed=30)
    test = generate_cohort(40, seed=31)
    cfg = HGCConfig(epochs=4, seed=1)
    m1 = train_session_model([s.features for s in train], [s.truth.level for s in train],
                             "depression", cfg)
    m2 = train_session_model([s.features for s in train], [s.truth.level for s in train],
                             "depression", cfg)
    p1 = predict_sessions(m1, [s.features for s in test])
    p2 = predict_sessions(m2, [s.features for s in test])
    assert p1.shape == (40, 4)
    np.testing.assert_allclose(p1.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(p1, p2)
    with pytest.raises(ValueError, match="not depression classes"):
        train_session_model([train[0].features], ["very"], "depression", cfg)


def test_log_linear_rule_and_config_validation() -> None:
    v, a = _p(0.5, 0.3, 0.1, 0.1), _p(0.1, 0.6, 0.2, 0.1)
    chans = {"video": ChannelOutput("video", v, None), "speech": ChannelOutput("speech", a, None)}
    got = weighted_fusion(chans, "emotion", FusionConfig(rule="log_linear"))
    expected = v**0.6 * a**0.4
    assert got is not None
    np.testing.assert_allclose(got, expected / expected.sum())
    with pytest.raises(ValueError, match="rule"):
        FusionConfig(rule="max")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="video_weight"):
        FusionConfig(video_weight=-1)


def test_joint_encoding_from_a_gensim_keyed_vectors() -> None:
    from gensim.models import KeyedVectors

    from kg.embed.node2vec import DEFAULT_PREFIX
    from models.fusion.encode import keyed_vector_lookups

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["悲伤", DEFAULT_PREFIX + "au:AU4"], [[1.0, 0, 0], [0, 1.0, 0]])
    word, concept = keyed_vector_lookups(kv)
    assert word("悲伤") is not None and word("未知") is None
    f = FeatureText(modality="video", kind="micro_expression", text=Bilingual(zh="悲伤", en="sad"),
                    values={"concept_ids": ["au:AU4"]})
    vec = joint_vector([f], word, concept, lambda t: [t])["micro_expression"]
    np.testing.assert_allclose(vec, np.array([1.0, 1.0, 0]) / np.sqrt(2), rtol=1e-6)


def test_hgc_save_load_roundtrip_and_learned_mixing_keeps_risk_floor(tmp_path: Path) -> None:
    from models.decoder import DecoderConfig, decode
    from models.fusion.hgc import load_hgc, save_hgc
    from models.fusion.learned import LearnedFusion

    train = generate_cohort(80, seed=40)
    m = train_session_model([s.features for s in train], [s.truth.emotion for s in train],
                            "emotion", HGCConfig(epochs=3))
    path = save_hgc(m, tmp_path / "emotion.pt")
    loaded, dims = load_hgc(path)
    assert dims == GROUP_DIMS
    test = generate_cohort(10, seed=41)
    np.testing.assert_allclose(predict_sessions(m, [s.features for s in test]),
                               predict_sessions(loaded, [s.features for s in test]), rtol=1e-6)
    cfg = DecoderConfig(learned=LearnedFusion(emotion=loaded, weight=1.0))
    for s in test:
        feats = [*s.features, *scale_feature_texts({"PHQ9": [0] * 8 + [3]})]
        ids = [f"y{i}" for i in range(len(feats))]
        r = decode(feats, ids, [], None, beam_width=3, config=cfg)
        assert r.assessment.suicide_risk == "high" and "learned-hgc" in r.assessment.method
        assert r.assessment.depression_level == r.state.depression_level
    with pytest.raises(ValueError, match="learned weight"):
        LearnedFusion(weight=1.5)
