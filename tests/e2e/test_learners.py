import pytest
from django.urls import reverse

from learners.models import Learner, ShareAccess, Transcript
from learners.services import ledger
from learners.services import transcripts as services
from tests.learners.pdfcheck import pdftotext, qr_matrix_from_pdf, qr_matrix_of

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def test_learner_sees_the_balance_downloads_the_transcript_and_its_qr_verifies(
    page, browser, shot, tmp_path
):
    learner = Learner.objects.get(user__username="learner")
    balance = ledger.learner_balance(learner)
    sign_in(page, "learner")
    page.click("[data-testid=nav-credit-bank]")
    page.click("[data-testid=nav-my-credits]")
    shown = page.locator("[data-testid=balance]").inner_text().strip()
    assert shown == f"{balance.normalize():f}"
    shot("my-credits")

    page.click("[data-testid=my-transcripts-link]")
    page.click("[data-testid=transcript-issue]")
    page.wait_for_selector("[data-testid=document-download]")  # the job ran, progress done
    shot("transcript-ready")
    with page.expect_download() as download_info:
        page.click("[data-testid=document-download]")
    path = tmp_path / "transcript.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdftotext(data)
    transcript = Transcript.objects.filter(learner=learner).latest("issued_at", "pk")
    assert learner.full_name_th in text and transcript.serial in text
    names = [row["name_th"] for g in transcript.content["data"]["groups"] for row in g["rows"]]
    flat = text.replace(" ", "")  # a long name wraps inside its table cell
    missing = [name for name in names if name.replace(" ", "") not in flat]
    assert names and not missing, (missing, text)

    # The QR in the PDF encodes exactly this page's verification URL; the browser opens it.
    url = page.base_url + services.verification_path(transcript)
    assert qr_matrix_from_pdf(data) == qr_matrix_of(url)
    verify = browser.new_context(locale="th-TH").new_page()  # anyone, not signed in
    verify.goto(url)
    result = verify.locator("[data-testid=verify-result]")
    assert result.get_attribute("data-genuine") == "true"
    assert verify.locator("[data-testid=verify-serial]").inner_text() == transcript.serial
    assert learner.identifier not in verify.content()
    shot(verify, "verified")

    # A share link for a receiving institution; its opening shows up in the learner's log.
    page.fill("#id_recipient", "วิทยาลัยเทคนิคลำพูน")
    page.click("[data-testid=share-create]")
    share_url = page.locator("[data-testid=share-url]").first.input_value()
    assert share_url.startswith(page.base_url + reverse("learners:shared", args=["x"])[:-2])
    verify.goto(share_url)
    assert verify.locator("[data-testid=shared-name]").inner_text() == learner.full_name_th
    shot(verify, "shared")
    verify.context.close()
    token = share_url.rstrip("/").rsplit("/", 1)[-1]
    assert ShareAccess.objects.filter(share__token=token, granted=True).count() == 1
    page.reload()
    assert "วิทยาลัยเทคนิคลำพูน" in page.locator("[data-testid=access-log]").inner_text()
    shot("access-log")
    assert page.static_failures == [] and page.console_errors == []
