import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learners.demo import LEARNER_ID
from learners.models import Learner, ShareAccess, Transcript
from learners.services import ledger
from learners.services import transcripts as services
from tests.learners.pdfcheck import pdftotext, qr_matrix_from_pdf, qr_matrix_of

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()


def _balance(page):
    page.goto(page.base_url + "/learners/me/")
    return page.locator("[data-testid=balance]").inner_text().strip()


def test_college_uploads_and_approves_results_and_the_learners_balance_grows(page, shot, tmp_path):
    sign_in(page, "learner")
    assert _balance(page) == "9"
    assert page.locator("[data-testid=own-identifier]").inner_text().replace("-", "") == LEARNER_ID
    shot(page, "my-credits-before")
    _sign_out(page)

    sign_in(page, "college")
    page.goto(page.base_url + "/learners/results/new/")
    with page.expect_download() as download_info:
        page.click("[data-testid=template-download]")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["ผลการเรียน"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append([LEARNER_ID, "นางสาว", "กมลชนก", "ใฝ่เรียน", "Kamonchanok", "Phairian",
                  "20105-2002", 2567, "1", "3.5"])  # fmt: skip
    filled = tmp_path / "electronics-results.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled.write_bytes(buffer.getvalue())
    page.set_input_files("input[type=file]", str(filled))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=counts]")
    shot(page, "results-preview")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=approve]")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")

    # the demo's waiting upload (the learner's 20104-2001 among others) is approved too
    page.goto(page.base_url + "/learners/results/?waiting=1")
    page.click("[data-testid=results-uploads] a")
    shot(page, "results-waiting")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")
    page.goto(page.base_url + "/learners/")
    listing = page.locator("[data-testid=learners]").inner_text()
    assert "กมลชนก" in listing and LEARNER_ID not in listing.replace("-", "")
    _sign_out(page)

    sign_in(page, "learner")
    assert _balance(page) == "13"  # 9 + 2 (20105-2002) + 2 (20104-2001)
    shot(page, "my-credits-after")
    assert not page.static_failures and not page.console_errors


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
