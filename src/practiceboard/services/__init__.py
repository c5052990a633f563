"""Use cases: one function = one user action = one transaction. The only writers."""
