"""Micro-expression recognition: Gabor + PCA features, CNN+GCN with transfer learning, and the
alternative models of the related work; `python -m research.mer.train` trains and evaluates them.
See docs/mer_models.md and the MODEL_CARD_*.md files beside this module."""
