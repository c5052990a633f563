"""The shell: start-up, the main window, signing in, the idle lock, live updates from
other PCs, the status bar and what the window remembers. It names no view: it builds
its navigation from the view registry (gui/views/registry.py)."""
