import io

import pytest
from openpyxl import load_workbook

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()


def test_school_uploads_area_office_approves_public_finds_it(page, shot, tmp_path):
    sign_in(page, "school")
    page.goto(page.base_url + "/courses/uploads/new/")
    with page.expect_download() as download_info:
        page.click("[data-testid=template-download]")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook["รายวิชา"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(["ง21299", "การทำปุ๋ยหมักมูลไส้เดือน", "Vermicompost making", 1, 40,
                  "มัธยมศึกษาตอนต้น", 1, 2567, "การงานอาชีพ", "เพิ่มเติม", 1, "เกษตรกรรม", "", ""])  # fmt: skip
    sheet.append(["ง21298", "การจักสานไม้ไผ่", "Bamboo basketry", 1, 40,
                  "มัธยมศึกษาตอนต้น", 1, 2567, "การงานอาชีพ", "เพิ่มเติม", 1, "หัตถกรรม", "", ""])  # fmt: skip
    filled = tmp_path / "our-courses.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled.write_bytes(buffer.getvalue())

    page.set_input_files("input[type=file]", str(filled))
    shot(page, "upload-form")
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=counts]")
    counts = page.locator("[data-testid=counts]").inner_text()
    assert "2" in counts
    shot(page, "preview")
    page.click("[data-testid=confirm]")
    page.wait_for_selector(".alert-success")
    page.goto(page.base_url + "/courses/manage/?q=ไส้เดือน")
    assert "ง21299" in page.locator("[data-testid=course-table]").inner_text()
    _sign_out(page)

    sign_in(page, "area1")
    page.goto(page.base_url + "/courses/review/")
    assert "ง21299" in page.locator("[data-testid=review-form]").inner_text()
    shot(page, "review")
    page.click("[data-testid=approve-selected]")
    page.wait_for_selector(".alert-success")
    _sign_out(page)

    page.goto(page.base_url + "/courses/")
    page.fill("#id_q", "ไส้เดือน")  # a word inside the Thai name
    page.click("[data-testid=catalogue-search]")
    page.wait_for_load_state()
    table = page.locator("[data-testid=course-table]").inner_text()
    assert "ง21299" in table and "ง21298" not in table
    shot(page, "public-catalogue")
