"""API keys (stored hashed), roles and the append-only audit log of student-data reads."""
