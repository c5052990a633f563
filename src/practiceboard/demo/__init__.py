"""The demo practice: a made-up clinic with about six months of believable history.

Everything goes through the real services (accounts, patients, care plans, task
intake, moves, notes, watches, handoffs, care task generation) with the service
clock set to the simulated moment of each step, so task events, audit rows and
the audit chain are exactly what the app itself would have written.

- ``data``: the word lists (staff, made-up names, payers, workflow paths, notes).
- ``story``: plans who does what and when, as steps in time order.
- ``play``: plays the steps through the real services.
- ``practice``: the way in: build into an empty database, or replace what it holds.
"""

from practiceboard.demo.data import DEMO_PASSWORD
from practiceboard.demo.play import DemoResult
from practiceboard.demo.practice import generate_demo, practice_contents, replace_practice

__all__ = [
    "DEMO_PASSWORD",
    "DemoResult",
    "generate_demo",
    "practice_contents",
    "replace_practice",
]
