"""The HTTP API for platforms' systems (/api/v1, shared/spec/interfaces.md)."""
