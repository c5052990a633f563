"""Word lists for the demo practice. Every person and record built from them is made up.

Patient surnames are invented words, so a demo screen can never be mistaken for
a real chart.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo-password-2026"

# (role keys, display name, username) — a small practice: every role at least once,
# one nurse who also coordinates care (people often wear two hats).
STAFF = [
    (["admin"], "Morgan Ellery", "admin"),
    (["manager"], "Dana Whitcombe", "dwhitcombe"),
    (["front_desk"], "Rosa Delgado", "rdelgado"),
    (["front_desk"], "Kevin Tran", "ktran"),
    (["clinical"], "Priya Natarajan", "pnatarajan"),
    (["clinical"], "Marcus Bell", "mbell"),
    (["provider"], "Dr. Helen Okafor", "hokafor"),
    (["provider"], "Dr. Samuel Reyes", "sreyes"),
    (["billing"], "Tamara Lindqvist", "tlindqvist"),
    (["billing"], "Omar Haddad", "ohaddad"),
    (["care_coordinator"], "Grace Kimura", "gkimura"),
    (["clinical", "care_coordinator"], "Luis Fontaine", "lfontaine"),
]

FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Dakota", "Emerson", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sawyer", "Skyler",
    "Taylor", "Alex", "Bailey", "Cameron", "Drew", "Elliot", "Frankie", "Hayden", "Jamie",
    "Jesse", "Kai", "Lane", "Marley", "Noel", "Oakley", "Peyton", "Remy", "Sage", "Shay",
    "Tatum", "Wren", "Arden", "Briar", "Corey", "Devon", "Ellis", "Gray", "Hollis", "Indy",
    "Jody", "Kerry", "Lee", "Milan", "Nico", "Perry", "Robin", "Sidney", "Toby", "Val",
]  # fmt: skip

# Invented surnames: plainly not real people.
SURNAMES = [
    "Applewick", "Brambleton", "Copperfen", "Dunmarrow", "Elderby", "Fernhollow",
    "Glimmerton", "Hazelcombe", "Ivorydale", "Juniperlow", "Kettlewick", "Larkspire",
    "Marbleton", "Nettlecombe", "Oakenshaw", "Pebbleford", "Quillfeather", "Rosewater",
    "Saltmarsh", "Thistlewood", "Umberfield", "Valeborne", "Willowmere", "Yarrowby",
    "Ashgrove", "Birchcombe", "Cindervale", "Dewberry", "Emberly", "Foxmoor", "Gorsedown",
    "Heathergill", "Inkwell", "Jasperton", "Kingsfoil", "Lumberly", "Mossbridge",
    "Northwick", "Orchardly", "Puddlecombe", "Quarrington", "Ravensmere", "Stonefield",
    "Tumbleweed", "Underhill", "Vinterby", "Wrenwood", "Yewbank", "Zephyrton",
]  # fmt: skip

PAYERS = [
    ("Medicare", 26), ("Medicaid", 14), ("Aetna", 12), ("BCBS", 16),
    ("UnitedHealthcare", 14), ("Cigna", 8), ("Humana", 7), ("Self-pay", 3),
]  # fmt: skip

# Workflow key -> (share of the non-care tasks, title patterns, extra-field values).
# "{x}" in a title is filled from the workflow's own list below.
WORKFLOW_MIX = {
    "referral": 0.20,
    "prior_auth": 0.16,
    "records": 0.15,
    "lab_followup": 0.15,
    "billing": 0.16,
    "supply": 0.07,
    "signoff": 0.11,
}

SPECIALTIES = [
    "Cardiology", "Dermatology", "Endocrinology", "Gastroenterology", "Neurology",
    "Orthopedics", "Physical therapy", "Podiatry", "Pulmonology", "Rheumatology",
    "Urology", "Ophthalmology", "Behavioral health", "Sleep medicine",
]  # fmt: skip
PROCEDURES = [
    "MRI lumbar spine", "CT chest", "Sleep study", "Echocardiogram", "Colonoscopy",
    "Knee arthroscopy", "Ozempic 1 mg", "Humira", "CPAP machine", "Physical therapy x12",
    "Continuous glucose monitor", "Nerve conduction study", "Eliquis 5 mg",
]  # fmt: skip
RECORD_HOLDERS = [
    "Riverside General Hospital", "Lakeview Imaging", "North County Cardiology",
    "St. Brigid Medical Center", "Valley Orthopedic Group", "Previous PCP",
    "Summit Urgent Care", "Harbor Family Medicine",
]  # fmt: skip
LAB_TESTS = [
    "A1c", "Lipid panel", "CBC", "CMP", "TSH", "Vitamin D", "PSA", "Urinalysis",
    "INR", "eGFR", "Microalbumin", "Ferritin",
]  # fmt: skip
CLAIM_ISSUES = [
    "Denied – missing modifier", "Denied – eligibility", "Underpaid", "No response 45 days",
    "Denied – timely filing", "Coordination of benefits", "Denied – bundling",
]  # fmt: skip
SUPPLIES = [
    "Flu vaccine, 50 doses", "Nitrile gloves, 20 boxes", "A1c test cartridges, 2 kits",
    "Exam table paper, 12 rolls", "Tdap vaccine, 20 doses", "Sharps containers, 10",
    "Otoscope tips, 5 boxes", "Blood pressure cuffs, 3", "Printer toner, 4",
]  # fmt: skip
DOCUMENTS = [
    "Standing order – flu vaccine", "Home health certification", "DME order – walker",
    "Prior auth letter of medical necessity", "School physical form", "FMLA paperwork",
    "Lab standing order", "Physical therapy plan of care", "Disability form",
]  # fmt: skip

NOTES = [
    "Called, left voicemail.", "Faxed again; confirmation received.",
    "Spoke with the patient, will call back tomorrow.", "Payer portal shows still pending.",
    "Records requested a second time.", "Waiting on the provider's signature.",
    "Checked with the front desk; no reply yet.", "Patient prefers a morning appointment.",
    "Sent the portal message.", "Reference number noted in the chart.",
    "Escalated to the payer supervisor.", "Copy of the insurance card on file.",
]  # fmt: skip

PROGRAM_PLANS = {
    "ccm": (["Keep blood pressure under 140/90", "Take medications as prescribed"],
            [("Monthly check-in call", "FREQ=MONTHLY"),
             ("Medication review", "FREQ=MONTHLY;INTERVAL=3")]),
    "rpm": (["Transmit readings 16 days a month"],
            [("Review device readings", "FREQ=WEEKLY;INTERVAL=2")]),
    "tcm": (["No readmission within 30 days"],
            [("Post-discharge follow-up call", "FREQ=WEEKLY")]),
    "diabetes": (["A1c below 7.5%", "Daily foot checks"],
                 [("A1c recheck reminder", "FREQ=MONTHLY;INTERVAL=3"),
                  ("Diabetes education call", "FREQ=MONTHLY")]),
    "hypertension": (["Home BP log reviewed monthly"],
                     [("Blood pressure log review", "FREQ=MONTHLY")]),
}  # fmt: skip

PROGRAM_WEIGHTS = [("ccm", 30), ("rpm", 15), ("tcm", 15), ("diabetes", 20), ("hypertension", 20)]

PLAN_SUMMARIES = [
    "Enrolled after annual wellness visit.", "Referred by the provider after a hospital stay.",
    "Patient asked for help managing medications.", "High ED use in the past year.",
    "New diagnosis; education and monitoring.",
]  # fmt: skip

# Story paths: the statuses a task moves through after "new", with weights.
# Any step may be where a stalled task stops; closed tasks are sometimes reopened.
# Paths the configured workflow no longer allows are skipped; a status no path
# reaches gets the shortest route the workflow allows (see story._route).
PATHS = {
    "referral": [
        (40, ["ready", "scheduled"]),
        (20, ["waiting_records", "ready", "scheduled"]),
        (15, ["waiting_patient", "ready", "scheduled"]),
        (8, ["waiting_records", "waiting_patient", "ready", "scheduled"]),
        (5, ["ready", "waiting_patient", "ready", "scheduled"]),
        (7, ["not_needed"]),
        (5, ["waiting_patient", "not_needed"]),
    ],
    "prior_auth": [
        (40, ["submitted", "waiting_payer", "approved"]),
        (15, ["submitted", "approved"]),
        (15, ["submitted", "waiting_payer", "denied"]),
        (10, ["submitted", "waiting_payer", "appeal", "waiting_payer", "approved"]),
        (5, ["submitted", "waiting_payer", "appeal", "denied"]),
        (8, ["submitted", "waiting_payer", "submitted", "waiting_payer", "approved"]),
    ],
    "records": [
        (45, ["requested", "waiting_sender", "received"]),
        (30, ["requested", "received"]),
        (10, ["requested", "waiting_sender", "requested", "waiting_sender", "received"]),
        (8, ["cancelled"]),
        (7, ["requested", "waiting_sender", "cancelled"]),
    ],
    "lab_followup": [
        (45, ["outreach", "booked"]),
        (25, ["outreach", "waiting_patient", "booked"]),
        (10, ["outreach", "waiting_patient", "outreach", "booked"]),
        (12, ["no_action"]),
        (8, ["outreach", "waiting_patient", "no_action"]),
    ],
    "billing": [
        (35, ["investigating", "resubmitted", "paid"]),
        (20, ["investigating", "waiting_payer", "resubmitted", "paid"]),
        (15, ["investigating", "resubmitted", "waiting_payer", "paid"]),
        (10, ["investigating", "written_off"]),
        (10, ["investigating", "waiting_payer", "paid"]),
        (10, ["investigating", "resubmitted", "waiting_payer", "investigating", "resubmitted",
              "paid"]),
    ],
    "supply": [
        (55, ["ready", "approved", "ordered"]),
        (15, ["ready", "needs_info", "ready", "approved", "ordered"]),
        (15, ["ready", "rejected"]),
        (8, ["ready", "needs_info", "ready", "rejected"]),
        (7, ["ready", "approved"]),
        (5, ["withdrawn"]),
    ],
    "signoff": [
        (45, ["ready", "in_review", "approved", "closed"]),
        (15, ["ready", "in_review", "approved"]),
        (15, ["ready", "in_review", "needs_info", "ready", "in_review", "approved", "closed"]),
        (8, ["ready", "in_review", "rejected", "closed"]),
        (7, ["ready", "in_review", "rejected"]),
        (5, ["closed"]),
        (5, ["ready", "approved", "closed"]),
    ],
    "care_task": [
        (55, ["in_progress", "completed"]),
        (15, ["in_progress", "waiting", "in_progress", "completed"]),
        (10, ["completed"]),
        (10, ["cancelled"]),
        (10, ["in_progress", "waiting", "completed"]),
    ],
}  # fmt: skip

# After a reopen (into the workflow's reopen status), the rest of the way to done.
REOPEN_TAILS = {
    "referral": ["scheduled"],
    "prior_auth": ["waiting_payer", "approved"],
    "records": ["received"],
    "lab_followup": ["booked"],
    "billing": ["resubmitted", "paid"],
    "supply": ["ready", "approved", "ordered"],
    "signoff": ["ready", "in_review", "approved", "closed"],
    "care_task": ["completed"],
}

# Mean business days a task sits in a status of this category before its next move.
DWELL_DAYS = {"new": 0.7, "active": 1.6, "waiting": 3.5, "review": 0.9, "done": 6.0,
              "cancelled": 6.0}  # fmt: skip

# Reason keys to pick from, by the status a task moves into (else any of the kind).
REASON_PICKS = {
    "waiting_records": ["records_pending", "missing_info"],
    "waiting_patient": ["patient_unreachable", "patient_unreachable", "missing_info"],
    "waiting_payer": ["payer_pending", "payer_pending", "missing_info"],
    "waiting_sender": ["records_pending"],
    "waiting": ["patient_unreachable", "provider_unavailable", "missing_info"],
    "denied": ["not_medically_necessary", "not_covered"],
    "rejected": ["over_budget", "duplicate_request", "not_covered", "not_medically_necessary"],
}
OTHER_NOTES = {
    "waiting": "Office closed for the week; will follow up Monday.",
    "needs_info": "Please attach last month's usage report.",
    "rejection": "Vendor discontinued this item; pick the replacement.",
    "reopen": "Patient called back with new details.",
    "exception": "Handled by the hospital team instead.",
}

# Who logs each kind of work (a role listed twice is twice as likely).
CREATORS = {
    "referral": ["front_desk", "front_desk", "clinical", "care_coordinator"],
    "prior_auth": ["clinical", "billing", "provider"],
    "records": ["front_desk", "front_desk", "clinical"],
    "lab_followup": ["clinical", "clinical", "front_desk", "care_coordinator"],
    "billing": ["billing"],
    "supply": ["clinical"],
    # Clinical staff do not see sign-offs by default, so the manager and providers ask.
    "signoff": ["manager", "manager", "provider"],
}


def task_text(rng, key: str, payer: str | None) -> tuple[str, dict]:
    """A title and the workflow's own fields for a new task."""
    if key == "referral":
        s = rng.choice(SPECIALTIES)
        return f"{s} referral", {"referred_to": s}
    if key == "prior_auth":
        p = rng.choice(PROCEDURES)
        extra = {"procedure": p}
        if rng.random() < 0.5:
            extra["payer_ref"] = f"{(payer or 'REF')[:3].upper()}-{rng.randint(100000, 999999)}"
        return f"Prior auth – {p}", extra
    if key == "records":
        h = rng.choice(RECORD_HOLDERS)
        return f"Records from {h}", {"records_from": h}
    if key == "lab_followup":
        t = rng.choice(LAB_TESTS)
        return f"{t} result follow-up", {"test": t}
    if key == "billing":
        issue = rng.choice(CLAIM_ISSUES)
        return f"{issue} ({payer})", {"claim": f"CLM-{rng.randint(2_000_000, 2_999_999)}"}
    if key == "supply":
        item = rng.choice(SUPPLIES)
        return f"Reorder: {item}", {"item": item}
    d = rng.choice(DOCUMENTS)
    return f"Sign: {d}", {"document": d}
