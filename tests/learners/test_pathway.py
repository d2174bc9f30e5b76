from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learners.services.learners import learner_link_user
from learners.services.pathway import pathway_for_curriculum, pathway_ranking
from tests.factories import InstitutionFactory, UserFactory

from .factories import make_course, make_entry, make_learner
from .transfer_factories import make_curriculum, make_mapping


@pytest.fixture
def setup(world):
    """Two colleges of the province with a ปวช. curriculum each, one in another province; the
    learner's school courses map to some of their courses."""
    learner = make_learner(home_institution=world.school)
    learner_link_user(actor=None, learner=learner, user=UserFactory(username="planner"))
    learner.refresh_from_db()
    other_college = InstitutionFactory(
        code="T-COL-2", kind="vocational_college", province=world.province_a
    )
    far_college = InstitutionFactory(
        code="T-COL-B", kind="vocational_college", province=world.province_b
    )
    tech = make_curriculum(world.college, total="10", name="ช่างไฟฟ้า")
    agri = make_curriculum(other_college, total="10", name="เกษตร")
    far = make_curriculum(far_college, total="10", name="ไกล")
    bachelor = make_curriculum(other_college, level="bachelor", total="120", name="ปริญญาตรี")
    electric = make_course(world.college, "20104-2005", "3", level="voc_cert", curriculum=tech)
    make_course(world.college, "20104-2001", "2", level="voc_cert", curriculum=tech)
    drawing = make_course(world.college, "20104-2009", "2", level="voc_cert", curriculum=tech)
    longan = make_course(other_college, "20501-2101", "2", level="voc_cert", curriculum=agri)
    make_course(other_college, "20501-2003", "3", level="voc_cert", curriculum=agri)
    house = make_course(world.school, "ง21204", "1")
    orchard = make_course(world.school, "ง21201", "1")
    make_mapping(world, [house], [electric])
    make_mapping(world, [orchard], [longan])
    make_entry(learner, house, "3")
    make_entry(learner, orchard, "4")
    # already passed at the college itself: counts there, not elsewhere
    make_entry(learner, drawing, "3")
    return world, learner, tech, agri, far, bachelor


@pytest.mark.django_db
def test_what_counts_and_what_remains(setup):
    _world, learner, tech, agri, *_ = setup
    plan = pathway_for_curriculum(learner=learner, curriculum=tech)
    assert plan.transferred_credits == 3 and plan.earned_here == 2 and plan.counted_credits == 5
    assert [c.code for c in plan.remaining] == ["20104-2001"]
    assert plan.remaining_credits == 5 and plan.percent == 50
    other = pathway_for_curriculum(learner=learner, curriculum=agri)
    assert other.counted_credits == 2 and [c.code for c in other.remaining] == ["20501-2003"]


@pytest.mark.django_db
def test_ranking_of_the_provinces_curricula_of_a_level(setup):
    _world, learner, tech, agri, far, bachelor = setup
    ranking = pathway_ranking(learner=learner, level="voc_cert")
    assert [p.curriculum for p in ranking] == [tech, agri]  # not the other province's
    assert [p.counted_credits for p in ranking] == [Decimal("5"), Decimal("2")]
    assert far not in [p.curriculum for p in pathway_ranking(learner=learner)]
    assert bachelor in [p.curriculum for p in pathway_ranking(learner=learner)]


@pytest.mark.django_db
def test_pathway_page_and_its_query_count(login, setup):
    world, learner, tech, _agri, far, _bachelor = setup
    client = login(learner.user)
    url = reverse("learners:pathway")
    assert client.get(url).status_code == 200
    params = {"curriculum": tech.pk, "level": "voc_cert"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, params)
    body = response.content.decode()
    assert 'data-testid="ranking"' in body and "20104-2001" in body
    assert response.context["plan"].counted_credits == 5
    for n in range(20):
        college = InstitutionFactory(
            code=f"T-C{n:02d}", kind="vocational_college", province=world.province_a
        )
        curriculum = make_curriculum(college, total="20")
        target = make_course(college, f"2{n:04d}-0001", "2", level="voc_cert",
                             curriculum=curriculum)  # fmt: skip
        source = make_course(world.school, f"ง3{n:04d}", "1")
        make_mapping(world, [source], [target])
        make_entry(learner, source, "3")
        make_entry(learner, source, "2", academic_year=2560)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, params)
    assert len(response.context["ranking"]) == 22
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # another province's curriculum cannot be planned
    assert client.get(url, {"curriculum": far.pk}).status_code == 404
    # staff without a learner record are told to link one
    assert 'data-testid="not-linked"' in login(world.nobody).get(url).content.decode()
