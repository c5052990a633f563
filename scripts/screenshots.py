"""Render the main views of the demo practice to docs/screenshots/*.png.

    make screenshots          # under Xvfb when xvfb-run exists, else offscreen

Builds a throw-away demo practice in a temporary folder (nothing touches your own
data, settings or keyring), signs in as the demo front-desk user and the demo
manager through the real sign-in code, and grabs each view at 1400 × 860.
Every name and record in the pictures is made up by practiceboard.demo.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1400, 860)
TASKS = 900  # enough for full columns and a real "Needs attention" list; about 20 s to build
FRONT_DESK, MANAGER = "rdelgado", "dwhitcombe"
COORDINATOR = "gkimura"  # the demo care coordinator


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="practiceboard-shots-") as tmp:
        os.environ["PRACTICEBOARD_HOME"] = str(Path(tmp) / "home")
        os.environ.pop("PRACTICEBOARD_DB", None)
        return Shooter(Path(tmp)).run()


class Shooter:
    def __init__(self, tmp: Path):
        from PySide6.QtCore import QSettings

        from practiceboard.gui.kit.messages import Messages
        from practiceboard.gui.shell.app import make_app

        self.tmp = tmp
        self.app = make_app()
        Messages.auto_answer = True  # an unattended run: no question may wait for a click
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
        self.saved: list[Path] = []

    # ---------------------------------------------------------------- plumbing

    def settle(self, runner, quiet_ms: int = 400, timeout_s: float = 30) -> None:
        """Process events until no worker job has been in flight for quiet_ms."""
        deadline = time.monotonic() + timeout_s
        quiet_since = None
        while time.monotonic() < deadline:
            self.app.processEvents()
            if runner.busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                break
            time.sleep(0.01)
        self.app.processEvents()

    def save(self, widget, name: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise RuntimeError(f"could not write {path}")
        self.saved.append(path)
        print(f"  {path.relative_to(ROOT)}")

    # ---------------------------------------------------------------- the pictures

    def run(self) -> int:
        from PySide6.QtWidgets import QApplication

        from practiceboard import demo
        from practiceboard.db import migrate
        from practiceboard.db.engine import Database
        from practiceboard.gui.kit.runner import Runner
        from practiceboard.gui.shell.sign_in import SignInDialog

        print(f"Building the demo practice ({TASKS} tasks)…")
        db = Database(f"sqlite:///{self.tmp / 'demo.db'}", workstation="FRONT-DESK-1")
        migrate.upgrade(db, backup=False)
        result = demo.generate_demo(db, tasks=TASKS, seed=1)
        self.password = result.accounts[0][3]
        runner = Runner()
        print(f"Writing {OUT.relative_to(ROOT)}/:")
        try:
            dialog = SignInDialog(db, runner, username=FRONT_DESK)
            dialog.show()
            self.settle(runner)
            self.save(dialog, "sign-in")
            dialog.close()

            self.front_desk(db, runner)
            self.documents(db, runner)
            self.manager(db, runner)
            self.approvals(db, runner)
            self.care(db, runner)
            self.dashboard_and_report(db, runner)
            self.admin_area(db, runner)
            self.setup(db, runner)
            self.imports(db, runner)
            self.audit_report(db, runner)
        finally:
            runner.wait(20_000)
            for widget in QApplication.topLevelWidgets():
                widget.close()
            self.app.processEvents()
            db.dispose()
        print(f"{len(self.saved)} screenshots.")
        return 0

    def window_for(self, db, runner, username: str):
        from practiceboard.gui.kit.context import AppContext
        from practiceboard.gui.shell.main_window import MainWindow
        from practiceboard.gui.shell.sign_in import sign_in

        session = sign_in(db, username, self.password)
        ctx = AppContext(db, session.actor, session.policy, runner)
        window = MainWindow(ctx, session, live_updates=False)
        window.resize(*SIZE)
        window.show()
        self.settle(runner)
        return window

    def show(self, window, runner, key: str):
        view = window.show_view(key)
        self.settle(runner)
        view.setFocus()
        self.settle(runner, quiet_ms=100)
        return view

    def front_desk(self, db, runner) -> None:
        from PySide6.QtWidgets import QTabWidget

        from practiceboard.gui.dialogs import open_intake, open_task_detail

        window = self.window_for(db, runner, FRONT_DESK)
        queue = self.show(window, runner, "queue")
        queue.owned.selectRow(0)
        self.save(window, "front-desk-my-queue")

        board = self.show(window, runner, "board")
        referral = next(wf.id for wf in board.workflows if wf.key == "referral")
        board.set_workflow(referral)
        self.settle(runner)
        self.save(window, "front-desk-board")

        dialog = open_intake(window.ctx, window)
        self.settle(runner)
        dialog.workflow.setCurrentIndex(dialog.workflow.findText("Referral intake"))
        self.settle(runner)
        dialog.title_edit.setText("Cardiology referral")
        dialog.extra_input("referred_to").setText("Harbor Heart Associates")
        self.settle(runner, quiet_ms=100)
        self.save(dialog, "intake")
        dialog.close()  # "discard what you typed?" is answered by Messages.auto_answer

        task_id = queue.owned.cards().rows[0].id
        dialog = open_task_detail(window.ctx, task_id, window)
        self.settle(runner)
        self.save(dialog, "task-detail")
        tabs = dialog.findChild(QTabWidget)
        tabs.setCurrentIndex(1)  # the timeline
        self.settle(runner, quiet_ms=100)
        self.save(dialog, "task-detail-timeline")
        self.closing_and_handoff(dialog, runner)
        dialog.close()

        window.lock()
        self.settle(runner, quiet_ms=100)
        self.save(window, "locked")
        window.close()
        self.settle(runner)

    def closing_and_handoff(self, detail, runner) -> None:
        """Close task asks how the task ends; Hand off asks for a note for the new owner."""
        from practiceboard.gui.dialogs.close_dialog import ClosingDialog, HandoffDialog

        card = detail.data.detail.card
        closing = ClosingDialog(card, detail.closing_options(), detail)
        closing.show()
        self.settle(runner, quiet_ms=100)
        self.save(closing, "close-task")
        closing.close()
        name = detail.handoff_combo.itemText(0) if detail.handoff_combo.count() else "Kevin Tran"
        handoff = HandoffDialog(card, name, detail)
        handoff.note_edit.setPlainText("Patient prefers a morning call; records are on the way.")
        handoff.show()
        self.settle(runner, quiet_ms=100)
        self.save(handoff, "hand-off")
        handoff.close()

    def manager(self, db, runner) -> None:
        window = self.window_for(db, runner, MANAGER)
        self.show(window, runner, "attention")
        self.save(window, "manager-needs-attention")
        self.show(window, runner, "board")
        self.save(window, "manager-board")
        window.search_box.setText("referral")
        window.search()
        self.settle(runner)
        window.views["search"].setFocus()
        self.save(window, "manager-search")
        self.alerts(db, window, runner)
        window.close()
        self.settle(runner)

    def alerts(self, db, window, runner) -> None:
        """The manager's bell and panel after one scan, then two alerts as in-app toasts
        (what a PC without a system tray shows)."""
        from practiceboard.domain.alerts import Delivery
        from practiceboard.jobs import alerts
        from practiceboard.queries import notifications as inbox

        alerts.scan(db)
        window.show_view("board")
        window.alerts.button.recount()
        window.alerts.button.open_panel()
        self.settle(runner)
        window.alerts.center.list.setCurrentRow(0)
        self.settle(runner, quiet_ms=100)
        self.save(window, "notification-center")
        window.alerts.center.hide()
        rows = inbox.my_alerts(db, window.ctx.actor, limit=2)
        window.alerts.notifier.sound = False
        window.alerts.show([Delivery(r.title, r.body, r.task_id, (r.id,)) for r in rows])
        self.settle(runner, quiet_ms=100)
        self.save(window, "alert-toast")

    def approvals(self, db, runner) -> None:
        """The Approvals view three ways: the provider's inbox with its reading pane, the
        requester's list with a request that came back, the manager's view by approver."""
        window = self.window_for(db, runner, "hokafor")  # providers start on Approvals
        view = self.show(window, runner, "approvals")
        table = view.inbox_table
        rounds = [i.rounds for i in table.items().items]
        table.selectRow(rounds.index(max(rounds)) if rounds else 0)  # the one sent back twice
        self.settle(runner)
        table.setFocus()
        self.save(window, "approvals-inbox")
        window.close()
        self.settle(runner)

        window = self.window_for(db, runner, "pnatarajan")
        view = self.show(window, runner, "approvals")
        view.back_table.selectRow(0)
        self.settle(runner)
        view.back_table.setFocus()
        self.save(window, "approval-sent-back")
        window.close()
        self.settle(runner)

        window = self.window_for(db, runner, MANAGER)
        view = self.show(window, runner, "approvals")
        view.tabs.setCurrentWidget(view.flow)
        self.settle(runner)
        self.save(window, "approvals-manager")
        window.close()
        self.settle(runner)

    def dashboard_and_report(self, db, runner) -> None:
        """The manager's dashboard (last week against the week before), and the first two
        pages of last week's aging report as the PDF prints them (rendered with QtPdf)."""
        from PySide6.QtCore import QSize
        from PySide6.QtPdf import QPdfDocument

        from practiceboard.gui.printing.document import write_pdf
        from practiceboard.reports import weekly

        window = self.window_for(db, runner, MANAGER)
        view = self.show(window, runner, "dashboard")
        view.set_period("last_week")
        self.settle(runner)
        self.save(window, "dashboard")
        window.close()
        self.settle(runner)
        actor = weekly.report_actor(db, MANAGER)
        report = weekly.build(db, actor, weekly.previous_week(db))
        pdf = write_pdf(report, self.tmp / "weekly.pdf")
        doc = QPdfDocument(None)
        doc.load(str(pdf))
        for page in (0, 1):
            path = OUT / f"weekly-report-{page + 1}.png"
            if not doc.render(page, QSize(1275, 1650)).save(str(path)):
                raise RuntimeError(f"could not write {path}")
            self.saved.append(path)
            print(f"  {path.relative_to(ROOT)}")
        doc.close()


