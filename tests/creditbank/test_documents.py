"""The document path: Thai PDFs whose text layer extracts exactly, safe xlsx, and the job flow."""

import datetime as dt
import random
import re
import subprocess
from io import BytesIO

import openpyxl
import pytest
import weasyprint
from django.urls import reverse
from django.utils import timezone

from creditbank import celery_app, tasks
from creditbank.documents import jobs, pdf, textlayer, xlsx
from creditbank.documents.jobs import DocumentError, document_request, register_renderer
from creditbank.models import GeneratedDocument

Status = GeneratedDocument.Status

THAI_WORDS = [
    "สำหรับ", "น้ำ", "ผู้ใหญ่", "ปั้น", "กฎ", "ปฏิบัติ", "ญาติ", "ฐาน", "คำ", "จำนวน",
]  # fmt: skip
# Words that read wrong once a glyph was first seen elsewhere (า after ำ, and the reverse).
DECOYS = ["นา", "ดู", "ทำ", "ที่", "ป่า"]
LATIN = ["Credit", "bank", "report", "2567", "0123456789", "ง21101", "๑๒๓"]


def _orders():
    shuffle = random.Random(2567)
    orders = [THAI_WORDS, THAI_WORDS[::-1], DECOYS + THAI_WORDS, THAI_WORDS + DECOYS]
    orders += [shuffle.sample(THAI_WORDS + LATIN, len(THAI_WORDS + LATIN)) for _ in range(3)]
    return orders


def _html(lines, wrap=""):
    body = "\n".join(
        f'<p style="white-space: nowrap; font-size: 11pt">{wrap}{" ".join(line)}</p>'
        for line in lines
    )
    return f'<!doctype html><html lang="th"><head><meta charset="utf-8"></head><body>{body}</body></html>'


def _pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "extract.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    return " ".join(text.split())  # whitespace only: nothing else is forgiven


def _sentences(orders):
    return [" ".join(order) for order in orders]


# --- PDF text layer ---------------------------------------------------------------------------


def test_it_extracts_every_thai_word_exactly_in_every_order(tmp_path):
    orders = _orders()
    extracted = _pdftotext(pdf.render_pdf(_html(orders)), tmp_path)
    for sentence in _sentences(orders):
        assert sentence in extracted, f"{sentence!r} not in {extracted!r}"


@pytest.mark.parametrize("wrap", ["<b>", "<i>", '<span style="font-weight: 300">'])
def test_it_extracts_bold_italic_and_light_too(tmp_path, wrap):
    orders = _orders()[:3]
    extracted = _pdftotext(pdf.render_pdf(_html(orders, wrap)), tmp_path)
    for sentence in _sentences(orders):
        assert sentence in extracted


def test_the_fix_is_needed_without_it_sara_am_is_lost(tmp_path):
    orders = _orders()
    with textlayer.disabled():
        extracted = _pdftotext(pdf.render_pdf(_html(orders)), tmp_path).split()
    source = " ".join(_sentences(orders)).split()
    lost = [w for w in ("สำหรับ", "น้ำ", "คำ", "จำนวน") if extracted.count(w) < source.count(w)]
    assert lost, "WeasyPrint got SARA AM right by itself: is the text-layer fix still needed?"


def test_the_fix_changes_no_pixel(tmp_path):
    html = _html(_orders()[:4])
    pages = {}
    for name, context in (("fixed", _nothing()), ("raw", textlayer.disabled())):
        with context:
            (tmp_path / f"{name}.pdf").write_bytes(pdf.render_pdf(html))
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
             str(tmp_path / name)],
            check=True,
        )  # fmt: skip
        pages[name] = (tmp_path / f"{name}.png").read_bytes()
    assert pages["fixed"] == pages["raw"]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def test_it_marks_sara_am_with_actual_text_only_on_thai_lines():
    data = pdf.render_pdf(_html([["นา", "น้ำ"], ["English", "only", "line"]]))
    assert b"ActualText" in _content_streams(data)
    latin_only = pdf.render_pdf(_html([["English", "only", "line"]]))
    assert b"ActualText" not in _content_streams(latin_only)


