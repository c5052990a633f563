"""The task board and the work queues (my queue, needs attention, needs approval).

Each reads open work through the indexes on tasks (ix_tasks_open_board for the
board, the stuck list and approvals, ix_tasks_owner_open_due for my queue).
Whole lists are sorted here (urgency_key); pages are sorted by the database,
by task id first (ordered_page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, case, false, func, not_, or_, select

from practiceboard.core.actor import Actor
from practiceboard.core.rows import PRIORITY_LABELS, Board, BoardColumn, Card, TaskFilter
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, TaskWatcher, User
from practiceboard.domain.aging import SlaState
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.queries import filters
from practiceboard.queries.cards import (
    Snapshot,
    build_cards,
    card_select,
    closed_window,
    fetch,
    load_snapshot,
)

# "All my workflows" board: one column per category; cancelled cards sit under Done.
CATEGORY_COLUMNS = (
    ("new", "New"),
    ("active", "In progress"),
    ("waiting", "Waiting"),
    ("review", "Review"),
    ("done", "Done"),
)
COLUMN_OF_CATEGORY = {"cancelled": "done"}
CLOSED_DAYS_ON_BOARD = 14
BREACH = SlaState.BREACH.value
MAX_PAGE = 1000  # queue and search pages (their ids go into one IN list)
APPROVAL_PAGE = 100  # the decisions waiting, most urgent first, a page at a time
MAX_WATCHED_IN = 2000  # watched task ids bound into one IN list (else a subquery)


def check_page(offset: int, limit: int) -> None:
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise ValidationError(f"Ask for between 1 and {MAX_PAGE} tasks at a time.", "limit")


def check_workflow(snap: Snapshot, workflow_id: int) -> None:
    if workflow_id not in snap.workflows or not snap.policy.sees_workflow(workflow_id):
        raise PermissionDenied("Your role does not work on the tasks of that workflow.")


@refusals_audited("board.view", "workflow", "workflow_id")
def board(
    db: Database,
    actor: Actor,
    workflow_id: int | None,
    filt: TaskFilter = TaskFilter(),
    *,
    limit: int = 5000,
    now: datetime | None = None,
) -> Board:
    """One workflow's board (a column per status), or all the actor's workflows
    (a column per category, cards keep their real status). Open cards come first,
    most urgent first; then closed cards, most recently closed first, only from
    the last 14 days unless the filter includes closed work. ``truncated`` says
    more matched than ``limit``; column counts and ``total`` count them all."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        if workflow_id is not None:
            check_workflow(snap, workflow_id)
            if filt.workflow_ids and workflow_id not in filt.workflow_ids:
                where = [false()]  # the filter asks for other workflows only
            else:
                where = filters.conditions(snap, replace(filt, workflow_ids=(workflow_id,)))
        else:
            where = filters.conditions(snap, filt)
        is_open = Task.closed_at.is_(None)
        # More open work than fits (20,000 open tasks): a narrow probe says so without
        # reading a board's worth of wide rows only to throw them away.
        over = session.scalar(select(Task.id).where(is_open, *where).limit(1).offset(limit))
        if over is not None:
            return _truncated_board(session, snap, workflow_id, where, limit)
        # No ORDER BY: sorting wide rows costs SQLite more than fetching them;
        # Python sorts the cards (the database sorts only when they do not all fit).
        rows = fetch(session, snap, card_select(snap).where(is_open, *where).limit(limit + 1))
        cards = sorted(build_cards(snap, rows), key=urgency_key(snap))
        counts = Counter(c.status_id for c in cards)
        attention = Counter(c.status_id for c in cards if c.attention)
        closed = [Task.closed_at.is_not(None), *where]
        if not filt.include_closed:
            closed.append(Task.closed_at >= closed_window(snap, CLOSED_DAYS_ON_BOARD))
        n_open = len(cards)
        room = limit - n_open
        rows = fetch(
            session,
            snap,
            card_select(snap)
            .where(*closed)
            .order_by(Task.closed_at.desc(), Task.id.desc())
            .limit(room + 1),
        )
        truncated = len(rows) > room
        cards += build_cards(snap, rows[:room])
        if truncated:
            counts.update(_status_counts(session, closed)[0])
        else:
            counts.update(c.status_id for c in cards[n_open:])
    columns = _columns(snap, workflow_id, counts, attention)
    return Board(workflow_id, columns, tuple(cards), sum(counts.values()), truncated)


def _truncated_board(session, snap: Snapshot, workflow_id, where, limit: int) -> Board:
    """More open work than the limit: the most urgent cards, sorted by the database;
    counts of all open work (closed cards are left off)."""
    order, _ = filters.order_by(snap, "urgency")
    is_open = Task.closed_at.is_(None)
    stmt = card_select(snap).where(is_open, *where).order_by(*order).limit(limit)
    rows = fetch(session, snap, stmt)
    counts, attention = _status_counts(session, [is_open, *where], snap)
    columns = _columns(snap, workflow_id, counts, attention)
    cards = tuple(build_cards(snap, rows))
    return Board(workflow_id, columns, cards, sum(counts.values()), True)