# ---------------------------------------------------------------- the care plan tracker


def _care(self, db, runner) -> None:
    """Issue 8's pictures: the Patients list, a patient page with its timeline, a care
    plan made from a template (as the coordinator: clinical fields read-only), and the
    care dashboard as the manager with one figure's list open."""
    from sqlalchemy import select

    from practiceboard.db.models import CarePlan

    window = self.window_for(db, runner, COORDINATOR)
    view = self.show(window, runner, "patients")
    view.overdue_only.setChecked(True)
    self.settle(runner)
    view.table.selectRow(0)
    self.save(window, "patients")
    with db.read() as s:
        plan_id, patient_id = s.execute(
            select(CarePlan.id, CarePlan.patient_id).where(CarePlan.template_key.is_not(None))
        ).first()
    view.open_patient(patient_id)
    self.settle(runner)
    self.save(window, "patient-timeline")
    view.open_plan(plan_id)
    self.settle(runner)
    view.plan_dialog.resize(1000, 900)
    self.settle(runner, quiet_ms=100)
    self.save(view.plan_dialog, "care-plan")
    from practiceboard.gui.views.care.plan_parts import InterventionDialog

    plan = view.plan_dialog
    part = InterventionDialog(plan.ctx, plan_id, plan.choices, clinical=plan.clinical,
                              operational=plan.operational, row=plan.detail.interventions[0],
                              parent=plan)  # fmt: skip
    part.show()
    self.settle(runner, quiet_ms=100)
    self.save(part, "care-plan-intervention")
    part.close()
    view.plan_dialog.close()
    window.close()
    self.settle(runner)

    window = self.window_for(db, runner, MANAGER)
    dash = self.show(window, runner, "care")
    if dash.board and dash.board.overdue_by_program:
        dash.open_figure("overdue_program", dash.board.overdue_by_program[0].key)
        self.settle(runner)
    self.save(window, "care-dashboard")
    window.close()
    self.settle(runner)


