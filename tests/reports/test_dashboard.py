"""The provincial dashboard: summary figures against the demo, scoping, xlsx, query counts."""

from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from courses.models import Course
from learners.models import CreditEntry, TransferRequest
from reports.dashboard import selectors
from reports.dashboard.services import summaries_refresh
from reports.models import SummaryRefresh, SummaryRow
from skills.models import Certificate


def _chart(province, dimension, **filters):
    chart = selectors.chart(province, dimension, **filters)
    return {key: (count, value) for key, _label, count, value in chart.rows}


def test_every_chart_matches_the_demo_data(demo):
    _users, round_ = demo
    province = round_.province
    assert SummaryRefresh.objects.filter(province=province).exists()  # the demo refreshed it
    approved = [c for c in Course.objects.select_related("institution")
                if c.institution.province_id == province.pk and c.status == "approved"]  # fmt: skip
    levels = _chart(province, "courses_level")
    assert sum(n for n, _v in levels.values()) == len(approved)
    for level in {c.level for c in approved}:
        assert levels[level][0] == sum(1 for c in approved if c.level == level)
    fields = _chart(province, "courses_field")
    for field in {c.occupational_field for c in approved if c.occupational_field}:
        assert fields[field][0] == sum(1 for c in approved if c.occupational_field == field)

    collection = _chart(province, "collection")
    from institutions.models import Institution

    targets = [i for i in Institution.objects.filter(province=province, active=True)
               if i.kind not in Institution.OFFICE_KINDS]  # fmt: skip
    sent = {c.institution_id for c in Course.objects.filter(academic_year=2567)
            if c.status in ("submitted", "approved")}  # fmt: skip
    assert collection["submitted"][0] == sum(1 for i in targets if i.pk in sent)
    assert collection["missing"][0] == sum(1 for i in targets if i.pk not in sent) > 0

    entries = [e for e in CreditEntry.objects.select_related("institution")
               if e.institution.province_id == province.pk and e.passed and e.verified
               and e.source != "transfer"]  # fmt: skip
    months = _chart(province, "learners_month")
    assert sum(v for _n, v in months.values()) == sum((e.credits for e in entries), Decimal(0))

    transfers = _chart(province, "transfers")
    for status in {t.status for t in TransferRequest.objects.all()}:
        assert transfers[status][0] == TransferRequest.objects.filter(status=status).count()

    valid = Certificate.objects.exclude(status="revoked").select_related("standard")
    branches = _chart(province, "certificates_branch")
    for branch in {c.standard.branch for c in valid}:
        assert branches[branch][0] == sum(1 for c in valid if c.standard.branch == branch)


def test_a_refresh_replaces_the_rows_and_drill_down_narrows_them(demo):
    _users, round_ = demo
    province = round_.province
    before = SummaryRow.objects.filter(province=province).count()
    summaries_refresh(province=province)
    assert SummaryRow.objects.filter(province=province).count() == before  # replaced, not added
    districts = dict(selectors.districts(province))
    assert districts["เมืองลำพูน"] >= 1
    whole = sum(n for n, _v in _chart(province, "courses_level").values())
    district = sum(n for n, _v in _chart(province, "courses_level", district="ลี้").values())
    assert 0 <= district < whole


def test_centre_staff_see_their_province_and_nobody_else_does(
    demo, client, django_assert_max_num_queries
):
    users, round_ = demo
    client.force_login(users["centre"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200 and page.text.count('data-testid="chart-card"') == 9
    assert 'data-testid="as-of"' in page.text
    assert 'data-testid="coverage-by-institution"' in page.text
    lowest = selectors.coverage_by_institution(round_.province)
    assert [r["percent"] for r in lowest] == sorted(r["percent"] for r in lowest)
    approved = Course.objects.filter(institution__province=round_.province, status="approved")
    assert sum(r["approved"] for r in lowest) == approved.count()
    with django_assert_max_num_queries(12):
        district = client.get(
            reverse("reports:dashboard"), {"province": "lamphun", "district": "ลี้"}
        )
    assert district.status_code == 200 and 'data-testid="institutions"' in district.text
    client.force_login(users["chiangmai"])
    assert client.get(reverse("reports:dashboard"), {"province": "lamphun"}).status_code == 404
    client.force_login(users["school"])
    assert client.get(reverse("reports:dashboard")).status_code == 404
    client.force_login(users["national"])
    overview = client.get(reverse("reports:dashboard"))
    assert 'data-testid="province-table"' in overview.text and "ลำพูน" in overview.text
    assert client.get(reverse("reports:dashboard"), {"province": "lamphun"}).status_code == 200


def test_each_chart_downloads_its_numbers_as_formula_safe_xlsx(demo, client):
    users, round_ = demo
    course = Course.objects.filter(institution__province=round_.province, status="approved").first()
    Course.objects.filter(pk=course.pk).update(occupational_field="=cmd|'/c calc'!A1")
    summaries_refresh(province=round_.province)
    client.force_login(users["centre"])
    response = client.get(reverse("reports:dashboard_export", args=["courses_field"]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2) if r[0].value}
    chart = _chart(round_.province, "courses_field")
    assert rows["'=cmd|'/c calc'!A1"] == chart["=cmd|'/c calc'!A1"][0]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert client.get(reverse("reports:dashboard_export", args=["nothing"])).status_code == 404
    client.force_login(users["chiangmai"])
    assert client.get(reverse("reports:dashboard_export", args=["courses_field"]),
                      {"province": "lamphun"}).status_code == 404  # fmt: skip


def test_the_national_one_pass_refresh_gives_the_same_rows_as_a_provinces_own(demo):
    from reports.dashboard.services import summaries_refresh_all

    _users, round_ = demo
    province = round_.province

    def snapshot():
        return sorted(
            SummaryRow.objects.filter(province=province).values_list(
                "institution_id", "dimension", "key", "count", "value"
            )
        )

    own = snapshot()
    assert own
    assert summaries_refresh_all() >= 2  # Lamphun and Chiang Mai have institutions
    assert snapshot() == own
    assert SummaryRefresh.objects.count() >= 2


def test_the_dashboard_body_is_cached_until_the_next_refresh(
    demo, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    users, round_ = demo
    client.force_login(users["centre"])
    url = reverse("reports:dashboard")
    client.get(url)
    with django_assert_max_num_queries(0):  # the cached body and the cached scope
        assert client.get(url).status_code == 200
    course = Course.objects.filter(institution__province=round_.province, status="approved").first()
    Course.objects.filter(pk=course.pk).update(occupational_field="ช่างทดสอบแดชบอร์ด")
    assert "ช่างทดสอบแดชบอร์ด" not in client.get(url).text  # as of the last refresh
    with django_capture_on_commit_callbacks(execute=True):
        summaries_refresh(province=round_.province)
    assert "ช่างทดสอบแดชบอร์ด" in client.get(url).text
