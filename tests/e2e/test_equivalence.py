import pytest

from courses.models import Course
from equivalence.models import EquivalenceMapping
from institutions.models import Institution

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def _sign_out(page):
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()


def test_committee_accepts_a_suggestion_second_reviewer_approves_public_finds_it(page, shot):
    school = Institution.objects.get(code="LPN1-EO09")
    college = Institution.objects.get(code="LPN-TECH")
    source = Course.objects.get(institution=school, code="ง22203")  # small engine repair
    assert not EquivalenceMapping.objects.filter(links__course=source).exists()

    sign_in(page, "committee")
    page.click("[data-testid=nav-courses]")
    page.click("[data-testid=nav-workspace]")
    page.wait_for_selector("[data-testid=workspace-search]")
    page.keyboard.press("/")  # the search shortcut focuses the search box
    page.keyboard.type("ง22203")
    page.keyboard.press("Enter")
    page.locator("[data-testid=workspace-results] a", has_text=school.name_th).click()
    page.wait_for_selector("[data-testid=source-course]")
    assert "ง22203" in page.locator("[data-testid=source-course]").inner_text()

    page.select_option("#target", str(college.pk))  # candidates from one college only
    page.locator("[data-testid=target-filter] button[type=submit]").click()
    first = page.locator("[data-testid=candidate]").first  # loaded by htmx
    first.wait_for()
    assert "20101-2002" in first.inner_text()  # งานเครื่องยนต์เล็ก
    assert "เครื่องยนต์" in first.inner_text()  # the explanation names the shared words
    shot("workspace")

    page.keyboard.press("1")  # accept candidate 1
    page.wait_for_selector("[data-testid=proposal-form]")
    assert "20101-2002" in page.locator("[data-testid=proposal-targets]").inner_text()
    assert page.input_value("#id_rationale")  # prefilled with the explanation
    page.select_option("#id_direction", "mirrored")
    shot("proposal")
    page.click("[data-testid=proposal-submit]")
    page.wait_for_selector("[data-testid=mapping-status]")
    mapping = EquivalenceMapping.objects.get(links__course=source)
    assert mapping.status == "proposed" and mapping.direction == "mirrored"
    assert page.locator("[data-testid=approve]").count() == 0  # four eyes: not the proposer
    assert page.locator("[data-testid=four-eyes]").count() == 1
    _sign_out(page)

    sign_in(page, "committee2")
    page.goto(f"{page.base_url}/equivalence/{mapping.pk}/")
    page.fill("#decision_number", "7/2567")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=mapping-status]").inner_text().strip() != ""
    mapping.refresh_from_db()
    assert mapping.status == "approved" and mapping.decision_number == "7/2567"
    shot("approved")
    _sign_out(page)

    page.click("[data-testid=nav-where]")
    page.select_option("#province", "lamphun")
    page.fill("#q", "ง22203")
    page.click("[data-testid=count-search]")
    result = page.locator("[data-testid=count-result]", has_text=school.name_th)
    result.wait_for()
    assert "20101-2002" in result.inner_text()
    shot("public")
    assert page.static_failures == [] and page.console_errors == []


def test_committee_walks_a_schools_list_with_the_keyboard(page):
    school = Institution.objects.get(code="LPN1-EO01")
    codes = list(
        Course.objects.public()
        .filter(institution=school)
        .order_by("code")
        .values_list("code", flat=True)
    )
    sign_in(page, "committee")
    page.goto(f"{page.base_url}/equivalence/workspace/?institution={school.pk}")
    source = page.locator("[data-testid=source-course]")
    assert codes[0] in source.inner_text()
    assert page.locator("[data-testid=walk-position]").inner_text().endswith(f"1 / {len(codes)}")
    page.locator("[data-testid=candidate]").first.wait_for()
    page.keyboard.press("j")
    page.wait_for_url("**course=*")
    assert codes[1] in page.locator("[data-testid=source-course]").inner_text()
    page.locator("[data-testid=candidate]").first.wait_for()
    page.keyboard.press("k")
    page.wait_for_function(
        "code => document.querySelector('[data-testid=source-course]').innerText.includes(code)",
        arg=codes[0],
    )
    assert page.console_errors == [] and page.static_failures == []
