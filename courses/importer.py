"""Course-list rows: columns, their Thai/English names, and validation of every row.

Validation runs over the whole file before anything is written; each problem names the row and
the column. ``RowChecker`` takes the sheet's rows one at a time (a stream from calamine, never
a list of dicts) and yields a ``RowResult`` per data row; ``ExistingCourses`` then marks each
valid row new, changed (with the fields) or unchanged against the courses already registered,
fetched in one query per academic year and kept as compact per-field fingerprints. The upload
service stores the results for the preview and, once confirmed, writes them in one transaction.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from django.utils.translation import gettext as _

from creditbank.spreadsheets import Column, clean_text, parse_number

from .codes import BASIC_CODE, GROUP_LETTERS, LEVEL_BY_DIGIT, TYPE_BY_DIGIT, VOCATIONAL_CODE
from .codes import normalise_code as _normalise_code_slow
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


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NFC = unicodedata.normalize
_FINGERPRINT = struct.Struct(f"{len(COMPARED_FIELDS)}q")
END_OF_TABLE = object()
MAX_SHAPES = 20_000
MAX_HOURS = 10_000
_NUMBER_KEYS = ("credits", "hours", "nqf_level", "academic_year")
_OPTIONAL_TEXTS = (("name_en", 200), ("description", 5000), ("learning_outcomes", 5000),
                   ("occupational_field", 100), ("term", 10))  # fmt: skip


def _getter(positions: list[int]):
    """The cells at ``positions`` of a row, always as a tuple."""
    if not positions:
        return lambda raw: ()
    if len(positions) == 1:
        (position,) = positions
        return lambda raw: (raw[position],)
    return itemgetter(*positions)


def _blank(value) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


@dataclass(slots=True)
class RowResult:
    row_number: int
    data: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)
    change: str = ""
    has_errors: bool = False
    # no tab, newline, carriage return or backslash in any text (nothing to escape in COPY)
    plain: bool = True

    def error(self, column: str, message: str):
        self.messages.append({"column": column, "message": message, "level": "error"})
        self.has_errors = True

    def warn(self, column: str, message: str):
        self.messages.append({"column": column, "message": message, "level": "warning"})

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


def _normalise_code(text: str) -> str:
    """``codes.normalise_code`` with a shortcut for plain ASCII (no Thai digits, no dashes)."""
    if text.isascii():
        return "".join(text.split()).upper()
    return _normalise_code_slow(text)


class RowChecker:
    """Validates data rows one at a time; remembers the natural keys seen for duplicates.

    Written for speed (it runs once per row of files of up to 100,000 rows): the mapped text
    cells and number cells are fetched with one ``itemgetter`` call each, texts are kept in a
    list indexed by column, and everything the level, group, type and number cells say is
    worked out once per distinct combination (``_shape``) and reused for the rows alike. A
    row's ``data`` holds only the values it has (what the preview stores).
    """

    def __init__(self, mapping: dict[int, str], *, institution, default_year: int):
        positions = sorted(mapping.items())
        self.width = max(mapping) + 1
        self.text_keys = [key for _p, key in positions if key not in _NUMBER_KEYS]
        number_keys = [key for _p, key in positions if key in _NUMBER_KEYS]
        self.text_getter = _getter([p for p, key in positions if key not in _NUMBER_KEYS])
        self.number_getter = _getter([p for p, key in positions if key in _NUMBER_KEYS])
        # Unmapped columns read an empty text (and a None number) from the end of the lists.
        text_at = {key: i for i, key in enumerate(self.text_keys)}
        number_at = {key: i for i, key in enumerate(number_keys)}
        blank_text, blank_number = len(self.text_keys), len(number_keys)
        (self.i_code, self.i_name_th, self.i_level, self.i_group, self.i_type,
         self.i_institution) = (
            text_at.get(key, blank_text)
            for key in ("code", "name_th", "level", "subject_group", "course_type",
                        "institution_code")
        )  # fmt: skip
        self.i_credits, self.i_hours, self.i_nqf, self.i_year = (
            number_at.get(key, blank_number) for key in _NUMBER_KEYS
        )
        self.limited = [(text_at[key], LIMITS[key], key) for key in self.text_keys if key in LIMITS]
        # Texts kept (cut to the field's size) only when the row has them.
        self.optional = [
            (text_at[key], key, size) for key, size in _OPTIONAL_TEXTS if key in text_at
        ]
        self.own_codes = {institution.code.upper(), (institution.ministry_code or "-").upper()}
        self.default_year = default_year
        self.seen: dict[tuple[str, int], int] = {}
        # Rows alike in everything but code and names share their checked values and messages.
        self.shapes: dict[tuple, tuple] = {}

    def results(self, rows: Iterable[list], *, first_row: int) -> Iterator[RowResult]:
        """A result per data row; blank rows skipped, stops at a note under the table."""
        check = self.check
        for row_number, raw in enumerate(rows, start=first_row):
            result = check(raw, row_number)
            if result is None:
                continue
            if result is END_OF_TABLE:
                return
            yield result

    def check(self, raw: list, row_number: int):
        """The row's result; ``None`` for a blank row, ``END_OF_TABLE`` for a note under it."""
        if len(raw) < self.width:
            raw = [*raw, *[None] * (self.width - len(raw))]
        texts = [
            (v.strip() if v.isascii() else _NFC("NFC", v).strip())
            if v.__class__ is str
            else ""
            if v is None
            else str(int(v))
            if v.__class__ is float and v.is_integer()
            else clean_text(v)
            for v in self.text_getter(raw)
        ]
        texts.append("")
        numbers = self.number_getter(raw)
        if not any(texts) and all(_blank(v) for v in numbers):
            return None
        name_th = texts[self.i_name_th]
        if not name_th and sum(1 for v in raw if v not in (None, "")) == 1:
            return END_OF_TABLE  # a lone cell under the table is a note ("หมายเหตุ: …")
        result = RowResult(row_number)
        joined = "".join(texts)
        controls = False
        if not joined.isprintable():  # a tab, a newline, a zero-width space … or worse
            result.plain = False
            controls = _CONTROL_CHARS.search(joined) is not None
        if "\\" in joined:
            result.plain = False
        if controls:
            self._control_characters(result, texts)
        else:
            for i, limit, key in self.limited:
                if len(texts[i]) > limit:
                    result.error(key, _too_long(key, limit))
        institution_code = texts[self.i_institution]
        if institution_code and institution_code.upper() not in self.own_codes:
            result.error(
                "institution_code",
                _("This row belongs to another institution (%(code)s).")
                % {"code": institution_code},
            )

        code = _normalise_code(texts[self.i_code])
        letter = level_digit = type_digit = None
        match = BASIC_CODE.match(code)
        if match:
            kind = "basic"
            letter, level_digit, _year, type_digit, _sequence = match.groups()
        elif VOCATIONAL_CODE.match(code):
            kind = "vocational"
        else:
            kind = "other" if code else "none"
        if not code:
            result.error("code", _("The course code is missing."))
        if not name_th:
            result.error("name_th", _("The course name is missing."))

        numbers = (*numbers, None)
        credits = numbers[self.i_credits]
        hours = numbers[self.i_hours]
        nqf = numbers[self.i_nqf]
        year = numbers[self.i_year]
        level_text = texts[self.i_level]
        group_text = texts[self.i_group]
        type_text = texts[self.i_type]
        shape_key = (kind, letter, level_digit, type_digit, level_text, group_text, type_text,
                     credits.__class__, credits, hours.__class__, hours, nqf.__class__, nqf,
                     year.__class__, year)  # fmt: skip
        try:
            shape = self.shapes.get(shape_key)
        except TypeError:  # an unhashable cell value
            shape_key, shape = None, None
        if shape is None:
            shape = self._shape(kind, code, letter, level_digit, type_digit, level_text,
                                group_text, type_text, credits, hours, nqf, year)  # fmt: skip
            if shape_key is not None and shape[-1] and len(self.shapes) < MAX_SHAPES:
                self.shapes[shape_key] = shape
        values, year, messages, failed, _reusable = shape
        if messages:
            result.messages.extend(messages)
            if failed:
                result.has_errors = True
        data = {**values}
        if code:
            data["code"] = code
            seen = self.seen.setdefault((code, year), row_number)
            if seen != row_number:
                result.error(
                    "code",
                    _("Duplicate: row %(row)s already has %(code)s for this academic year.")
                    % {"row": seen, "code": code},
                )
        if name_th:
            data["name_th"] = name_th[:200]
        for i, key, size in self.optional:
            if texts[i]:
                data[key] = texts[i][:size]
        result.data = data
        return result

    def _control_characters(self, result: RowResult, texts: list) -> None:
        """Flag (and strip) control characters; check the lengths of the original texts."""
        for i, key in enumerate(self.text_keys):
            text = texts[i]
            if _CONTROL_CHARS.search(text):
                result.error(
                    key, _("%(column)s contains control characters.") % {"column": _label(key)}
                )
                texts[i] = "".join(ch for ch in text if ch >= " " or ch in "\n\t")
            limit = LIMITS.get(key)
            if limit and len(text) > limit:
                result.error(key, _too_long(key, limit))

    def _shape(self, kind, code, letter, level_digit, type_digit, level_text, group_text,
               type_text, credits_value, hours_value, nqf_value, year_value) -> tuple:  # fmt: skip
        """Everything the row's level, group, type and numbers say, and the messages about them.

        Depends only on its arguments; the two messages that name the code make the result
        not reusable for other rows (last item).
        """
        result = RowResult(0)
        cacheable = True
        for key, value in zip(_NUMBER_KEYS, (credits_value, hours_value, nqf_value, year_value),
                              strict=True):  # fmt: skip
            if value.__class__ is str and _CONTROL_CHARS.search(value):
                result.error(
                    key, _("%(column)s contains control characters.") % {"column": _label(key)}
                )
        code_level = code_group = code_type = None
        if kind == "basic":
            code_level = LEVEL_BY_DIGIT[level_digit]
            code_group = letter if letter in GROUP_LETTERS else SubjectGroup.OTHER
            code_type = TYPE_BY_DIGIT[type_digit]
        level = LEVEL_LOOKUP.get(level_text.lower().replace(" ", "")) if level_text else None
        if level_text and not level:
            result.error("level", _("Unknown level “%(value)s”.") % {"value": level_text})
        if kind == "basic":
            if level and level != code_level:
                cacheable = False
                result.error(
                    "level",
                    _("The code %(code)s is a %(code_level)s course, but the row says %(level)s.")
                    % {
                        "code": code,
                        "code_level": Level(code_level).label,
                        "level": Level(level).label,
                    },
                )
            level = level or code_level
        elif kind == "other" and code:
            cacheable = False
            result.warn(
                "code",
                _("%(code)s is neither a basic-education nor a vocational code; please check it.")
                % {"code": code},
            )
        if not level and not (level_text and not level):
            result.error("level", _("The level is missing."))

        group = GROUP_LOOKUP.get(group_text.lower().replace(" ", "")) if group_text else None
        if group_text and not group:
            result.error(
                "subject_group", _("Unknown subject group “%(value)s”.") % {"value": group_text}
            )
        subject_group = group or (code_group or "")
        if kind == "vocational" and not subject_group:
            subject_group = SubjectGroup.VOCATIONAL

        course_type = TYPE_LOOKUP.get(type_text.lower().replace(" ", "")) if type_text else None
        if type_text and not course_type:
            result.error("course_type", _("Unknown type “%(value)s”.") % {"value": type_text})

        credits = _decimal(result, "credits", credits_value)
        hours = _integer(result, "hours", hours_value)
        if credits is None and hours is None:
            result.error("credits", _("Give the credits, the hours, or both."))
        if credits is not None:
            if credits < 0:
                result.error("credits", _("Credits cannot be negative."))
            elif (credits * 2) % 1:
                result.error("credits", _("Credits come in half steps (0.5, 1, 1.5 …)."))
            elif credits > 60:
                result.error(
                    "credits",
                    _("%(value)s credits is more than any course has.") % {"value": credits},
                )
        if hours is not None and hours < 0:
            result.error("hours", _("Hours cannot be negative."))
        elif hours is not None and hours > MAX_HOURS:
            result.error(
                "hours", _("%(value)s hours is more than any course has.") % {"value": hours}
            )
        basic = level in BASIC_EDUCATION_LEVELS
        both = credits is not None and hours is not None and credits >= 0
        if basic and both and Decimal(hours) != credits * 40:
            result.warn(
                "hours",
                _(
                    "Basic education counts 40 hours per credit: %(credits)s credits would "
                    "be %(expected)s hours, not %(hours)s."
                )
                % {"credits": credits, "expected": int(credits * 40), "hours": hours},
            )
        if credits is None and hours is not None and basic and hours >= 0:
            credits = (Decimal(hours) / 40).quantize(Decimal("0.5"))

        nqf = _integer(result, "nqf_level", nqf_value)
        if nqf is not None and not 1 <= nqf <= 8:
            result.error("nqf_level", _("NQF levels run from 1 to 8."))

        year = _integer(result, "academic_year", year_value)
        if year is None:
            year = self.default_year
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
        failed = {m["column"] for m in result.messages if m["level"] == "error"}
        values = {
            "level": level,
            "subject_group": subject_group,
            "course_type": course_type or code_type,
            # a number that failed its check is left out: the preview shows the message
            "credits": None if "credits" in failed else str(credits or 0),
            "hours": None if "hours" in failed else hours,
            "nqf_level": None if "nqf_level" in failed else nqf,
            "academic_year": None if "academic_year" in failed else year,
        }
        values = {key: value for key, value in values.items() if value not in ("", None)}
        return values, year, tuple(result.messages), result.has_errors, cacheable


