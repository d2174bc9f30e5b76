"""Skill certificates in the browser: the test centre records results and issues certificates
(the drawing job's progress bar runs to the end), the learner downloads theirs, the QR link
opened signed-out says valid, and after revocation it says revoked."""

import pytest

from skills.models import Certificate, TestSession

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()


def test_centre_issues_learner_downloads_and_anyone_verifies(page, shot, tmp_path):
    open_session = TestSession.objects.get(centre__code="LPN-DSD", registration_open=True)
    sign_in(page, "testcentre")
    page.goto(page.base_url + "/skills/centres/")
    page.click("[data-testid=centres] a")
    page.click(f"a[href='/skills/sessions/{open_session.pk}/']")
    rows = page.locator("[data-testid=candidate-row]")
    assert rows.count() == 2
    for index, (result, score) in enumerate([("pass", "82"), ("fail", "41")]):
        rows.nth(index).locator("[data-testid=result-select]").select_option(result)
        rows.nth(index).locator("[data-testid=score-input]").fill(score)
    page.click("[data-testid=save-results]")
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=issue]")
    page.wait_for_selector("[data-testid=certificate-link]")
    assert page.locator("[data-testid=certificate-link]").count() == 1
    page.click("[data-testid=print]")
    status = page.locator("[data-testid=document-status]")
    status.wait_for()
    page.wait_for_selector("[data-testid=document-status][data-status=done]", timeout=60_000)
    assert page.locator("[data-testid=document-download]").is_visible()
    shot(page, "session-issued")
    with page.expect_download() as download_info:
        page.click("[data-testid=document-download]")
    combined = tmp_path / "session.pdf"
    download_info.value.save_as(combined)
    assert combined.read_bytes().startswith(b"%PDF")
    _sign_out(page)

    sign_in(page, "learner")
    page.goto(page.base_url + "/skills/certificates/mine/")
    shot(page, "my-certificates")
    page.click("[data-testid=my-certificate-pdf]")  # drawn by a job: its status page
    page.wait_for_selector("[data-testid=document-status][data-status=done]", timeout=60_000)
    with page.expect_download() as download_info:
        page.click("[data-testid=document-download]")
    mine = tmp_path / "mine.pdf"
    download_info.value.save_as(mine)
    assert mine.read_bytes().startswith(b"%PDF")
    page.goto(page.base_url + "/skills/certificates/mine/")
    page.click("[data-testid=my-certificates] td a")
    verify_path = page.locator("[data-testid=verify-link]").get_attribute("href")
    _sign_out(page)

    page.goto(page.base_url + verify_path)
    assert page.locator("[data-testid=verify-status]").get_attribute("data-status") == "valid"
    holder = page.locator("[data-testid=verify-holder]").inner_text()
    assert holder.startswith("นางสาวกมลชนก") and "ใฝ่เรียน" not in holder
    shot(page, "verify-valid")

    certificate = Certificate.objects.get(learner__user__username="learner")
    sign_in(page, "testcentre")
    page.goto(page.base_url + f"/skills/certificates/{certificate.pk}/")
    page.fill("[data-testid=revoke-form] textarea", "ออกประกาศนียบัตรผิดคน")
    page.click("[data-testid=revoke]")
    page.wait_for_selector("[data-testid=certificate-status]")
    _sign_out(page)

    page.goto(page.base_url + verify_path)
    assert page.locator("[data-testid=verify-status]").get_attribute("data-status") == "revoked"
    shot(page, "verify-revoked")
    # A favicon request cut short by the next navigation (ERR_ABORTED) is not a missing file.
    failures = [f for f in page.static_failures if "ERR_ABORTED" not in f]
    assert not failures and not page.console_errors
