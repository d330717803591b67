"""Contracts shared by every stage: small typed data, the vocabulary, the one Settings and the
recognizer protocol.

- `feature_text`: FeatureText, the observation every recognizer emits;
- `session_records`: alignments, evidence, the assessment, session keys;
- `vocabulary`: levels, risk, concept ids, the disclaimer, AU / emotion names;
- `settings`: Settings (with its `api` section) and the one loader, `load_settings`;
- `recognition`: the recognizer contract.

Everything here imports only the standard library and pydantic (nothing of ours), so the
recognizers (ingest/), the graph (kg/), the models and the API can all depend on it without
depending on each other (docs/ARCHITECTURE.md).
"""
