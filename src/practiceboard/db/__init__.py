"""Schema, engines and the unit of work. Only services/ and queries/ use this package."""
