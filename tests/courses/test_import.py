"""Course-list import through the real stack: real .xlsx bytes, real database, every bad input."""

import io
import threading
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from courses import bulk, services
from courses.models import Course, CourseListUpload, UploadRow
from creditbank import spreadsheets

from .xlsx_files import HEADER_TH, good_rows, rezip, workbook_bytes

Status = CourseListUpload.Status


@pytest.fixture(params=["fast", "portable"])
def write_path(request, monkeypatch):
    """Run a test through both write paths: PostgreSQL statements, and the portable ORM one."""
    if request.param == "fast":
        if connection.vendor != "postgresql":
            pytest.skip("the fast path needs PostgreSQL")
    else:
        monkeypatch.setattr(bulk, "fast_path", lambda: False)
    return request.param


def _upload(world, data, name="courses.xlsx", year=2567, commit=False, capture=None):
    upload = services.course_upload_receive(
        actor=world.owner, institution=world.school, data=data, file_name=name, academic_year=year
    )
    if upload.status == Status.QUEUED:
        upload = services.course_upload_check(upload_id=upload.pk)
    if commit:
        upload = services.course_upload_commit(actor=world.owner, upload=upload)
    return upload


def _messages(upload):
    return [
        (row.row_number, m["column"], m["message"])
        for row in UploadRow.objects.filter(upload=upload)
        for m in row.messages
        if m["level"] == "error"
    ]


def test_a_good_file_previews_then_commits_in_one_go(world, write_path):
    upload = _upload(world, workbook_bytes(good_rows()))
    assert upload.status == Status.PREVIEW
    assert upload.counts["rows"] == 3 and upload.counts["new"] == 3
    assert Course.objects.count() == 0  # nothing written before confirmation
    upload = services.course_upload_commit(actor=world.owner, upload=upload)
    assert upload.status == Status.COMMITTED
    courses = Course.objects.filter(institution=world.school).order_by("code")
    assert [c.code for c in courses] == ["ง21101", "ง21201", "ง22202"]
    first = courses[0]
    assert first.level == "lower_secondary" and first.subject_group == "ง"
    assert str(first.credits) == "1.5" and first.hours == 60
    assert first.status == Course.Status.SUBMITTED
    assert first.history.count() == 1
    assert first.history.first().history_user == world.owner


def test_the_same_file_again_changes_nothing(world, write_path):
    data = workbook_bytes(good_rows())
    _upload(world, data, commit=True)
    before = list(Course.objects.values_list("pk", "updated_at", "status"))
    again = _upload(world, data, commit=True)
    assert again.counts["unchanged"] == 3
    assert again.counts.get("created") == 0 and again.counts.get("updated") == 0
    assert list(Course.objects.values_list("pk", "updated_at", "status")) == before


def test_a_changed_row_is_shown_as_changed_and_kept_in_history(world, write_path):
    _upload(world, workbook_bytes(good_rows()), commit=True)
    rows = good_rows()
    rows[1] = ("ง21201", "การปลูกลำไยนอกฤดู", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")
    upload = _upload(world, workbook_bytes(rows))
    changed = UploadRow.objects.get(upload=upload, change="changed")
    assert changed.changed_fields == ["name_th"]
    with translation.override("en"):
        assert changed.changed_labels == ["name (Thai)"]
    with translation.override("th"):
        assert changed.changed_labels == ["ชื่อ (ภาษาไทย)"]
    services.course_upload_commit(actor=world.owner, upload=upload)
    course = Course.objects.get(code="ง21201")
    assert course.name_th == "การปลูกลำไยนอกฤดู"
    assert course.history.count() == 2


def test_real_school_files_title_rows_english_headers_thai_digits_and_notes(world):
    header = ["Course code", "ชื่อรายวิชา", "นก.", "ชม.", "ระดับชั้น", "ปีการศึกษา", "กลุ่มสาระ"]
    rows = [
        ("  ง๒๑๑๐๓ ", " งานไฟฟ้าในบ้าน  ", "๑.๕", "๖๐", "ม.ต้น", "๒๕๖๗", "การงานอาชีพ"),
        (None, None, None, None, None, None, None),
        ("ง21104", "การทำขนมไทย", "1", "40", "ม.ต้น", 2567, "การงานอาชีพ"),
    ]

    def merge_title(ws):
        ws.merge_cells("A1:G1")

    data = workbook_bytes(
        rows,
        title_rows=["รายวิชาการงานอาชีพ โรงเรียนบ้านทดสอบ", "ปีการศึกษา 2567"],
        header=header,
        notes=["หมายเหตุ: ข้อมูล ณ วันที่ 1 มิ.ย. 2567"],
        sheet_hook=merge_title,
    )
    upload = _upload(world, data, commit=True)
    assert upload.status == Status.COMMITTED, upload.message
    codes = set(Course.objects.values_list("code", "name_th"))
    assert codes == {("ง21103", "งานไฟฟ้าในบ้าน"), ("ง21104", "การทำขนมไทย")}


def test_formulas_use_their_cached_values(world):
    data = workbook_bytes([("ง21105", "การเพาะเห็ด", "=1+0.5", 60, "ม.ต้น", 2567, "การงานอาชีพ")])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b"<f>1+0.5</f><v />", b"<f>1+0.5</f><v>1.5</v>")
    upload = _upload(world, rezip(data, replace={"xl/worksheets/sheet1.xml": sheet}), commit=True)
    assert str(Course.objects.get(code="ง21105").credits) == "1.5", upload.message


