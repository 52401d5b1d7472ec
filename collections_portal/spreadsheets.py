"""Cells a spreadsheet must not run: shared by every CSV and XLSX the portal writes (the import's
rejected rows, the case list's exports)."""

from __future__ import annotations

# A cell a spreadsheet would read as a formula (or a cell that starts with a tab or carriage
# return, which some read past to one): the rejected rows quote what the uploader sent.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell that would start a formula, prefixed with a single quote (OWASP's advice
    against CSV injection), so the spreadsheet shows it as text and runs nothing."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell
