"""PracticeBoard: owned, visible operational work for small healthcare practices."""

__version__ = "0.1.0"
