"""Rounds, agency parts and the activity log: services and pages, with their bad input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.forms import RoundCreateForm
from reports.models import Activity, InspectionRound, SectionBlock
from reports.services import activities, contributions, rounds
from reports.services.contributions import StaleVersion
from reports.services.errors import RoundLocked

from .conftest import part_of


def test_a_locked_round_refuses_every_edit_and_says_who_locked_it(demo, client):
    users, round_ = demo
    part = part_of(round_, "LPN-PESA1")
    rounds.round_lock(actor=users["centre"], round_=round_)
    round_.refresh_from_db()
    assert round_.locked_by == users["centre"] and round_.is_locked
    with pytest.raises(RoundLocked, match="สมศรี"):
        contributions.section_save(
            actor=users["area1"], contribution=part, section="3", blocks=[{"text": "x"}]
        )
    before = SectionBlock.objects.filter(contribution=part).count()
    client.force_login(users["area1"])
    page = client.get(reverse("reports:part", args=[part.pk]))
    assert 'data-testid="locked-message"' in page.text and "สมศรี" in page.text
    assert 'class="section-form"' not in page.text  # read-only
    response = client.post(
        reverse("reports:section_save", args=[part.pk, "3"]),
        {"kind": ["paragraph"], "text": ["แก้หลังปิดรอบ"], "activity": [""]},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="save-error"' in response.text and "สมศรี" in response.text
    assert SectionBlock.objects.filter(contribution=part).count() == before
    # Reopening is the centre's, and then the agency can write again.
    rounds.round_reopen(actor=users["centre"], round_=round_)
    contributions.section_save(
        actor=users["area1"], contribution=part, section="3", blocks=[{"text": "ปัญหา"}]
    )


def test_an_agency_cannot_open_or_write_another_agencys_part(demo, client):
    users, round_ = demo
    other = part_of(round_, "LPN-PESA2")
    client.force_login(users["area1"])
    assert client.get(reverse("reports:part", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("reports:section_save", args=[other.pk, "3"]), {"text": ["x"], "kind": ["item"]}
    )
    assert response.status_code == 404
    own = part_of(round_, "LPN-PESA1")
    client.force_login(users["school"])  # a school under Area 1 is not its administrator
    assert client.get(reverse("reports:part", args=[own.pk])).status_code == 404
    client.force_login(users["chiangmai"])
    assert client.get(reverse("reports:round", args=[round_.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        contributions.section_save(
            actor=users["area1"], contribution=other, section="3", blocks=[{"text": "x"}]
        )


def test_autosave_round_trip_and_a_stale_version_is_refused_not_overwritten(demo, client):
    users, round_ = demo
    part = part_of(round_, "LPN-PESA1")
    client.force_login(users["area1"])
    url = reverse("reports:section_save", args=[part.pk, "3"])
    response = client.post(
        url,
        {"kind": ["paragraph", "item"], "text": ["ครูไม่พอ", "  ขาดงบ  "], "activity": ["", ""],
         "version": str(part.version)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert 'data-testid="saved"' in response.text
    assert f'value="{part.version + 1}"' in response.text  # the new version for the next save
    blocks = list(part.blocks.filter(section="3").values_list("kind", "text"))
    assert blocks == [("paragraph", "ครูไม่พอ"), ("item", "ขาดงบ")]
    stale = client.post(
        url, {"kind": ["paragraph"], "text": ["ทับ"], "version": str(part.version)},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert 'data-testid="save-error"' in stale.text
    assert part.blocks.filter(section="3").count() == 2
    with pytest.raises(StaleVersion):
        contributions.section_save(
            actor=users["area1"], contribution=part, section="3", blocks=[], expected_version=0
        )
    with pytest.raises(ValidationError):
        contributions.section_save(
            actor=users["area1"], contribution=part, section="9", blocks=[{"text": "x"}]
        )


def test_inserting_activities_appends_numbered_items_in_date_order(demo, client):
    users, round_ = demo
    part = part_of(round_, "LPN-PESA1")
    later, earlier = Activity.objects.filter(
        institution=part.institution, start_date__gte=dt.date(2024, 5, 1)
    ).order_by("-start_date")
    client.force_login(users["area1"])
    response = client.post(
        reverse("reports:part_activities", args=[part.pk]),
        {"section": "2.2", "activities": [later.pk, earlier.pk]},
    )
    assert response.status_code == 302
    items = list(part.blocks.filter(section="2.2").order_by("position"))
    assert [b.activity_id for b in items] == [earlier.pk, later.pk]
    assert all(b.kind == "item" for b in items)
    assert "20 พฤษภาคม 2567" in items[0].text and later.title in items[1].text
    foreign = Activity.objects.exclude(institution=part.institution).first()
    with pytest.raises(ValidationError):
        contributions.activities_insert(
            actor=users["area1"], contribution=part, section="2.2", activities=[foreign]
        )


def test_the_centre_reorders_parts_and_moves_the_state(demo, client, django_assert_max_num_queries):
    users, round_ = demo
    client.force_login(users["centre"])
    parts = list(round_.contributions.order_by("position"))
    client.post(reverse("reports:round_reorder", args=[round_.pk]),
                {"part": parts[1].pk, "direction": "up"})  # fmt: skip
    assert list(round_.contributions.order_by("position"))[:2] == [parts[1], parts[0]]
    client.post(reverse("reports:round_state", args=[round_.pk]), {"state": "under_review"})
    round_.refresh_from_db()
    assert round_.state == InspectionRound.State.UNDER_REVIEW
    with django_assert_max_num_queries(16):
        page = client.get(reverse("reports:round", args=[round_.pk]))
    assert 'data-testid="missing-parts"' in page.text
    client.force_login(users["area1"])
    assert client.post(reverse("reports:round_state", args=[round_.pk]),
                       {"state": "locked"}).status_code == 403  # fmt: skip
    with django_assert_max_num_queries(16):
        editor = client.get(reverse("reports:part", args=[part_of(round_, "LPN-PESA1").pk]))
    assert editor.status_code == 200


def test_opening_a_round_refuses_years_outside_2500_2700_and_duplicates(demo, client):
    users, round_ = demo
    form = RoundCreateForm({"fiscal_year": 2800, "number": 1}, province=round_.province)
    assert not form.is_valid() and "2500" in str(form.errors["fiscal_year"])
    bad = InspectionRound(
        province=round_.province, filing_office=round_.filing_office, fiscal_year=2499, number=1,
        policy=round_.policy, focus_point=round_.focus_point,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        bad.full_clean()
    with pytest.raises(ValidationError, match="2567"):
        rounds.round_create(
            actor=users["centre"], filing_office=round_.filing_office, fiscal_year=2567, number=1,
            policy=round_.policy, focus_point=round_.focus_point,
        )  # fmt: skip
    client.force_login(users["centre"])
    response = client.post(reverse("reports:round_create"), {
        "fiscal_year": 2568, "number": 1, "policy": round_.policy.pk,
        "focus_point": round_.focus_point.pk,
        "agencies": [c.institution_id for c in round_.contributions.all()[:2]],
    })  # fmt: skip
    created = InspectionRound.objects.get(fiscal_year=2568)
    assert response.status_code == 302 and created.contributions.count() == 2
    client.force_login(users["area1"])
    assert client.get(reverse("reports:round_create")).status_code == 403


def test_submitting_needs_content_and_the_round_list_is_scoped(demo, client):
    users, round_ = demo
    sesa = part_of(round_, "LPG-LPN-SESA")
    with pytest.raises(ValidationError):
        contributions.contribution_submit(actor=users["centre"], contribution=sesa)
    client.force_login(users["area1"])
    listing = client.get(reverse("reports:rounds"))
    assert listing.status_code == 200 and "2567" in listing.text
    client.force_login(users["chiangmai"])
    assert "2567" not in client.get(reverse("reports:rounds")).text


def test_the_activity_log_is_scoped_searchable_and_editable(demo, client):
    users, _round = demo
    client.force_login(users["area1"])
    listing = client.get(reverse("reports:activities"), {"q": "อบรม"})
    assert (
        "อบรมนายทะเบียน" in listing.text and "ติดตามการส่งรายวิชาของโรงเรียนที่ยังไม่ครบ" not in listing.text
    )
    response = client.post(reverse("reports:activity_create"), {
        "institution": users["area1"].memberships.first().institution_id,
        "start_date": "2024-07-01", "end_date": "2024-06-01", "title": "ประชุม",
    })  # fmt: skip
    assert (
        response.status_code == 200 and "end date" in response.text.lower()
    ) or "วันสิ้นสุด" in response.text
    other = Activity.objects.filter(institution__code="LPN-PESA2").first()
    assert client.get(reverse("reports:activity_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("reports:activity_delete", args=[other.pk])).status_code == 404
    own = Activity.objects.filter(institution__code="LPN-PESA1").first()
    activities.activity_update(actor=users["area1"], activity=own, place="ห้องประชุมใหม่")
    own.refresh_from_db()
    assert own.place == "ห้องประชุมใหม่"
    with pytest.raises(PermissionDenied):
        activities.activity_update(actor=users["area1"], activity=other, place="x")
