import pytest

pytestmark = pytest.mark.e2e


def test_centre_signs_in_browses_institutions_switches_language_and_signs_out(
    page, signed_in, shot
):
    signed_in("centre")
    assert page.locator("html").get_attribute("lang") == "th"
    # The vendored Bootstrap is served and applied: the navbar is not an unstyled list.
    assert page.locator("nav").first.evaluate("e => getComputedStyle(e).display") == "flex"
    shot("home")

    page.click("[data-testid=nav-institutions]")
    table = page.locator("[data-testid=institution-table]")
    table.wait_for()
    listed = table.inner_text()
    assert "LPN1-EO" in listed  # the Lamphun extended-opportunity schools
    assert "โรงเรียนบ้าน" in listed
    provinces = table.locator("tbody tr td:last-child").all_inner_texts()
    assert provinces
    assert set(provinces) == {"ลำพูน"}
    assert "Chiang Mai" not in listed
    assert "เชียงใหม่" not in listed
    shot("institutions-th")

    page.fill("#id_q", "ศรีเตี้ย")  # a word inside a school's Thai name
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    rows = page.locator("[data-testid=institution-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "โรงเรียนบ้านศรีเตี้ย" in rows.first.inner_text()

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Institutions"
    assert "Ban Si Tia School" in page.locator("[data-testid=institution-table]").inner_text()
    shot("institutions-en")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=sign-out]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=user-menu]").count() == 0
    assert page.locator("a[href='/accounts/login/']").count() >= 1
    shot("signed-out")

    assert page.static_failures == []
    assert page.console_errors == []


def test_outsider_sees_the_404_page_for_another_provinces_institution(page, signed_in):
    from institutions.models import Institution

    lamphun_school = Institution.objects.get(code="LPN1-EO01")
    signed_in("chiangmai")
    response = page.goto(f"{page.base_url}/institutions/{lamphun_school.pk}/")
    assert response.status == 404
    assert page.locator("[data-testid=error-404]").count() == 1
