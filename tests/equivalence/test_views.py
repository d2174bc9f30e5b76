from decimal import Decimal

from django.urls import reverse

from equivalence import services
from equivalence.models import EquivalenceMapping

from .test_mappings import _propose, committee  # noqa: F401  (fixture)


def test_public_search_shows_only_approved_mappings(client, world, committee):  # noqa: F811
    first, second, source, target = committee
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    url = reverse("equivalence:where_it_counts")
    params = {"province": world.province_a.slug, "q": source.code}
    world.province_a.centre_active = True
    world.province_a.save()
    assert target.code not in client.get(url, params).content.decode()  # only proposed so far
    services.mapping_approve(actor=second, mapping=mapping)
    body = client.get(url, params).content.decode()
    assert target.code in body and "1.0" in body
    reverse_body = client.get(url, {**params, "q": target.code, "direction": "to"}).content.decode()
    assert source.code in reverse_body
    # One way: the target course itself does not "count as" the source course.
    results = client.get(url, {**params, "q": target.code}).context["results"]
    assert results == [(target, [])]


def test_the_queue_is_for_reviewers(login, world, committee):  # noqa: F811
    first, second, source, target = committee
    _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    assert login(world.owner).get(reverse("equivalence:queue")).status_code == 403
    page = login(second).get(reverse("equivalence:queue")).context["page"]
    assert len(page.object_list) == 1


def test_a_second_reviewer_approves_from_the_mapping_page(login, world, committee):  # noqa: F811
    first, second, source, target = committee
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    login(first).post(reverse("equivalence:decide", args=[mapping.pk]), {"action": "approve"})
    assert EquivalenceMapping.objects.get(pk=mapping.pk).status == "proposed"  # four eyes
    response = login(second).post(
        reverse("equivalence:decide", args=[mapping.pk]),
        {"action": "approve", "decision_number": "3/2567"},
    )
    assert response.status_code == 302
    approved = EquivalenceMapping.objects.get(pk=mapping.pk)
    assert approved.status == "approved" and approved.decision_number == "3/2567"


def test_a_non_reviewer_cannot_decide(login, world, committee):  # noqa: F811
    first, _second, source, target = committee
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    response = login(world.centre).post(
        reverse("equivalence:decide", args=[mapping.pk]), {"action": "approve"}
    )
    assert response.status_code == 403


def test_coverage_counts_mapped_courses_biggest_gaps_first(login, world, committee):  # noqa: F811
    from .test_mappings import _course

    first, second, source, target = committee
    _course(world.school, "ง21202")  # a second approved school course, not mapped
    mapping = _propose(world, first, [source], [target], credits_recognised=Decimal("1"))
    services.mapping_approve(actor=second, mapping=mapping)
    response = login(world.centre).get(reverse("equivalence:coverage"))
    assert response.context["total"] == 3 and response.context["mapped"] == 1
    rows = response.context["page"].object_list
    assert rows[0]["name"] == world.school.name_th and rows[0]["gap"] == 1
    assert response.context["pairs"][0]["mapped"] == 1


def test_demand_list_oldest_first(login, world, committee):  # noqa: F811
    _first, _second, source, target = committee
    services.demand_record(course=source, target_institution=world.college)
    services.demand_record(course=target, target_institution=world.school)
    items = login(world.centre).get(reverse("equivalence:demand")).context["page"].object_list
    assert [i.course.code for i in items] == [source.code, target.code]
    outsider_page = login(world.outsider).get(reverse("equivalence:demand")).context["page"]
    assert list(outsider_page.object_list) == []