def _too_long(key: str, limit: int) -> str:
    return _("%(column)s is longer than %(max)s characters.") % {
        "column": _label(key),
        "max": limit,
    }


def _number(value):
    """``parse_number`` with a shortcut for the numbers calamine hands us."""
    if value.__class__ is float or value.__class__ is int:
        return value
    return parse_number(value)


def _decimal(result, key, value):
    try:
        number = _number(value)
    except ValueError:
        result.error(key, _("%(column)s must be a number.") % {"column": _label(key)})
        return None
    if number is None:
        return None
    try:
        return Decimal(str(number)).normalize() if number != int(number) else Decimal(int(number))
    except (InvalidOperation, ValueError, OverflowError):
        result.error(key, _("%(column)s must be a number.") % {"column": _label(key)})
        return None


def _integer(result, key, value):
    try:
        number = _number(value)
    except ValueError:
        result.error(key, _("%(column)s must be a whole number.") % {"column": _label(key)})
        return None
    if number is None:
        return None
    try:
        whole = int(number)
    except (ValueError, OverflowError):  # NaN, infinity
        whole = None
    if whole is None or number != whole:
        result.error(key, _("%(column)s must be a whole number.") % {"column": _label(key)})
        return None
    return whole


class ExistingCourses:
    """The institution's registered courses, to mark each valid row new, changed or unchanged.

    Fetched in one query per academic year met in the file (usually one), keyed by code. Each
    course is kept only as a fingerprint: the hash of every compared field's comparable value,
    packed in 96 bytes, so a re-upload of 100,000 courses stays small in memory. Python's
    64-bit string hash makes two different values look equal with odds of 2^-64.
    """

    def __init__(self, institution):
        self.institution = institution
        self.by_year: dict[int, dict[str, bytes]] = {}

    def load(self, years: Iterable[int]) -> None:
        for year in set(years) - self.by_year.keys():
            courses = (
                Course.objects.filter(institution=self.institution, academic_year=year)
                .order_by()
                .values_list("code", *COMPARED_FIELDS)
            )
            self.by_year[year] = {
                values[0]: _fingerprint(values[1:]) for values in courses.iterator(chunk_size=5000)
            }

    def missing_years(self, results: list[RowResult]) -> set[int]:
        """Academic years of valid rows whose courses are not loaded yet."""
        years = {r.data["academic_year"] for r in results if not r.has_errors}
        return years - self.by_year.keys()

    def mark(self, results: list[RowResult]) -> None:
        """Set ``change`` on every row without errors (and ``changed_fields`` on changed ones)."""
        valid = [r for r in results if not r.has_errors]
        self.load(r.data["academic_year"] for r in valid)
        for result in valid:
            data = result.data
            current = self.by_year[data["academic_year"]].get(data["code"])
            if current is None:
                result.change = "new"
                continue
            incoming = _fingerprint([data.get(name) for name in COMPARED_FIELDS])
            if incoming == current:
                result.change = "unchanged"
                continue
            result.change = "changed"
            data["changed_fields"] = [
                name
                for name, old, new in zip(
                    COMPARED_FIELDS,
                    _FINGERPRINT.unpack(current),
                    _FINGERPRINT.unpack(incoming),
                    strict=True,
                )
                if old != new
            ]


def compare_with_existing(results: list[RowResult], institution) -> None:
    """Mark each valid row new, changed (with the fields) or unchanged."""
    ExistingCourses(institution).mark(results)


def _fingerprint(values) -> bytes:
    return _FINGERPRINT.pack(*[hash(_comparable(value)) for value in values])


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
