"""The kit every window, view and dialog uses: the runner (work off the GUI thread),
operations (a service call, its one error sentence, the change it made), the message
facade, AppContext/AppSignals, the theme and the .ui loader. No module here names a
view or a dialog."""
