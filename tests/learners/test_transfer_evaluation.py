import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from equivalence.models import TransferDemand
from learners.models import TransferRule
from learners.services import ledger
from learners.services.transfer import transfer_evaluate

from .factories import make_course, make_entry, make_learner
from .transfer_factories import make_curriculum, make_mapping

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    """A learner of the school; the college's ปวช. curriculum with three courses."""
    learner = make_learner(home_institution=world.school)
    curriculum = make_curriculum(world.college, total="100")
    electric = make_course(world.college, "20104-2005", "3", level="voc_cert",
                           subject_group="voc", curriculum=curriculum)  # fmt: skip
    longan = make_course(world.college, "20501-2101", "2", level="voc_cert",
                         subject_group="voc", curriculum=curriculum)  # fmt: skip
    cooking = make_course(world.college, "20404-2001", "3", level="voc_cert",
                          subject_group="voc", curriculum=curriculum)  # fmt: skip
    return world, learner, curriculum, electric, longan, cooking


def _by_code(evaluation):
    return {item.entry.course_code: item for item in evaluation.items}


def test_entry_by_entry_what_counts_and_why_not(setup):
    world, learner, curriculum, electric, longan, cooking = setup
    house = make_course(world.school, "ง21204", "1")
    orchard = make_course(world.school, "ง21201", "1")
    food = make_course(world.school, "ง21203", "1")
    art = make_course(world.school, "ศ21101", "1")
    fail = make_course(world.school, "ง21209", "1")
    unverified = make_course(world.school, "ง21210", "1")
    make_mapping(world, [house], [electric], credits_recognised=Decimal("3"))
    make_mapping(world, [orchard], [longan], valid_from_year=2567)
    make_mapping(world, [food], [cooking], min_grade=Decimal("3.0"))
    make_mapping(world, [fail], [cooking])
    make_mapping(world, [unverified], [cooking])
    make_entry(learner, house, "3", academic_year=2566)
    make_entry(learner, orchard, "4", academic_year=2566)  # mapping valid from 2567
    make_entry(learner, food, "2.5")  # the mapping asks for 3
    make_entry(learner, art, "4")  # no mapping at all
    make_entry(learner, fail, "0")
    make_entry(learner, unverified, "4", verified=False)
    make_entry(learner, make_course(world.college, "20104-2001", "2", level="voc_cert"), "4")

    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)

    items = _by_code(evaluation)
    assert "20104-2001" not in items  # earned at the receiving institution: already counts there
    assert items["ง21204"].counts and items["ง21204"].target_course.code == "20104-2005"
    assert items["ง21204"].credits_recognised == Decimal("3")
    assert items["ง21201"].reason == "mapping_not_valid" and "2567" in items["ง21201"].detail
    assert items["ง21203"].reason == "grade_below" and "3" in items["ง21203"].detail
    assert items["ศ21101"].reason == "no_mapping"
    assert items["ง21209"].reason == "not_passed"
    assert items["ง21210"].reason == "not_verified"
    assert evaluation.counted_credits == Decimal("3")
    assert evaluation.missing_course_ids == [art.pk]
    assert evaluation.rule.min_grade == Decimal("2.0") and evaluation.rule.residency_terms == 1
    assert evaluation.rule.max_share is None  # no cap below higher education by default
    assert not TransferDemand.objects.exists()  # evaluating writes nothing


def test_the_institutions_rule_raises_the_minimum_grade(setup):
    world, learner, curriculum, electric, *_ = setup
    house = make_course(world.school, "ง21204", "1")
    make_mapping(world, [house], [electric])
    make_entry(learner, house, "2")
    assert transfer_evaluate(learner=learner, curriculum=curriculum).counted_credits == 3
    TransferRule.objects.create(
        institution=world.college, level="voc_cert", min_grade=Decimal("2.5"), residency_terms=2
    )
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert evaluation.items[0].reason == "grade_below" and evaluation.rule.residency_terms == 2


