"""Course-list rows: columns, their Thai/English names, and validation of every row.

Validation runs over the whole file before anything is written; each problem names the row and
the column. The result is a list of ``RowResult``s that the upload service stores for the
preview and, once confirmed, writes in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from creditbank.spreadsheets import (
    Column,
    clean_text,
    find_header,
    has_control_characters,
    parse_number,
)

from .codes import parse_code
from .models import BASIC_EDUCATION_LEVELS, Course, CourseType, Level, SubjectGroup

COLUMNS = [
    Column("code", "รหัสวิชา", "Course code", ("รหัส", "รหัสรายวิชา", "code", "coursecode"), required=True),
    Column("name_th", "ชื่อวิชา", "Course name", ("ชื่อรายวิชา", "รายวิชา", "ชื่อวิชา(ไทย)", "name", "coursename", "ชื่อวิชาภาษาไทย", "name(thai)"), required=True),
    Column("name_en", "ชื่อวิชาภาษาอังกฤษ", "English name", ("ชื่อวิชา(อังกฤษ)", "ชื่อรายวิชาภาษาอังกฤษ", "name(english)", "englishname", "coursenameenglish")),
    Column("credits", "หน่วยกิต", "Credits", ("นก", "นก.", "หน่วยกิต(นก.)", "credit", "credits")),
    Column("hours", "ชั่วโมง", "Hours", ("ชม", "ชม.", "จำนวนชั่วโมง", "ชั่วโมงเรียน", "hour", "hours")),
    Column("level", "ระดับ", "Level", ("ระดับชั้น", "ระดับการศึกษา", "level")),
    Column("term", "ภาคเรียน", "Term", ("ภาค", "term", "semester")),
    Column("academic_year", "ปีการศึกษา", "Academic year", ("ปีการศึกษา(พ.ศ.)", "academicyear", "year")),
    Column("subject_group", "กลุ่มสาระ", "Subject group", ("กลุ่มสาระการเรียนรู้", "กลุ่มวิชา", "subjectgroup", "learningarea")),
    Column("course_type", "ประเภทวิชา", "Type", ("ประเภท", "พื้นฐาน/เพิ่มเติม", "type", "coursetype")),
    Column("nqf_level", "ระดับคุณวุฒิ (NQF)", "NQF level", ("nqf", "ระดับnqf", "nqflevel", "กรอบคุณวุฒิ")),
    Column("occupational_field", "สาขาอาชีพ", "Occupational field", ("สาขา", "สาขาวิชา", "occupationalfield", "field")),
    Column("description", "คำอธิบายรายวิชา", "Description", ("คำอธิบาย", "description")),
    Column("learning_outcomes", "ผลการเรียนรู้", "Learning outcomes", ("ผลการเรียนรู้ที่คาดหวัง", "learningoutcomes", "outcomes")),
    Column("institution_code", "รหัสสถานศึกษา", "Institution code", ("institutioncode", "schoolcode", "รหัสโรงเรียน")),
]  # fmt: skip
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

LEVEL_NAMES = {
    Level.PRIMARY: ["ประถม", "ประถมศึกษา", "ป.", "primary", "p"],
    Level.LOWER_SECONDARY: ["มัธยมศึกษาตอนต้น", "ม.ต้น", "มต้น", "ม.1-3", "lowersecondary", "lower secondary"],
    Level.UPPER_SECONDARY: ["มัธยมศึกษาตอนปลาย", "ม.ปลาย", "มปลาย", "ม.4-6", "uppersecondary", "upper secondary"],
    Level.VOC_CERT: ["ปวช", "ปวช.", "ประกาศนียบัตรวิชาชีพ", "vocationalcertificate", "voc cert"],
    Level.HIGH_VOC_CERT: ["ปวส", "ปวส.", "ประกาศนียบัตรวิชาชีพชั้นสูง", "highervocationalcertificate", "high voc cert"],
    Level.ASSOCIATE: ["อนุปริญญา", "associate", "associatedegree"],
    Level.BACHELOR: ["ปริญญาตรี", "bachelor", "bachelors", "bachelor's degree"],
    Level.SHORT_COURSE: ["หลักสูตรระยะสั้น", "ระยะสั้น", "shortcourse", "short course"],
    Level.NON_FORMAL: ["การศึกษานอกระบบ", "นอกระบบ", "กศน", "กศน.", "สกร", "สกร.", "nonformal", "non-formal"],
}  # fmt: skip
GROUP_NAMES = {
    SubjectGroup.THAI: ["ภาษาไทย", "thai"],
    SubjectGroup.MATHEMATICS: ["คณิตศาสตร์", "mathematics", "math"],
    SubjectGroup.SCIENCE: ["วิทยาศาสตร์", "วิทยาศาสตร์และเทคโนโลยี", "science"],
    SubjectGroup.SOCIAL: ["สังคมศึกษา", "สังคมศึกษาศาสนาและวัฒนธรรม", "social", "socialstudies"],
    SubjectGroup.HEALTH: ["สุขศึกษาและพลศึกษา", "สุขศึกษา", "health", "pe"],
    SubjectGroup.ARTS: ["ศิลปะ", "arts", "art"],
    SubjectGroup.OCCUPATIONS: ["การงานอาชีพ", "การงานอาชีพและเทคโนโลยี", "occupations", "careers"],
    SubjectGroup.FOREIGN: ["ภาษาต่างประเทศ", "ภาษาอังกฤษ", "foreignlanguages", "english"],
    SubjectGroup.VOCATIONAL: ["วิชาชีพ", "หมวดวิชาชีพ", "vocational"],
    SubjectGroup.OTHER: ["อื่นๆ", "อื่น ๆ", "other"],
}  # fmt: skip
TYPE_NAMES = {
    CourseType.BASIC: ["พื้นฐาน", "รายวิชาพื้นฐาน", "basic", "required"],
    CourseType.ADDITIONAL: ["เพิ่มเติม", "รายวิชาเพิ่มเติม", "additional", "elective"],
    CourseType.ACTIVITY: ["กิจกรรม", "กิจกรรมพัฒนาผู้เรียน", "activity"],
}


def _lookup_table(names: dict) -> dict[str, str]:
    table = {}
    for value, aliases in names.items():
        for alias in [value, value.label, *aliases]:
            table[str(alias).lower().replace(" ", "")] = value
    return table


LEVEL_LOOKUP = _lookup_table(LEVEL_NAMES)
GROUP_LOOKUP = _lookup_table(GROUP_NAMES)
TYPE_LOOKUP = _lookup_table(TYPE_NAMES)
LIMITS = {"code": 30, "name_th": 200, "name_en": 200, "occupational_field": 100, "term": 10}
COMPARED_FIELDS = [
    "name_th", "name_en", "credits", "hours", "level", "nqf_level", "subject_group",
    "course_type", "occupational_field", "term", "description", "learning_outcomes",
]  # fmt: skip


@dataclass
class RowResult:
    row_number: int
    data: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    change: str = ""

    def error(self, column: str, message: str):
        self.messages.append({"column": column, "message": message, "level": "error"})

    def warn(self, column: str, message: str):
        self.messages.append({"column": column, "message": message, "level": "warning"})

    @property
    def has_errors(self) -> bool:
        return any(m["level"] == "error" for m in self.messages)

    @property
    def status(self) -> str:
        if self.has_errors:
            return "error"
        if self.messages:
            return "warning"
        return self.change


def _label(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return f"{column.label_th} ({column.label_en})"


def validate_rows(
    rows: list[list], *, institution, default_year: int
) -> tuple[list[RowResult], int]:
    """Validate every data row. Returns the results and the header row index."""
    header_index, mapping = find_header(rows, COLUMNS)
    results: list[RowResult] = []
    seen: dict[tuple[str, int], int] = {}
    for offset, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {key: raw[pos] if pos < len(raw) else None for pos, key in mapping.items()}
        texts = {key: clean_text(value) for key, value in values.items()}
        if not any(texts.values()):
            continue  # blank row
        if not texts.get("name_th") and sum(1 for v in raw if v not in (None, "")) == 1:
            break  # a lone cell under the table is a note ("หมายเหตุ: …"): the table has ended
        result = RowResult(row_number=offset)
        _validate_row(result, values, texts, institution, default_year)
        key = (result.data.get("code"), result.data.get("academic_year"))
        if key[0] and key in seen:
            result.error(
                "code",
                _("Duplicate: row %(row)s already has %(code)s for this academic year.")
                % {"row": seen[key], "code": key[0]},
            )
        elif key[0]:
            seen[key] = offset
        results.append(result)
    return results, header_index


def _validate_row(result: RowResult, values, texts, institution, default_year) -> None:
    data = result.data
    for key, text in texts.items():
        if has_control_characters(text):
            result.error(
                key, _("%(column)s contains control characters.") % {"column": _label(key)}
            )
            texts[key] = "".join(ch for ch in text if ch >= " " or ch in "\n\t")
        limit = LIMITS.get(key)
        if limit and len(text) > limit:
            result.error(
                key,
                _("%(column)s is longer than %(max)s characters.")
                % {"column": _label(key), "max": limit},
            )
    institution_code = texts.get("institution_code")
    if institution_code and institution_code.upper() not in {
        institution.code.upper(),
        (institution.ministry_code or "-").upper(),
    }:
        result.error(
            "institution_code",
            _("This row belongs to another institution (%(code)s).") % {"code": institution_code},
        )
    parsed = parse_code(texts.get("code"))
    data["code"] = parsed.code
    if not parsed.code:
        result.error("code", _("The course code is missing."))
    data["name_th"] = texts.get("name_th", "")[:200]
    if not data["name_th"]:
        result.error("name_th", _("The course name is missing."))
    data["name_en"] = texts.get("name_en", "")[:200]
    for key in ("description", "learning_outcomes", "occupational_field", "term"):
        data[key] = texts.get(key, "")[: LIMITS.get(key, 5000)]

    level_text = texts.get("level", "")
    level = LEVEL_LOOKUP.get(level_text.lower().replace(" ", "")) if level_text else None
    if level_text and not level:
        result.error("level", _("Unknown level “%(value)s”.") % {"value": level_text})
    if parsed.kind == "basic":
        if level and level != parsed.level:
            result.error(
                "level",
                _("The code %(code)s is a %(code_level)s course, but the row says %(level)s.")
                % {
                    "code": parsed.code,
                    "code_level": Level(parsed.level).label,
                    "level": Level(level).label,
                },
            )
        level = level or parsed.level
    elif parsed.kind == "other" and parsed.code:
        result.warn(
            "code",
            _("%(code)s is neither a basic-education nor a vocational code; please check it.")
            % {"code": parsed.code},
        )
    if not level and not (level_text and not level):
        result.error("level", _("The level is missing."))
    data["level"] = level or ""

    group_text = texts.get("subject_group", "")
    group = GROUP_LOOKUP.get(group_text.lower().replace(" ", "")) if group_text else None
    if group_text and not group:
        result.error(
            "subject_group", _("Unknown subject group “%(value)s”.") % {"value": group_text}
        )
    data["subject_group"] = group or (parsed.subject_group or "")
    if parsed.kind == "vocational" and not data["subject_group"]:
        data["subject_group"] = SubjectGroup.VOCATIONAL

    type_text = texts.get("course_type", "")
    course_type = TYPE_LOOKUP.get(type_text.lower().replace(" ", "")) if type_text else None
    if type_text and not course_type:
        result.error("course_type", _("Unknown type “%(value)s”.") % {"value": type_text})
    data["course_type"] = course_type or (parsed.course_type or "")

    credits = _decimal(result, "credits", values.get("credits"))
    hours = _integer(result, "hours", values.get("hours"))
    if credits is None and hours is None:
        result.error("credits", _("Give the credits, the hours, or both."))
    if credits is not None:
        if credits < 0:
            result.error("credits", _("Credits cannot be negative."))
        elif (credits * 2) % 1:
            result.error("credits", _("Credits come in half steps (0.5, 1, 1.5 …)."))
        elif credits > 60:
            result.error(
                "credits", _("%(value)s credits is more than any course has.") % {"value": credits}
            )
    if hours is not None and hours < 0:
        result.error("hours", _("Hours cannot be negative."))
    both = credits is not None and hours is not None and credits >= 0
    if both and level in BASIC_EDUCATION_LEVELS and Decimal(hours) != credits * 40:
        result.warn(
            "hours",
            _(
                "Basic education counts 40 hours per credit: %(credits)s credits would be "
                "%(expected)s hours, not %(hours)s."
            )
            % {"credits": credits, "expected": int(credits * 40), "hours": hours},
        )
    if credits is None and hours is not None and level in BASIC_EDUCATION_LEVELS and hours >= 0:
        credits = (Decimal(hours) / 40).quantize(Decimal("0.5"))
    data["credits"] = str(credits) if credits is not None else "0"
    data["hours"] = hours

    nqf = _integer(result, "nqf_level", values.get("nqf_level"))
    if nqf is not None and not 1 <= nqf <= 8:
        result.error("nqf_level", _("NQF levels run from 1 to 8."))
    data["nqf_level"] = nqf

    year = _integer(result, "academic_year", values.get("academic_year"))
    if year is None:
        year = default_year
    elif 1900 <= year <= 2200:
        result.error(
            "academic_year",
            _("Write the academic year in the Buddhist era (e.g. %(be)s, not %(ce)s).")
            % {"be": year + 543, "ce": year},
        )
    elif not 2500 <= year <= 2700:
        result.error(
            "academic_year", _("%(value)s is not a plausible academic year.") % {"value": year}
        )
    data["academic_year"] = year


def _decimal(result, key, value):
    try:
        number = parse_number(value)
    except ValueError:
        result.error(key, _("%(column)s must be a number.") % {"column": _label(key)})
        return None
    if number is None:
        return None
    try:
        return Decimal(str(number)).normalize() if number != int(number) else Decimal(int(number))
    except (InvalidOperation, ValueError):
        result.error(key, _("%(column)s must be a number.") % {"column": _label(key)})
        return None


def _integer(result, key, value):
    try:
        number = parse_number(value)
    except ValueError:
        result.error(key, _("%(column)s must be a whole number.") % {"column": _label(key)})
        return None
    if number is None:
        return None
    if number != int(number):
        result.error(key, _("%(column)s must be a whole number.") % {"column": _label(key)})
        return None
    return int(number)


def compare_with_existing(results: list[RowResult], institution) -> None:
    """Mark each valid row new, changed (with the fields) or unchanged."""
    keys = {(r.data["code"], r.data["academic_year"]) for r in results if not r.has_errors}
    years = {year for _code, year in keys}
    existing = {
        (c["code"], c["academic_year"]): c
        for c in Course.objects.filter(institution=institution, academic_year__in=years).values(
            "code", "academic_year", *COMPARED_FIELDS
        )
    }
    for result in results:
        if result.has_errors:
            continue
        current = existing.get((result.data["code"], result.data["academic_year"]))
        if current is None:
            result.change = "new"
            continue
        changed = [
            name
            for name in COMPARED_FIELDS
            if _comparable(current[name]) != _comparable(result.data.get(name))
        ]
        result.change = "changed" if changed else "unchanged"
        if changed:
            result.data["changed_fields"] = changed


def _comparable(value):
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    try:
        return (
            str(Decimal(str(value)).normalize())
            if str(value).replace(".", "", 1).isascii() and str(value).replace(".", "", 1).isdigit()
            else str(value)
        )
    except InvalidOperation:
        return str(value)
