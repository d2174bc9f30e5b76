import io

import pytest
from openpyxl import load_workbook

from learners.demo import LEARNER_ID

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
