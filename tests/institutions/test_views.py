import pytest
from django.urls import reverse

from institutions.models import Institution, Membership

from ..factories import InstitutionFactory

Role = Membership.Role


def test_list_shows_only_what_the_user_may_see(login, world):
    response = login(world.area_admin).get(reverse("institutions:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.school.name_th in body
    assert world.school_b.name_th not in body
    assert world.college.name_th not in body


def test_list_search_finds_a_word_inside_a_thai_name(login, world):
    response = login(world.centre).get(reverse("institutions:list"), {"q": "ทดสอบ"})
    assert world.school.name_th in response.content.decode()
    response = login(world.centre).get(reverse("institutions:list"), {"q": "T-SCH-2"})
    page = response.context["page"]
    assert [i.code for i in page.object_list] == ["T-SCH-2"]


def test_list_filters_by_kind_affiliation_and_district(login, world):
    client = login(world.centre)
    page = client.get(reverse("institutions:list"), {"kind": "vocational_college"}).context["page"]
    assert [i.code for i in page.object_list] == ["T-COL-A"]
    page = client.get(reverse("institutions:list"), {"affiliation": "ovec"}).context["page"]
    assert [i.code for i in page.object_list] == ["T-COL-A"]
    InstitutionFactory(code="T-SCH-LI", province=world.province_a, district="ลี้")
    page = client.get(reverse("institutions:list"), {"district": "ลี้"}).context["page"]
    assert [i.code for i in page.object_list] == ["T-SCH-LI"]


def test_list_is_paginated(login, world):
    for n in range(30):
        InstitutionFactory(code=f"T-P-{n:02d}", province=world.province_a)
    client = login(world.centre)
    first = client.get(reverse("institutions:list")).context["page"]
    assert len(first.object_list) == 25
    second = client.get(reverse("institutions:list"), {"page": 2}).context["page"]
    assert second.number == 2
    assert {i.pk for i in first.object_list}.isdisjoint({i.pk for i in second.object_list})


@pytest.mark.parametrize("extra", [0, 40])
def test_list_uses_a_constant_number_of_queries(login, world, django_assert_max_num_queries, extra):
    for n in range(extra):
        child = InstitutionFactory(code=f"T-Q-{n:02d}", province=world.province_a)
        InstitutionFactory(code=f"T-QC-{n:02d}", province=world.province_a, parent=child)
    client = login(world.centre)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("institutions:list"))
    assert response.status_code == 200


def test_detail_shows_parent_and_children(login, world):
    response = login(world.area_admin).get(reverse("institutions:detail", args=[world.area.pk]))
    body = response.content.decode()
    assert world.school.name_th in body and world.sibling.name_th in body
    response = login(world.area_admin).get(reverse("institutions:detail", args=[world.school.pk]))
    assert world.area.name_th in response.content.decode()


def test_centre_staff_create_an_institution(login, world):
    client = login(world.centre)
    response = client.post(
        reverse("institutions:create"),
        {
            "code": "T-NEW-1",
            "ministry_code": "1051100999",
            "name_th": "โรงเรียนใหม่",
            "name_en": "New School",
            "kind": "school",
            "affiliation": "obec",
            "province": world.province_a.pk,
            "parent": world.area.pk,
            "district": "ป่าซาง",
            "active": "on",
        },
    )
    assert response.status_code == 302
    created = Institution.objects.get(code="T-NEW-1")
    assert created.tree_path.startswith(world.area.tree_path)
    # The area's admin now sees it through the hierarchy.
    assert Institution.objects.for_user(world.area_admin).filter(pk=created.pk).exists()


def test_a_duplicate_code_is_refused_with_a_clear_message(login, world):
    client = login(world.centre)
    client.cookies["creditbank_language"] = "en"
    before = Institution.objects.count()
    response = client.post(
        reverse("institutions:create"),
        {
            "code": "T-SCH-1",
            "name_th": "ซ้ำ",
            "kind": "school",
            "affiliation": "obec",
            "province": world.province_a.pk,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Institution.objects.count() == before


def test_form_errors_come_in_the_current_language(login, world):
    client = login(world.centre)
    client.cookies["creditbank_language"] = "th"
    response = client.post(reverse("institutions:create"), {"code": "bad code"})
    body = response.content.decode()
    assert "ฟิลด์นี้จำเป็น" in body  # Django's own Thai for "This field is required."
    client.cookies["creditbank_language"] = "en"
    response = client.post(reverse("institutions:create"), {"code": "bad code"})
    assert "This field is required." in response.content.decode()


def test_a_wrong_ministry_code_is_refused(login, world):
    response = login(world.centre).post(
        reverse("institutions:create"),
        {
            "code": "T-X",
            "ministry_code": "12345",
            "name_th": "x",
            "kind": "school",
            "affiliation": "obec",
            "province": world.province_a.pk,
        },
    )
    assert response.status_code == 200
    assert not Institution.objects.filter(code="T-X").exists()
    assert "ministry_code" in response.context["form"].errors


def test_non_centre_users_cannot_create(login, world):
    assert login(world.area_admin).get(reverse("institutions:create")).status_code == 403


def test_centre_staff_cannot_create_in_another_province(login, world):
    response = login(world.centre).post(
        reverse("institutions:create"),
        {
            "code": "T-EVIL",
            "name_th": "x",
            "kind": "school",
            "affiliation": "obec",
            "province": world.province_b.pk,
        },
    )
    assert response.status_code in (200, 403)
    assert not Institution.objects.filter(code="T-EVIL").exists()


def test_edit_keeps_the_hierarchy(login, world):
    client = login(world.centre)
    response = client.post(
        reverse("institutions:edit", args=[world.school.pk]),
        {
            "code": "T-SCH-1",
            "name_th": "ชื่อใหม่",
            "kind": "school",
            "affiliation": "obec",
            "province": world.province_a.pk,
            "parent": world.area.pk,
            "extended_opportunity": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.name_th == "ชื่อใหม่"
    assert world.school.history.count() >= 2  # every change is kept


def test_a_school_admin_cannot_edit_the_institution_record(login, world):
    assert (
        login(world.owner).get(reverse("institutions:edit", args=[world.school.pk])).status_code
        == 403
    )


def test_membership_add_and_remove(login, world):
    client = login(world.owner)
    response = client.post(
        reverse("institutions:membership_add", args=[world.school.pk]),
        {"username": "nobody", "role": Role.REGISTRAR},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.nobody, institution=world.school)
    assert membership.created_by == world.owner
    response = client.post(
        reverse("institutions:membership_remove", args=[world.school.pk, membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_school_admin_cannot_hand_out_centre_staff(login, world):
    client = login(world.owner)
    client.post(
        reverse("institutions:membership_add", args=[world.school.pk]),
        {"username": "nobody", "role": Role.CENTRE_STAFF},
    )
    assert not Membership.objects.filter(user=world.nobody).exists()


def test_a_viewer_cannot_manage_members(login, world):
    response = login(world.member).post(
        reverse("institutions:membership_add", args=[world.school.pk]),
        {"username": "nobody", "role": Role.VIEWER},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.nobody).exists()


def test_unknown_username_gets_a_message(login, world):
    client = login(world.owner)
    client.cookies["creditbank_language"] = "en"
    response = client.post(
        reverse("institutions:membership_add", args=[world.school.pk]),
        {"username": "ghost", "role": Role.VIEWER},
        follow=True,
    )
    assert "No account has this username or e-mail." in response.content.decode()
