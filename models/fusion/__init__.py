"""Multimodal fusion: decision-level (paper 004), knowledge-graph propagation and learned HGC.

`fuse()` is what the decoder uses (weighted + KG); `learned` trains the hierarchical graph
contrastive model (paper 002) on labelled sessions or MMSA clips. Method: docs/fusion.md.
"""

from __future__ import annotations

from models.fusion.core import fuse
from models.fusion.graph import OntologyView, ontology_view
from models.fusion.state import EMOTIONS, LEVELS, RISKS, FusedState
from models.fusion.weighted import FusionConfig

__all__ = ["EMOTIONS", "LEVELS", "RISKS", "FusedState", "FusionConfig", "OntologyView", "fuse",
           "ontology_view"]
