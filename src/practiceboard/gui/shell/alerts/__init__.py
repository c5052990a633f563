"""The desktop side of aging alerts.

- ``bridge.AlertBridge`` runs the alert jobs (``practiceboard.jobs``) in the
  scheduler's pool and re-emits what is to be shown as a Qt signal on the GUI
  thread; jobs never touch widgets.
- ``notifier.Notifier`` shows each delivery through the system tray's
  notifications where the desktop has them, else as an in-app toast
  (``toast.ToastStack``), and plays the person's sound choice.
- ``tray.TrayIcon`` keeps the app alive in the tray when the window closes.
- ``center`` is the bell in the tool bar and its list of my alerts; the
  settings and snooze dialogs are designed in ``ui/``.
"""