Shooter.care = _care


# ---------------------------------------------------------------- the admin area


def _admin_area(self, db, runner) -> None:
    """Issue 12's pictures, as the demo admin: Users (a locked account selected), the
    emergency-access dialog (not granted), the Workflows tab on the referral workflow, and
    the restore dialog showing what a fresh backup holds (nothing is restored)."""
    from pathlib import Path

    from practiceboard.domain.errors import AuthenticationError
    from practiceboard.services import users

    for _ in range(5):  # one locked account, so the Users tab shows the state and Unlock
        try:
            users.sign_in(db, FRONT_DESK, "a wrong guess")
        except AuthenticationError:
            pass
    window = self.window_for(db, runner, "admin")
    view = self.show(window, runner, "admin")
    panel = view.users
    panel.table.selectRow(next(i for i, r in enumerate(panel.rows) if r.username == FRONT_DESK))
    self.settle(runner, quiet_ms=100)
    self.save(window, "admin-users")

    panel.table.selectRow(next(i for i, r in enumerate(panel.rows) if r.username == ADMIN))
    panel.emergency()
    panel.dialog.minutes.setValue(30)
    panel.dialog.reason.setPlainText("Dr. Lee's front desk is out sick; covering check-in today")
    self.settle(runner, quiet_ms=100)
    self.save(panel.dialog, "admin-emergency-access")
    panel.dialog.reject()

    view.tabs.setCurrentWidget(view.workflows)
    view.workflows.select_workflow("referral")
    view.workflows.statuses.selectRow(2)
    self.settle(runner, quiet_ms=100)
    self.save(window, "admin-workflows")

    view.tabs.setCurrentWidget(view.backups)
    view.backups.backup_now()
    self.settle(runner)
    path = Path(view.backups.notice.text().split(": ", 1)[1])
    view.backups.open_restore()
    dialog = view.backups.dialog
    dialog.choose(path)
    self.settle(runner)
    dialog.confirm.setChecked(True)
    self.settle(runner, quiet_ms=100)
    self.save(dialog, "restore-dialog")
    dialog.close()
    window.close()
    self.settle(runner)