def test_expired_credit_does_not_count(setup, settings):
    world, learner, curriculum, electric, *_ = setup
    settings.LEARNERS_CREDIT_VALIDITY_YEARS = {"school": 1}
    house = make_course(world.school, "ง21204", "1")
    make_mapping(world, [house], [electric])
    make_entry(learner, house, "4", academic_year=2560)
    (item,) = transfer_evaluate(learner=learner, curriculum=curriculum).items
    assert item.reason == "expired"
    later = transfer_evaluate(learner=learner, curriculum=curriculum, on=dt.date(2018, 1, 1))
    assert later.items[0].counts


def test_n_to_m_mapping_needs_every_source_course(setup):
    world, learner, curriculum, electric, longan, _cooking = setup
    one = make_course(world.school, "ง21204", "1")
    two = make_course(world.school, "ง22203", "1.5")
    make_mapping(world, [one, two], [electric, longan], credits_recognised=Decimal("5"))
    make_entry(learner, one, "3")
    (item,) = transfer_evaluate(learner=learner, curriculum=curriculum).items
    assert item.reason == "incomplete_set" and "ง22203" in item.detail
    make_entry(learner, two, "2")
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert all(i.counts for i in evaluation.items) and evaluation.counted_credits == 5
    assert sum(i.credits_recognised for i in evaluation.items) == Decimal("5")
    assert evaluation.recognised_course_ids == {electric.pk, longan.pk}


def test_a_reversed_entry_does_not_count_and_a_retake_counts_once(setup):
    world, learner, curriculum, electric, *_rest = setup
    house = make_course(world.school, "ง21204", "1")
    make_mapping(world, [house], [electric])
    first = make_entry(learner, house, "3", academic_year=2565)
    ledger.entry_reverse(actor=None, entry=first, reason="แก้ไข")
    assert transfer_evaluate(learner=learner, curriculum=curriculum).items == []
    make_entry(learner, house, "2", academic_year=2566)
    make_entry(learner, house, "4", academic_year=2567)
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert evaluation.counted_credits == 3
    assert sorted(i.reason for i in evaluation.items) == ["already_transferred", "counted"]
    assert next(i for i in evaluation.items if i.counts).entry.grade == "4"


def test_mirrored_mapping_counts_both_ways(setup):
    world, learner, curriculum, *_courses, cooking = setup
    food = make_course(world.school, "ง21203", "1")
    make_mapping(world, [cooking], [food], direction="mirrored", credits_recognised=Decimal("1"))
    make_entry(learner, food, "3")
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert evaluation.items[0].counts and evaluation.items[0].target_course.id == cooking.pk
    assert evaluation.counted_credits == 1


def test_higher_education_caps_at_three_quarters_by_default(world):
    university = world.college  # the level decides, not the kind
    learner = make_learner(home_institution=world.school)
    curriculum = make_curriculum(university, level="bachelor", total="8")
    for n in range(4):
        target = make_course(university, f"BUS10{n}", "2", level="bachelor", curriculum=curriculum)
        source = make_course(world.school, f"ง2120{n}", "2")
        make_mapping(world, [source], [target])
        make_entry(learner, source, "3")
    evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert evaluation.rule.max_share == Decimal("0.75") and evaluation.cap_credits == 6
    assert evaluation.counted_credits == 6
    assert [i.reason for i in evaluation.items].count("over_cap") == 1
    TransferRule.objects.create(institution=university, level="", max_share=Decimal("0.5"))
    assert transfer_evaluate(learner=learner, curriculum=curriculum).counted_credits == 4


def test_evaluating_200_entries_takes_a_constant_number_of_queries(setup):
    world, learner, curriculum, electric, longan, cooking = setup
    sources = [make_course(world.school, f"ง2{n:04d}", "1") for n in range(10)]
    for n, source in enumerate(sources[:5]):
        make_mapping(world, [source], [[electric, longan, cooking][n % 3]])
    make_mapping(world, sources[5:7], [cooking])
    make_entry(learner, sources[0], "3")
    with CaptureQueriesContext(connection) as few:
        small = transfer_evaluate(learner=learner, curriculum=curriculum)
    for n in range(199):
        make_entry(learner, sources[n % 10], ["4", "3", "1", "0"][n % 4], academic_year=2550 + n % 20,
                   term=str(n))  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        large = transfer_evaluate(learner=learner, curriculum=curriculum)
    assert len(large.items) == 200 and len(small.items) == 1
    assert len(many) == len(few) <= 5, [q["sql"] for q in many.captured_queries]
