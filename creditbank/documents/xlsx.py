"""Spreadsheet exports that are safe to open: no formula injection, no illegal characters.

Every export goes through ``SafeWorkbook`` (or ``write_rows`` on one of its sheets). A string
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) is stored
as text with a leading apostrophe, as OWASP recommends; characters XML forbids are dropped.
Numbers, dates and booleans are written as they are: only text can carry a formula.
"""

from __future__ import annotations

import datetime as dt
import decimal
import unicodedata
from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60
MEASURED_ROWS = 500  # column widths come from the header and the first rows
_SAFE_TYPES = (int, float, decimal.Decimal, bool, dt.date, dt.datetime, dt.time, dt.timedelta)


def safe_value(value):
    """A value that openpyxl stores as data, never as a formula."""
    if value is None or isinstance(value, _SAFE_TYPES):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class SafeWorkbook:
    """An openpyxl workbook whose sheets only take neutralised values.

    >>> book = SafeWorkbook()
    >>> sheet = book.sheet("รายวิชา")
    >>> write_rows(sheet, ["รหัส", "ชื่อ"], [("ง21101", "การงานอาชีพ")])
    >>> data = book.to_bytes()
    """

    def __init__(self):
        self.workbook = Workbook()
        self._first_unused = True

    def sheet(self, title: str):
        """A new sheet (the workbook's initial empty sheet is reused for the first one)."""
        title = safe_sheet_title(title)
        if self._first_unused:
            self._first_unused = False
            sheet = self.workbook.active
            sheet.title = title
            return sheet
        return self.workbook.create_sheet(title)

    def to_bytes(self) -> bytes:
        return workbook_bytes(self.workbook)


def safe_sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", str(title))
    cleaned = cleaned.translate({ord(c): " " for c in "[]:*?/\\"}).strip().strip("'")
    return (cleaned or "Sheet")[:31]


def write_rows(
    sheet,
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    widths: Sequence[int | None] | None = None,
    freeze: bool = True,
) -> int:
    """Write a bold header and the rows; size the columns and freeze the header.

    ``widths`` overrides the measured width per column (None keeps the measured one).
    Returns the number of data rows written.
    """
    bold = Font(bold=True)
    sheet.append([safe_value(title) for title in header])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    measured = [_width(title) for title in header]
    count = 0
    for row in rows:
        values = [safe_value(value) for value in row]
        sheet.append(values)
        if count < MEASURED_ROWS:
            for index, value in enumerate(values):
                if index < len(measured):
                    measured[index] = max(measured[index], _width(value))
                else:
                    measured.append(_width(value))
        count += 1
    for index, width in enumerate(measured):
        chosen = widths[index] if widths and index < len(widths) and widths[index] else width
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, chosen))
    if freeze:
        sheet.freeze_panes = "A2"
    return count


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 18
    if isinstance(value, dt.date):
        return 12
    text = str(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    # Thai vowels and tone marks above or below a letter take no width of their own.
    marks = sum(1 for char in text if unicodedata.category(char) == "Mn")
    return max(1, longest - marks) + 2


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
WARNING_FILL = PatternFill("solid", fgColor="FFF3CD")


def neutralise_formulas(workbook) -> None:
    """Every formula (or text that a spreadsheet would read as one) becomes plain text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and not isinstance(value, str):
                    value = getattr(value, "text", None) or str(value)  # array formulas
                if isinstance(value, str):
                    safe = safe_value(value)
                    if safe != value or cell.data_type == "f":
                        cell.value = safe
                        cell.data_type = "s"


def checked_workbook_bytes(
    data: bytes, columns, problems: Iterable[tuple[int, list[tuple[str | None, str, str]]]]
) -> bytes:
    """An uploaded workbook handed back with a "Problems found" column and the problem cells
    filled and commented. ``problems``: (sheet row number, [(column key, level, message)]);
    ``columns`` are the importer's columns, to find the header again. No cell is a formula."""
    from django.utils.translation import gettext as _
    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    from creditbank.spreadsheets import find_header, read_first_sheet

    table = read_first_sheet(data)
    header_index, mapping = find_header(table, columns)
    position_of = {key: position for position, key in mapping.items()}
    workbook = load_workbook(BytesIO(data))
    neutralise_formulas(workbook)
    sheet = workbook.worksheets[0]
    error_column = max(sheet.max_column, len(table[header_index])) + 1
    header = sheet.cell(row=header_index + 1, column=error_column, value=_("Problems found"))
    header.font = Font(bold=True, color="B02A37")
    for row_number, messages in problems:
        texts = []
        for key, level, message in messages:
            texts.append(f"{_('Error') if level == 'error' else _('Warning')}: {message}")
            position = position_of.get(key)
            if position is None:
                continue
            cell = sheet.cell(row=row_number, column=position + 1)
            if level == "error" or cell.fill != ERROR_FILL:
                cell.fill = ERROR_FILL if level == "error" else WARNING_FILL
            previous = cell.comment.text + "\n" if cell.comment else ""
            cell.comment = Comment(previous + message, "creditbank")
        sheet.cell(row=row_number, column=error_column, value=safe_value("\n".join(texts)))
    sheet.column_dimensions[get_column_letter(error_column)].width = 60
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