def _content_streams(data: bytes) -> bytes:
    import zlib

    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(streams)


def test_it_leaves_no_break_spaces_and_ellipsis_alone(tmp_path):
    html = (
        '<html lang="th"><body><p>จำนวน&nbsp;10&nbsp;คน น้ำ&nbsp;ปั้น</p>'
        '<p style="width: 5cm; max-lines: 1; block-ellipsis: auto">'
        "สำหรับ น้ำ ผู้ใหญ่ ปั้น กฎ ปฏิบัติ ญาติ ฐาน คำ จำนวน</p></body></html>"
    )
    extracted = _pdftotext(pdf.render_pdf(html), tmp_path)
    assert "จำนวน 10 คน น้ำ ปั้น" in extracted
    assert "สำหรับ น้ำ" in extracted and "…" in extracted


def test_it_keeps_weasyprints_output_when_the_fix_fails(tmp_path, monkeypatch, caplog):
    html = _html([["English", "text", "น้ำ"]])
    with textlayer.disabled():
        raw = _pdftotext(pdf.render_pdf(html), tmp_path)

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(textlayer, "_spans", broken)
    assert _pdftotext(pdf.render_pdf(html), tmp_path) == raw
    assert "ActualText skipped" in caplog.text


def test_install_is_idempotent_and_refuses_other_weasyprint_majors(monkeypatch):
    from weasyprint.draw import text as draw_text

    textlayer.install()
    wrapper = draw_text.draw_first_line
    textlayer.install()
    assert draw_text.draw_first_line is wrapper
    assert wrapper._creditbank_textlayer

    monkeypatch.setitem(textlayer._state, "original", None)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(textlayer.UnsupportedWeasyPrint):
        textlayer.install()


def test_sarabun_is_embedded(tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf.render_pdf(_html([["ตัวหนา", "Bold"]], "<b>")))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    assert "Sarabun-Bold" in fonts.stdout
    assert all(line.split()[-5] == "yes" for line in fonts.stdout.splitlines()[2:])  # emb


def test_template_pdf_has_a4_pages_and_page_numbers(tmp_path):
    rows = "".join(f"<p>บรรทัดที่ {i} สำหรับ จำนวน น้ำ</p>" for i in range(80))
    data = pdf.render_pdf(f'<html lang="th"><body>{rows}</body></html>')
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages >= 2
    assert re.search(rf"\b2 ?/ ?{pages}\b", _pdftotext(data, tmp_path))  # "2 / 3" at the foot


def test_render_template_pdf_uses_the_document_base_template(tmp_path, settings):
    data = pdf.render_template_pdf(
        "documents/base.html", {"title": "หนังสือรับรอง", "thai_digits": True}
    )
    assert data.startswith(b"%PDF")


