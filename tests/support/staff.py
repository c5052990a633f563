"""The practice's people: one signed-in user per default role, all with one password."""

from __future__ import annotations

from dataclasses import dataclass

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.services import users

PASSWORD = "correct horse battery"


@dataclass
class Staff:
    """One signed-in user per default role, plus a factory for more."""

    db: Database
    admin: Actor
    front_desk: Actor
    clinical: Actor
    provider: Actor
    billing: Actor
    care_coordinator: Actor
    manager: Actor

    def add(self, username: str, roles: list[str], name: str | None = None) -> Actor:
        users.create_user(self.db, self.admin, username, name or username.title(), PASSWORD, roles)
        return users.sign_in(self.db, username, PASSWORD, "test-pc")


def make_staff(database: Database) -> Staff:
    """The first admin and one user per default role, each signed in on "test-pc"."""
    users.bootstrap_admin(database, "admin", "Ada Admin", PASSWORD)
    admin = users.sign_in(database, "admin", PASSWORD, "test-pc")
    people = {}
    for role, name in [
        ("front_desk", "Fran Front"), ("clinical", "Cleo Clinical"),
        ("provider", "Dr. Pat Provider"), ("billing", "Bill Billing"),
        ("care_coordinator", "Cora Coordinator"), ("manager", "Max Manager"),
    ]:  # fmt: skip
        users.create_user(database, admin, role.replace("_", ""), name, PASSWORD, [role])
        people[role] = users.sign_in(database, role.replace("_", ""), PASSWORD, "test-pc")
    return Staff(database, admin, **people)
