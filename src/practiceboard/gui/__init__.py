"""The Qt desktop client. Only this package imports Qt; it never opens a session or
builds SQL — it calls services and queries, off the GUI thread when they may be slow."""
