"""Make the made-up spreadsheets the import tests use (no real data; names are invented).

    .venv/bin/python tests/data/make_tracker.py

writes, next to this file:

- ``patients.csv``: 60 patients the way a front desk keeps them (MRN, "Last, First",
  DOB in US format, phone, PCP, programs);
- ``tracker.csv`` and ``tracker.xlsx``: a practice's tracking sheet of 300 rows, in the
  practice's own words ("Prior Auth", "Pending", "Cleo"), with dates in several US
  formats, one row that repeats another and six bad rows (``BAD_ROWS``);
- ``tracker-mapping.json`` is written by hand: the words of this practice mapped once.

Deterministic (a fixed seed), so the committed files are what this script writes.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ["Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Rowan", "Emery", "Harper",
         "Sawyer", "Parker", "Reese", "Dakota", "Skyler", "Finley", "Hayden"]  # fmt: skip
LAST = ["Testa", "Sample", "Mockley", "Fakename", "Demoson", "Example", "Placer", "Dummett",
        "Madeup", "Notreal", "Pretendo", "Fictiv"]  # fmt: skip
PROGRAMS = ["", "", "ccm", "rpm", "Diabetes self-management", "ccm; hypertension"]

# workflow word -> (owners who work on it, detail words)
TYPES = {
    "Referral": (["Fran", "Cleo", "Cora"], ["Cardiology", "Dermatology", "Orthopedics", "GI"]),
    "Prior Auth": (["Cleo", "Bill"], ["MRI lumbar spine", "CT abdomen", "Ozempic", "Sleep study"]),
    "Records": (["Fran", "Cleo"], ["St. Elsewhere Hospital", "Valley Clinic", "Eastside Ortho"]),
    "Lab f/u": (["Fran", "Cleo", "Cora"], ["A1c", "Lipid panel", "CBC", "TSH"]),
    "Billing": (["Bill"], ["CLM-20931", "CLM-21877", "CLM-22410", "CLM-23005"]),
}
TITLES = {
    "Referral": "Referral to {d}",
    "Prior Auth": "PA for {d}",
    "Records": "Get records from {d}",
    "Lab f/u": "Follow up abnormal {d}",
    "Billing": "Denied claim {d}",
}
STATUSES = ["Open", "Open", "Open", "Pending", "Pending", "Done"]
PAYERS = ["Aetna", "BCBS", "Medicare", "Medicaid", "UHC", ""]
PRIORITY = ["", "", "normal", "high", "urgent", "low"]
HEADER = ["Task", "Type", "Status", "Assigned To", "Due", "MRN", "Insurance", "Provider",
          "Priority", "Detail", "Notes"]  # fmt: skip

# sheet row number (header is row 1) -> what is wrong with it
BAD_ROWS = {
    23: "owner nobody knows",
    58: "impossible due date",
    101: "empty title",
    150: "MRN of no patient",
    207: "priority word",
    260: "referral without its detail",
}
DUPLICATE_ROW, DUPLICATE_OF = 180, 40


def _date_text(rng: random.Random, d: date) -> str:
    style = rng.randrange(4)
    if style == 0:
        return d.strftime("%m/%d/%Y")
    if style == 1:
        return f"{d.month}/{d.day}/{d.strftime('%y')}"
    if style == 2:
        return d.isoformat()
    return d.strftime("%b %d, %Y").replace(" 0", " ")


def patients(rng: random.Random) -> list[list[str]]:
    rows = []
    for i in range(60):
        dob = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 70))
        rows.append([
            f"PB-{10001 + i}", f"{rng.choice(LAST)}, {rng.choice(FIRST)}",
            dob.strftime("%m/%d/%Y"), f"(555) 01{rng.randrange(10)}-{rng.randrange(10000):04d}",
            "Dr. Provider" if i % 3 else "", rng.choice(PROGRAMS),
        ])  # fmt: skip
    return rows


def tracker(rng: random.Random) -> list[list]:
    rows: list[list] = []
    start = date(2026, 3, 2)
    for _number in range(2, 302):  # sheet rows 2..301: 300 rows under the header
        kind = rng.choice(list(TYPES))
        owners, details = TYPES[kind]
        detail = rng.choice(details)
        due = start + timedelta(days=rng.randrange(-20, 45))
        row = [
            TITLES[kind].format(d=detail), kind, rng.choice(STATUSES), rng.choice(owners), due,
            f"PB-{10001 + rng.randrange(60)}" if kind != "Billing" or rng.random() < 0.5 else "",
            rng.choice(PAYERS) if kind in ("Prior Auth", "Billing") else "",
            "Dr. Provider" if kind == "Prior Auth" else "", rng.choice(PRIORITY), detail,
            rng.choice(["", "", "Called twice", "Fax sent 3/2", "Pt prefers mornings"]),
        ]  # fmt: skip
        rows.append(row)
    rows[DUPLICATE_ROW - 2] = list(rows[DUPLICATE_OF - 2])
    bad = {23: (3, "Zed"), 58: (4, "13/45/2026"), 101: (0, ""), 150: (5, "PB-99999"),
           207: (8, "whenever")}  # fmt: skip
    for number, (col, value) in bad.items():
        rows[number - 2][col] = value
    ref = rows[260 - 2]
    ref[0], ref[1], ref[3], ref[9] = "Referral to someone", "Referral", "Fran", ""
    return rows


def main() -> None:
    rng = random.Random(13)
    with (HERE / "patients.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["MRN", "Patient Name", "DOB", "Phone", "PCP", "Programs"])
        out.writerows(patients(rng))
    rows = tracker(rng)
    with (HERE / "tracker.csv").open("w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for row in rows:
            due = row[4]
            out.writerow([*row[:4], _date_text(rng, due) if isinstance(due, date) else due,
                          *row[5:]])  # fmt: skip
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet["E"][1:]:
        cell.number_format = "mm/dd/yyyy"
    book.save(HERE / "tracker.xlsx")


if __name__ == "__main__":
    main()
