"""Results workbooks we hand out: the upload template and the checked workbook with errors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from creditbank.documents.xlsx import (
    SafeWorkbook,
    checked_workbook_bytes,
    safe_value,
    write_rows,
)

from .importer import COLUMNS

TEMPLATE_KEYS = ["identifier", "title_th", "first_name_th", "last_name_th", "first_name_en",
                 "last_name_en", "code", "academic_year", "term", "grade"]  # fmt: skip


def results_template_bytes() -> bytes:
    by_key = {c.key: c for c in COLUMNS}
    book = SafeWorkbook()
    sheet = book.sheet("ผลการเรียน")
    examples = [
        # Text, so that Excel keeps the leading zero of IDs that start with 0.
        ["1-1037-00123-45-8", "นาย", "สมชาย", "ใจดี", "Somchai", "Jaidee", "ง21101", 2567, "1", "3.5"],
        ["1103700123458", "นาย", "สมชาย", "ใจดี", "Somchai", "Jaidee", "ค21101", 2567, "1", "ผ"],
    ]  # fmt: skip
    write_rows(sheet, [by_key[k].bilingual for k in TEMPLATE_KEYS], examples)
    sheet.row_dimensions[1].height = 32
    help_sheet = book.sheet("คำอธิบาย Instructions")
    lines = [
        _("How to fill in the results"),
        _("One result per row: the learner's identifier, the course code, the year, term and grade."),
        _("Identifier: the 13-digit citizen ID (dashes, spaces and Thai digits are fine)."),
        _("Course code: a course of your institution's course list."),
        _("Academic year in the Buddhist era (e.g. 2567); term 1, 2, 3 or ฤดูร้อน."),
        _("Grades: 4, 3.5, 3, 2.5, 2, 1.5, 1, 0, ผ, มผ, มส, ร (basic and vocational); A to F, S, U (higher education)."),
        _("Uploading the same file again changes nothing; a corrected grade replaces the earlier one once approved."),
    ]  # fmt: skip
    for index, line in enumerate(lines, start=1):
        cell = help_sheet.cell(row=index, column=1, value=safe_value(line))
        if index == 1:
            cell.font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 100
    return book.to_bytes()


def results_checked_workbook_bytes(upload) -> bytes:
    """The uploaded workbook with a problems column, problem cells highlighted."""
    with upload.file.open("rb") as handle:
        data = handle.read()
    problems = (
        (row.row_number, [(m["column"], m["level"], m["message"]) for m in row.messages])
        for row in upload.rows.exclude(messages=[]).order_by("row_number")
    )
    return checked_workbook_bytes(data, COLUMNS, problems)
