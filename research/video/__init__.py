"""Synthetic face videos, micro-expression sample sets and video-path evaluations."""