def _status_counts(session, where, snap: Snapshot | None = None) -> tuple[Counter, Counter]:
    """Matches per status (and, given the snapshot, how many need attention).

    Counted here from narrow rows: with GROUP BY status_id SQLite walks the whole
    table in ix_tasks_status_since order instead of using the closed_at range."""
    cols = [Task.status_id]
    if snap is not None:
        cols.append(case((filters.attention_condition(snap), 1), else_=0))
    counts, attention = Counter(), Counter()
    for sid, *flag in session.connection().execute(select(*cols).where(*where)):
        counts[sid] += 1
        if flag and flag[0]:
            attention[sid] += 1
    return counts, attention


def urgency_key(snap: Snapshot):
    """Python twin of filters.urgency_rank for open cards: past breach, overdue; then
    priority (Urgent first), due today before the rest; then oldest in status; then id."""
    today = snap.today
    top = filters.PRIORITY_LEVELS - 1

    def key(card: Card):
        if card.sla == BREACH:
            rank = 0
        elif card.overdue:
            rank = 1
        else:
            rank = 2 + 2 * (top - card.priority) + (card.due_date != today)
        return rank, card.status_since, card.id

    return key


def _columns(snap: Snapshot, workflow_id: int | None, counts: Counter, attention: Counter):
    """A column per status of the workflow, or per category present in the actor's
    workflows (status_id 0; cancelled counts under done)."""
    if workflow_id is not None:
        return tuple(
            BoardColumn(
                s.id,
                s.key,
                s.name,
                s.category,
                s.position,
                counts[s.id],
                attention[s.id],
                s.definition_of_done,
            )  # fmt: skip
            for s in snap.workflow_statuses(workflow_id)
            if not s.retired or counts[s.id]
        )
    per_cat, att_cat = Counter(), Counter()
    present = set()
    for sid in snap.status_ids():
        cat = snap.statuses[sid].category
        cat = COLUMN_OF_CATEGORY.get(cat, cat)
        present.add(cat)
        per_cat[cat] += counts[sid]
        att_cat[cat] += attention[sid]
    return tuple(
        BoardColumn(0, cat, label, cat, pos, per_cat[cat], att_cat[cat])
        for pos, (cat, label) in enumerate(CATEGORY_COLUMNS)
        if cat in present
    )


def column_key(card: Card, workflow_id: int | None) -> str | int:
    """Which column a card sits in: its status id on a workflow board, else its
    category (cancelled under done)."""
    if workflow_id is not None:
        return card.status_id
    return COLUMN_OF_CATEGORY.get(card.category, card.category)


def _sorted_open(session, snap: Snapshot, *where, limit: int = MAX_PAGE) -> list[Card]:
    """Open cards matching (a short list: one owner's, or awaiting decision), most
    urgent first, at most ``limit``: sorted here when they all fit, else the database
    sorts and returns the most urgent page."""
    where = (Task.closed_at.is_(None), filters.workflow_scope(snap), *where)
    rows = fetch(session, snap, card_select(snap).where(*where).limit(limit + 1))
    if len(rows) > limit:
        return ordered_page(session, snap, list(where), sort="urgency", limit=limit)
    return sorted(build_cards(snap, rows), key=urgency_key(snap))


def ordered_page(
    session, snap: Snapshot, where, *, sort: str, descending: bool = False, offset: int = 0,
    limit: int = 100,
) -> list[Card]:  # fmt: skip
    """One page in the requested order. The database sorts task ids only (narrow
    rows sort several times faster than whole cards), then the page's cards are
    read by id."""
    if sort == "urgency" and not descending:
        page = _urgent_ids(session, snap, where, offset, limit)
    else:
        order, by_owner = filters.order_by(snap, sort, descending)
        ids = select(Task.id)
        if by_owner:
            ids = ids.join(User, User.id == Task.owner_id)
        page = list(session.scalars(ids.where(*where).order_by(*order).offset(offset).limit(limit)))
    if not page:
        return []
    rows = fetch(session, snap, card_select(snap).where(Task.id.in_(page)))
    position = {tid: i for i, tid in enumerate(page)}
    return sorted(build_cards(snap, rows), key=lambda c: position[c.id])