# ---------------------------------------------------------------- the audit report


def _audit_report(self, db, runner) -> None:
    """Issue 11's picture: the admin's audit report, sign-ins only, a row selected."""
    window = self.window_for(db, runner, ADMIN)
    view = self.show(window, runner, "audit")
    view.fields["action"].setText("auth.")
    view.apply()
    self.settle(runner)
    view.table.selectRow(2)
    self.settle(runner, quiet_ms=100)
    self.save(window, "audit-report")
    window.close()
    self.settle(runner)


# ---------------------------------------------------------------- first run and settings


def _setup(self, db, runner) -> None:
    """Issue 12's pictures: the first-run wizard's four steps (the practice really made,
    in this run's temporary data folder), the Connect to server dialog after a test of a
    server that does not answer, and the Practice settings screen as the demo admin."""
    from PySide6.QtWidgets import QScrollArea

    from practiceboard.core.server_check import ServerSettings
    from practiceboard.gui.dialogs.connect_dialog import ConnectDialog
    from practiceboard.gui.shell.first_run import DONE, FirstRunWizard

    wizard = FirstRunWizard(runner)
    wizard.show()
    self.settle(runner, quiet_ms=100)
    self.save(wizard, "first-run-1-where")
    wizard.next()
    page = wizard.practice_page
    page.name.setText("Valley Family Medicine")
    page.calendar.zone.setCurrentText("America/Chicago")
    page.calendar.state.setCurrentIndex(page.calendar.state.findData("TX"))
    page.calendar.closure_date.setDate(page.calendar.closure_date.date().addDays(30))
    page.calendar.add_closure()
    self.settle(runner, quiet_ms=100)
    self.save(wizard, "first-run-2-practice")
    wizard.next()
    admin = wizard.admin_page
    admin.display_name.setText("Pat Okonkwo")
    admin.username.setText("pokonkwo")
    admin.password.setText("a long enough password")
    admin.repeat.setText("a long enough passwort")
    wizard.next()  # refused: the two passwords differ
    self.settle(runner, quiet_ms=100)
    self.save(wizard, "first-run-3-admin")
    admin.repeat.setText("a long enough password")
    wizard.next()
    self.settle(runner)
    if wizard.currentId() != DONE:
        raise RuntimeError(f"the wizard did not finish: {admin.error.text()}")
    self.save(wizard, "first-run-4-done")
    wizard.close()

    dialog = ConnectDialog(runner)
    dialog.set_settings(ServerSettings("127.0.0.1", 1, "practiceboard", "practiceboard_app",
                                       "secret"))  # fmt: skip
    dialog.show()
    dialog.test()
    self.settle(runner)
    self.save(dialog, "connect-to-server")
    dialog.close()

    window = self.window_for(db, runner, "admin")
    view = self.show(window, runner, "settings")
    self.save(window, "practice-settings")
    scroll = view.findChild(QScrollArea, "settingsScroll")
    scroll.ensureWidgetVisible(view.thresholds)
    self.settle(runner, quiet_ms=100)
    self.save(window, "practice-settings-aging")
    window.close()
    self.settle(runner)


# ---------------------------------------------------------------- spreadsheet import


