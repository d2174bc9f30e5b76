"""Review queue: filters by institution pair, level and status; bulk decisions with a comment."""

from decimal import Decimal

import pytest
from django.urls import reverse

from equivalence import services
from equivalence.models import EquivalenceMapping

from ..factories import Role, grant
from .conftest import make_course


@pytest.fixture
def queue_world(world, catalogue):
    first, second = world.nobody, world.member
    grant(first, world.peo_a, Role.COMMITTEE_REVIEWER)
    grant(second, world.peo_a, Role.COMMITTEE_REVIEWER)
    nfe = make_course(world.sibling, "สค21001", "การเกษตรผสมผสาน", level="non_formal")

    def propose(source, target):
        return services.mapping_propose(
            actor=first, province=world.province_a, sources=[source], targets=[target],
            credits_recognised=Decimal(1), valid_from_year=2567,
        )  # fmt: skip

    return (
        first,
        second,
        propose(catalogue.longan, catalogue.fruit),  # school → college
        propose(nfe, catalogue.fruit),  # sibling (non-formal level) → college
        propose(catalogue.wiring, catalogue.sibling_longan),  # school → sibling
    )


def _ids(response):
    return [m.pk for m in response.context["page"].object_list]


def test_the_queue_filters_by_institution_pair_level_and_status(login, world, queue_world):
    _first, second, a, b, c = queue_world
    client = login(second)
    url = reverse("equivalence:queue")
    assert _ids(client.get(url)) == [a.pk, b.pk, c.pk]
    assert _ids(client.get(url, {"source": world.school.pk})) == [a.pk, c.pk]
    pair = {"source": world.school.pk, "target": world.college.pk}
    assert _ids(client.get(url, pair)) == [a.pk]
    assert _ids(client.get(url, {"level": "non_formal"})) == [b.pk]
    services.mapping_approve(actor=second, mapping=a)
    assert _ids(client.get(url, pair)) == []
    assert _ids(client.get(url, {**pair, "status": "approved"})) == [a.pk]
    assert _ids(client.get(url, {"status": "all"})) == [a.pk, b.pk, c.pk]
    assert _ids(client.get(url, {"level": "nonsense", "source": "x"})) == [b.pk, c.pk]


def test_bulk_approve_and_reject_with_a_comment(login, world, queue_world):
    _first, second, a, b, c = queue_world
    client = login(second)
    url = reverse("equivalence:queue")
    client.post(url, {"mappings": [a.pk, b.pk], "action": "approve", "comment": "ตามมติ"})
    statuses = dict(EquivalenceMapping.objects.values_list("pk", "status"))
    assert statuses[a.pk] == statuses[b.pk] == "approved"
    assert EquivalenceMapping.objects.get(pk=a.pk).decision_comment == "ตามมติ"
    client.post(url, {"mappings": [c.pk], "action": "reject", "comment": ""})
    assert EquivalenceMapping.objects.get(pk=c.pk).status == "proposed"  # a reason is required
    client.post(url, {"mappings": [c.pk, "junk"], "action": "reject", "comment": "ไม่ครอบคลุม"})
    assert EquivalenceMapping.objects.get(pk=c.pk).status == "rejected"


def test_the_proposer_cannot_bulk_approve_their_own(login, world, queue_world):
    first, _second, a, _b, _c = queue_world
    login(first).post(reverse("equivalence:queue"), {"mappings": [a.pk], "action": "approve"})
    assert EquivalenceMapping.objects.get(pk=a.pk).status == "proposed"


def test_the_queue_query_count_is_constant(
    login, world, queue_world, catalogue, django_assert_max_num_queries
):
    first, second, *_ = queue_world
    client = login(second)
    client.get(reverse("equivalence:queue"))
    with django_assert_max_num_queries(12):
        client.get(reverse("equivalence:queue"))
    for number in range(10):
        source = make_course(world.school, f"ง24{number:03d}", f"วิชา {number}")
        services.mapping_propose(
            actor=first, province=world.province_a, sources=[source], targets=[catalogue.bakery],
            credits_recognised=Decimal(1), valid_from_year=2567,
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        response = client.get(reverse("equivalence:queue"))
    assert len(response.context["page"].object_list) == 13


def test_the_mapping_page_says_mirrored_or_one_way(login, world, queue_world, catalogue):
    first, second, a, *_ = queue_world
    mirrored = services.mapping_propose(
        actor=first, province=world.province_a, sources=[catalogue.wiring],
        targets=[catalogue.building], credits_recognised=Decimal(1), valid_from_year=2567,
        direction="mirrored",
    )  # fmt: skip
    client = login(second)
    client.cookies["creditbank_language"] = "en"
    one_way = client.get(reverse("equivalence:detail", args=[a.pk])).content.decode()
    both = client.get(reverse("equivalence:detail", args=[mirrored.pk])).content.decode()
    assert "One way (source → target)" in one_way
    assert "Both ways (mirrored)" in both and "⇄" in both


def test_the_public_search_opens_on_the_province_with_approved_mappings(client, world, queue_world):
    _first, second, a, *_ = queue_world
    url = reverse("equivalence:where_it_counts")
    assert client.get(url).context["province_slug"] == world.province_b.slug  # code 50 first
    services.mapping_approve(actor=second, mapping=a)
    assert client.get(url).context["province_slug"] == world.province_a.slug
