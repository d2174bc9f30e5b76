import pytest

pytestmark = pytest.mark.e2e


def test_learner_plans_and_asks_college_approves_the_balance_changes(page, signed_in, shot):
    from django.urls import reverse

    signed_in("learner")
    page.goto(page.base_url + reverse("learners:my_credits"))
    assert page.locator("[data-testid=transfers]").inner_text().count("\n") >= 2  # two requests
    transferred_before = page.locator("[data-testid=transferred]").inner_text()

    page.click("[data-testid=pathway-link]")
    page.select_option("#pathway-level", "voc_cert")
    page.locator("[data-testid=pathway-level] button").click()
    page.wait_for_selector("[data-testid=ranking]")
    ranking = page.locator("[data-testid=ranking] tbody tr")
    assert ranking.count() >= 4
    ranking.first.locator("a").click()
    page.wait_for_selector("[data-testid=remaining]")
    assert page.locator("[data-testid=evaluation]").count() == 1
    shot("pathway")

    page.goto(page.base_url + reverse("learners:transfer_ask"))
    options = page.locator("#id_curriculum option").all_inner_texts()
    choice = next(o for o in options if o.startswith("วิทยาลัยอาชีวศึกษาลำพูน"))
    page.select_option("#id_curriculum", label=choice)
    page.fill("#id_note", "ขอเทียบโอน")
    page.click("[data-testid=transfer-ask] button[type=submit]")
    page.wait_for_selector("[data-testid=evaluation]")
    assert page.locator("[data-testid=status]").inner_text().strip()
    assert page.locator("[data-testid=residency]").count() == 1
    shot("request")

    page.context.clear_cookies()
    signed_in("college")
    page.click("[data-testid=nav-credit-bank]")
    page.click("[data-testid=nav-transfers]")
    page.wait_for_selector("[data-testid=transfers]")
    row = page.locator("[data-testid=transfers] tbody tr").first
    assert "กมลชนก" in row.inner_text()
    shot("queue")
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=decide]")
    page.fill("#id_comment", "อนุมัติตามมติคณะกรรมการ")
    page.click("[data-testid=decide] button[value=approve]")
    page.wait_for_selector("[data-testid=comment]")
    shot("approved")

    page.context.clear_cookies()
    signed_in("learner")
    page.goto(page.base_url + reverse("learners:my_credits"))
    assert page.locator("[data-testid=transferred]").inner_text() != transferred_before
    shot("my-credits")
    assert page.static_failures == []
    assert page.console_errors == []
