"""Pure rules: no Qt, no database sessions. Tested in microseconds."""
