"""The issue's bad input, through the pages a committee uses."""

from decimal import Decimal

import pytest
from django.urls import reverse

from equivalence import services
from equivalence.models import EquivalenceMapping

from ..factories import Role, grant
from .conftest import make_course


@pytest.fixture
def reviewers(world, catalogue):
    first, second = world.nobody, world.member
    grant(first, world.peo_a, Role.COMMITTEE_REVIEWER)
    grant(second, world.peo_a, Role.COMMITTEE_REVIEWER)
    return first, second


def _proposal(catalogue, **overrides):
    data = {
        "sources": [catalogue.longan.pk], "targets": [catalogue.fruit.pk], "kind": "full",
        "direction": "one_way", "credits_recognised": "1.0", "min_grade": "2.0",
        "rationale": "เนื้อหาครอบคลุม", "valid_from_year": "2567",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "case",
    ["self-mapping", "empty-source", "empty-target", "credits-above-target", "other-province"],
)
def test_bad_proposals_are_refused_and_nothing_is_written(login, world, catalogue, reviewers, case):
    foreign = make_course(world.school_b, "ง21299", "การปลูกลำไย")
    overrides = {
        "self-mapping": {"targets": [catalogue.longan.pk]},
        "empty-source": {"sources": []},
        "empty-target": {"targets": []},
        "credits-above-target": {"credits_recognised": "2.5"},  # the target has 2 credits
        "other-province": {"sources": [foreign.pk]},
    }[case]
    response = login(reviewers[0]).post(
        reverse("equivalence:propose"), _proposal(catalogue, **overrides)
    )
    assert response.status_code == 400
    assert not EquivalenceMapping.objects.exists()


def test_the_service_refuses_the_same_bad_input(world, catalogue, reviewers):
    first = reviewers[0]
    foreign = make_course(world.school_b, "ง21299", "การปลูกลำไย")
    cases = [
        ([catalogue.longan], [catalogue.longan], None),
        ([], [catalogue.fruit], None),
        ([catalogue.longan], [catalogue.fruit], Decimal("2.5")),
        ([foreign], [catalogue.fruit], None),
    ]
    for sources, targets, credits in cases:
        with pytest.raises(services.MappingError):
            services.mapping_propose(
                actor=first, province=world.province_a, sources=sources, targets=targets,
                credits_recognised=credits, valid_from_year=2567,
            )  # fmt: skip
    with pytest.raises(services.MappingError):  # a user of province B proposing in province A
        services.mapping_propose(
            actor=world.centre_b, province=world.province_a, sources=[catalogue.longan],
            targets=[catalogue.fruit], valid_from_year=2567,
        )  # fmt: skip
    assert not EquivalenceMapping.objects.exists()


def test_approving_without_the_role_is_403_and_outside_the_scope_404(
    login, world, catalogue, reviewers
):
    first, _second = reviewers
    mapping = services.mapping_propose(
        actor=first, province=world.province_a, sources=[catalogue.longan],
        targets=[catalogue.fruit], credits_recognised=Decimal(1), valid_from_year=2567,
    )  # fmt: skip
    decide = reverse("equivalence:decide", args=[mapping.pk])
    assert login(world.centre).post(decide, {"action": "approve"}).status_code == 403
    assert login(world.owner).post(decide, {"action": "approve"}).status_code == 403
    grant(world.centre_b, world.peo_b, Role.COMMITTEE_REVIEWER)  # a reviewer elsewhere
    assert login(world.centre_b).post(decide, {"action": "approve"}).status_code == 404
    queue = reverse("equivalence:queue")
    assert (
        login(world.owner).post(queue, {"mappings": [mapping.pk], "action": "approve"}).status_code
        == 403
    )
    login(world.centre_b).post(queue, {"mappings": [mapping.pk], "action": "approve"})
    assert EquivalenceMapping.objects.get(pk=mapping.pk).status == "proposed"
