"""Printing with Qt's own tools: a report's HTML (reports/) laid out by QTextDocument and
painted page by page, with a footer and page numbers, onto a QPrinter (print, preview) or a
QPdfWriter (save as PDF); its charts drawn with QPainter into images the document shows."""
