"""The one rule for finding a patient by what was typed, used by every place that
looks patients up (the intake picker, the Patients list, the main search):

- an MRN: the typed text anywhere in the MRN ("10304" finds "MRN-0103045");
- a name: each typed word starts a word of the name, in any order ("tum ju" finds
  "Judy Tumbleweed");
- a date of birth: 1956-04-12 or 4/12/1956.

Any one of the three matches. Case does not matter; the typed text is always a
bound LIKE pattern with its wildcards escaped (core/like.py).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement

from practiceboard.core.like import contains, starts_with
from practiceboard.db.models import Patient

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_birth_date(text: str) -> date | None:
    """A date of birth typed as 1956-04-12 or 4/12/1956; None when it is not one
    (including an impossible date such as 2/30/1956, which must never reach SQL)."""
    iso, us = _ISO.fullmatch(text.strip()), _US.fullmatch(text.strip())
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
    except ValueError:
        return None
    return None


def patient_match(text: str) -> ColumnElement | None:
    """The condition on ``patients`` for ``text``; None when nothing was typed."""
    query = " ".join((text or "").split()).lower()
    if not query:
        return None
    words = query.split(" ")
    # search_name is the lower-cased display name; a word starts the name or follows a space.
    by_name = and_(
        *(or_(starts_with(Patient.search_name, w), contains(Patient.search_name, " " + w))
          for w in words)
    )  # fmt: skip
    terms = [contains(func.lower(Patient.mrn), query), by_name]
    dob = parse_birth_date(query)
    if dob is not None:
        terms.append(Patient.date_of_birth == dob)
    return or_(*terms)
