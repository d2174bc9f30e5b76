import pytest

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def test_centre_signs_in_browses_institutions_switches_language_and_signs_out(page, shot):
    sign_in(page, "centre")
    assert page.locator("html").get_attribute("lang") == "th"
    shot(page, "home")

    page.click("[data-testid=nav-institutions]")
    table = page.locator("[data-testid=institution-table]")
    table.wait_for()
    assert "Chiang Mai" not in table.inner_text()
    assert "เชียงใหม่" not in table.inner_text()
    shot(page, "institutions-th")

    page.fill("#id_q", "ศรีเตี้ย")  # a word inside a school's Thai name
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    rows = page.locator("[data-testid=institution-table] tbody tr")
    assert rows.count() == 1
    assert "ศรีเตี้ย" in rows.first.inner_text()

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Institutions"
    shot(page, "institutions-en")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()
    assert page.locator("a[href='/accounts/login/']").count() >= 1
    shot(page, "signed-out")


def test_outsider_sees_the_404_page_for_another_provinces_institution(page):
    from institutions.models import Institution

    lamphun_school = Institution.objects.get(code="LPN1-EO01")
    sign_in(page, "chiangmai")
    response = page.goto(f"{page.base_url}/institutions/{lamphun_school.pk}/")
    assert response.status == 404
    assert page.locator("[data-testid=error-404]").count() == 1
