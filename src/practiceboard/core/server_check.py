"""The clinic server, before this PC is connected to it: what was typed (host, port,
database, user, password, TLS), and "Test connection", which tells apart what a
practice manager can act on — the server cannot be reached, the password is wrong,
the database does not exist, this PC is not let in, the database is not a
PracticeBoard one, or it was made by a newer PracticeBoard.

libpq reports a refused connection as text with no SQLSTATE (psycopg's
``OperationalError.sqlstate`` is None then), so ``classify`` reads libpq's own
phrases; anything it does not recognise is "cannot be reached", with the first
line of the driver's words for whoever helps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from practiceboard.core import connection
from practiceboard.domain.errors import ValidationError, first_line

DEFAULT_PORT = 5432
TLS_MODES = {
    "prefer": "Use encryption when the server offers it",
    "require": "Always encrypt (do not check the server's certificate)",
    "verify-ca": "Always encrypt and check the server's certificate (CA file)",
    "verify-full": "Encrypt, check the certificate and the server's name (CA file)",
    "disable": "Never encrypt (not recommended)",
}
NEEDS_CA = ("verify-ca", "verify-full")


class Verdict(StrEnum):
    READY = "ready"  # a PracticeBoard database with its practice and accounts
    EMPTY = "empty"  # nothing set up yet: a new practice can be made here
    UNREACHABLE = "unreachable"
    WRONG_PASSWORD = "wrong_password"
    NO_DATABASE = "no_database"
    NOT_ALLOWED = "not_allowed"  # pg_hba.conf has no line for this PC
    TLS = "tls"
    NOT_PRACTICEBOARD = "not_practiceboard"
    NEWER = "newer"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    message: str
    practice_name: str | None = None
    database_id: str | None = None  # names the audit key file (READY only)

    @property
    def usable(self) -> bool:
        return self.verdict in (Verdict.READY, Verdict.EMPTY)


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int = DEFAULT_PORT
    database: str = "practiceboard"
    user: str = "practiceboard_app"
    password: str = ""
    tls: str = "prefer"
    ca_file: str = ""

    def checked(self) -> ServerSettings:
        """The settings tidied, or ValidationError naming the field to fix."""
        host, database, user = self.host.strip(), self.database.strip(), self.user.strip()
        if not host or any(c.isspace() for c in host) or "/" in host:
            raise ValidationError(
                "Type the server's name or address, for example OFFICE-PC or 192.168.1.20.",
                "host",
            )
        if not 1 <= int(self.port) <= 65535:
            raise ValidationError("The port is a number from 1 to 65535 (usually 5432).", "port")
        if not database:
            raise ValidationError("Type the database's name (usually practiceboard).", "database")
        if not user:
            raise ValidationError("Type the database user's name.", "user")
        if self.tls not in TLS_MODES:
            raise ValidationError("Choose how the connection is encrypted.", "tls")
        ca = self.ca_file.strip()
        if self.tls in NEEDS_CA and not ca:
            raise ValidationError(
                "Checking the server's certificate needs its CA file: choose it, or pick "
                "another encryption setting.",
                "ca_file",
            )
        if ca and not Path(ca).is_file():
            raise ValidationError(f"There is no file at {ca}. Choose the CA file again.", "ca_file")
        return replace(self, host=host, database=database, user=user, ca_file=ca)

    def url(self, *, with_password: bool = True) -> str:
        query = {"sslmode": self.tls}
        if self.ca_file:
            query["sslrootcert"] = self.ca_file
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=(self.password or None) if with_password else None,
            host=self.host,
            port=int(self.port),
            database=self.database,
            query=query,
        ).render_as_string(hide_password=False)

    @classmethod
    def from_url(cls, url: str) -> ServerSettings:
        u = make_url(url)
        return cls(
            host=u.host or "",
            port=u.port or DEFAULT_PORT,
            database=u.database or "",
            user=u.username or "",
            password=u.password or "",
            tls=str(u.query.get("sslmode", "prefer")),
            ca_file=str(u.query.get("sslrootcert", "")),
        )


def classify(exc: BaseException, settings: ServerSettings) -> Outcome:
    """The verdict and sentence for a connection the server (or the network) refused."""
    text = str(exc)
    low = text.lower()
    where = f"{settings.host}:{settings.port}"
    if "password authentication failed" in low or "no password supplied" in low:
        return Outcome(Verdict.WRONG_PASSWORD, (
            f"The server at {where} did not accept the password for “{settings.user}”. "
            "Type it again (passwords are case-sensitive)."
        ))  # fmt: skip
    if "role" in low and "does not exist" in low:
        return Outcome(Verdict.WRONG_PASSWORD, (
            f"The server at {where} has no database user called “{settings.user}”. Check the "
            "user name (the set-up on the server printed it)."
        ))  # fmt: skip
    if "database" in low and "does not exist" in low:
        return Outcome(Verdict.NO_DATABASE, (
            f"The server at {where} answered, but it has no database called "
            f"“{settings.database}”. Check the name, or run “practiceboard server setup” on "
            "the server first."
        ))  # fmt: skip
    if "no pg_hba.conf entry" in low:
        return Outcome(Verdict.NOT_ALLOWED, (
            f"The server at {where} answered but does not let this PC in. On the server, "
            "add the office network to pg_hba.conf (see the README's LAN steps) and restart "
            "PostgreSQL."
        ))  # fmt: skip
    if "ssl" in low or "certificate" in low:
        return Outcome(Verdict.TLS, (
            f"The encrypted connection to {where} could not be made ({first_line(exc)}). "
            "Check the encryption setting and the CA file, or ask whoever set up the server."
        ))  # fmt: skip
    return Outcome(Verdict.UNREACHABLE, (
        f"PracticeBoard cannot reach the server at {where} ({first_line(exc)}). Check that "
        "the server PC is switched on and on the network, that the name and port are right, "
        "and that its firewall lets port 5432 in."
    ))  # fmt: skip


def check_server(settings: ServerSettings, *, timeout: int = 10) -> Outcome:
    """Connect and look at what the database holds (runs in a worker: it waits on the
    network)."""
    import psycopg

    conninfo = make_url(settings.url()).set(drivername="postgresql")
    try:
        conn = psycopg.connect(
            conninfo.render_as_string(hide_password=False), connect_timeout=timeout
        )
    except psycopg.Error as exc:
        return classify(exc, settings)
    with conn:
        return _inspect(conn, settings)


def _inspect(conn, settings: ServerSettings) -> Outcome:
    from practiceboard.db import migrate

    where = f"“{settings.database}” on {settings.host}"
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    if not tables:
        return Outcome(Verdict.EMPTY, (
            f"Connected. {where} is empty: a new practice will be set up in it."
        ))  # fmt: skip
    ours = {"audit_log", "change_stamp", "users", "tasks"} <= tables
    if "alembic_version" not in tables or not ours:
        return Outcome(Verdict.NOT_PRACTICEBOARD, (
            f"Connected, but {where} holds another program's data, not PracticeBoard's. "
            "Check the database name; PracticeBoard needs a database of its own."
        ))  # fmt: skip
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = row[0] if row else None
    try:
        from alembic.script import ScriptDirectory

        if revision is not None:
            ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision)
    except Exception:
        return Outcome(Verdict.NEWER, (
            f"Connected, but {where} was set up by a newer PracticeBoard (schema {revision}). "
            "Install that version on this PC first; nothing was changed."
        ))  # fmt: skip
    accounts = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    if not accounts:
        return Outcome(Verdict.EMPTY, (
            f"Connected. {where} has no practice yet: it will be set up next."
        ))  # fmt: skip
    held = dict(conn.execute(
        "SELECT key, value FROM settings WHERE key IN ('practice_name', 'database_id')"
    ).fetchall())  # fmt: skip
    name = held.get("practice_name") if isinstance(held.get("practice_name"), str) else None
    database_id = held.get("database_id") if isinstance(held.get("database_id"), str) else None
    return Outcome(
        Verdict.READY,
        f"Connected to {where}: the practice “{name or 'unnamed'}”, {accounts} "
        f"{'account' if accounts == 1 else 'accounts'}. This PC will use it.",
        name,
        database_id,
    )


def remember(settings: ServerSettings, store: connection.SecretStore | None = None) -> str:
    """Save the connection for this PC (no password in the file) and the password in the
    OS keyring. Returns "" or, where there is no keyring, the sentence saying so (the app
    then asks for the password at each start)."""
    store = store or connection.SecretStore()
    url = settings.url()
    connection.save_url(url)
    if not settings.password:
        return ""  # the server asks for none (trust), or it will be asked for
    ok, message = store.available()
    if not ok:
        return message
    try:
        store.set(connection.secret_key(url), settings.password)
    except connection.KeyringUnavailable as exc:
        return str(exc)
    return ""
