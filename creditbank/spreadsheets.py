"""Reading uploaded spreadsheets safely, for every importer (courses, results, test results).

An upload is checked before anything parses it: size, magic bytes, the zip directory's declared
sizes (zip bombs), macros, and XML entity declarations. Then python-calamine reads the first
sheet (cached values of formulas, never the formulas), ``find_header`` finds the header row
under any title rows, and importers map the columns they know by their Thai or English names.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .thai import to_arabic_digits

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 150 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 500
MAX_ROWS = 100_000
HEADER_SCAN_ROWS = 30

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SpreadsheetRefused(Exception):
    """The whole file is refused; ``message`` is for the user (lazy, in their language)."""

    def __init__(self, message, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


def check_upload(data: bytes, filename: str = "") -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook."""
    name = filename.lower()
    if not data:
        raise SpreadsheetRefused(_("The file is empty."), "empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            "too_large",
        )
    if name.endswith(".xlsm") or name.endswith(".xltm"):
        raise SpreadsheetRefused(
            _("Workbooks with macros (.xlsm) are not accepted: save it as .xlsx."), "macro"
        )
    if data.startswith(OLE2_MAGIC) or name.endswith(".xls"):
        raise SpreadsheetRefused(
            _("Old Excel files (.xls) are not accepted: save it as .xlsx (Excel Workbook)."),
            "xls",
        )
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetRefused(
            _("This is not an Excel workbook (.xlsx), whatever its name says."), "not_xlsx"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SpreadsheetRefused(
            _("The workbook is damaged and cannot be opened."), "bad_zip"
        ) from exc
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetRefused(
            _("The workbook has too many parts to be a plain table."), "zip_bomb"
        )
    declared = sum(entry.file_size for entry in entries)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetRefused(
            _("The workbook expands to far more data than it should."), "zip_bomb"
        )
    for entry in entries:
        big = entry.compress_size and entry.file_size > 1024 * 1024
        if big and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
            raise SpreadsheetRefused(
                _("The workbook expands to far more data than it should."), "zip_bomb"
            )
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise SpreadsheetRefused(
            _("Workbooks with macros are not accepted: save it as .xlsx without macros."), "macro"
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(
            _("This is not an Excel workbook (.xlsx), whatever its name says."), "not_xlsx"
        )
    for entry in entries:
        if entry.filename.endswith(".xml") or entry.filename.endswith(".rels"):
            with archive.open(entry) as handle:
                head = handle.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise SpreadsheetRefused(
                    _("The workbook contains XML entity declarations, which we never accept."),
                    "xml_entities",
                )


def read_first_sheet(data: bytes, *, max_rows: int | None = None) -> list[list]:
    """All rows of the first sheet as Python values (formulas give their cached values)."""
    from python_calamine import CalamineError, load_workbook

    max_rows = MAX_ROWS if max_rows is None else max_rows

    try:
        workbook = load_workbook(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise SpreadsheetRefused(_("The workbook could not be read."), "unreadable") from exc
    except Exception as exc:  # calamine raises several error types for broken files
        raise SpreadsheetRefused(_("The workbook could not be read."), "unreadable") from exc
    if len(rows) > max_rows + HEADER_SCAN_ROWS:
        raise SpreadsheetRefused(
            _("The sheet has more than %(max)s rows; split it into several files.")
            % {"max": f"{max_rows:,}"},
            "too_many_rows",
        )
    return rows


def iter_first_sheet(data: bytes, *, max_rows: int | None = None) -> Iterator[list]:
    """The first sheet's rows one at a time, same values and row numbers as ``read_first_sheet``.

    The file is parsed and its size checked before the first row is returned; rows are turned
    into Python lists only as they are consumed, so a long sheet never sits in memory as lists.
    Index ``i`` is spreadsheet row ``i + 1`` (leading empty rows are included); a row's cells
    start at the sheet's first used column, which does not matter to ``find_header`` mappings.
    """
    from python_calamine import load_workbook

    max_rows = MAX_ROWS if max_rows is None else max_rows
    try:
        sheet = load_workbook(io.BytesIO(data)).get_sheet_by_index(0)
        height = sheet.end[0] + 1 if sheet.end else 0
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises several error types for broken files
        raise SpreadsheetRefused(_("The workbook could not be read."), "unreadable") from exc
    if height > max_rows + HEADER_SCAN_ROWS:
        raise SpreadsheetRefused(
            _("The sheet has more than %(max)s rows; split it into several files.")
            % {"max": f"{max_rows:,}"},
            "too_many_rows",
        )
    return rows


def normalise_header(value) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).lower()
    return re.sub(r"[\s._:*()\[\]/\\-]+", "", text)


@dataclass
class Column:
    key: str
    label_th: str
    label_en: str
    synonyms: Sequence[str] = ()
    required: bool = False
    names: set[str] = field(init=False)

    def __post_init__(self):
        self.names = {normalise_header(n) for n in (self.label_th, self.label_en, *self.synonyms)}
        self.names.add(normalise_header(self.bilingual))

    @property
    def bilingual(self) -> str:
        """The header our own templates use: "รหัสวิชา / Course code"."""
        return f"{self.label_th} / {self.label_en}"


def find_header(rows: list[list], columns: Sequence[Column]) -> tuple[int, dict[int, str]]:
    """The header row (index) and a map of column index → column key.

    Looks through the first rows for the one that names the most known columns, all required
    ones included; title rows and merged titles above the table are skipped that way.
    """
    best: tuple[int, dict[int, str]] | None = None
    required = {c.key for c in columns if c.required}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        for position, cell in enumerate(row):
            name = normalise_header(cell)
            if not name:
                continue
            for column in columns:
                if name in column.names and column.key not in mapping.values():
                    mapping[position] = column.key
                    break
        if required <= set(mapping.values()) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    if best is None:
        expected = ", ".join(f"{c.label_th} ({c.label_en})" for c in columns if c.required)
        raise SpreadsheetRefused(
            _("No header row found. The table needs at least these columns: %(columns)s.")
            % {"columns": expected},
            "no_header",
        )
    return best


def clean_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL_CHARS.search(text))


def parse_number(value):
    """A number from a cell: accepts Thai digits, thousands separators and spaces."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int | float):
        return value
    text = to_arabic_digits(str(value)).strip().replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(text)
    return float(text) if "." in text else int(text)


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
