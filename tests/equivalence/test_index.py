"""The suggestion index inside Django: persisted per province, kept current by course changes."""

import io

import pytest
from django.core.management import CommandError, call_command

from courses import services as course_services
from courses.models import Course
from equivalence.models import SuggestIndexState
from equivalence.services import suggestions

from .conftest import make_course


def _codes(candidates):
    return [c.course.code for c in candidates]


def test_it_builds_reloads_from_disk_and_follows_course_changes(
    world, catalogue, eager, django_capture_on_commit_callbacks
):
    counts = suggestions.suggest_index_rebuild(province=world.province_a)
    assert counts == {world.province_a.code: 6}
    path = suggestions.index_path(world.province_a)
    assert path.exists()
    before = _codes(suggestions.suggest_for_course(course=catalogue.wiring))
    assert before[0] == "20104-2005"

    suggestions.forget_loaded_indexes()  # a restart: nothing in memory, the file is read again
    assert _codes(suggestions.suggest_for_course(course=catalogue.wiring)) == before
    version = SuggestIndexState.objects.get(province=world.province_a).version

    # A new approved college course: the signal queues the task, which updates the file.
    new = make_course(
        world.college, "20104-2010", "งานติดตั้งไฟฟ้าในบ้าน", credits="2", level="voc_cert",
        status=Course.Status.SUBMITTED, name_en="Household electrical installation",
        description="การเดินสายไฟ การต่อเต้ารับและสวิตช์ในบ้าน", occupational_field="ไฟฟ้า",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        course_services.courses_approve(actor=world.centre, courses=[new])
    state = SuggestIndexState.objects.get(province=world.province_a)
    assert state.version == version + 1 and state.course_count == 7
    suggestions.forget_loaded_indexes()
    assert new.code in _codes(suggestions.suggest_for_course(course=catalogue.wiring))[:2]

    # Retiring a course takes it out of the index on disk.
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_retire(actor=world.centre, course=catalogue.building)
    suggestions.forget_loaded_indexes()
    index = suggestions.load_index(world.province_a, build_missing=False)
    assert catalogue.building.pk not in index and new.pk in index
    assert "20104-2005" not in _codes(suggestions.suggest_for_course(course=catalogue.wiring))


def test_an_update_without_an_index_builds_one(world, catalogue):
    assert suggestions.suggest_index_update(course_ids=[catalogue.longan.pk]) == {
        world.province_a.code: 1
    }
    assert len(suggestions.load_index(world.province_a, build_missing=False)) == 6


def test_a_corrupt_or_foreign_index_is_rebuilt(world, catalogue):
    suggestions.suggest_index_rebuild(province=world.province_a)
    path = suggestions.index_path(world.province_a)
    path.write_bytes(b"not an index")
    suggestions.forget_loaded_indexes()
    suggestions.suggest_index_update(course_ids=[catalogue.longan.pk])
    assert len(suggestions.load_index(world.province_a, build_missing=False)) == 6


def test_deleted_courses_leave_the_index(world, catalogue):
    suggestions.suggest_index_rebuild(province=world.province_a)
    pk = catalogue.bakery.pk
    catalogue.bakery.delete()
    suggestions.suggest_index_update(course_ids=[pk])
    assert pk not in suggestions.load_index(world.province_a, build_missing=False)


def test_suggestions_stay_in_the_province_and_follow_the_target_filter(world, catalogue):
    other = make_course(world.school_b, "ง21201", "การปลูกลำไย", occupational_field="เกษตรกรรม")
    candidates = suggestions.suggest_for_course(course=catalogue.longan)
    assert other.pk not in [c.course.pk for c in candidates]
    assert all(c.course.institution_id != world.school.pk for c in candidates)
    assert _codes(candidates)[:2] in (["20501-2101", "ง21211"], ["ง21211", "20501-2101"])
    only_college = suggestions.suggest_for_course(
        course=catalogue.longan, target_institution=world.college
    )
    assert {c.course.institution_id for c in only_college} == {world.college.pk}
    assert only_college[0].course == catalogue.fruit
    assert "ลำไย" in only_college[0].explanation("th")
    assert only_college[0].rank == 1 and 0 < only_college[0].score <= 1


def test_the_operator_commands(world, catalogue):
    out = io.StringIO()
    call_command("suggest_index", "rebuild", stdout=out)
    assert f"{world.province_a.code}\t6 courses indexed" in out.getvalue()
    out = io.StringIO()
    call_command("suggest_index", "status", "--province", world.province_a.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith(f"{world.province_a.code}\t6\t")

    out = io.StringIO()
    call_command(
        "suggest_equivalents", "--institution", "T-SCH-1", "--code", "ง21204",
        "--target-institution", "T-COL-A", "--top", "1", stdout=out,
    )  # fmt: skip
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert len(rows) == 1
    rank, institution, code, score, name = rows[0]
    assert (rank, institution, code, name) == ("1", "T-COL-A", "20104-2005", "การติดตั้งไฟฟ้าในอาคาร")
    assert 0 < float(score) <= 1
    with pytest.raises(CommandError):
        call_command("suggest_equivalents", "--institution", "T-SCH-1", "--code", "X999")
    with pytest.raises(CommandError):
        call_command("suggest_index", "status", "--province", "nowhere")


def test_the_nightly_rebuild_is_scheduled_and_the_task_calls_the_service(
    settings, world, catalogue, eager
):
    from equivalence import tasks

    schedule = settings.CELERY_BEAT_SCHEDULE["suggest-index-rebuild-nightly"]
    assert schedule["task"] == tasks.suggest_index_rebuild.name
    result = tasks.suggest_index_rebuild.delay().get()
    assert result == {world.province_a.code: 6}  # only provinces that have courses
