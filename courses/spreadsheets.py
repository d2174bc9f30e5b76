"""Course-list workbooks we hand out: the upload template, the error report, the export."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from creditbank.documents.xlsx import (
    SafeWorkbook,
    checked_workbook_bytes,
    safe_value,
    write_rows,
)

from .importer import COLUMNS, GROUP_NAMES, LEVEL_NAMES, TYPE_NAMES
from .models import Level, SubjectGroup

TEMPLATE_COLUMNS = [c for c in COLUMNS if c.key != "institution_code"]


def course_template_bytes() -> bytes:
    book = SafeWorkbook()
    sheet = book.sheet("รายวิชา")
    examples = [
        ["ง21101", "การปลูกลำไย", "Longan growing", 1, 40, "มัธยมศึกษาตอนต้น", 1, 2567, "การงานอาชีพ",
         "พื้นฐาน", 1, "เกษตรกรรม", "ศึกษาการปลูกและดูแลลำไย", "ปลูกและดูแลต้นลำไยได้"],
        ["20101-2001", "งานไฟฟ้าและอิเล็กทรอนิกส์เบื้องต้น", "Basic electrical and electronic work", 2, 72,
         "ปวช.", 1, 2567, "วิชาชีพ", "พื้นฐาน", 3, "ช่างไฟฟ้า", "", ""],
    ]  # fmt: skip
    write_rows(sheet, [c.bilingual for c in TEMPLATE_COLUMNS], examples)
    sheet.row_dimensions[1].height = 32

    lists = book.sheet("lists")
    lists.sheet_state = "hidden"
    choices = {
        "level": [names[0] if names else str(value.label) for value, names in LEVEL_NAMES.items()],
        "subject_group": [names[0] for names in GROUP_NAMES.values()],
        "course_type": [names[0] for names in TYPE_NAMES.values()],
    }
    for column_index, (key, values) in enumerate(choices.items(), start=1):
        letter = chr(ord("A") + column_index - 1)
        for row_index, value in enumerate(values, start=1):
            lists.cell(row=row_index, column=column_index, value=value)
        target = next(i for i, c in enumerate(TEMPLATE_COLUMNS) if c.key == key)
        target_letter = chr(ord("A") + target)
        validation = DataValidation(
            type="list",
            formula1=f"=lists!${letter}$1:${letter}${len(values)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not in the list"),
            error=_("Choose a value from the list."),
        )
        validation.add(f"{target_letter}2:{target_letter}5000")
        sheet.add_data_validation(validation)

    help_sheet = book.sheet("คำอธิบาย Instructions")
    lines = [
        _("How to fill in the course list"),
        _("One course per row. Keep the header row; you may add title rows above it."),
        _(
            "Course code: a basic-education code such as ง21101, or a vocational code such as 20101-2001."
        ),
        _("Credits in half steps (0.5, 1, 1.5 …). Basic education: 1 credit = 40 hours."),
        _("Level, subject group and type: choose from the drop-down lists."),
        _("Academic year in the Buddhist era (e.g. 2567). Thai digits are fine."),
        _("Save as Excel Workbook (.xlsx), at most 10 MB. Files with macros are refused."),
        _(
            "Uploading the same file again changes nothing; a corrected file updates the changed rows."
        ),
    ]
    for index, line in enumerate(lines, start=1):
        cell = help_sheet.cell(row=index, column=1, value=safe_value(line))
        if index == 1:
            cell.font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 100
    return book.to_bytes()


def error_workbook_bytes(upload) -> bytes:
    """The uploaded workbook with an error column, problem cells highlighted."""
    with upload.file.open("rb") as handle:
        data = handle.read()
    problems = (
        (row.row_number, [(m["column"], m["level"], m["message"]) for m in row.messages])
        for row in upload.rows.exclude(messages=[]).order_by("row_number")
    )
    return checked_workbook_bytes(data, COLUMNS, problems)


def catalogue_export_bytes(courses) -> bytes:
    book = SafeWorkbook()
    sheet = book.sheet(_("Courses"))
    header = [
        _("Institution"),
        _("Course code"),
        _("Name (Thai)"),
        _("Name (English)"),
        _("Credits"),
        _("Hours"),
        _("Level"),
        _("Subject group"),
        _("NQF level"),
        _("Occupational field"),
        _("Academic year"),
    ]
    levels = dict(Level.choices)
    groups = dict(SubjectGroup.choices)
    rows = (
        (
            c.institution.name_th,
            c.code,
            c.name_th,
            c.name_en,
            c.credits,
            c.hours,
            str(levels.get(c.level, c.level)),
            str(groups.get(c.subject_group, c.subject_group)),
            c.nqf_level,
            c.occupational_field,
            c.academic_year,
        )
        for c in courses.iterator(chunk_size=2000)
    )
    write_rows(sheet, header, rows)
    return book.to_bytes()