def test_warnings_do_not_block(world, write_path):
    rows = [
        ("ง21106", "การเลี้ยงไก่", 1, 45, "ม.ต้น", 2567, "การงานอาชีพ"),  # 1 credit ≠ 45 h
        ("ABC-1", "ทักษะชีวิต", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ"),
    ]  # unknown code shape
    upload = _upload(world, workbook_bytes(rows))
    assert upload.counts["warning"] == 2 and not upload.counts.get("error")
    services.course_upload_commit(actor=world.owner, upload=upload)
    assert Course.objects.count() == 2


def test_vocational_codes_are_accepted_by_shape(world, write_path):
    rows = [("20101-2001", "งานไฟฟ้าและอิเล็กทรอนิกส์เบื้องต้น", 2, 72, "ปวช.", 2567, "")]
    upload = _upload(world, workbook_bytes(rows), commit=True)
    course = Course.objects.get(code="20101-2001")
    assert course.level == "voc_cert" and course.subject_group == "voc", upload.counts


# --- files refused as a whole: nothing stored, a message in the user's language -----------------


def _refused(world, data, name="courses.xlsx"):
    upload = _upload(world, data, name=name)
    assert upload.status == Status.REFUSED
    assert Course.objects.count() == 0
    assert not UploadRow.objects.filter(upload=upload).exists()
    return upload


def test_empty_file(world):
    assert _refused(world, b"").message == "ไฟล์ว่างเปล่า"  # Thai first
    with translation.override("en"):
        assert "empty" in _refused(world, b"").message


def test_no_header_row_lists_the_expected_headers(world):
    with translation.override("en"):
        upload = _refused(world, workbook_bytes([("x", "y")], header=["foo", "bar"]))
    assert "รหัสวิชา (Course code)" in upload.message and "ชื่อวิชา (Course name)" in upload.message


def test_old_xls_files(world):
    _refused(world, spreadsheets.OLE2_MAGIC + b"\x00" * 600, name="courses.xls")


def test_xlsm_by_name(world):
    _refused(world, workbook_bytes(good_rows()), name="courses.xlsm")


def test_macro_inside_an_xlsx(world):
    data = rezip(workbook_bytes(good_rows()), add={"xl/vbaProject.bin": b"\x00macro"})
    assert "แมโคร" in _refused(world, data).message


def test_an_exe_renamed_to_xlsx(world):
    _refused(world, b"MZ\x90\x00" + b"\x00" * 2000, name="courses.xlsx")


def test_a_file_over_ten_megabytes(world):
    _refused(world, b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024 + 1))


def test_a_zip_bomb_is_refused_from_the_declared_sizes(world):
    data = rezip(
        workbook_bytes(good_rows()), add={"xl/media/filler.bin": b"\x00" * (20 * 1024 * 1024)}
    )
    assert len(data) < 1024 * 1024  # small on the wire, huge when expanded
    _refused(world, data)


def test_an_xml_entity_bomb_inside_a_sheet(world):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    data = rezip(workbook_bytes(good_rows()), replace={"xl/worksheets/sheet1.xml": bomb})
    _refused(world, data)


