"""Entity alignment: FeatureTexts (and free phrases) to Concept nodes of the knowledge graph."""
