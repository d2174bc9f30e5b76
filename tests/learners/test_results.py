"""Results upload through the real stack: real .xlsx bytes, real database, every bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from learners.models import CreditEntry, Learner, ResultRow, ResultUpload
from learners.services import ledger
from learners.services import results as services
from learners.spreadsheets import results_checked_workbook_bytes, results_template_bytes
from tests.courses.xlsx_files import workbook_bytes
from tests.factories import Role, UserFactory, grant

from .factories import citizen_id, make_course, make_learner

Status = ResultUpload.Status
HEADER = ["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "รหัสวิชา", "ปีการศึกษา", "ภาคเรียน", "ผลการเรียน"]
ID_A = citizen_id("110370012345")
ID_B = citizen_id("310100045678")


@pytest.fixture
def setup(world):
    registrar = UserFactory(username="registrar")
    grant(registrar, world.school, Role.REGISTRAR)
    make_course(world.school, "ง21101", "1.5")
    make_course(world.school, "ค21101", "1.5", subject_group="ค")
    make_course(world.school, "ว21101", "1.0", subject_group="ว")
    somchai = make_learner(identifier=ID_A, first_name_th="สมชาย", home_institution=world.school)
    return world, registrar, somchai


def _rows():
    return [
        (ID_A, "สมชาย", "ใจดี", "ง21101", 2567, 1, "3.5"),
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2567, 1, "๔"),
        (ID_A, "สมชาย", "ใจดี", "ว21101", 2567, 1, "มส"),
    ]


def _upload(world, actor, data, *, create=False, name="results.xlsx"):
    upload = services.results_upload_receive(
        actor=actor, institution=world.school, data=data, file_name=name, create_unknown=create
    )
    if upload.status == Status.QUEUED:
        upload = services.results_upload_check(upload_id=upload.pk)
    return upload


def _errors(upload):
    return [
        (row.row_number, m["column"])
        for row in ResultRow.objects.filter(upload=upload)
        for m in row.messages
        if m["level"] == "error"
    ]


def test_a_good_file_previews_waits_for_approval_then_posts_verified_entries(setup):
    world, registrar, somchai = setup
    upload = _upload(
        world,
        registrar,
        workbook_bytes(_rows(), header=HEADER, title_rows=["ผลการเรียน ภาคเรียนที่ 1/2567"]),
    )
    assert upload.status == Status.PREVIEW
    assert (
        upload.counts["rows"] == 3 and upload.counts["new"] == 3 and not upload.counts.get("error")
    )
    assert not CreditEntry.objects.exists()
    upload = services.results_upload_submit(actor=registrar, upload=upload)
    assert upload.status == Status.SUBMITTED
    assert not CreditEntry.objects.exists()  # waiting for the registrar's approval
    upload = services.results_upload_approve(actor=registrar, upload=upload)
    assert upload.status == Status.APPROVED and upload.counts["posted"] == 3
    entries = CreditEntry.objects.filter(learner=somchai).order_by("course_code")
    assert [(e.course_code, e.grade, e.passed, e.verified) for e in entries] == [
        ("ค21101", "4", True, True),
        ("ง21101", "3.5", True, True),
        ("ว21101", "มส", False, True),
    ]
    assert all(e.verified_by == registrar and e.results_upload == upload for e in entries)
    assert ledger.learner_balance(somchai) == Decimal("3.0")
    # approving again posts nothing more
    services.results_upload_approve(actor=registrar, upload=upload)
    assert CreditEntry.objects.count() == 3


def test_the_same_file_again_posts_nothing_and_a_corrected_grade_reverses(setup):
    world, registrar, somchai = setup
    data = workbook_bytes(_rows(), header=HEADER)
    first = _upload(world, registrar, data)
    services.results_upload_approve(
        actor=registrar, upload=services.results_upload_submit(actor=registrar, upload=first)
    )
    again = _upload(world, registrar, data)
    assert again.counts["unchanged"] == 3 and not again.counts.get("new")
    services.results_upload_approve(
        actor=registrar, upload=services.results_upload_submit(actor=registrar, upload=again)
    )
    assert CreditEntry.objects.count() == 3

    corrected = _rows()
    corrected[2] = (ID_A, "สมชาย", "ใจดี", "ว21101", 2567, 1, "2")  # the make-up exam was passed
    fixed = _upload(world, registrar, workbook_bytes(corrected, header=HEADER))
    assert fixed.counts["correction"] == 1 and fixed.counts["unchanged"] == 2
    services.results_upload_approve(
        actor=registrar, upload=services.results_upload_submit(actor=registrar, upload=fixed)
    )
    reversal = CreditEntry.objects.get(kind="reversal")
    assert reversal.reverses.grade == "มส"
    assert list(
        CreditEntry.objects.live().order_by("course_code").values_list("grade", flat=True)
    ) == ["4", "3.5", "2"]
    assert ledger.learner_balance(somchai) == Decimal("4.0")


def test_row_errors_name_the_row_and_column_and_nothing_is_written(setup):
    world, registrar, _somchai = setup
    rows = [
        (ID_A, "สมชาย", "ใจดี", "ง21101", 2567, 1, "5"),  # row 2: grade outside the scale
        (ID_A, "สมชาย", "ใจดี", "ฮ99999", 2567, 1, "3"),  # row 3: unknown course
        (
            ID_A[:12] + "0" if ID_A[12] != "0" else ID_A[:12] + "1",
            "x",
            "",
            "ง21101",
            2567,
            1,
            "3",
        ),  # row 4: check digit
        (ID_B, "สมหญิง", "ดีใจ", "ง21101", 2567, 1, "3"),  # row 5: unknown learner, refused
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2024, 1, "3"),  # row 6: C.E. year
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2567, 9, "3"),  # row 7: term
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2567, 1, "A"),  # row 8: a letter grade on the 4–0 scale
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2567, 2, "3"),  # row 9 ok
        (ID_A, "สมชาย", "ใจดี", "ค21101", 2567, 2, "3"),  # row 10: duplicate of row 9
    ]
    upload = _upload(world, registrar, workbook_bytes(rows, header=HEADER))
    assert upload.status == Status.PREVIEW
    assert _errors(upload) == [
        (2, "grade"), (3, "code"), (4, "identifier"), (5, "identifier"), (6, "academic_year"),
        (7, "term"), (8, "grade"), (10, "code"),
    ]  # fmt: skip
    assert upload.counts["error"] == 8
    with pytest.raises(services.ResultsError):
        services.results_upload_submit(actor=registrar, upload=upload)
    assert not CreditEntry.objects.exists() and Learner.objects.count() == 1
    checked = load_workbook(__import__("io").BytesIO(results_checked_workbook_bytes(upload)))
    sheet = checked.worksheets[0]
    assert "5" in str(sheet.cell(row=2, column=8).value)


def test_unknown_learners_are_registered_unverified_when_asked(setup):
    world, registrar, _somchai = setup
    rows = [
        (ID_B, "สมหญิง", "ดีใจ", "ง21101", 2567, 2, "4"),
        (ID_B, "สมหญิง", "ดีใจ", "ค21101", 2567, 2, "3"),
    ]
    upload = _upload(world, registrar, workbook_bytes(rows, header=HEADER), create=True)
    assert upload.counts["new_learners"] == 2 and not upload.counts.get("error")
    assert Learner.objects.count() == 1  # nothing written at the check
    upload = services.results_upload_submit(actor=registrar, upload=upload)
    somying = Learner.objects.get(identifier=ID_B)
    assert not somying.verified and somying.home_institution == world.school
    assert somying.first_name_th == "สมหญิง" and upload.counts["learners_created"] == 1
    services.results_upload_approve(actor=registrar, upload=upload)
    assert ledger.learner_balance(somying) == Decimal("3.0")


def test_reject_needs_a_reason_and_posts_nothing(setup):
    world, registrar, _ = setup
    upload = services.results_upload_submit(
        actor=registrar, upload=_upload(world, registrar, workbook_bytes(_rows(), header=HEADER))
    )
    with pytest.raises(services.ResultsError):
        services.results_upload_reject(actor=registrar, upload=upload, comment=" ")
    upload = services.results_upload_reject(actor=registrar, upload=upload, comment="ผิดภาคเรียน")
    assert upload.status == Status.REJECTED
    with pytest.raises(services.ResultsError):
        services.results_upload_approve(actor=registrar, upload=upload)
    assert not CreditEntry.objects.exists()


def test_roles(setup):
    world, registrar, _ = setup
    data = workbook_bytes(_rows(), header=HEADER)
    with pytest.raises(PermissionDenied):
        _upload(world, world.member, data)  # a viewer
    with pytest.raises(PermissionDenied):
        _upload(world, world.outsider, data)
    upload = services.results_upload_submit(actor=registrar, upload=_upload(world, registrar, data))
    with pytest.raises(PermissionDenied):
        services.results_upload_approve(actor=world.neighbour, upload=upload)


def test_refused_files(setup):
    world, registrar, _ = setup
    assert _upload(world, registrar, b"not a workbook").status == Status.REFUSED
    no_header = workbook_bytes([("a", "b")], header=["x", "y"])
    assert _upload(world, registrar, no_header).status == Status.REFUSED
    assert _upload(world, registrar, workbook_bytes([], header=HEADER)).status == Status.REFUSED


def test_the_template_is_accepted_as_is(setup):
    world, registrar, somchai = setup
    upload = _upload(world, registrar, results_template_bytes(), name="template.xlsx")
    assert upload.counts == {"rows": 2, "new": 2}, _errors(upload)
    rows = list(ResultRow.objects.filter(upload=upload))
    assert {r.learner_id for r in rows} == {somchai.pk}


def test_import_results_command(setup, tmp_path, capsys):
    world, _registrar, somchai = setup
    path = tmp_path / "results.xlsx"
    path.write_bytes(workbook_bytes(_rows(), header=HEADER))
    call_command("import_results", str(path), "--institution", world.school.code, "--dry-run")
    assert "rows=3 new=3" in capsys.readouterr().out
    assert not CreditEntry.objects.exists()
    call_command("import_results", str(path), "--institution", world.school.code)
    assert ResultUpload.objects.filter(status=Status.SUBMITTED).count() == 1
    assert not CreditEntry.objects.exists()
    call_command("import_results", str(path), "--institution", world.school.code, "--approve")
    assert ledger.learner_balance(somchai) == Decimal("3.0")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook_bytes([(ID_B, "x", "y", "ง21101", 2567, 1, "3")], header=HEADER))
    with pytest.raises(CommandError, match="1 rows have errors"):
        call_command("import_results", str(bad), "--institution", world.school.code)
    call_command(
        "import_results",
        str(bad),
        "--institution",
        world.school.code,
        "--create-learners",
        "--approve",
    )
    assert Learner.objects.get(identifier=ID_B).entries.count() == 1
    with pytest.raises(CommandError):
        call_command("import_results", str(bad), "--institution", "NOPE")
