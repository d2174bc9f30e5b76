from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from institutions.models import Institution, Membership


def _snapshot():
    counts = {}
    for model in apps.get_models():
        if (
            model._meta.managed
            and not model._meta.proxy
            and model._meta.db_table in connection.introspection.table_names()
        ):
            if model._meta.app_label in {"sessions", "admin", "axes"}:
                continue
            counts[model._meta.label] = model.objects.count()
    return counts


def test_seed_demo_is_idempotent_and_has_the_lamphun_facts(db):
    call_command("seed_demo", "--quiet-accounts")
    first = _snapshot()
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    call_command("seed_demo", "--quiet-accounts")
    assert _snapshot() == first
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords

    area1 = Institution.objects.get(code="LPN-PESA1")
    schools = Institution.objects.filter(parent=area1, extended_opportunity=True)
    assert schools.count() == 20
    assert len(set(schools.values_list("district", flat=True))) >= 6
    assert Institution.objects.filter(name_th__contains="ราชมงคลธัญบุรี").exists()
    assert Institution.objects.filter(
        kind=Institution.Kind.TEST_CENTRE, province__slug="lamphun"
    ).exists()
    assert (
        Institution.objects.filter(
            kind=Institution.Kind.VOCATIONAL_COLLEGE, province__slug="lamphun"
        ).count()
        >= 3
    )
    assert (
        Institution.objects.filter(
            kind=Institution.Kind.NFE_CENTRE, province__slug="lamphun"
        ).count()
        == 8
    )
    assert Institution.objects.filter(province__slug="chiang-mai").count() >= 3


def test_every_demo_account_signs_in_and_sees_its_province(client, db):
    call_command("seed_demo", "--quiet-accounts")
    for username in [
        "national",
        "centre",
        "area1",
        "school",
        "college",
        "committee",
        "testcentre",
        "learner",
        "chiangmai",
    ]:
        response = client.post("/accounts/login/", {"username": username, "password": "demo1234"})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
    centre = get_user_model().objects.get(username="centre")
    assert not Institution.objects.for_user(centre).filter(province__slug="chiang-mai").exists()
    chiangmai = get_user_model().objects.get(username="chiangmai")
    assert not Institution.objects.for_user(chiangmai).filter(province__slug="lamphun").exists()
    assert Membership.objects.filter(user__username="national", role="national_admin").exists()


def test_seed_demo_refuses_when_demo_is_not_allowed(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="centre").exists()


def test_demo_course_lists(db):
    from courses.models import Course

    call_command("seed_demo", "--quiet-accounts")
    schools = Institution.objects.filter(code__startswith="LPN1-EO")
    submitted = schools.filter(courses__isnull=False).distinct().count()
    assert submitted == 18  # two of the twenty have not sent their list yet
    assert Course.objects.filter(status="submitted", institution__in=schools).exists()
    assert Course.objects.filter(level="voc_cert", status="approved").count() >= 15
    assert Course.objects.filter(subject_group="ง", name_th__contains="ลำไย").exists()


def test_demo_mappings_in_every_state(db):
    from equivalence.models import EquivalenceMapping

    call_command("seed_demo", "--quiet-accounts")
    states = set(EquivalenceMapping.objects.values_list("status", flat=True))
    assert {"approved", "proposed", "rejected"} <= states
    approved = EquivalenceMapping.objects.filter(status="approved").first()
    assert approved.proposed_by.username == "committee"
    assert approved.decided_by.username == "committee2"
