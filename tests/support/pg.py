"""The PostgreSQL the suite runs on: whether its server can be reached at all (the one
reason a PostgreSQL test may skip) and where it is, for messages (never a password)."""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url


def pg_where(url: str) -> str:
    """The URL without its password, for a message."""
    return make_url(url).render_as_string(hide_password=True)


def pg_reachable(url: str, timeout: float = 3.0) -> bool:
    """True when something accepts connections at the URL's host and port. Whether it
    then lets the tests in (user, password, database) is not asked here: a server
    that answers but refuses is a failure to report, not a reason to skip."""
    u = make_url(url)
    host = u.host or "localhost"
    try:
        with socket.create_connection((host, u.port or 5432), timeout=timeout):
            return True
    except OSError:
        return False
