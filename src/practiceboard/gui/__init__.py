"""The Qt desktop client. Only this package imports Qt; it never opens a session or
builds SQL — it calls services and queries, off the GUI thread when they may be slow.

Four rooms: ``shell/`` (start-up, main window, sign-in, idle lock, live updates),
``kit/`` (runner, operations, messages, context, theme, .ui loading), ``views/`` (the
registered views: board, lists, and the registry itself) and ``dialogs/`` (task
detail, intake, patient picker, reason dialog)."""
