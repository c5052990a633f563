"""Who is told what: the default alert rules, applied to one scan's facts.

- The owner: a task created for them or handed to them; their task passing its
  warn and then its breach threshold (business hours, waiting statuses paused);
  a request sent back to them; care follow-ups due today (one morning digest)
  and overdue.
- The approver (the owner of a task in a review status): its warn threshold says
  a decision waits on them. At breach the request escalates to the backup
  approver (the least-loaded other member of the workflow's approver role) and to
  the managers.
- The managers: every other breach, once per task, delivered as one bundle a scan.
  That bundle, and a manager's escalations of requests whose approver role they do
  not hold, come from the practice-wide scan (everyone's, every few minutes on one
  PC), not from each manager's own one-minute scan, which would otherwise read every
  breach and every request in review of the practice every minute on every manager's PC.

Only state changes and aging raise alerts, never notes or field edits. An alert is
raised once per (person, key); a muted kind, a snoozed task or an inactive person
raises nothing.
"""

from __future__ import annotations

from practiceboard.domain.alerts import (
    DEFAULT_DIGEST,
    Alert,
    AlertKind,
    ScanFacts,
    care_digest,
    task_alert,
    threshold_occasion,
)


def alerts_for(facts: ScanFacts, user_id: int | None = None) -> list[Alert]:
    """The alerts to record now, for one person or (None) everyone, new ones only."""
    out: list[Alert] = []
    seen: set[tuple[int, str]] = set()
    titles = facts.show_titles

    def add(alert: Alert) -> None:
        who = alert.user_id
        if user_id is not None and who != user_id:
            return
        if who not in facts.active_users or alert.kind.value in facts.muted.get(who, ()):
            return
        if alert.task_id is not None and (who, alert.task_id) in facts.snoozed:
            return
        key = (who, alert.dedupe_key)
        if key in facts.raised or key in seen:
            return
        seen.add(key)
        out.append(alert)

    for c in facts.crossings:
        occasion = threshold_occasion(c.status_since)
        breach = c.level == "breach"
        if c.category == "review":
            kind = AlertKind.BREACH if breach else AlertKind.APPROVAL_WARN
            add(task_alert(c.owner_id, kind, c.task, occasion, show_titles=titles))
            if breach:
                backup = next(
                    (u for u in facts.approvers.get(c.approver_role_id, ()) if u != c.owner_id),
                    None,
                )
                for who in sorted(({backup} - {None}) | facts.managers - {c.owner_id}):
                    add(task_alert(who, AlertKind.ESCALATION, c.task, occasion, show_titles=titles))
            continue
        kind = AlertKind.BREACH if breach else AlertKind.WARN
        add(task_alert(c.owner_id, kind, c.task, occasion, show_titles=titles))
        if breach and user_id is None:
            for who in sorted(facts.managers - {c.owner_id}):
                add(task_alert(who, AlertKind.BREACHES, c.task, occasion, show_titles=titles))

    for h in facts.handovers:
        kind = AlertKind.SENT_BACK if h.sent_back else AlertKind.ASSIGNED
        add(task_alert(h.to_owner_id, kind, h.task, str(h.event_id), show_titles=titles))

    due: dict[int, int] = {}
    for item in facts.care_due:
        due[item.owner_id] = due.get(item.owner_id, 0) + 1
    for who, count in sorted(due.items()):
        if facts.local_time >= facts.digest_time.get(who, DEFAULT_DIGEST):
            add(care_digest(who, facts.today, count))
    for item in facts.care_overdue:
        add(
            task_alert(
                item.owner_id, AlertKind.CARE_OVERDUE, item.task, item.due_date.isoformat(),
                show_titles=titles,
            )
        )  # fmt: skip
    return out
