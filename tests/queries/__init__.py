"""Read-side tests (shared helpers are in tests/support/, the ``clock`` fixture in
tests/queries/conftest.py)."""