def _imports(self, db, runner) -> None:
    """Issue 13's pictures: the made-up tracker of tests/data in the import wizard, its
    mapping page (the practice's first names still to be mapped to people) and its dry
    run showing the rows that will not come in and why."""
    from practiceboard.gui.dialogs.import_wizard import ImportWizard
    from practiceboard.services.imports import engine, sheet
    from practiceboard.services.imports.mapping import Mapping, propose

    data = ROOT / "tests" / "data"
    window = self.window_for(db, runner, MANAGER)
    actor = window.ctx.actor
    people = propose("patients", sheet.read_sheet(data / "patients.csv").header)
    people.providers = {"dr. provider": "hokafor"}
    engine.import_patients(db, actor, sheet.read_sheet(data / "patients.csv"), people)
    saved = Mapping.load("tasks", (data / "tracker-mapping.json").read_text())
    saved.owners, saved.providers = {}, {"dr. provider": "hokafor"}
    wizard = ImportWizard(window.ctx, window)
    wizard.resize(1100, 760)
    wizard.show()
    wizard.path.setText(str(data / "tracker.csv"))
    wizard.next()
    self.settle(runner)
    wizard.use_mapping(saved)
    self.settle(runner)
    for word, username in (("Fran", "rdelgado"), ("Cleo", "pnatarajan"),
                           ("Bill", "tlindqvist"), ("Cora", "gkimura")):  # fmt: skip
        wizard.map_word("owners", word, username)
    self.settle(runner, quiet_ms=100)
    self.save(wizard, "import-mapping")
    wizard.next()
    self.settle(runner)
    wizard.only_problems.setChecked(True)
    self.settle(runner, quiet_ms=100)
    self.save(wizard, "import-dry-run")
    wizard.close()
    window.close()
    self.settle(runner)


# ---------------------------------------------------------------- documents and blockers


def _documents(self, db, runner) -> None:
    """Issue 17's picture: a referral's Documents tab with an attached scan, an Office
    document, a reference to a file on the share, and the task it waits on."""
    import io
    import zipfile

    from PySide6.QtWidgets import QTabWidget
    from sqlalchemy import select

    from practiceboard.db.models import Status, Task, User, Workflow
    from practiceboard.gui.dialogs import open_task_detail
    from practiceboard.services import dependencies, documents

    window = self.window_for(db, runner, FRONT_DESK)
    actor = window.ctx.actor
    with db.read() as s:
        ids = s.scalars(
            select(Task.id).join(Workflow, Workflow.id == Task.workflow_id)
            .join(Status, Status.id == Task.status_id).join(User, User.id == Task.owner_id)
            .where(Workflow.key == "referral", Task.closed_at.is_(None),
                   User.username == FRONT_DESK, Status.category != "review")
            .order_by(Task.id).limit(2)
        ).all()  # fmt: skip
    task_id, blocker_id = ids[0], ids[1]
    scan = self.tmp / "Records - General Hospital.pdf"
    scan.write_bytes(b"%PDF-1.4\n%made-up scan\n" + b"0" * 180_000)
    letter = self.tmp / "Referral letter.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    letter.write_bytes(buf.getvalue())
    documents.attach_file(db, actor, task_id, scan, label="Records from General Hospital")
    documents.attach_file(db, actor, task_id, letter)
    documents.add_reference(db, actor, task_id, label="Insurance card (scanned)",
                            reference="\\\\frontdesk-pc\\scans\\insurance-0412.pdf")  # fmt: skip
    with db.read() as s:
        version = s.get(Task, task_id).version
    dependencies.set_blocker(db, actor, task_id, blocker_id, expected_version=version)
    dialog = open_task_detail(window.ctx, task_id, window)
    self.settle(runner)
    tabs = dialog.findChild(QTabWidget)
    tabs.setCurrentWidget(dialog.documents)
    dialog.documents.tree.setCurrentItem(dialog.documents.tree.topLevelItem(0))
    self.settle(runner, quiet_ms=100)
    self.save(dialog, "task-documents")
    dialog.close()
    window.close()
    self.settle(runner)


Shooter.admin_area = _admin_area
Shooter.setup = _setup
Shooter.imports = _imports
Shooter.audit_report = _audit_report
ADMIN = "admin"  # the demo administrator (audit.view)
Shooter.documents = _documents

if __name__ == "__main__":
    sys.exit(main())
