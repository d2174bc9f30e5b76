"""Curricula and approved mappings for the transfer tests, made through the services."""

from decimal import Decimal

from courses.models import Curriculum
from equivalence.services import mapping_approve, mapping_propose
from tests.factories import Role, UserFactory, grant


def make_curriculum(institution, level="voc_cert", total="100", **kwargs):
    kwargs.setdefault("name", f"หลักสูตร {level}")
    kwargs.setdefault("academic_year", 2567)
    return Curriculum.objects.create(
        institution=institution, level=level, total_credits=Decimal(total), **kwargs
    )


def reviewers(province_office):
    proposer = UserFactory(username="reviewer-1")
    approver = UserFactory(username="reviewer-2")
    for user in (proposer, approver):
        if not user.memberships.filter(role=Role.COMMITTEE_REVIEWER).exists():
            grant(user, province_office, Role.COMMITTEE_REVIEWER)
    return proposer, approver


def make_mapping(world, sources, targets, *, approve=True, **kwargs):
    """An approved mapping (four eyes: two reviewers of the province)."""
    proposer, approver = reviewers(world.peo_a)
    kwargs.setdefault("valid_from_year", 2560)
    mapping = mapping_propose(
        actor=proposer, province=world.province_a, sources=sources, targets=targets, **kwargs
    )
    if approve:
        mapping = mapping_approve(actor=approver, mapping=mapping)
    return mapping
