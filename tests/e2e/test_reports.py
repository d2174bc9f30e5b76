"""Inspection report in the browser: Area 1 writes its part (autosaved) and inserts two
activities; the centre locks the round, generates the PDF (progress to the end) and downloads
it; the provincial dashboard draws the province's charts."""

import pytest

from reports.models import InspectionRound, SectionBlock

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()


def test_agency_writes_centre_locks_and_generates_and_the_dashboard_draws(page, shot, tmp_path):
    round_ = InspectionRound.objects.get(province__slug="lamphun", fiscal_year=2567, number=1)
    part = round_.contributions.get(institution__code="LPN-PESA1")
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in(page, "area1")
    page.click("[data-testid=nav-reports]")
    page.click("[data-testid=nav-rounds]")
    page.click(f"a[href='/reports/rounds/{round_.pk}/']")
    page.click("[data-testid=part-open]")
    problems = page.locator("[data-testid=section][data-section='3']")
    problems.locator("[data-testid=add-paragraph]").click()
    problems.locator("[data-testid=block-text]").last.fill("ครูที่สอนวิชาอาชีพยังมีไม่พอ")
    problems.locator("[data-testid=saved]").wait_for(timeout=15_000)  # autosave
    assert SectionBlock.objects.filter(contribution=part, section="3").count() == 1

    results = page.locator("[data-testid=section][data-section='2.2']")
    results.locator("[data-testid=insert-activities] summary").click()
    choices = results.locator("[data-testid=activity-choice]")
    choices.nth(0).check()
    choices.nth(1).check()
    results.locator("[data-testid=insert-activities-submit]").click()
    page.wait_for_selector(".alert-success")
    inserted = page.locator("[data-testid=section][data-section='2.2'] [data-testid=block]")
    assert inserted.count() == 2
    shot(page, "agency-part")
    page.reload()
    assert page.locator("[data-testid=section][data-section='3'] textarea").first.input_value() == (
        "ครูที่สอนวิชาอาชีพยังมีไม่พอ"
    )
    assert (
        page.locator("[data-testid=section][data-section='2.2'] [data-testid=block]").count() == 2
    )
    _sign_out(page)

    sign_in(page, "centre")
    page.goto(page.base_url + f"/reports/rounds/{round_.pk}/")
    page.click("[data-testid=round-next-state]")  # collecting → under review
    page.wait_for_selector("[data-testid=round-state][data-state=under_review]")
    page.click("[data-testid=round-next-state]")  # → locked
    page.wait_for_selector("[data-testid=round-state][data-state=locked]")
    assert page.locator("[data-testid=locked-message]").is_visible()
    page.click("[data-testid=generate-report]")
    page.wait_for_selector("[data-testid=document-status][data-status=done]", timeout=90_000)
    shot(page, "round-generated")
    with page.expect_download() as download_info:
        page.click("[data-testid=document-download]")
    report = tmp_path / "report.pdf"
    download_info.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF")

    page.click("[data-testid=nav-reports]")
    page.click("[data-testid=nav-dashboard]")
    page.wait_for_selector("canvas[data-chart=courses_level]")
    page.wait_for_function(
        "() => document.querySelector('canvas[data-chart=courses_level]').chart !== undefined"
    )
    assert page.locator("[data-testid=chart-card]").count() == 9
    page.locator("[data-testid=chart-table-toggle] summary").first.click()
    assert page.locator("[data-testid=chart-table]").first.is_visible()
    shot(page, "dashboard")
    _sign_out(page)

    sign_in(page, "area1")
    page.goto(page.base_url + f"/reports/parts/{part.pk}/")
    assert page.locator("[data-testid=locked-message]").is_visible()
    assert page.locator("form.section-form").count() == 0
