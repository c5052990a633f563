"""domain.errors.first_line: the one way to shorten what a driver said."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from practiceboard.domain.errors import first_line


def test_first_line_of_the_driver_message():
    wrapped = OperationalError("SELECT 1", {}, Exception("connection refused\n\tIs the server up?"))
    assert first_line(wrapped) == "connection refused"


def test_first_line_of_a_plain_exception_or_its_type():
    assert first_line(RuntimeError("  disk full\nmore")) == "disk full"
    assert first_line(RuntimeError("")) == "RuntimeError"