def test_more_rows_than_the_limit(world, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 10)
    rows = [(f"ง21{n:03d}", f"วิชา {n}", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ") for n in range(100, 160)]
    assert "10" in _refused(world, workbook_bytes(rows)).message


# --- row errors: the file is checked but cannot be committed; each names its row and column ----


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        (("ง21101", "วิชา", -1, None, "ม.ต้น", 2567, ""), "credits", "negative"),
        (("ง21101", "วิชา", "หนึ่ง", None, "ม.ต้น", 2567, ""), "credits", "number"),
        (("ง21101", "วิชา", 1, 40, "ดาวอังคาร", 2567, ""), "level", "Unknown level"),
        (("ง21101", "ก" * 201, 1, 40, "ม.ต้น", 2567, ""), "name_th", "longer than 200"),
        (("ง21101", "วิชาCTRLเสียง", 1, 40, "ม.ต้น", 2567, ""), "name_th", "control characters"),
        (("ง31101", "วิชา", 1, 40, "ม.ต้น", 2567, ""), "level", "Upper secondary"),
        (("ง21101", "วิชา", 1, 40, "ม.ต้น", 2024, ""), "academic_year", "Buddhist era"),
    ],
)
def test_row_errors_name_the_row_and_column(world, row, column, needle):
    data = workbook_bytes([good_rows()[1], row])
    if "CTRL" in str(row[1]):  # OOXML escapes a control character as _x0007_
        sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        data = rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.replace(b"CTRL", b"_x0007_")})
    with translation.override("en"):
        upload = _upload(world, data)
    assert upload.status == Status.PREVIEW and upload.counts["error"] == 1
    errors = _messages(upload)
    assert errors[0][0] == 3 and errors[0][1] == column, errors  # header is row 1
    assert needle in errors[0][2], errors
    with pytest.raises(services.CourseError):
        services.course_upload_commit(actor=world.owner, upload=upload)
    assert Course.objects.count() == 0


def test_row_errors_come_in_thai_by_default(world):
    upload = _upload(world, workbook_bytes([("ง21101", "วิชา", -1, None, "ม.ต้น", 2567, "")]))
    assert "ติดลบ" in _messages(upload)[0][2]


def test_duplicate_codes_inside_the_file(world):
    rows = [*good_rows(), good_rows()[0]]
    with translation.override("en"):
        upload = _upload(world, workbook_bytes(rows))
    assert _messages(upload) == [
        (5, "code", "Duplicate: row 2 already has ง21101 for this academic year.")
    ]


def test_a_row_for_another_institution(world):
    header = [*HEADER_TH, "รหัสสถานศึกษา"]
    rows = [(*good_rows()[0], world.school.code), (*good_rows()[1], "T-SCH-2")]
    upload = _upload(world, workbook_bytes(rows, header=header))
    assert [(r, c) for r, c, _m in _messages(upload)] == [(3, "institution_code")]