class TestFetcher:
    @pytest.fixture
    def fetcher(self):
        return pdf._static_fetcher_class()(pdf.static_dir())

    def test_it_serves_static_files_and_static_urls(self, fetcher):
        font = pdf.font_dir() / "Sarabun-Regular.ttf"
        assert fetcher.fetch(font.as_uri()).read(4) == font.read_bytes()[:4]
        assert fetcher.fetch("file:///static/vendor/sarabun/OFL.txt").read(10)

    def test_it_serves_data_urls(self, fetcher):
        assert fetcher.fetch("data:text/plain,hello").read() == b"hello"

    @pytest.mark.parametrize(
        "url",
        [
            "http://example.com/logo.png",
            "https://example.com/logo.png",
            "ftp://example.com/x",
            "file:///etc/passwd",
            "file:///static/../creditbank/settings/base.py",
        ],
    )
    def test_it_refuses_everything_else(self, fetcher, url):
        with pytest.raises(ValueError):
            fetcher.fetch(url)

    def test_a_remote_image_does_not_stop_the_render(self):
        html = '<html><body><img src="http://192.0.2.1/x.png"><p>ok</p></body></html>'
        assert pdf.render_pdf(html).startswith(b"%PDF")


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_export_neutralises_formulas_and_illegal_characters():
    book = xlsx.SafeWorkbook()
    sheet = book.sheet("รายวิชา: ปี 2567/1")
    rows = [
        ("=SUM(A1)", "+1", "-2", "@cmd", "\tTab", "\rCR"),
        ("ง21101", "การงาน\x07อาชีพ", 1.5, -3, dt.date(2024, 5, 16), None),
    ]
    written = xlsx.write_rows(sheet, ["รหัส", "ชื่อ", "c", "d", "e", "f"], rows)
    assert written == 2

    reread = openpyxl.load_workbook(BytesIO(book.to_bytes()))
    sheet = reread.active
    assert sheet.title == "รายวิชา  ปี 2567 1"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    first = [cell.value for cell in sheet[2]]
    # (XML reads a stored CR back as LF.)
    assert first == ["'=SUM(A1)", "'+1", "'-2", "'@cmd", "'\tTab", "'\nCR"]
    assert "=SUM(A1)" in sheet["A2"].value  # the visible text is kept
    assert [cell.value for cell in sheet[3]][:4] == ["ง21101", "การงานอาชีพ", 1.5, -3]
    assert sheet["C3"].data_type == "n" and sheet["D3"].data_type == "n"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= xlsx.MIN_WIDTH


def test_workbook_bytes_is_an_xlsx_zip():
    book = xlsx.SafeWorkbook()
    xlsx.write_rows(book.sheet("x"), ["a"], [["b"]])
    assert xlsx.workbook_bytes(book.workbook).startswith(b"PK")


# --- jobs -------------------------------------------------------------------------------------

CALLS = {"thai": 0, "flaky": 0}
FLAKY = {"fail": True}


@register_renderer("tests.thai_pdf")
def _thai_pdf(document, progress):
    CALLS["thai"] += 1
    progress(40, "กำลังจัดหน้า")
    row = GeneratedDocument.objects.get(pk=document.pk)
    CALLS["seen_progress"] = (row.status, row.progress, row.progress_message)
    words = document.parameters.get("words", THAI_WORDS)
    return "ใบรับรอง สำหรับ ผู้เรียน.pdf", "application/pdf", pdf.render_pdf(_html([words]))


@register_renderer("tests.broken")
def _broken(document, progress):
    progress(70, "almost")
    raise RuntimeError("/srv/secret/path exploded")


@register_renderer("tests.refused")
def _refused(document, progress):
    raise DocumentError("ไม่พบข้อมูลผู้เรียน")


@register_renderer("tests.flaky")
def _flaky(document, progress):
    CALLS["flaky"] += 1
    if FLAKY["fail"]:
        raise DocumentError("ยังไม่พร้อม")
    return "export.xlsx", xlsx.XLSX_CONTENT_TYPE, _small_workbook()


def _small_workbook():
    book = xlsx.SafeWorkbook()
    xlsx.write_rows(book.sheet("s"), ["a"], [["=1+1"]])
    return book.to_bytes()


