"""Work that runs on a schedule, in the app process and without Qt.

``scheduler.py`` runs jobs in a background thread pool (APScheduler); a job
calls services and queries and returns plain values, which the scheduler hands
to a callback — in the desktop app, one small Qt bridge in ``gui/`` that turns
them into signals. Jobs never touch widgets.

Per-person jobs (the signed-in user's alert scan) run in every open app;
practice-wide jobs run on one PC at a time, holding a lease (``lease.py``).
"""
