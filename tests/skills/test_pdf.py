"""Certificate PDFs: the text layer reads back exactly, a batch gives one file per certificate
and one combined PDF, and a retried job keeps one file per certificate."""

import subprocess
from pathlib import Path

import pytest

from creditbank import tasks
from creditbank.models import GeneratedDocument
from skills import rendering
from skills.models import Certificate
from skills.services import certificates, sessions

from ..learners.factories import make_learner
from .conftest import THAI_WORDS


def _pdftotext(data: bytes, tmp_path, name="c.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def _issue(s, count):
    issued = []
    for index in range(count):
        learner = s.holder if index == 0 else make_learner()
        sessions.candidate_register(actor=s.officer, session=s.session, learner=learner)
        result = sessions.result_record(
            actor=s.officer, session=s.session, learner=learner, passed=True, score=90
        )
        issued.append(certificates.certificate_issue(actor=s.officer, result=result))
    return issued


def _files(settings):
    root = Path(settings.MEDIA_ROOT) / "certificates"
    return sorted(p for p in root.rglob("*.pdf")) if root.exists() else []


def test_the_certificate_text_layer_is_exactly_the_thai_source(skills, tmp_path):
    (cert,) = _issue(skills, 1)
    text = _pdftotext(rendering.certificate_pdf_bytes(cert), tmp_path)
    for source in (cert.holder_name, cert.standard_name, cert.issuer_name, cert.serial):
        assert source in text, source
    for word in THAI_WORDS.split():
        assert word in text.split() or word in text, word
    assert "ผู้ใหญ่ญาติ น้ำฐานปั้น" in text
    assert str(cert.issued_on.year + 543) in text  # the Buddhist-era year


def test_a_session_job_gives_one_file_per_certificate_and_a_combined_pdf(
    skills, eager, settings, tmp_path
):
    issued = _issue(skills, 3)
    document = eager(
        certificates.session_certificates_render, actor=skills.officer, session=skills.session
    )
    assert document.status == GeneratedDocument.Status.DONE and document.progress == 100
    combined = document.file.read()
    assert _pages(combined, tmp_path) == 3
    text = _pdftotext(combined, tmp_path, "all.pdf")
    assert all(c.serial in text for c in issued)
    assert len(_files(settings)) == 3
    for cert in issued:
        cert.refresh_from_db()
        assert cert.pdf and _pages(cert.pdf.read(), tmp_path) == 1


def test_a_retried_job_keeps_one_file_per_certificate(skills, eager, settings, monkeypatch):
    issued = _issue(skills, 3)
    original = rendering.store_certificate_pdf
    calls = {"n": 0}

    def killed_after_two(certificate, data):
        calls["n"] += 1
        if calls["n"] == 3:
            # The worker dies after writing the file but before recording it.
            Path(settings.MEDIA_ROOT, rendering.storage_name(certificate)).parent.mkdir(
                parents=True, exist_ok=True
            )
            Path(settings.MEDIA_ROOT, rendering.storage_name(certificate)).write_bytes(data)
            raise SystemExit("worker killed")
        return original(certificate, data)

    monkeypatch.setattr(rendering, "store_certificate_pdf", killed_after_two)
    with pytest.raises(SystemExit):
        eager(
            certificates.session_certificates_render, actor=skills.officer, session=skills.session
        )
    document = GeneratedDocument.objects.get()
    assert document.status == GeneratedDocument.Status.RUNNING  # acks_late: redelivered
    monkeypatch.setattr(rendering, "store_certificate_pdf", original)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        started_at=document.started_at.replace(year=2020)
    )  # the redelivered message finds it stuck and takes it over
    tasks.document_render(document.pk)
    tasks.document_render(document.pk)  # a second redelivery changes nothing
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.DONE and document.attempts == 2
    assert len(_files(settings)) == 3
    assert Certificate.objects.exclude(pdf="").count() == len(issued)


def test_the_document_task_acknowledges_late():
    assert tasks.document_render.acks_late is True


def test_the_qr_png_is_segnos_matrix_pixel_for_pixel():
    import base64
    import io

    import segno
    from PIL import Image

    url = "http://example.test/skills/verify/abc/k1.sig/"
    ours = Image.open(io.BytesIO(base64.b64decode(rendering.qr_data_uri(url).split(",")[1])))
    reference = segno.make(url, error="m", mask=0, boost_error=False)
    theirs = Image.open(io.BytesIO(base64.b64decode(
        reference.png_data_uri(scale=1, border=1, dark="#000", light="#fff").split(",")[1]
    ))).convert("L")  # fmt: skip
    assert ours.size == theirs.size and ours.tobytes() == theirs.tobytes()


def test_when_splitting_fails_pages_are_drawn_instead(skills, settings, tmp_path, monkeypatch):
    from skills import pdfsplit

    issued = _issue(skills, 2)

    def refuse(*args, **kwargs):
        raise pdfsplit.PdfSplitError("test")

    monkeypatch.setattr(pdfsplit, "split_pages", refuse)
    combined = rendering.render_batch(issued)
    assert _pages(combined, tmp_path) == 2
    assert len(_files(settings)) == 2


def test_issuing_a_session_twice_keeps_one_certificate_per_result(skills):
    _issue(skills, 0)
    for learner in (skills.holder, make_learner()):
        sessions.candidate_register(actor=skills.officer, session=skills.session, learner=learner)
        sessions.result_record(
            actor=skills.officer, session=skills.session, learner=learner, passed=True
        )
    first = certificates.session_certificates_issue(actor=skills.officer, session=skills.session)
    again = certificates.session_certificates_issue(actor=skills.officer, session=skills.session)
    assert [c.pk for c in first] == [c.pk for c in again] and len(first) == 2
    assert sorted(c.sequence for c in first) == [1, 2]


def test_chunks_are_merged_into_one_combined_pdf(skills, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(rendering, "CHUNK", 2)
    issued = _issue(skills, 3)
    combined = rendering.render_batch(issued)
    assert _pages(combined, tmp_path) == 3
    text = _pdftotext(combined, tmp_path, "merged.pdf")
    assert [text.index(c.serial) for c in issued] == sorted(text.index(c.serial) for c in issued)
    assert "ผู้ใหญ่ญาติ น้ำฐานปั้น" in text
    for cert in issued:
        cert.refresh_from_db()
        single = _pdftotext(cert.pdf.read(), tmp_path, f"{cert.pk}.pdf")
        assert cert.serial in single and cert.holder_name in single
        assert all(other.serial not in single for other in issued if other.pk != cert.pk)
