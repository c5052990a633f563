"""Documents built from query rows: the weekly aging report (HTML for Qt's text
document, one CSV per section) and the CSV writer every export uses. No Qt here:
printing, preview and PDF are gui/printing's business."""
