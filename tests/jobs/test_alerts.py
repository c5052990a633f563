"""The alert scan on both engines, with a controllable clock: each rule fires once, at the
right business-hour moment; waiting pauses the clock; approvals escalate; mutes, snoozes
and quiet hours hold; two PCs scanning at once record each alert once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from practiceboard.core import definitions
from practiceboard.db.engine import Database
from practiceboard.db.models import Notification, Task, User
from practiceboard.jobs import alerts
from practiceboard.services import approvals, notifications
from practiceboard.services.tasks import move_task
from support import START, audit_rows, new_task, reason_id, status_id


def calendar(db: Database):
    with db.read() as s:
        return definitions.practice_calendar(s)


def after(db: Database, since: datetime, business_hours: float) -> datetime:
    """The first whole minute at which ``business_hours`` have passed since ``since``."""
    cal, t = calendar(db), since
    while cal.business_hours(since, t) < business_hours:
        t += timedelta(minutes=15)
    while cal.business_hours(since, t - timedelta(minutes=1)) >= business_hours:
        t -= timedelta(minutes=1)
    return t


def raised(db: Database, at: datetime, user_id: int | None = None) -> list[tuple[str, str, int]]:
    """(person's username, kind, task id) of what one scan at ``at`` recorded."""
    with db.read() as s:
        names = dict(s.execute(select(User.id, User.username)).tuples().all())
    found = alerts.scan(db, at, user_id)
    return sorted((names[r.alert.user_id], r.alert.kind.value, r.alert.task_id or 0) for r in found)


def test_a_task_created_for_someone_else_tells_them_once(db, staff, clock):
    t = new_task(db, staff.manager, owner_id=staff.front_desk.user_id)
    assert raised(db, clock.now) == [("frontdesk", "assigned", t.id)]
    assert raised(db, clock.now) == []  # a second scan (another PC, a restart) repeats nothing


def test_my_own_new_task_is_no_news(db, staff, clock):
    new_task(db, staff.front_desk)
    assert raised(db, clock.now) == []


def test_warn_then_breach_fire_once_each_at_their_business_hour(db, staff, clock):
    t = new_task(db, staff.front_desk)  # New: warn 8, breach 16 business hours
    warn_at, breach_at = after(db, START, 8), after(db, START, 16)
    assert raised(db, warn_at - timedelta(minutes=1)) == []
    assert raised(db, warn_at) == [("frontdesk", "warn", t.id)]
    assert raised(db, warn_at + timedelta(hours=1)) == []
    assert raised(db, breach_at - timedelta(minutes=1)) == []
    # The owner hears of the breach, and so does the manager (bundled on delivery).
    assert raised(db, breach_at) == [("frontdesk", "breach", t.id), ("manager", "breaches", t.id)]
    assert raised(db, breach_at) == []


def test_waiting_pauses_the_clock(db, staff, clock):
    t = new_task(db, staff.front_desk)
    clock.advance(minutes=5)
    waiting = status_id(db, "referral", "waiting_records")
    move_task(db, staff.front_desk, t.id, waiting, expected_version=t.version,
              reason_id=reason_id(db, "waiting", "records_pending"))  # fmt: skip
    assert raised(db, after(db, START, 40)) == []


def test_the_approver_is_told_then_the_backup_and_managers_at_breach(db, staff, clock):
    staff.add("mgr2", ["manager"], "Mona Manager")
    t = new_task(db, staff.clinical, "supply", "Flu vaccine reorder")
    approvals.request_approval(db, staff.clinical, t.id, expected_version=t.version)
    with db.read() as s:
        owner = s.get(Task, t.id).owner_id
    approver, other = ("manager", "mgr2") if owner == staff.manager.user_id else ("mgr2", "manager")
    at = clock.now
    assert raised(db, at) == [(approver, "assigned", t.id)]  # the request, handed over
    assert raised(db, after(db, at, 8)) == [(approver, "approval_warn", t.id)]
    # The approver's own breach; the backup approver (the other manager) is escalated to.
    assert raised(db, after(db, at, 24)) == [
        (approver, "breach", t.id),
        (other, "escalation", t.id),
    ]


def test_a_send_back_tells_the_requester(db, staff, clock):
    t = new_task(db, staff.clinical, "supply", "Exam gloves")
    requested = approvals.request_approval(db, staff.clinical, t.id, expected_version=t.version)
    clock.advance(minutes=10)
    raised(db, clock.now)  # the hand-off to the approver
    approvals.send_back(db, staff.manager, t.id, expected_version=requested.version,
                        reason_id=reason_id(db, "needs_info", "missing_document"))  # fmt: skip
    assert raised(db, clock.now) == [("clinical", "sent_back", t.id)]


def test_care_follow_ups_due_today_arrive_as_one_morning_digest(db, staff, clock):
    cal = calendar(db)
    today = cal.local_date(START)
    for title in ("Monthly check-in call", "Medication review", "BP log review"):
        new_task(db, staff.care_coordinator, "care_task", title, due_date=today)
    overdue = new_task(db, staff.care_coordinator, "care_task", "Missed call", due_date=today
                       - timedelta(days=2))  # fmt: skip
    notifications.set_preferences(db, staff.care_coordinator, digest_time="23:59")
    assert raised(db, START) == [("carecoordinator", "care_overdue", overdue.id)]
    notifications.set_preferences(db, staff.care_coordinator, digest_time="00:00")
    assert raised(db, START) == [("carecoordinator", "care_due", 0)]
    assert raised(db, START + timedelta(hours=1)) == []
    with db.read() as s:
        digest = s.scalars(select(Notification.title).where(Notification.kind == "care_due"))
        assert digest.one() == "3 care follow-ups due today"


def test_muted_kinds_and_snoozed_tasks_raise_nothing(db, staff, clock):
    t = new_task(db, staff.manager, owner_id=staff.front_desk.user_id)
    u = new_task(
        db, staff.manager, "referral", "Second referral", owner_id=staff.front_desk.user_id
    )
    notifications.snooze(db, staff.front_desk, t.id, "Waiting for the clinic to call back")
    assert raised(db, clock.now) == [("frontdesk", "assigned", u.id)]
    [row] = audit_rows(db, "alert.snooze")
    assert row.user_id == staff.front_desk.user_id and row.entity_id == str(t.id)
    notifications.set_preferences(db, staff.front_desk, muted_kinds=["warn"])
    assert raised(db, after(db, START, 8)) == []
    # The snooze ends after a day.
    assert ("frontdesk", "warn", t.id) not in raised(db, START + timedelta(days=2))


def test_a_scan_for_one_person_raises_only_theirs(db, staff, clock):
    new_task(db, staff.manager, owner_id=staff.front_desk.user_id)
    t = new_task(db, staff.manager, "billing", "Claim denied", owner_id=staff.billing.user_id)
    assert raised(db, clock.now, staff.billing.user_id) == [("billing", "assigned", t.id)]


def test_alert_text_carries_no_patient_data(db, staff, clock):
    from practiceboard.services import patients

    patient = patients.create_patient(db, staff.front_desk, "MRN-77123", "Zelda Quill")
    t = new_task(db, staff.manager, "referral", "Cardiology for Zelda Quill",
                 owner_id=staff.front_desk.user_id, patient_id=patient.id)  # fmt: skip
    [r] = alerts.scan(db, clock.now)
    assert r.alert.title == f"{t.ref} · Referral intake — handed to you"
    assert "Zelda" not in r.alert.title + r.alert.body and "77123" not in r.alert.body


def test_two_pcs_scanning_at_once_record_each_alert_once(db, staff, clock):
    for n in range(6):
        new_task(db, staff.manager, "referral", f"Referral {n}", owner_id=staff.front_desk.user_id)
    other = Database(db.url, workstation="pc-2")
    results: list[list] = [[], []]
    gate = threading.Barrier(2, timeout=30)

    def run(index: int, database: Database) -> None:
        gate.wait()
        results[index] = alerts.scan(database, START)

    threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate((db, other))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    other.dispose()
    assert len(results[0]) + len(results[1]) == 6
    with db.read() as s:
        assert len(s.scalars(select(Notification.id)).all()) == 6


def test_a_practice_may_allow_task_titles_in_alerts(db, staff, clock):
    from practiceboard.db.models import Setting

    with db.write() as s:
        s.add(Setting(key="alerts_show_titles", value=True, updated_at=START))
    t = new_task(
        db, staff.manager, "referral", "Cardiology, urgent", owner_id=staff.front_desk.user_id
    )
    [r] = alerts.scan(db, clock.now)
    assert r.alert.task_id == t.id and r.alert.body == "Cardiology, urgent"


def test_one_persons_scan_finds_exactly_their_share_of_everyones(db, staff, clock):
    """A person's scan reads only the crossings that can concern them (their own, and at
    breach the requests of workflows whose approver role they hold); with the practice-wide
    scan's share (the managers' bundle, a manager's escalations of other roles' requests)
    it must raise exactly what the everyone-scan would."""
    from practiceboard.domain.alert_rules import alerts_for
    from practiceboard.queries.alerts import scan_facts

    mgr2 = staff.add("mgr2", ["manager"], "Mona Manager")
    supply = new_task(db, staff.clinical, "supply", "Flu vaccine reorder")
    approvals.request_approval(db, staff.clinical, supply.id, expected_version=supply.version)
    staff.add("dr2", ["provider"], "Dr. Dana Second")
    signoff = new_task(db, staff.provider, "signoff", "Sign the lab letter")
    approvals.request_approval(db, staff.provider, signoff.id, expected_version=signoff.version)
    new_task(db, staff.front_desk)
    new_task(db, staff.manager, "billing", "Claim", owner_id=staff.billing.user_id)
    managers = {staff.manager.user_id, mgr2.user_id}

    def practice_wide_only(a) -> bool:
        return a.kind == "breaches" or (
            a.kind == "escalation" and a.task_id == signoff.id and a.user_id in managers
        )

    for hours in (8, 16, 24):
        at = after(db, START, hours)
        everyone = alerts_for(scan_facts(db, at))
        with db.read() as s:
            people = s.scalars(select(User.id)).all()
        for uid in people:
            theirs = {a.dedupe_key for a in alerts_for(scan_facts(db, at, uid), uid)}
            share = {a.dedupe_key for a in everyone
                     if a.user_id == uid and not practice_wide_only(a)}  # fmt: skip
            assert theirs == share, (hours, uid)
        assert everyone  # the scenario raises something at each step
    # which the everyone-scan does raise: the bundle, and the managers' sign-off escalation
    assert {
        a.user_id for a in everyone if a.kind == "escalation" and a.task_id == signoff.id
    } >= managers
    assert any(a.kind == "breaches" for a in everyone)  # which the everyone-scan does raise


def test_a_persons_scan_skips_what_already_reached_them_in_this_stay(db, staff, clock):
    """The per-minute scan does not re-read crossings already raised to the person; a warn
    raised does not hide the breach, and what reached someone else hides nothing."""
    from practiceboard.queries.alerts import scan_facts

    t = new_task(db, staff.clinical, "supply", "Flu vaccine reorder")
    approvals.request_approval(db, staff.clinical, t.id, expected_version=t.version)
    with db.read() as s:
        approver = s.get(Task, t.id).owner_id
    at8, at24 = after(db, clock.now, 8), after(db, clock.now, 24)

    def crossing_levels(at) -> list[str]:
        return [c.level for c in scan_facts(db, at, approver).crossings if c.task.id == t.id]

    assert crossing_levels(at8) == ["warn"]
    alerts.scan(db, at8)  # everyone's scan records the approver's warn
    assert crossing_levels(at8) == []  # already theirs: not read again
    assert [c.level for c in scan_facts(db, at8).crossings] == ["warn"]  # everyone's still reads it
    assert "breach" in crossing_levels(at24)  # the warn raised does not hide the breach
    alerts.scan(db, at24, approver)
    assert crossing_levels(at24) == []
