"""The views of the main window: the board and the task lists."""
