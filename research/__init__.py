"""Research and training code: training loops, dataset loaders, synthetic-data generators
and evaluation reports. It depends on the runtime (contracts, kg, models, ingest) and the
runtime never imports it (docs/ARCHITECTURE.md, enforced by import-linter)."""
