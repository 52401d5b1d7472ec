"""Which files a case accepts, recognised by their content (magic bytes), not by their name.

A file named ``.pdf`` that is a Windows program is refused: the name is what the uploader says,
the first bytes are what the file is. Checked by hand rather than with a library: the list is
short (PDF, PNG, JPEG, the zip-based office formats, the old OLE office formats), and a zip is
looked into to tell an office document from any other archive.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", ("pdf",))
PNG = Kind("PNG", "image/png", ("png",))
JPEG = Kind("JPEG", "image/jpeg", ("jpg", "jpeg"))
OOXML = {
    "docx": Kind(
        "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
    ),
    "xlsx": Kind(
        "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
    ),
    "pptx": Kind(
        "PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
    ),
}
OLE_KIND = Kind("Office (97-2003)", "application/octet-stream", ("doc", "xls", "ppt"))
OLE_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
             "ppt": "application/vnd.ms-powerpoint"}  # fmt: skip

ALLOWED_WORDS = "PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument (odt, ods, odp)"


def _zip_kind(file) -> Kind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for ext, suffix in (("odt", "text"), ("ods", "spreadsheet"),
                                    ("odp", "presentation")):  # fmt: skip
                    if mimetype == f"application/vnd.oasis.opendocument.{suffix}":
                        return Kind("OpenDocument", mimetype, (ext,))
            if "[Content_Types].xml" in names:
                for folder, ext in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(name.startswith(folder) for name in names):
                        return OOXML[ext]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def sniff(file) -> Kind | None:
    """The allowed kind the file's content is, or None. Leaves the file at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(OLE):
        kind = OLE_KIND
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(file)
    file.seek(0)
    return kind


def document_type_check(file, filename: str) -> str:
    """The content type to store for an allowed file; refuses any other (field ``file``).

    The name's extension must be one of the kind's too: a PDF named ``.docx`` would open in the
    wrong program on the reader's machine.
    """
    kind = sniff(file)
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "This type of file is not accepted. Upload one of: %(kinds)s. "
                    "The file's content is checked, not only its name."
                )
                % {"kinds": ALLOWED_WORDS}
            }
        )
    if ext not in kind.extensions:
        raise ValidationError(
            {
                "file": _(
                    "The file is a %(kind)s file, but its name ends in “.%(ext)s”. Rename it "
                    "to end in .%(expected)s."
                )
                % {"kind": kind.name, "ext": ext, "expected": kind.extensions[0]}
            }
        )
    if kind is OLE_KIND:
        return OLE_TYPES[ext]
    return kind.content_type
