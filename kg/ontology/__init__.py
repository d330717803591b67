"""Curated ontology data (instruments, levels) that seed Concept nodes in the graph."""