def test_a_failure_half_way_through_writes_nothing(world, monkeypatch, write_path):
    _upload(world, workbook_bytes(good_rows()), commit=True)
    rows = [("ง21101", "การงานอาชีพ ๑ (ปรับปรุง)", 1.5, 60, "ม.ต้น", 2567, "การงานอาชีพ"),
            *good_rows()[1:], ("ง21107", "การเลี้ยงปลา", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")]  # fmt: skip
    upload = _upload(world, workbook_bytes(rows))
    assert (upload.counts["changed"], upload.counts["new"]) == (1, 1)
    before = list(Course.objects.order_by("pk").values_list("pk", "name_th", "status"))
    history_before = Course.history.count()
    real_insert = bulk.insert_new_courses

    def fail_after_inserting(*args, **kwargs):
        real_insert(*args, **kwargs)  # the changed course and the new one are written by now
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "insert_new_courses", fail_after_inserting)
    with pytest.raises(RuntimeError):
        services.course_upload_commit(actor=world.owner, upload=upload)
    assert list(Course.objects.order_by("pk").values_list("pk", "name_th", "status")) == before
    assert Course.history.count() == history_before
    upload.refresh_from_db()
    assert upload.status == Status.PREVIEW


def test_rows_apply_to_the_courses_as_they_are_when_confirmed(world, write_path):
    """Another upload between check and confirmation: rows follow what is there by then."""
    _upload(world, workbook_bytes(good_rows()), commit=True)
    rows = [("ง21101", "การงานอาชีพ ๑ (ปรับปรุง)", 1.5, 60, "ม.ต้น", 2567, "การงานอาชีพ"),
            ("ง21107", "การเลี้ยงปลา", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")]  # fmt: skip
    upload = _upload(world, workbook_bytes(rows))
    assert (upload.counts["changed"], upload.counts["new"]) == (1, 1)
    Course.objects.filter(code="ง21101").delete()  # the changed course is gone
    other = [("ง21107", "ปลา", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")]  # the new one came
    _upload(world, workbook_bytes(other), commit=True)

    upload = services.course_upload_commit(actor=world.owner, upload=upload)
    assert (upload.counts["created"], upload.counts["updated"]) == (1, 1)
    recreated, updated = Course.objects.get(code="ง21101"), Course.objects.get(code="ง21107")
    assert recreated.name_th == "การงานอาชีพ ๑ (ปรับปรุง)" and updated.name_th == "การเลี้ยงปลา"
    assert recreated.history.first().history_type == "+"
    assert [h.history_type for h in updated.history.order_by("history_id")] == ["+", "~"]


def test_quotes_backslashes_tabs_and_newlines_survive_the_bulk_writes(world, write_path):
    header = [*HEADER_TH, "คำอธิบายรายวิชา"]
    name = 'งาน "ไฟฟ้า" C:\\ไฟล์\\n ๑'
    description = "บรรทัดหนึ่ง\nบรรทัด\tสอง \\N \\."
    rows = [(*good_rows()[0][:1], name, *good_rows()[0][2:], description)]
    _upload(world, workbook_bytes(rows, header=header), commit=True)
    course = Course.objects.get(code="ง21101")
    assert (course.name_th, course.description) == (name, description)
    assert course.history.get().description == description


def test_history_records_who_when_and_the_values(world, write_path):
    upload = _upload(world, workbook_bytes(good_rows()), commit=True)
    course = Course.objects.get(code="ง21101")
    Course.objects.filter(pk=course.pk).update(status=Course.Status.APPROVED)
    rows = good_rows()
    rows[0] = ("ง21101", "การงานอาชีพ ๑ (ปรับปรุง)", 2, 80, "ม.ต้น", 2567, "การงานอาชีพ")
    again = _upload(world, workbook_bytes(rows), commit=True)
    course.refresh_from_db()
    assert course.status == Course.Status.SUBMITTED  # a changed course is reviewed again
    first, second = course.history.order_by("history_id")
    assert (first.history_type, second.history_type) == ("+", "~")
    assert first.history_date == upload.committed_at and second.history_date == again.committed_at
    assert first.history_user == second.history_user == world.owner
    assert (first.name_th, str(first.credits), first.hours) == ("การงานอาชีพ 1", "1.5", 60)
    assert (second.name_th, str(second.credits), second.hours) == (
        "การงานอาชีพ ๑ (ปรับปรุง)", "2.0", 80)  # fmt: skip
    assert second.status == Course.Status.SUBMITTED and second.institution_id == world.school.pk
    assert second.history_change_reason is None


def test_the_preview_keeps_rows_compact(world, write_path):
    _upload(world, workbook_bytes(good_rows()), commit=True)
    rows = [*good_rows(), ("ง21107", "การเลี้ยงปลา", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")]
    upload = _upload(world, workbook_bytes(rows))
    stored = {r.code: r for r in UploadRow.objects.filter(upload=upload)}
    unchanged = stored["ง21101"]
    assert unchanged.change == "unchanged"
    assert _values(unchanged) == {
        "code": "ง21101", "name_th": "การงานอาชีพ 1", "credits": Decimal("1.5"), "hours": 60,
        "academic_year": 2567,
    }  # fmt: skip
    new = stored["ง21107"]
    assert _values(new) == {
        "code": "ง21107", "name_th": "การเลี้ยงปลา", "level": "lower_secondary",
        "subject_group": "ง", "course_type": "basic", "credits": Decimal("1"), "hours": 40,
        "academic_year": 2567,
    }  # fmt: skip
    assert new.messages == [] and new.status == "new" and new.changed_fields == []


def test_a_number_that_fails_its_check_is_not_kept(world, write_path):
    rows = [("ง21101", "วิชา", -1, 5_000_000_000, "ม.ต้น", 2567, ""),
            ("ง21102", "วิชา", 1, 40, "ม.ต้น", 2567, "")]  # fmt: skip
    upload = _upload(world, workbook_bytes(rows))
    bad, good = UploadRow.objects.filter(upload=upload).order_by("row_number")
    assert bad.status == "error" and {m["column"] for m in bad.messages} == {"credits", "hours"}
    assert (bad.credits, bad.hours, bad.academic_year) == (None, None, 2567)
    assert (good.credits, good.hours) == (Decimal("1"), 40)


def _values(row) -> dict:
    """The course values a preview row holds (empty ones left out)."""
    names = ("code", "name_th", "name_en", "level", "subject_group", "course_type",
             "occupational_field", "term", "description", "learning_outcomes", "credits",
             "hours", "nqf_level", "academic_year")  # fmt: skip
    values = {name: getattr(row, name) for name in names}
    return {name: value for name, value in values.items() if value not in ("", None)}


def test_error_rows_keep_their_row_numbers_under_title_rows(world, write_path):
    rows = [good_rows()[0], (None,) * 7, ("ง21101", "วิชา", -1, None, "ม.ต้น", 2567, "")]
    with translation.override("en"):
        upload = _upload(world, workbook_bytes(rows, title_rows=["", "รายวิชา", ""]))
    errors = _messages(upload)
    # three title rows, the header on row 4, the first course on row 5, a blank row 6
    assert [(r, c) for r, c, _m in errors] == [(7, "credits"), (7, "code")], errors


def test_checking_and_confirming_queries_do_not_grow_with_the_rows(world, write_path):
    def queries(count):
        rows = [(f"ง2{1000 + n}", f"วิชา {n}", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")
                for n in range(count)]  # fmt: skip
        with CaptureQueriesContext(connection) as checking:
            upload = _upload(world, workbook_bytes(rows))
        with CaptureQueriesContext(connection) as confirming:
            services.course_upload_commit(actor=world.owner, upload=upload)
        Course.objects.all().delete()
        return len(checking), len(confirming)

    few, many = queries(3), queries(300)
    if write_path == "fast":
        assert few == many
    else:  # SQLite caps the parameters of one statement: a bulk statement per ~40 rows
        assert many[0] <= few[0] + 300 // 40 and many[1] <= few[1] + 3 * 300 // 40


# --- the operators' command --------------------------------------------------------------------


def test_import_courses_command(world, tmp_path, capsys):
    path = tmp_path / "list.xlsx"
    path.write_bytes(workbook_bytes(good_rows()))
    call_command("import_courses", str(path), "--institution", world.school.code, "--dry-run")
    assert "new=3" in capsys.readouterr().out
    assert Course.objects.count() == 0
    call_command("import_courses", str(path), "--institution", world.school.code)
    assert Course.objects.count() == 3


def test_import_courses_command_fails_on_a_refused_file(world, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes([("ง21101", "วิชา", -1, None, "ม.ต้น", 2567, "")]))
    with pytest.raises(CommandError):
        call_command("import_courses", str(path), "--institution", world.school.code)
    assert "row 2 [credits]" in capsys.readouterr().out
    assert Course.objects.count() == 0


def test_course_changes_are_announced_after_commit(
    world, write_path, django_capture_on_commit_callbacks
):
    from courses.signals import courses_changed

    heard = []

    def listener(sender, course_ids, reason, **kwargs):
        heard.append((reason, course_ids))

    courses_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _upload(world, workbook_bytes(good_rows()), commit=True)
        created = sorted(
            Course.objects.filter(institution=world.school).values_list("pk", flat=True)
        )
        assert heard == [("imported", created)]
        with django_capture_on_commit_callbacks(execute=True):
            services.courses_approve(actor=world.area_admin, courses=Course.objects.all())
        assert heard[-1] == ("reviewed", created)
    finally:
        courses_changed.disconnect(listener)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_write_each_course_once(world):
    """Two uploads checked against the same empty catalogue, sharing a course, and one of them
    confirmed twice, all at the same moment: every course once, every change in its history."""
    other = [("ง21101", "การงานอาชีพ ๑ (ปรับปรุง)", 1.5, 60, "ม.ต้น", 2567, "การงานอาชีพ"),
             ("ง21107", "การเลี้ยงปลา", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ")]  # fmt: skip
    first = _upload(world, workbook_bytes(good_rows()))
    second = _upload(world, workbook_bytes(other))
    assert first.counts["new"] == 3 and second.counts["new"] == 2
    barrier = threading.Barrier(3)
    errors = []

    def confirm(upload_id):
        try:
            barrier.wait(timeout=30)
            services.course_upload_commit(actor=world.owner, upload=CourseListUpload(pk=upload_id))
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(pk,))
               for pk in (first.pk, second.pk, first.pk)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert CourseListUpload.objects.filter(status=Status.COMMITTED).count() == 2
    courses = Course.objects.filter(institution=world.school)
    assert sorted(courses.values_list("code", flat=True)) == [
        "ง21101",
        "ง21107",
        "ง21201",
        "ง22202",
    ]
    shared = courses.get(code="ง21101")
    kinds = [h.history_type for h in shared.history.order_by("history_id")]
    assert kinds == ["+", "~"]  # created by the first confirmation, updated by the second
    assert shared.history.order_by("history_id").last().name_th == shared.name_th
    assert all(course.history.count() == 1 for course in courses.exclude(code="ง21101"))
