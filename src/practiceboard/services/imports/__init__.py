"""Spreadsheet import: reading the file (``sheet``), the column and value mapping
(``mapping``), and the one-transaction import, dry run and undo (``engine``)."""
