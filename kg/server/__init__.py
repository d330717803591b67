"""The project's own Neo4j server: install, configure, start and stop it, the browse-only copy,
and the helper that serves Neo4j Browser's guide and style. Nothing in the graph code imports
this package; only the CLI does."""
