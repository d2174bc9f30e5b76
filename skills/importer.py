"""Test results workbooks: the columns we know, the template, and the row checks.

Same discipline as the other uploads (creditbank/spreadsheets.py): the file is checked before
it is parsed, the header is found under title rows, every row is checked and shown before
anything is written, and the commit writes the whole file in one transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from creditbank.documents.xlsx import SafeWorkbook, write_rows
from creditbank.documents.xlsx import checked_workbook_bytes as problems_workbook
from creditbank.spreadsheets import (
    Column,
    SpreadsheetRefused,
    check_upload,
    clean_text,
    find_header,
    has_control_characters,
    read_first_sheet,
)
from learners import identifiers

from .services.errors import SkillsError

MAX_RESULT_ROWS = 5000

COLUMNS = [
    Column(
        "identifier",
        "เลขประจำตัว",
        "Identifier",
        synonyms=("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "Citizen ID", "ID"),
        required=True,
    ),
    Column("name", "ชื่อ-นามสกุล", "Name", synonyms=("ชื่อ", "ชื่อผู้เข้าทดสอบ")),
    Column(
        "result",
        "ผลการทดสอบ",
        "Result",
        synonyms=("ผล", "ผ่าน/ไม่ผ่าน", "Pass/Fail"),
        required=True,
    ),
    Column("score", "คะแนน", "Score", synonyms=("คะแนนรวม", "ร้อยละ", "Percent")),
]

PASS_WORDS = {"ผ่าน", "ผ", "pass", "passed", "p", "yes", "1", "true"}
FAIL_WORDS = {"ไม่ผ่าน", "มผ", "fail", "failed", "f", "no", "0", "false"}


def parse_result(raw) -> bool | None:
    text = clean_text(raw).lower().replace(" ", "").replace(".", "")
    if text in PASS_WORDS:
        return True
    if text in FAIL_WORDS:
        return False
    return None


def template_bytes(session) -> bytes:
    """The session's candidates with empty result and score columns."""
    book = SafeWorkbook()
    sheet = book.sheet("ผลการทดสอบ")
    rows = [
        (identifiers.format_full(c.learner.identifier_type, c.learner.identifier),
         c.learner.full_name, "", "")
        for c in session.candidates.select_related("learner").order_by("pk")
    ]  # fmt: skip
    write_rows(sheet, [c.bilingual for c in COLUMNS], rows)
    return book.to_bytes()


def check_rows(session, data: bytes, file_name: str) -> list[dict]:
    """Every row checked against the session's candidates; SkillsError refuses the file."""
    try:
        check_upload(data, file_name)
        table = read_first_sheet(data, max_rows=MAX_RESULT_ROWS)
        header_index, mapping = find_header(table, COLUMNS)
    except SpreadsheetRefused as refused:
        raise SkillsError(str(refused.message), code=refused.code) from None
    candidates = {}
    for candidate in session.candidates.select_related("learner", "result"):
        candidates[candidate.learner.identifier] = candidate
    rows: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        values = {key: raw[pos] if pos < len(raw) else None for pos, key in mapping.items()}
        if all(clean_text(v) == "" for v in values.values()):
            continue
        problems: list[tuple[str, str]] = []  # (the column it concerns, the message)
        identifier = identifiers.normalise(clean_text(values.get("identifier")))
        name = clean_text(values.get("name"))
        if has_control_characters(name):
            problems.append(("name", _("The name contains control characters.")))
        candidate = candidates.get(identifier)
        if not identifier:
            problems.append(("identifier", _("The identifier is missing.")))
        elif candidate is None:
            problems.append(("identifier", _("This person is not registered for the session.")))
        elif identifier in seen:
            problems.append(("identifier", _("This candidate appears twice in the file.")))
        seen.add(identifier)
        passed = parse_result(values.get("result"))
        if passed is None:
            problems.append(("result", _("The result must be ผ่าน (pass) or ไม่ผ่าน (fail).")))
        score = None
        raw_score = clean_text(values.get("score"))
        if raw_score:
            try:
                score = Decimal(raw_score).quantize(Decimal("0.01"))
            except InvalidOperation:
                problems.append(("score", _("The score is not a number.")))
            else:
                if score < 0 or score > 100:
                    problems.append(("score", _("A score is between 0 and 100.")))
        errors = [message for _column, message in problems]
        change = "new"
        if candidate is not None and not errors:
            existing = getattr(candidate, "result", None)
            if existing is not None:
                same = existing.passed == passed and existing.score == score
                change = "unchanged" if same else "changed"
        rows.append(
            {
                "row": index,
                "identifier": identifiers.mask(
                    candidate.learner.identifier_type if candidate else "", identifier
                ),
                "name": candidate.learner.full_name if candidate else name,
                "passed": passed,
                "score": str(score) if score is not None else None,
                "candidate": candidate.pk if candidate else None,
                "change": change,
                "errors": errors,
                "error_columns": [column for column, _message in problems],
            }
        )
    if not rows:
        raise SkillsError(_("The sheet has no result rows."), code="empty")
    return rows


def checked_workbook_bytes(upload) -> bytes:
    """The uploaded workbook with a "Problems found" column, the problem cells filled and
    commented; no cell of the result is a formula."""
    with upload.file.open("rb") as handle:
        data = handle.read()
    problems = []
    for row in upload.rows:
        if row.get("errors"):
            columns = row.get("error_columns") or []
            problems.append((row["row"], [
                (columns[i] if i < len(columns) else None, "error", message)
                for i, message in enumerate(row["errors"])
            ]))  # fmt: skip
    return problems_workbook(data, COLUMNS, problems)
