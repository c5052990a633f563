"""Where ``practiceboard`` (no command) finds the desktop app until cli/ imports
``practiceboard.gui.shell.app`` directly; the start-up code lives in shell/app.py."""

from practiceboard.gui.shell.app import main

__all__ = ["main"]