@pytest.fixture
def eager(settings, tmp_path, django_capture_on_commit_callbacks):
    """In-process Celery and a private media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(**kwargs)
        document.refresh_from_db()
        return document

    yield request
    conf.task_always_eager, conf.task_eager_propagates = saved


def _media_files(settings):
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_it_renders_a_requested_document_and_the_owner_downloads_it(eager, world, client, tmp_path):
    document = eager(
        actor=world.owner, kind="tests.thai_pdf", title="ใบรับรอง", parameters={"year": 2567}
    )
    assert document.status == Status.DONE
    assert document.progress == 100 and document.attempts == 1
    assert document.started_at <= document.finished_at
    assert CALLS["seen_progress"] == (Status.RUNNING, 40, "กำลังจัดหน้า")
    assert document.content_type == "application/pdf"

    client.force_login(world.owner)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    extracted = _pdftotext(body, tmp_path)
    assert " ".join(THAI_WORDS) in extracted


def test_the_stored_file_name_is_unguessable(eager, world):
    document = eager(actor=world.owner, kind="tests.thai_pdf", title="t")
    assert document.file.name.startswith("documents/")
    assert document.file.name.endswith(".pdf")
    assert "ใบรับรอง" not in document.file.name
    assert document.filename == "ใบรับรอง สำหรับ ผู้เรียน.pdf"


def test_a_failed_render_records_the_error_and_keeps_no_file(eager, world, settings, caplog):
    document = eager(actor=world.owner, kind="tests.broken", title="พัง")
    assert document.status == Status.FAILED
    assert not document.file
    assert _media_files(settings) == []
    assert "RuntimeError" in document.error
    assert "/srv/secret" not in document.error  # details go to the log, not to the page
    assert "/srv/secret/path exploded" in caplog.text
    assert document.finished_at is not None


def test_a_document_error_is_shown_as_written(eager, world):
    document = eager(actor=world.owner, kind="tests.refused", title="x")
    assert document.status == Status.FAILED
    assert document.error == "ไม่พบข้อมูลผู้เรียน"


def test_rerunning_a_done_document_changes_nothing(eager, world):
    document = eager(actor=world.owner, kind="tests.thai_pdf", title="t")
    calls = CALLS["thai"]
    before = GeneratedDocument.objects.values().get(pk=document.pk)
    assert tasks.document_render.delay(document.pk).get() == Status.DONE
    tasks.document_render(document.pk)
    assert CALLS["thai"] == calls
    assert GeneratedDocument.objects.values().get(pk=document.pk) == before


def test_a_running_document_is_not_rendered_twice(eager, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.RUNNING,
        started_at=timezone.now(), attempts=1,
    )  # fmt: skip
    calls = CALLS["thai"]
    tasks.document_render(document.pk)
    document.refresh_from_db()
    assert CALLS["thai"] == calls and document.status == Status.RUNNING


def test_a_stale_running_document_is_taken_over(eager, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.RUNNING,
        started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), attempts=1,
    )  # fmt: skip
    tasks.document_render(document.pk)
    document.refresh_from_db()
    assert document.status == Status.DONE and document.attempts == 2


def test_an_unknown_kind_is_refused_before_queueing(eager, world):
    with pytest.raises(DocumentError):
        eager(actor=world.owner, kind="tests.nope", title="x")
    assert not GeneratedDocument.objects.exists()


def test_a_kind_cannot_get_a_second_renderer():
    with pytest.raises(ValueError):

        @register_renderer("tests.thai_pdf")
        def other(document, progress):  # pragma: no cover
            return "", "", b""


def test_progress_is_clamped_and_only_moves_running_jobs(world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.RUNNING
    )
    jobs.document_set_progress(document, 250, "x" * 400)
    document.refresh_from_db()
    assert document.progress == 100 and len(document.progress_message) == 255
    document.status = Status.DONE
    document.save()
    jobs.document_set_progress(document, 5, "late")
    document.refresh_from_db()
    assert document.progress == 100


# --- views ------------------------------------------------------------------------------------


def test_status_polls_while_pending_with_a_progress_bar(client, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="ใบรับรอง", created_by=world.owner,
        status=Status.RUNNING, progress=35, progress_message="กำลังจัดหน้า",
    )  # fmt: skip
    client.force_login(world.owner)
    url = reverse("documents:status", args=[document.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 1s"' in body
    assert 'role="progressbar"' in body and 'aria-valuenow="35"' in body
    assert 'width="35%"' in body and "กำลังจัดหน้า" in body
    assert "<html" not in body  # a partial
    assert "style=" not in body and "<script" not in body  # nothing the CSP would block


def test_status_page_opened_directly_is_a_whole_page(client, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="ใบรับรอง", created_by=world.owner
    )
    client.force_login(world.owner)
    response = client.get(reverse("documents:status", args=[document.pk]))
    body = response.content.decode()
    assert "<html" in body and 'data-testid="document-status"' in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or "nonce=" in tag


def test_done_status_offers_the_download_and_stops_polling(eager, client, world):
    document = eager(actor=world.owner, kind="tests.thai_pdf", title="t")
    client.force_login(world.owner)
    body = client.get(
        reverse("documents:status", args=[document.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert reverse("documents:download", args=[document.pk]) in body
    assert "hx-get" not in body


def test_failed_status_shows_the_error_and_retry_works(
    eager, client, world, django_capture_on_commit_callbacks
):
    FLAKY["fail"] = True
    document = eager(actor=world.owner, kind="tests.flaky", title="ส่งออก")
    assert document.status == Status.FAILED
    client.force_login(world.owner)
    status_url = reverse("documents:status", args=[document.pk])
    body = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "ยังไม่พร้อม" in body
    assert f'hx-post="{reverse("documents:retry", args=[document.pk])}"' in body
    assert reverse("documents:download", args=[document.pk]) not in body

    FLAKY["fail"] = False
    retry = reverse("documents:retry", args=[document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'hx-get="' in response.content.decode()  # queued again: the bar polls
    document.refresh_from_db()
    assert document.status == Status.DONE and document.attempts == 2
    response = client.get(reverse("documents:download", args=[document.pk]))
    reread = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert reread.active["A2"].value == "'=1+1" and reread.active["A2"].data_type != "f"


def test_only_a_failed_document_can_be_retried(client, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.RUNNING
    )
    client.force_login(world.owner)
    response = client.post(reverse("documents:retry", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.RUNNING


def test_retry_needs_post(client, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.FAILED
    )
    client.force_login(world.owner)
    assert client.get(reverse("documents:retry", args=[document.pk])).status_code == 405


def test_download_is_404_until_done(client, world):
    document = GeneratedDocument.objects.create(
        kind="tests.thai_pdf", title="t", created_by=world.owner, status=Status.RUNNING
    )
    client.force_login(world.owner)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


@pytest.mark.parametrize("who", ["member", "neighbour", "outsider", "centre", "national"])
@pytest.mark.parametrize("name,method", [("status", "get"), ("download", "get"), ("retry", "post")])
def test_someone_elses_document_is_404_even_to_colleagues(eager, client, world, who, name, method):
    document = eager(actor=world.owner, kind="tests.thai_pdf", title="t")
    client.force_login(getattr(world, who))
    response = getattr(client, method)(reverse(f"documents:{name}", args=[document.pk]))
    assert response.status_code == 404


def test_a_failed_document_is_not_rerun_by_a_redelivered_message(eager, world):
    document = eager(actor=world.owner, kind="tests.refused", title="x")
    before = GeneratedDocument.objects.values().get(pk=document.pk)
    tasks.document_render(document.pk)
    assert GeneratedDocument.objects.values().get(pk=document.pk) == before


def test_a_stuck_job_offers_a_retry(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = GeneratedDocument.objects.create(
        kind="tests.refused", title="t", created_by=world.owner, status=Status.RUNNING,
        started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), attempts=1,
    )  # fmt: skip
    assert document.is_stuck and not document.is_pending and document.is_retryable
    client.force_login(world.owner)
    body = client.get(
        reverse("documents:status", args=[document.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-get" not in body and 'data-testid="document-retry"' in body
    response = client.post(reverse("documents:retry", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status in (Status.QUEUED, Status.FAILED)
