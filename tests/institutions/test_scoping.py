import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from institutions.models import Institution, Membership
from institutions.scoping import get_for_user, scope_for

Role = Membership.Role


def _codes(user):
    return set(Institution.objects.for_user(user).values_list("code", flat=True))


def test_an_office_membership_covers_the_institutions_below_it(world):
    assert _codes(world.area_admin) == {"T-AREA-A", "T-SCH-1", "T-SCH-2"}


def test_a_school_membership_covers_only_that_school(world):
    assert _codes(world.owner) == {"T-SCH-1"}
    assert _codes(world.neighbour) == {"T-SCH-2"}


def test_centre_staff_see_their_province_only(world):
    codes = _codes(world.centre)
    assert {"T-PEO-A", "T-AREA-A", "T-SCH-1", "T-SCH-2", "T-COL-A"} == codes
    assert "T-SCH-B" not in codes


def test_the_national_administrator_sees_every_province(world):
    assert {"T-SCH-1", "T-SCH-B", "T-PEO-B", "T-NAT"} <= _codes(world.national)


def test_a_user_without_memberships_sees_nothing(world):
    assert _codes(world.nobody) == set()


def test_outside_scope_is_404_and_missing_role_is_403(world):
    with pytest.raises(Http404):
        get_for_user(world.outsider, Institution, pk=world.school.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(world.member, Institution, roles=[Role.INSTITUTION_ADMIN], pk=world.school.pk)
    assert (
        get_for_user(world.owner, Institution, roles=[Role.INSTITUTION_ADMIN], pk=world.school.pk)
        == world.school
    )


def test_roles_are_inherited_down_the_hierarchy(world):
    scope = scope_for(world.area_admin)
    assert scope.has_role(world.school, Role.INSTITUTION_ADMIN)
    assert not scope.has_role(world.college, Role.INSTITUTION_ADMIN)
    centre = scope_for(world.centre)
    assert centre.has_role(world.college, Role.INSTITUTION_ADMIN)
    assert not centre.has_role(world.school_b, Role.VIEWER)
    assert not centre.has_role(world.college, Role.REGISTRAR)


def test_moving_an_office_moves_its_subtree(world):
    from institutions import services

    new_area = services.institution_create(
        actor=None,
        code="T-AREA-NEW",
        name_th="เขตใหม่",
        kind=Institution.Kind.AREA_OFFICE_PRIMARY,
        affiliation="obec",
        province=world.province_a,
    )
    services.institution_update(actor=world.centre, institution=world.area, parent=new_area)
    world.school.refresh_from_db()
    assert world.school.tree_path.startswith(new_area.tree_path)
    boss = world.nobody
    services.membership_add(actor=None, institution=new_area, user=boss, role=Role.VIEWER)
    assert "T-SCH-1" in _codes(boss)


def test_a_removed_role_stops_working_at_once(world, client):
    from django.urls import reverse

    from institutions import services

    client.force_login(world.owner)
    assert client.get(reverse("institutions:detail", args=[world.school.pk])).status_code == 200
    membership = Membership.objects.get(user=world.owner, institution=world.school)
    services.membership_remove(actor=world.centre, membership=membership)
    assert client.get(reverse("institutions:detail", args=[world.school.pk])).status_code == 404
