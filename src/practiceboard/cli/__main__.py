"""``python -m practiceboard.cli`` runs the same command line as ``practiceboard``."""

from practiceboard.cli import main

raise SystemExit(main())
