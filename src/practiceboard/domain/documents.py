"""What a document attached to a task may be, judged by the file's own bytes.

The name a file carries says nothing (a renamed program is still a program): the type
comes from the signature its first bytes hold. PDFs, images, Office documents (the
current zip-based ones and the older compound ones) and plain text are accepted;
programs and scripts are refused whatever they are called, and so is anything not
recognised. Pure rules: the caller reads the bytes.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from practiceboard.domain.errors import ValidationError

HEAD_BYTES = 8192  # how much of the start of a file the check reads
LABEL_MAX = 200
REFERENCE_MAX = 1000
DEFAULT_MAX_MB = 25

ACCEPTED = (
    "PDF, pictures (PNG, JPEG, GIF, TIFF), Word, Excel or PowerPoint documents and plain text"
)

# Names that run when opened. Never a reason to accept: only a further reason to refuse
# a file whose bytes look harmless (a batch file is plain text).
SCRIPT_SUFFIXES = frozenset(
    ".bat .cmd .com .cpl .exe .dll .hta .js .jse .jar .lnk .msi .msp .ps1 .psm1 .py .pyw .reg "
    ".scr .sh .vb .vbe .vbs .wsf .wsh .app .command .bash .zsh .pl .rb .php .html .htm .svg "
    ".xhtml .docm .xlsm .pptm .dotm .xltm".split()
)

_PROGRAMS = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"\xce\xfa\xed\xfe", "a program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"#!", "a script"),
)

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc .xls .ppt
)

_OFFICE = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)

# Words for a content type in the task's document list.
KIND_WORDS = {
    "application/pdf": "PDF",
    "image/png": "PNG picture",
    "image/jpeg": "JPEG picture",
    "image/gif": "GIF picture",
    "image/tiff": "TIFF picture",
    "application/x-ole-storage": "Office document (older format)",
    _OFFICE[0][1]: "Word document",
    _OFFICE[1][1]: "Excel workbook",
    _OFFICE[2][1]: "PowerPoint presentation",
    "text/plain": "Text",
}


def suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def content_type(name: str, stream: BinaryIO) -> str:
    """The file's content type from its signature; ValidationError saying why when it is
    a program, a script or not a kind of document the app keeps. ``stream`` must be
    seekable (a zip's directory is at its end); it is left at its start."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    shown = name or "This file"
    if not head:
        raise ValidationError(f"{shown} is empty; there is nothing to attach.", "file")
    for magic, what in _PROGRAMS:
        if head.startswith(magic):
            raise ValidationError(
                f"{shown} is {what}; programs and scripts cannot be attached.", "file"
            )
    if suffix(name) in SCRIPT_SUFFIXES:
        raise ValidationError(
            f"{shown} would run as a program when opened ({suffix(name)}); programs and "
            "scripts cannot be attached.",
            "file",
        )
    for magic, ctype in _SIGNATURES:
        if head.startswith(magic):
            return ctype
    if head.startswith(b"PK\x03\x04"):
        return _office_type(shown, stream)
    if _is_text(head):
        return "text/plain"
    raise ValidationError(f"{shown} is not a kind of document the app keeps: {ACCEPTED}.", "file")


def _office_type(shown: str, stream: BinaryIO) -> str:
    try:
        with zipfile.ZipFile(stream) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        names = []
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names:
        # Macros make an Office file a program.
        if any(n.endswith("vbaProject.bin") for n in names):
            raise ValidationError(
                f"{shown} contains macros (programs); save it without macros to attach it.",
                "file",
            )
        for folder, ctype in _OFFICE:
            if any(n.startswith(folder) for n in names):
                return ctype
    raise ValidationError(
        f"{shown} is a zip archive, which could hold anything; attach the documents in it "
        f"one by one ({ACCEPTED}).",
        "file",
    )


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return False
    lowered = head.lstrip().lower()
    # Web pages and SVG run scripts in a browser.
    return not lowered.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml"))


def check_size(name: str, size: int, limit_mb: int) -> None:
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"{name or 'This file'} is {megabytes(size)}; files up to {limit_mb} MB can be "
            "attached. Scan it at a lower resolution or split it.",
            "file",
        )


def megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def label(value: str | None, fallback: str = "") -> str:
    text = " ".join((value or "").split()) or fallback
    if not text:
        raise ValidationError(
            "Give the document a label, for example “Records from General Hospital”.", "label"
        )
    if len(text) > LABEL_MAX:
        raise ValidationError(f"Keep the label under {LABEL_MAX} characters.", "label")
    return text


def reference(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(
            "Say where the document is: a path on the file share or the EHR's document id.",
            "reference",
        )
    if len(text) > REFERENCE_MAX or "\n" in text:
        raise ValidationError(
            f"A reference is one line of at most {REFERENCE_MAX} characters.", "reference"
        )
    return text
