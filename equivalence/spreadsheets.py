"""Mapping workbooks: the export (which is also the committee's decision form) and reading it back.

The export has one row per mapping and empty decision columns; the committee fills them in
(อนุมัติ / ไม่อนุมัติ, comment, meeting, decision number, date) and the centre imports the
file. Courses are written as ``institution code:course code`` joined by ``; `` so an n:m
mapping fits in one row, and the import can check that the row still names the same courses.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from creditbank.documents.xlsx import SafeWorkbook, write_rows
from creditbank.spreadsheets import Column, clean_text, find_header, read_first_sheet
from creditbank.thai import to_arabic_digits

from .models import EquivalenceMapping, MappingCourse

MAX_DECISION_ROWS = 5_000

COLUMNS = [
    Column("mapping", "เลขที่การเทียบ", "Mapping ID", ("mappingid", "id", "เลขที่", "mapping"), required=True),
    Column("status", "สถานะ", "Status", ("status",)),
    Column("kind", "ประเภทการเทียบ", "Kind", ("kind",)),
    Column("direction", "ทิศทาง", "Direction", ("direction",)),
    Column("sources", "รายวิชาต้นทาง", "Source courses", ("sourcecourses", "sources", "ต้นทาง")),
    Column("source_names", "ชื่อรายวิชาต้นทาง", "Source course names", ("sourcenames",)),
    Column("targets", "รายวิชาปลายทาง", "Target courses", ("targetcourses", "targets", "ปลายทาง")),
    Column("target_names", "ชื่อรายวิชาปลายทาง", "Target course names", ("targetnames",)),
    Column("credits", "หน่วยกิตที่เทียบได้", "Credits recognised", ("credits",)),
    Column("min_grade", "ผลการเรียนขั้นต่ำ", "Minimum grade", ("mingrade", "grade")),
    Column("conditions", "เงื่อนไขอื่น", "Other conditions", ("conditions",)),
    Column("rationale", "เหตุผล", "Rationale", ("rationale",)),
    Column("valid_from", "ใช้ตั้งแต่ปีการศึกษา", "Valid from", ("validfrom",)),
    Column("valid_to", "ใช้ถึงปีการศึกษา", "Valid to", ("validto",)),
    Column("decision", "มติ", "Decision", ("decision", "ผลการพิจารณา", "มติคณะกรรมการ"), required=True),
    Column("comment", "ความเห็น", "Comment", ("comment", "หมายเหตุ", "เหตุผลของมติ")),
    Column("meeting", "การประชุม", "Meeting", ("meeting", "ครั้งที่ประชุม")),
    Column("number", "เลขที่มติ", "Decision number", ("decisionnumber", "number")),
    Column("date", "วันที่มติ", "Decision date", ("decisiondate", "date", "วันที่")),
]  # fmt: skip

APPROVE_WORDS = {"approve", "approved", "yes", "อนุมัติ", "เห็นชอบ", "ผ่าน"}
REJECT_WORDS = {"reject", "rejected", "no", "ไม่อนุมัติ", "ไม่เห็นชอบ", "ไม่ผ่าน"}
COURSE_SEPARATORS = re.compile(r"[;\n,]+")


def course_token(course) -> str:
    return f"{course.institution.code}:{course.code}"


def mappings_export_bytes(mappings) -> bytes:
    """One row per mapping (``mappings`` prefetches links → course → institution)."""
    book = SafeWorkbook()
    sheet = book.sheet(_("Equivalences"))
    header = [column.bilingual for column in COLUMNS]

    def rows():
        for mapping in mappings:
            links = list(mapping.links.all())
            sources = [link.course for link in links if link.side == MappingCourse.Side.SOURCE]
            targets = [link.course for link in links if link.side == MappingCourse.Side.TARGET]
            decided = mapping.status in (
                EquivalenceMapping.Status.APPROVED,
                EquivalenceMapping.Status.REJECTED,
            )
            yield (
                mapping.pk,
                mapping.get_status_display(),
                mapping.get_kind_display(),
                mapping.get_direction_display(),
                "; ".join(course_token(c) for c in sources),
                "; ".join(c.name_th for c in sources),
                "; ".join(course_token(c) for c in targets),
                "; ".join(c.name_th for c in targets),
                mapping.credits_recognised,
                mapping.min_grade,
                mapping.conditions,
                mapping.rationale,
                mapping.valid_from_year,
                mapping.valid_to_year,
                _decision_word(mapping.status) if decided else "",
                mapping.decision_comment if decided else "",
                mapping.decision_meeting,
                mapping.decision_number,
                mapping.decision_date,
            )

    write_rows(sheet, header, rows())
    return book.to_bytes()


def _decision_word(status: str) -> str:
    return "อนุมัติ" if status == EquivalenceMapping.Status.APPROVED else "ไม่อนุมัติ"


def parse_decision(value) -> str | None:
    """``approve``, ``reject``, ``""`` (blank: no decision on this row) or None (unreadable)."""
    text = clean_text(value).lower()
    if not text:
        return ""
    if text in APPROVE_WORDS:
        return "approve"
    if text in REJECT_WORDS:
        return "reject"
    return None


def parse_courses(value) -> list[tuple[str, str]]:
    """``LPN1-EO01:ง21201; LPN-AGRI:20501-2101`` → [(institution code, course code), ...]."""
    tokens = [t.strip() for t in COURSE_SEPARATORS.split(clean_text(value)) if t.strip()]
    pairs = []
    for token in tokens:
        institution, _sep, code = token.partition(":")
        pairs.append((institution.strip(), code.strip()))
    return pairs


def parse_date(value) -> dt.date | None:
    """A date cell, ``2024-06-01``, or ``1/6/2567`` (day/month/year, B.E. or C.E.)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = to_arabic_digits(clean_text(value))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year - 543 if year > 2400 else year, month, day)


def read_decision_rows(data: bytes) -> list[dict]:
    """The rows of a decision file as raw cell values by column key, with their row number."""
    rows = read_first_sheet(data, max_rows=MAX_DECISION_ROWS)
    header_index, mapping = find_header(rows, COLUMNS)
    found = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {key: row[position] for position, key in mapping.items() if position < len(row)}
        if not any(clean_text(v) for v in values.values()):
            continue
        found.append({"row": offset, **values})
    return found
