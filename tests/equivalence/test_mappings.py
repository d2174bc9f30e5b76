from decimal import Decimal

import pytest

from courses.models import Course
from equivalence import services
from equivalence.models import EquivalenceMapping, TransferDemand

from ..factories import Role, grant


def _course(institution, code, credits="1", status="approved", **extra):
    return Course.objects.create(
        institution=institution, code=code, name_th=f"วิชา {code}", credits=Decimal(credits),
        hours=40, level=extra.pop("level", "lower_secondary"), academic_year=2567, status=status,
        **extra,
    )  # fmt: skip


@pytest.fixture
def committee(world):
    first, second = world.nobody, world.member
    grant(first, world.peo_a, Role.COMMITTEE_REVIEWER)
    grant(second, world.peo_a, Role.COMMITTEE_REVIEWER)
    school_course = _course(world.school, "ง21201")
    college_course = _course(world.college, "20501-2101", credits="2", level="voc_cert")
    return first, second, school_course, college_course


def _propose(world, actor, sources, targets, **kwargs):
    return services.mapping_propose(
        actor=actor, province=world.province_a, sources=sources, targets=targets,
        valid_from_year=2567, **kwargs,
    )  # fmt: skip


def test_four_eyes(world, committee):
    first, second, source, target = committee
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    with pytest.raises(services.MappingError, match=r"Four eyes|ผู้เสนอ|proposer"):
        services.mapping_approve(actor=first, mapping=mapping)
    with pytest.raises(services.MappingError):
        services.mapping_approve(actor=world.owner, mapping=mapping)  # not a reviewer
    approved = services.mapping_approve(actor=second, mapping=mapping, decision_number="1/2567")
    assert approved.status == EquivalenceMapping.Status.APPROVED
    assert approved.decided_by == second
    again = services.mapping_approve(actor=second, mapping=mapping)  # harmless
    assert again.decided_at == approved.decided_at
    assert mapping.history.count() >= 2


def test_n_to_m_mapping_and_credit_limit(world, committee):
    first, _second, source, target = committee
    other_source = _course(world.school, "ง21202")
    mapping = _propose(world, first, [source, other_source], [target])
    assert {c.code for c in mapping.sources} == {"ง21201", "ง21202"}
    assert mapping.credits_recognised == Decimal("2")
    with pytest.raises(services.MappingError):
        _propose(world, first, [source], [target], credits_recognised=Decimal("3"))


@pytest.mark.parametrize("case", ["empty", "itself", "other_province"])
def test_bad_proposals_are_refused(world, committee, case):
    first, _second, source, target = committee
    outside = _course(world.school_b, "ง21999")
    sides = {
        "empty": ([], [target]),
        "itself": ([source], [source]),
        "other_province": ([outside], [target]),
    }[case]
    with pytest.raises(services.MappingError):
        _propose(world, first, *sides)
    assert not EquivalenceMapping.objects.exists()


def test_a_mapping_over_an_unapproved_course_cannot_be_approved(world, committee):
    first, second, _source, target = committee
    submitted = _course(world.school, "ง21203", status="submitted")
    mapping = _propose(world, first, [submitted], [target], credits_recognised=Decimal("1"))
    with pytest.raises(services.MappingError):
        services.mapping_approve(actor=second, mapping=mapping)
    mapping.refresh_from_db()
    assert mapping.status == EquivalenceMapping.Status.PROPOSED


def test_reviewers_of_another_province_cannot_decide(world, committee):
    first, _second, source, target = committee
    grant(world.centre_b, world.peo_b, Role.COMMITTEE_REVIEWER)
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    with pytest.raises(services.MappingError):
        services.mapping_approve(actor=world.centre_b, mapping=mapping)
    assert EquivalenceMapping.objects.for_user(world.centre_b).count() == 0


def test_demand_is_counted_and_resolved_by_an_approval(world, committee):
    first, second, source, target = committee
    services.demand_record(course=source, target_institution=world.college)
    demand = services.demand_record(course=source, target_institution=world.college)
    assert demand.request_count == 2 and demand.resolved_at is None
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    services.mapping_approve(actor=second, mapping=mapping)
    assert TransferDemand.objects.get(pk=demand.pk).resolved_at is not None


def test_reject_needs_a_reason(world, committee):
    first, second, source, target = committee
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    with pytest.raises(services.MappingError):
        services.mapping_reject(actor=second, mapping=mapping, comment=" ")
    rejected = services.mapping_reject(actor=second, mapping=mapping, comment="เนื้อหาไม่ครอบคลุม")
    assert rejected.status == EquivalenceMapping.Status.REJECTED
