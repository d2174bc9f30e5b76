"""The inspection report as PDF (golden test against the seed) and xlsx, through the job."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from creditbank.documents.jobs import document_render, document_retry
from creditbank.models import GeneratedDocument
from reports.models import RoundDocument
from reports.services import documents as report_documents
from reports.services import rounds

from ..learners.pdfcheck import pdftotext
from .conftest import part_of

ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "test-artifacts" / "reports"


def _generate(users, round_, capture, fmt="pdf", thai_digits=True) -> RoundDocument:
    with capture(execute=True):
        generated = report_documents.report_request(
            actor=users["centre"], round_=round_, fmt=fmt, thai_digits=thai_digits
        )
    _run_if_queued(generated.document)
    return generated


def _run_if_queued(document):
    document.refresh_from_db()
    if document.status == "queued":  # a real broker holds the job: do what the worker would
        document_render(document_id=document.pk)
        document.refresh_from_db()


def _in_order(text: str, parts: list[str]) -> None:
    position = -1
    for part in parts:
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} missing or out of order"
        position = found


def test_golden_pdf_has_the_forms_structure_agencies_and_the_seeds_dates_in_thai(
    demo, django_capture_on_commit_callbacks
):
    users, round_ = demo
    generated = _generate(users, round_, django_capture_on_commit_callbacks)
    document = generated.document
    assert document.status == GeneratedDocument.Status.DONE, document.error
    data = document.file.read()
    assert data.startswith(b"%PDF")
    text = pdftotext(data)
    _in_order(
        text,
        [
            "แบบรายงานผล",
            "รอบที่ ๑ ประจำปีงบประมาณ พ.ศ. ๒๕๖๗",
            "สำนักงานศึกษาธิการจังหวัดลำพูน",
            "นโยบายการตรวจ : การลดภาระนักเรียนและผู้ปกครอง",
            "๒.๔ : การจัดทำระบบวัดผลรองรับมาตรฐานวิชาชีพ (Skill Certificate)",
            "๑) การวิเคราะห์สถานการณ์ในพื้นที่",
            "๒) ผลการดำเนินงานการขับเคลื่อนนโยบายฯ ตามจุดเน้นที่ ๒.๔",
            "ข้อมูลจากระบบธนาคารหน่วยกิต ณ วันที่",
            "๒.๑) การวางระบบการรับรองมาตรฐานวิชาชีพ",
            "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำพูน เขต ๑",
            "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำพูน เขต ๒",
            "สำนักงานส่งเสริมการเรียนรู้ประจำจังหวัดลำพูน",
            "สำนักงานอาชีวศึกษาจังหวัดลำพูน",
            "๒.๒) การกำหนดกลไกการวัดผลการรับรองมาตรฐานวิชาชีพ",
            "๒.๓) แนวทางการพัฒนาระบบการวัดผลทักษะและสมรรถนะวิชาชีพ",
            "๓) ปัญหาอุปสรรค",
            "ครุภัณฑ์สำหรับการทดสอบยังไม่เพียงพอ",
            "๔) ข้อคิดเห็นและข้อเสนอแนะในภาพรวม",
            "๕) รูปแบบ แนวทาง หรือนวัตกรรมที่เป็นแบบอย่างที่ดี (ถ้ามี)",
        ],
    )
    for date in ("๖ มีนาคม ๒๕๖๗", "๘ มีนาคม ๒๕๖๗", "๕ มกราคม ๒๕๖๗", "๓๑ มีนาคม – ๑ เมษายน ๒๕๖๗"):
        assert date in text, date
    assert "๑๘ / ๒๐" in text  # Area 1's course lists, as the seed reports them
    # The secondary area office has not submitted: marked, and listed in the warning.
    assert text.count("ยังไม่ได้ส่งข้อมูล (not submitted)") == 7  # once per section of the form
    assert generated.missing_parts == ["สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาลำปาง ลำพูน"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "inspection-report.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(ARTIFACTS / "inspection-report.pdf"),
         str(ARTIFACTS / "page")], check=True,
    )  # fmt: skip
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) >= 3


def test_arabic_digits_switch_and_the_xlsx_with_one_sheet_per_section(
    demo, django_capture_on_commit_callbacks, tmp_path
):
    users, round_ = demo
    arabic = _generate(users, round_, django_capture_on_commit_callbacks, thai_digits=False)
    text = pdftotext(arabic.document.file.read())
    assert "รอบที่ 1 ประจำปีงบประมาณ พ.ศ. 2567" in text and "6 มีนาคม 2567" in text
    assert "๒๕๖๗" not in text

    # A formula typed by an agency stays text in the workbook.
    vec = part_of(round_, "LPN-VEC")
    from reports.services import contributions

    contributions.section_save(
        actor=users["centre"], contribution=vec, section="4",
        blocks=[{"kind": "paragraph", "text": '=HYPERLINK("http://x","y")'}],
    )  # fmt: skip
    workbook = _generate(
        users, round_, django_capture_on_commit_callbacks, fmt="xlsx", thai_digits=False
    )
    path = tmp_path / "r.xlsx"
    path.write_bytes(workbook.document.file.read())
    book = load_workbook(path)
    titles = book.sheetnames
    assert titles[0] == "แบบรายงาน" and titles[-1] == "ตัวเลขจากระบบ"
    assert [t.split(" ")[0] for t in titles[1:-1]] == [
        "1)",
        "2.1)",
        "2.2)",
        "2.3)",
        "3)",
        "4)",
        "5)",
    ]
    cells = [c for row in book[titles[6]].iter_rows() for c in row if c.value]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s" and str(formula.value).startswith("'=")
    sheet = book["ตัวเลขจากระบบ"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    from reports.figures import FIGURES

    assert len(rows) == len(FIGURES)
    area1 = header.index("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำพูน เขต 1")
    assert rows[1][area1] == "18 / 20"  # course lists, Arabic digits as asked


def test_a_failed_job_shows_its_error_keeps_no_file_and_a_retry_works(
    demo, django_capture_on_commit_callbacks, monkeypatch
):
    users, round_ = demo

    def broken(html, **kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(report_documents, "render_pdf", broken)
    generated = _generate(users, round_, django_capture_on_commit_callbacks)
    document = generated.document
    assert document.status == GeneratedDocument.Status.FAILED
    assert "RuntimeError" in document.error and not document.file
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        document_retry(actor=users["centre"], document=document)
    _run_if_queued(document)
    assert document.status == GeneratedDocument.Status.DONE and document.file
    # Running the finished job again changes nothing.
    document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.attempts == 2


def test_only_the_centre_generates_and_downloads(demo, client, django_capture_on_commit_callbacks):
    users, round_ = demo
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        report_documents.report_request(actor=users["area1"], round_=round_)
    generated = _generate(users, round_, django_capture_on_commit_callbacks)
    url = reverse("reports:round_download", args=[generated.pk])
    client.force_login(users["centre"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for outsider in ("area1", "chiangmai", "learner"):
        client.force_login(users[outsider])
        assert client.get(url).status_code == 404
    client.force_login(users["chiangmai"])
    generate = reverse("reports:round_generate", args=[round_.pk])
    assert client.post(generate, {"format": "pdf"}).status_code == 404


def test_the_command_renders_pdf_and_xlsx_and_refuses_bad_input(demo, tmp_path):
    pdf = tmp_path / "report.pdf"
    call_command("render_inspection_report", province="lamphun", fiscal_year=2567, round=1,
                 output=str(pdf))  # fmt: skip
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗" in pdftotext(pdf.read_bytes())
    xlsx = tmp_path / "report.xlsx"
    call_command("render_inspection_report", province="lamphun", fiscal_year=2567, round=1,
                 output=str(xlsx), arabic_digits=True)  # fmt: skip
    assert load_workbook(xlsx).sheetnames[-1] == "ตัวเลขจากระบบ"
    with pytest.raises(CommandError, match="between 2500 and 2700"):
        call_command("render_inspection_report", province="lamphun", fiscal_year=2800, round=1,
                     output=str(tmp_path / "x.pdf"))  # fmt: skip
    with pytest.raises(CommandError, match="no round 2"):
        call_command("render_inspection_report", province="lamphun", fiscal_year=2567, round=2,
                     output=str(tmp_path / "x.pdf"))  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_a_locked_round_can_still_be_reported(demo, django_capture_on_commit_callbacks):
    users, round_ = demo
    rounds.round_lock(actor=users["centre"], round_=round_)
    generated = _generate(users, round_, django_capture_on_commit_callbacks)
    assert generated.document.status == GeneratedDocument.Status.DONE
