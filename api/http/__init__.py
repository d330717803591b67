"""The MindKG HTTP API (FastAPI): versioned routes under /v1, API keys with roles."""
