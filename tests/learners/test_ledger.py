import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import translation

from learners.models import CreditEntry, Learner
from learners.services import ledger
from learners.services.errors import LedgerError
from tests.factories import Role, UserFactory, grant

from .factories import make_course, make_entry, make_learner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English below (Thai is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def setup(world):
    learner = make_learner(home_institution=world.school)
    course = make_course(world.school, "ง21101", "1.5")
    math = make_course(world.school, "ค21101", "1.5", subject_group="ค")
    voc = make_course(world.college, "20101-2001", "2", level="voc_cert", subject_group="voc")
    return world, learner, course, math, voc


def _refused(sql, params):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_raw_update_and_delete_of_an_entry(setup):
    _world, learner, course, *_ = setup
    entry = make_entry(learner, course, "3")
    table = CreditEntry._meta.db_table
    _refused(f"UPDATE {table} SET credits = 40 WHERE id = %s", [entry.pk])  # noqa: S608
    _refused(f"UPDATE {table} SET grade = 'ร' WHERE id = %s", [entry.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    _refused(f"DELETE FROM {table}", [])  # noqa: S608
    stored = CreditEntry.objects.get(pk=entry.pk)
    assert stored.credits == Decimal("1.5") and stored.grade == "3"


def test_the_orm_cannot_change_or_delete_entries_either(setup):
    _world, learner, course, *_ = setup
    entry = make_entry(learner, course, "3")
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.filter(pk=entry.pk).update(credits=9)
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(ProtectedError), transaction.atomic():
        Learner.objects.filter(pk=learner.pk).delete()
    assert CreditEntry.objects.count() == 1


def test_entry_snapshots_the_course_and_parses_the_grade(setup):
    _world, learner, course, *_ = setup
    entry = make_entry(learner, course, "๓.๕", term="2")
    assert (entry.course_code, entry.course_name_th, entry.credits) == (
        "ง21101",
        "วิชา ง21101",
        Decimal("1.5"),
    )
    assert (entry.level, entry.subject_group, entry.source) == ("lower_secondary", "ง", "school")
    assert (entry.grade, entry.grade_points, entry.passed) == ("3.5", Decimal("3.5"), True)
    assert entry.kind == CreditEntry.Kind.EARN and entry.valid_until is None


def test_grades_outside_the_scale_and_bad_credits_are_refused(setup):
    _world, learner, course, *_ = setup
    for grade in ("5", "A", "", "ก"):
        with pytest.raises(LedgerError):
            make_entry(learner, course, grade)
    with pytest.raises(LedgerError):
        make_entry(learner, course, "3", credits=Decimal("1.2"))
    with pytest.raises(LedgerError):
        make_entry(learner, course, "3", credits=Decimal("-1"))
    assert not CreditEntry.objects.exists()


def test_posting_the_same_idempotency_key_twice_stores_one_entry(setup):
    _world, learner, course, *_ = setup
    first = make_entry(learner, course, "3", idempotency_key="upload:1:row:2")
    second = make_entry(learner, course, "4", idempotency_key="upload:1:row:2")
    assert first.pk == second.pk
    assert CreditEntry.objects.count() == 1


def test_a_reversal_nets_the_entry_out_and_cannot_itself_be_reversed(setup):
    _world, learner, course, math, _ = setup
    wrong = make_entry(learner, course, "2")
    make_entry(learner, math, "4")
    assert ledger.learner_balance(learner) == Decimal("3.0")
    reversal = ledger.entry_reverse(actor=None, entry=wrong, reason="พิมพ์ผิด")
    assert reversal.kind == CreditEntry.Kind.REVERSAL and reversal.reverses == wrong
    assert reversal.credits == Decimal("-1.5")
    assert ledger.learner_balance(learner) == Decimal("1.5")
    summary = ledger.learner_summary(learner)
    assert [b.key for b in summary.by_subject_group] == ["ค"]  # the reversed group nets to zero
    with pytest.raises(LedgerError, match="reversal cannot be reversed"):
        ledger.entry_reverse(actor=None, entry=reversal, reason="undo")
    with pytest.raises(LedgerError, match="already been reversed"):
        ledger.entry_reverse(actor=None, entry=wrong, reason="again")
    with pytest.raises(LedgerError):
        ledger.entry_reverse(actor=None, entry=make_entry(learner, course, "1"), reason=" ")
    assert CreditEntry.objects.filter(kind="reversal").count() == 1
    assert list(CreditEntry.objects.live().order_by("pk").values_list("grade", flat=True)) == [
        "4",
        "1",
    ]


def test_the_database_refuses_a_second_reversal_of_one_entry(setup):
    world, learner, course, *_ = setup
    entry = make_entry(learner, course, "2")
    ledger.entry_reverse(actor=None, entry=entry, reason="wrong")
    duplicate = CreditEntry(
        learner=learner, kind="reversal", source="school", institution=world.school,
        course_name_th="x", credits=Decimal("-1.5"), academic_year=2567, passed=True,
        reverses=entry, natural_key="x", idempotency_key="other",
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        duplicate.save()


def test_only_passed_verified_unexpired_credits_count(setup, settings):
    _world, learner, course, math, voc = setup
    make_entry(learner, course, "3")  # counts: 1.5
    make_entry(learner, math, "0")  # failed
    make_entry(learner, math, "มส", term="2")  # not allowed to sit
    make_entry(learner, math, "ร", academic_year=2566)  # pending
    make_entry(learner, voc, "4", verified=False)  # not verified: pending
    assert ledger.learner_balance(learner) == Decimal("1.5")
    assert ledger.learner_summary(learner).pending == Decimal("2.0")

    settings.LEARNERS_CREDIT_VALIDITY_YEARS = {"vocational": 2}
    old = make_entry(learner, voc, "3", academic_year=2560)
    assert old.valid_until == dt.date(2020, 3, 31)  # end of academic year 2560 (B.E.) + 2 years
    recent = make_entry(learner, voc, "3", academic_year=2567, term="2")
    assert recent.valid_until == dt.date(2027, 3, 31)
    assert ledger.learner_balance(learner, on=dt.date(2026, 1, 1)) == Decimal("3.5")
    assert ledger.learner_balance(learner, on=dt.date(2028, 1, 1)) == Decimal("1.5")


def test_breakdowns_are_queries_over_the_ledger(setup, django_assert_num_queries):
    world, learner, course, math, voc = setup
    make_entry(learner, course, "3", academic_year=2566)
    make_entry(learner, math, "4", academic_year=2567)
    make_entry(learner, voc, "3.5")
    other = make_learner()
    make_entry(other, course, "4")  # someone else's credits never leak in
    # Labels are the names in the active language; an earlier test may have switched it.
    with translation.override("th"), django_assert_num_queries(2):
        summary = ledger.learner_summary(learner)
    assert summary.banked == summary.total == Decimal("5.0")
    assert {b.label: b.credits for b in summary.by_institution} == {
        world.school.name_th: Decimal("3.0"),
        world.college.name_th: Decimal("2"),
    }
    assert {b.key: b.credits for b in summary.by_level} == {
        "lower_secondary": Decimal("3.0"),
        "voc_cert": Decimal("2"),
    }
    assert {b.key: b.credits for b in summary.by_subject_group} == {
        "ง": Decimal("1.5"),
        "ค": Decimal("1.5"),
        "voc": Decimal("2"),
    }
    assert {b.key: b.credits for b in summary.by_source} == {
        "school": Decimal("3.0"),
        "vocational": Decimal("2"),
    }
    assert [(b.key, b.credits) for b in summary.by_year] == [
        ("2566", Decimal("1.5")),
        ("2567", Decimal("3.5")),
    ]
    assert summary.transferred == 0


def test_recording_needs_a_role_at_the_institution(setup):
    world, learner, course, *_ = setup
    with pytest.raises(PermissionDenied):
        make_entry(learner, course, "3", actor=world.member)  # a viewer
    with pytest.raises(PermissionDenied):
        make_entry(learner, course, "3", actor=world.outsider)
    registrar = UserFactory(username="reg")
    grant(registrar, world.school, Role.REGISTRAR)
    entry = make_entry(learner, course, "3", actor=registrar)
    assert entry.verified_by == registrar and entry.created_by == registrar
    with pytest.raises(PermissionDenied):
        ledger.entry_reverse(actor=world.neighbour, entry=entry, reason="x")
    assert ledger.entry_reverse(actor=registrar, entry=entry, reason="x").created_by == registrar


def test_a_course_of_another_institution_is_refused(setup):
    world, learner, course, *_ = setup
    with pytest.raises(LedgerError):
        ledger.entry_record(
            actor=None, learner=learner, institution=world.college, course=course,
            grade="3", academic_year=2567,
        )  # fmt: skip


def test_entries_without_a_course_skill_test(setup):
    world, learner, *_ = setup
    entry = ledger.entry_record(
        actor=None, learner=learner, institution=world.college, source="skill_test",
        course_name_th="ช่างไฟฟ้าภายในอาคาร ระดับ 1", credits=Decimal("3"), grade="ผ",
        academic_year=2567, reference="DSD-2567-0001", verified=True,
    )  # fmt: skip
    assert entry.course is None and entry.passed and entry.source == "skill_test"
    assert ledger.learner_balance(learner) == Decimal("3")


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_flush_a_ledger_with_entries(world):
    """The flush after this test deletes entries; only the test-only maintenance switch lets it
    (tests/conftest.py). The next test starting from an empty ledger shows it worked."""
    learner = make_learner(home_institution=world.school)
    make_entry(learner, make_course(world.school, "ง21101"), "3")
    assert CreditEntry.objects.count() == 1


def test_after_a_transactional_test_the_ledger_is_empty(db):
    assert not CreditEntry.objects.exists()
