"""Results rows: the columns of a results workbook and the check of every row.

The same discipline as the course-list import (``courses.importer``): one ``Column`` per
column with its Thai and English names, the header found under any title rows, every row
checked before anything is written, each problem naming its row and column. Lookups (courses,
learners, the ledger) are done once per file, not once per row.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from courses.codes import normalise_code
from courses.importer import RowResult
from courses.models import Course
from creditbank.spreadsheets import (
    Column,
    clean_text,
    find_header,
    has_control_characters,
    parse_number,
)
from creditbank.thai import to_arabic_digits

from . import grades, identifiers
from .models import CreditEntry, IdentifierType, Learner
from .services.ledger import natural_key_for

COLUMNS = [
    Column("identifier", "เลขประจำตัวประชาชน", "Identifier", ("เลขบัตรประชาชน", "เลขประจำตัว", "เลขประจำตัวผู้เรียน", "รหัสประจำตัวประชาชน", "citizenid", "id", "idnumber", "identifier"), required=True),
    Column("identifier_type", "ประเภทเลขประจำตัว", "Identifier type", ("ประเภทบัตร", "idtype", "identifiertype")),
    Column("title_th", "คำนำหน้า", "Title", ("คำนำหน้าชื่อ", "title", "prefix")),
    Column("first_name_th", "ชื่อ", "First name", ("ชื่อผู้เรียน", "ชื่อ(ไทย)", "firstname", "name")),
    Column("last_name_th", "นามสกุล", "Last name", ("นามสกุล(ไทย)", "lastname", "surname")),
    Column("first_name_en", "ชื่อภาษาอังกฤษ", "First name (English)", ("firstnameenglish", "firstname(english)")),
    Column("last_name_en", "นามสกุลภาษาอังกฤษ", "Last name (English)", ("lastnameenglish", "lastname(english)")),
    Column("code", "รหัสวิชา", "Course code", ("รหัส", "รหัสรายวิชา", "code", "coursecode"), required=True),
    Column("academic_year", "ปีการศึกษา", "Academic year", ("ปีการศึกษา(พ.ศ.)", "academicyear", "year"), required=True),
    Column("term", "ภาคเรียน", "Term", ("ภาค", "ภาคเรียนที่", "term", "semester")),
    Column("grade", "ผลการเรียน", "Grade", ("เกรด", "ระดับผลการเรียน", "ผลการเรียนรู้", "grade", "result"), required=True),
]  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TYPE_NAMES = {
    IdentifierType.CITIZEN_ID: ("", "citizenid", "citizen_id", "บัตรประชาชน", "เลขประจำตัวประชาชน", "thaiid"),
    IdentifierType.G_CODE: ("g", "gcode", "g-code", "g_code", "รหัสg"),
    IdentifierType.PASSPORT: ("passport", "หนังสือเดินทาง", "พาสปอร์ต"),
}  # fmt: skip
TYPE_LOOKUP = {alias: kind for kind, aliases in TYPE_NAMES.items() for alias in aliases}
TERM_NAMES = {"1": "1", "2": "2", "3": "3", "ฤดูร้อน": "summer", "summer": "summer", "s": "summer"}
NAME_LIMITS = {"title_th": 30, "first_name_th": 100, "last_name_th": 100, "first_name_en": 100,
               "last_name_en": 100}  # fmt: skip


def _label(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return f"{column.label_th} ({column.label_en})"


def validate_rows(rows: list[list], *, institution, create_unknown: bool):
    """Check every data row. Returns (results, header index); never writes."""
    header_index, mapping = find_header(rows, COLUMNS)
    parsed: list[tuple[RowResult, dict]] = []
    for offset, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {key: raw[pos] if pos < len(raw) else None for pos, key in mapping.items()}
        texts = {key: clean_text(value) for key, value in values.items()}
        if not any(texts.values()):
            continue
        if not texts.get("code") and sum(1 for v in raw if v not in (None, "")) == 1:
            break  # a note under the table
        result = RowResult(row_number=offset)
        _check_row(result, values, texts)
        parsed.append((result, texts))

    _match_courses(parsed, institution)
    _match_learners(parsed, create_unknown)
    _check_duplicates(parsed)
    _compare_with_ledger(parsed, institution)
    return [result for result, _texts in parsed], header_index


def _check_row(result: RowResult, values: dict, texts: dict) -> None:
    data = result.data
    for key, text in texts.items():
        if has_control_characters(text):
            result.error(
                key, _("%(column)s contains control characters.") % {"column": _label(key)}
            )
            texts[key] = "".join(ch for ch in text if ch >= " " or ch in "\n\t")
        limit = NAME_LIMITS.get(key)
        if limit and len(text) > limit:
            result.error(
                key,
                _("%(column)s is longer than %(max)s characters.")
                % {"column": _label(key), "max": limit},
            )
    kind_text = texts.get("identifier_type", "").lower().replace(" ", "")
    kind = TYPE_LOOKUP.get(kind_text)
    if kind is None:
        result.error(
            "identifier_type",
            _("Unknown identifier type “%(value)s”.") % {"value": texts["identifier_type"]},
        )
        kind = IdentifierType.CITIZEN_ID
    data["identifier_type"] = kind
    data["identifier"] = ""
    raw_identifier = to_arabic_digits(texts.get("identifier", ""))
    if isinstance(values.get("identifier"), float) and values["identifier"].is_integer():
        raw_identifier = str(int(values["identifier"]))
    if not raw_identifier:
        result.error("identifier", _("The identifier is missing."))
    else:
        if (
            kind == IdentifierType.CITIZEN_ID
            and raw_identifier.isascii()
            and raw_identifier.isdigit()
            and len(raw_identifier) == 12
        ):
            raw_identifier = "0" + raw_identifier  # a spreadsheet dropped the leading zero
        try:
            data["identifier"] = identifiers.validate(kind, raw_identifier)
        except ValidationError as error:
            result.error("identifier", " ".join(error.messages))
    for key in NAME_LIMITS:
        data[key] = texts.get(key, "")[: NAME_LIMITS[key]]

    data["code"] = normalise_code(texts.get("code"))
    if not data["code"]:
        result.error("code", _("The course code is missing."))

    year = None
    try:
        number = parse_number(values.get("academic_year"))
        if number is not None and number != int(number):
            raise ValueError(number)
        year = int(number) if number is not None else None
    except ValueError:
        result.error(
            "academic_year",
            _("%(column)s must be a whole number.") % {"column": _label("academic_year")},
        )
    if year is None:
        if not result.has_errors or "academic_year" not in {m["column"] for m in result.messages}:
            result.error("academic_year", _("The academic year is missing."))
    elif 1900 <= year <= 2200:
        result.error(
            "academic_year",
            _("Write the academic year in the Buddhist era (e.g. %(be)s, not %(ce)s).")
            % {"be": year + 543, "ce": year},
        )
        year = None
    elif not 2500 <= year <= 2700:
        result.error(
            "academic_year", _("%(value)s is not a plausible academic year.") % {"value": year}
        )
        year = None
    data["academic_year"] = year

    term_text = to_arabic_digits(texts.get("term", "")).strip().lower()
    if term_text.endswith(".0"):
        term_text = term_text[:-2]
    term = TERM_NAMES.get(term_text.replace("ภาคเรียนที่", "").strip(), None if term_text else "")
    if term is None:
        result.error(
            "term", _("Unknown term “%(value)s” (1, 2, 3 or ฤดูร้อน).") % {"value": texts["term"]}
        )
        term = ""
    data["term"] = term
    data["grade_raw"] = texts.get("grade", "")
    if isinstance(values.get("grade"), int | float) and not isinstance(values.get("grade"), bool):
        data["grade_raw"] = str(values["grade"])
    if not data["grade_raw"]:
        result.error("grade", _("The grade is missing."))


def _match_courses(parsed, institution) -> None:
    codes = {r.data["code"] for r, _t in parsed if r.data["code"]}
    by_code: dict[str, list[Course]] = {}
    for course in (
        Course.objects.filter(institution=institution, code__in=codes)
        .exclude(status=Course.Status.DRAFT)
        .order_by("code", "-academic_year")
    ):
        by_code.setdefault(course.code, []).append(course)
    for result, _texts in parsed:
        data = result.data
        if not data["code"]:
            continue
        candidates = by_code.get(data["code"], [])
        year = data["academic_year"]
        # The curriculum version in force that year: the newest one not after it.
        course = next((c for c in candidates if year and c.academic_year <= year), None)
        course = course or (candidates[-1] if candidates else None)
        if course is None:
            result.error(
                "code",
                _("%(code)s is not in this institution's course list.") % {"code": data["code"]},
            )
            continue
        data["course_id"] = course.pk
        data["course_name_th"] = course.name_th
        data["credits"] = str(course.credits)
        data["level"] = course.level
        scale = grades.scale_for_level(course.level)
        data["grade_scale"] = scale
        if data["grade_raw"]:
            try:
                grade = grades.parse(scale, data["grade_raw"])
            except grades.GradeError as error:
                result.error("grade", str(error))
            else:
                data["grade"] = grade.code
                data["passed"] = grade.passed
        if course.status == Course.Status.RETIRED:
            result.warn("code", _("%(code)s is retired.") % {"code": course.code})


def _match_learners(parsed, create_unknown: bool) -> None:
    wanted = {
        (r.data["identifier_type"], r.data["identifier"])
        for r, _t in parsed
        if r.data["identifier"]
    }
    known: dict[tuple[str, str], Learner] = {}
    for kind in {k for k, _v in wanted}:
        for learner in Learner.objects.filter(
            identifier_type=kind, identifier__in=[v for k, v in wanted if k == kind]
        ):
            known[(kind, learner.identifier)] = learner
    for result, _texts in parsed:
        data = result.data
        if not data["identifier"]:
            continue
        learner = known.get((data["identifier_type"], data["identifier"]))
        if learner is not None:
            data["learner_id"] = learner.pk
            if (
                data["first_name_th"]
                and learner.first_name_th
                and data["first_name_th"] != learner.first_name_th
            ):
                result.warn(
                    "first_name_th",
                    _("The registered learner with this identifier is called %(name)s.")
                    % {"name": learner.first_name_th},
                )
            continue
        if not create_unknown:
            result.error("identifier", _("No learner with this identifier is registered."))
        elif not data["first_name_th"]:
            result.error("first_name_th", _("A new learner needs at least a first name."))
        else:
            result.warn("identifier", _("A new learner will be registered (unverified)."))
            data["new_learner"] = True


def _check_duplicates(parsed) -> None:
    seen: dict[tuple, int] = {}
    for result, _texts in parsed:
        data = result.data
        key = (
            data["identifier_type"],
            data["identifier"],
            data["code"],
            data["academic_year"],
            data["term"],
        )
        if not data["identifier"] or not data["code"]:
            continue
        if key in seen:
            result.error(
                "code",
                _(
                    "Duplicate: row %(row)s already has this learner's result for this course and term."
                )
                % {"row": seen[key]},
            )
        else:
            seen[key] = result.row_number


def natural_key_of(data: dict, institution_id: int) -> str | None:
    if not data.get("learner_id"):
        return None
    return natural_key_for(
        learner_id=data["learner_id"],
        institution_id=institution_id,
        code=data["code"],
        academic_year=data["academic_year"],
        term=data["term"],
        kind=CreditEntry.Kind.EARN,
    )


def _compare_with_ledger(parsed, institution) -> None:
    """Mark rows new, unchanged (the same grade is already recorded) or a correction."""
    keys = {
        key: result
        for result, _t in parsed
        if not result.has_errors and (key := natural_key_of(result.data, institution.pk))
    }
    live = {
        natural_key: (pk, grade)
        for natural_key, pk, grade in CreditEntry.objects.filter(natural_key__in=list(keys))
        .live()
        .values_list("natural_key", "pk", "grade")
    }
    for result, _t in parsed:
        if result.has_errors:
            continue
        key = natural_key_of(result.data, institution.pk)
        current = live.get(key) if key else None
        if current is None:
            result.change = "new"
        elif current[1] == result.data.get("grade"):
            result.change = "unchanged"
        else:
            result.change = "correction"
            result.data["replaces"] = current[0]
            result.data["previous_grade"] = current[1]
