"""Shared fixtures: an owner, a member and outsiders from another institution AND province."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from institutions.models import Institution

from .factories import InstitutionFactory, ProvinceFactory, Role, UserFactory, grant

Kind = Institution.Kind


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English leaves English active in the thread; the next test starts in Thai.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """Two provinces. In province A: a provincial office, an area office with two schools and a
    school elsewhere; in province B: an office and a school. Users for every vantage point."""
    province_a = ProvinceFactory(code="51", slug="lamphun-t", name_th="ลำพูน", name_en="Lamphun")
    province_b = ProvinceFactory(
        code="50", slug="chiangmai-t", name_th="เชียงใหม่", name_en="Chiang Mai"
    )
    national_office = InstitutionFactory(
        code="T-NAT", kind=Kind.NATIONAL_OFFICE, affiliation="oec", province=None
    )
    peo_a = InstitutionFactory(
        code="T-PEO-A", kind=Kind.PROVINCIAL_OFFICE, affiliation="moe", province=province_a
    )
    area = InstitutionFactory(code="T-AREA-A", kind=Kind.AREA_OFFICE_PRIMARY, province=province_a)
    school = InstitutionFactory(
        code="T-SCH-1", province=province_a, parent=area, extended_opportunity=True
    )
    sibling = InstitutionFactory(code="T-SCH-2", province=province_a, parent=area)
    college = InstitutionFactory(
        code="T-COL-A", kind=Kind.VOCATIONAL_COLLEGE, affiliation="ovec", province=province_a
    )
    peo_b = InstitutionFactory(
        code="T-PEO-B", kind=Kind.PROVINCIAL_OFFICE, affiliation="moe", province=province_b
    )
    school_b = InstitutionFactory(code="T-SCH-B", province=province_b)

    owner = UserFactory(username="owner")
    grant(owner, school, Role.INSTITUTION_ADMIN)
    member = UserFactory(username="member")
    grant(member, school, Role.VIEWER)
    neighbour = UserFactory(username="neighbour")  # same province, other institution
    grant(neighbour, sibling, Role.INSTITUTION_ADMIN)
    outsider = UserFactory(username="outsider")  # another province
    grant(outsider, school_b, Role.INSTITUTION_ADMIN)
    area_admin = UserFactory(username="areaadmin")
    grant(area_admin, area, Role.INSTITUTION_ADMIN)
    centre = UserFactory(username="centre-a")
    grant(centre, peo_a, Role.CENTRE_STAFF)
    centre_b = UserFactory(username="centre-b")
    grant(centre_b, peo_b, Role.CENTRE_STAFF)
    national = UserFactory(username="nat")
    grant(national, national_office, Role.NATIONAL_ADMIN)
    nobody = UserFactory(username="nobody")

    return SimpleNamespace(**locals())


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def pytest_configure(config):
    """Transactional tests flush tables with DELETE on SQLite, which the append-only ledger's
    triggers refuse: lift the guard for the flush only (creditbank.db.maintenance_unlocked)."""
    from django.test import TransactionTestCase

    from creditbank.db import maintenance_unlocked

    original = TransactionTestCase._fixture_teardown
    if getattr(original, "_ledger_unlocked", False):
        return

    def _fixture_teardown(self):
        with maintenance_unlocked():
            return original(self)

    _fixture_teardown._ledger_unlocked = True
    TransactionTestCase._fixture_teardown = _fixture_teardown
