"""The kernel both sides stand on: who is acting and what they may do, the clock,
the unit of work (write, read, audited read), configured definitions, the rows the
read side returns, and where files and settings come from.

``services/`` (the writers) and ``queries/`` (the read side) both import from
here and never from each other. Nothing here imports Qt.
"""
