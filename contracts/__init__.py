"""Contracts shared by every stage: small typed data and protocols, no behaviour.

Everything here imports only the standard library, pydantic and the FeatureText type, so the
recognizers (ingest/), the graph (kg/), the models and the API can all depend on it without
depending on each other (docs/ARCHITECTURE.md).
"""