def _urgency_tiers() -> tuple[tuple[int, int], ...]:
    """The rank ranges _urgent_ids reads one query each: breached, overdue and the
    Normal-priority ranks (the bulk) one rank at a time, walking the index; the
    High/Urgent ranks and the Low ones (few rows) each sorted together in one query
    instead of a walk per rank."""
    top, normal = filters.PRIORITY_LEVELS - 1, PRIORITY_LABELS.index("Normal")
    first_normal = 2 + 2 * (top - normal)
    last = filters.URGENCY_RANKS - 1
    return ((0, 0), (1, 1), (2, first_normal - 1), (first_normal, first_normal),
            (first_normal + 1, first_normal + 1), (first_normal + 2, last))  # fmt: skip


_TIERS = _urgency_tiers()


def _urgent_ids(session, snap: Snapshot, where, offset: int, limit: int) -> list[int]:
    """Task ids in urgency order (rank, then longest in status, then id), one tier
    (_TIERS) at a time: within a single rank the index on (closed_at, status_since, id)
    hands rows over in order, so the database stops after ``limit`` instead of ranking
    every open task (5,000 on a busy board) and sorting them all. Earlier tiers are
    counted only when the page starts past the first."""
    rank = filters.urgency_rank(snap)
    page: list[int] = []
    for low, high in _TIERS:
        in_tier = (*where, _tier(snap, rank, low, high))
        if offset:
            skipped = session.scalar(select(func.count(Task.id)).where(*in_tier)) or 0
            if offset >= skipped:
                offset -= skipped
                continue
        order = (Task.status_since, Task.id) if low == high else (rank, Task.status_since,
                                                                   Task.id)  # fmt: skip
        page += session.scalars(
            select(Task.id).where(*in_tier).order_by(*order)
            .offset(offset).limit(limit - len(page))
        )  # fmt: skip
        offset = 0
        if len(page) >= limit:
            break
    return page


def _tier(snap: Snapshot, rank, low: int, high: int):
    """The tasks of urgency ranks low..high. The first two as their own conditions (past
    breach; overdue and not past breach) rather than through the rank's CASE, which also
    reads the priority: those two then read only columns of the open-work index
    (ix_tasks_open_aging), and PostgreSQL answers them from the index alone instead of
    fetching every open row (the stuck list's first page: 7 of 18 ms)."""
    if (low, high) == (0, 0):
        return filters.breach_condition(snap)
    if (low, high) == (1, 1):
        return and_(not_(filters.breach_condition(snap)), filters.overdue_condition(snap))
    return rank == low if low == high else rank.between(low, high)


@refusals_audited("queue.view", "task")
def my_queue(
    db: Database, actor: Actor, *, limit: int = MAX_PAGE, now: datetime | None = None
) -> tuple[list[Card], list[Card]]:
    """(open tasks I own, most urgent first; open tasks I watch that others own), at
    most ``limit`` of each."""
    check_page(0, limit)
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        me = actor.user_id
        owned = _sorted_open(session, snap, Task.owner_id == me, limit=limit)
        if not snap.watched:
            return owned, []
        # By the ids the snapshot holds: the database then reads those rows only,
        # where a join to task_watchers walks every open task of the workflows.
        if len(snap.watched) <= MAX_WATCHED_IN:
            mine = Task.id.in_(sorted(snap.watched))
        else:
            mine = Task.id.in_(select(TaskWatcher.task_id).where(TaskWatcher.user_id == me))
        watched = _sorted_open(session, snap, mine, Task.owner_id != me, limit=limit)
    return owned, watched


@refusals_audited("attention.view", "task")
def needs_attention(
    db: Database,
    actor: Actor,
    filt: TaskFilter = TaskFilter(),
    *,
    sort: str = "urgency",
    limit: int = 500,
    now: datetime | None = None,
) -> list[Card]:
    """Stuck work: open tasks overdue, past breach, untouched for 3 business days,
    or waiting for a reason 'other' nobody explained. Filterable like the board
    (owner and workflow above all)."""
    filters.check_sort(sort)
    check_page(0, limit)
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        where = filters.conditions(snap, replace(filt, needs_attention=True))
        where.append(Task.closed_at.is_(None))
        return ordered_page(session, snap, where, sort=sort, limit=limit)


@refusals_audited("approvals.view", "task")
def needs_approval(
    db: Database, actor: Actor, *, limit: int = APPROVAL_PAGE, now: datetime | None = None
) -> list[Card]:
    """Open tasks in a review status this user may decide: their own, those naming
    them as provider, or (for managers) every one they can see; the ``limit`` most
    urgent."""
    check_page(0, limit)
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        if not snap.policy.can(Cap.APPROVAL_DECIDE):
            return []
        review = snap.status_ids(categories=("review",))
        if not review:
            return []
        where = [Task.status_id.in_(review)]
        if not snap.policy.can(Cap.TASK_CLOSE_ANY):
            where.append(or_(Task.owner_id == actor.user_id, Task.provider_id == actor.user_id))
        return _sorted_open(session, snap, *where, limit=limit)
