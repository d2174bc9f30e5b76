"""The suggestion index inside Django: one index file per province under SUGGEST_INDEX_DIR.

Writers (the Celery task after ``courses_changed``, the nightly rebuild, the management
command) lock the province's ``SuggestIndexState`` row, read the file, change it and save it
atomically, so concurrent updates queue up instead of losing each other's changes. Readers (web
workers, the operator command) load the file once and reload it when its size or modification
time changes; they never write. Only approved courses of active institutions are indexed: they
are the only ones a mapping can be approved over.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from institutions.models import Province

from ..models import SuggestIndexState
from ..suggest import CandidateFilter, CourseDoc, IndexFormatError, Suggestion, SuggestionIndex

logger = logging.getLogger(__name__)

EXHAUSTIVE_UP_TO = 3_000


def _course_model():
    from courses.models import Course

    return Course


def index_dir() -> Path:
    return Path(settings.SUGGEST_INDEX_DIR)


def index_path(province) -> Path:
    return index_dir() / f"province-{province.code}.idx"


def course_doc(course) -> CourseDoc:
    """The engine's view of a ``Course`` (its institution loaded)."""
    return CourseDoc(
        id=course.pk,
        institution_code=course.institution.code,
        code=course.code,
        name_th=course.name_th,
        name_en=course.name_en,
        description=course.description,
        learning_outcomes=course.learning_outcomes,
        credits=course.credits,
        hours=course.hours,
        level=course.level,
        nqf_level=course.nqf_level,
        subject_group=course.subject_group,
        occupational_field=course.occupational_field,
    )


def _indexable(province_id: int):
    Course = _course_model()
    return (
        Course.objects.filter(
            status=Course.Status.APPROVED,
            institution__active=True,
            institution__province_id=province_id,
        )
        .select_related("institution")
        .order_by("pk")
    )


def _is_indexable(course) -> bool:
    Course = _course_model()
    return (
        course.status == Course.Status.APPROVED
        and course.institution.active
        and course.institution.province_id is not None
    )


def _locked_state(province) -> SuggestIndexState:
    SuggestIndexState.objects.get_or_create(province=province)
    return SuggestIndexState.objects.select_for_update().get(province=province)


def _save(index: SuggestionIndex, province, state: SuggestIndexState, *, rebuilt: bool) -> None:
    index.save(index_path(province))
    now = timezone.now()
    state.version += 1
    state.course_count = len(index)
    state.updated_at = now
    if rebuilt:
        state.built_at = now
    state.last_error = ""
    state.save()
    _forget(index_path(province))


def _build(province) -> SuggestionIndex:
    return SuggestionIndex.build(course_doc(c) for c in _indexable(province.pk).iterator(2000))


@transaction.atomic
def suggest_index_rebuild_province(*, province, actor=None) -> int:
    """Build one province's index from the database; returns the number of courses indexed."""
    state = _locked_state(province)
    index = _build(province)
    _save(index, province, state, rebuilt=True)
    return len(index)


def suggest_index_rebuild(*, province=None, actor=None) -> dict[str, int]:
    """Rebuild every province's index (or one): the nightly job and ``suggest_index rebuild``.

    Each province is its own transaction, so a long national rebuild never holds every lock.
    """
    if province is not None:
        provinces = [province]
    else:  # provinces with courses, and those indexed before (their courses may all be gone)
        Course = _course_model()
        with_courses = Course.objects.values("institution__province_id")
        indexed = SuggestIndexState.objects.values("province_id")
        provinces = list(
            Province.objects.filter(Q(pk__in=with_courses) | Q(pk__in=indexed)).order_by("code")
        )
    return {p.code: suggest_index_rebuild_province(province=p, actor=actor) for p in provinces}


def suggest_index_update(*, course_ids: Iterable[int], actor=None) -> dict[str, int]:
    """Bring the indexes up to date for these courses (added, changed, retired or deleted).

    Returns the number of courses touched per province code. An index file that is missing or
    was written by another version of the engine is rebuilt from the database instead.
    """
    ids = sorted({int(i) for i in course_ids})
    if not ids:
        return {}
    Course = _course_model()
    courses = {c.pk: c for c in Course.objects.filter(pk__in=ids).select_related("institution")}
    by_province: dict[int, list[int]] = defaultdict(list)
    for course_id in ids:
        course = courses.get(course_id)
        if course is not None and course.institution.province_id is not None:
            by_province[course.institution.province_id].append(course_id)
    gone = [i for i in ids if i not in courses]
    if gone:  # deleted courses: drop them wherever an index holds them
        for state in SuggestIndexState.objects.all():
            by_province[state.province_id].extend(gone)
    touched = {}
    for province in Province.objects.filter(pk__in=by_province).order_by("code"):
        touched[province.code] = _update_province(province, by_province[province.pk], courses)
    return touched


@transaction.atomic
def _update_province(province, course_ids: list[int], courses: dict) -> int:
    state = _locked_state(province)
    path = index_path(province)
    try:
        index = SuggestionIndex.load(path)
    except (FileNotFoundError, IndexFormatError) as error:
        logger.info("suggestion index of %s rebuilt (%s)", province.code, error)
        _save(_build(province), province, state, rebuilt=True)
        return len(course_ids)
    changed = 0
    for course_id in course_ids:
        course = courses.get(course_id)
        in_province = course is not None and course.institution.province_id == province.pk
        if in_province and _is_indexable(course):
            index.update(course_doc(course))
            changed += 1
        else:
            changed += index.remove(course_id)
    if changed:
        _save(index, province, state, rebuilt=False)
    return changed


# --- reading ------------------------------------------------------------------------------------

_loaded: dict[Path, tuple[tuple[int, int], SuggestionIndex]] = {}
_loaded_lock = threading.Lock()


def _forget(path: Path) -> None:
    with _loaded_lock:
        _loaded.pop(path, None)


def forget_loaded_indexes() -> None:
    """Drop every index this process holds in memory (as a restart would)."""
    with _loaded_lock:
        _loaded.clear()


def load_index(province, *, build_missing: bool = True) -> SuggestionIndex | None:
    """The province's index, read from disk once and again whenever the file changes.

    With ``build_missing``, a province that has no index yet (a fresh installation without a
    worker) gets one built now.
    """
    path = index_path(province)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        if not build_missing:
            return None
        suggest_index_rebuild_province(province=province)
        stat = os.stat(path)
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _loaded_lock:
        cached = _loaded.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        index = SuggestionIndex.load(path)
    except IndexFormatError:
        if not build_missing:
            return None
        suggest_index_rebuild_province(province=province)
        return load_index(province, build_missing=False)
    with _loaded_lock:
        _loaded[path] = (stamp, index)
    return index


@dataclass(frozen=True)
class Candidate:
    """A suggested target course with its score and explanation."""

    course: object
    suggestion: Suggestion
    rank: int

    @property
    def score(self) -> float:
        return self.suggestion.score

    def explanation(self, lang: str = "th") -> str:
        return self.suggestion.explain_text(lang)


def suggest_for_course(*, course, target_institution=None, top: int = 10) -> list[Candidate]:
    """Ranked candidate target courses for ``course`` in its province (or one institution).

    Two queries: the candidates' courses and nothing else (the index is in memory). Courses the
    index still holds but that are no longer approved are left out.
    """
    province_id = course.institution.province_id
    if province_id is None or top <= 0:
        return []
    index = load_index(course.institution.province)
    if index is None or not len(index):
        return []
    if target_institution is not None:
        flt = CandidateFilter(institutions=frozenset({target_institution.code}))
    else:
        flt = CandidateFilter()
    # A province of a few thousand courses is scored exactly (a few ms); the two-stage
    # retrieval, which skips very common words, is for the big ones.
    exhaustive = len(index) <= EXHAUSTIVE_UP_TO
    if course.pk in index:
        suggestions = index.rank_indexed(
            course.pk, candidates_filter=flt, top=top, exhaustive=exhaustive
        )
    else:
        suggestions = index.rank(
            course_doc(course), candidates_filter=flt, top=top, exhaustive=exhaustive
        )
    Course = _course_model()
    found = Course.objects.filter(
        pk__in=[s.doc_id for s in suggestions],
        status=Course.Status.APPROVED,
        institution__province_id=province_id,
    ).select_related("institution")
    courses = {c.pk: c for c in found}
    kept = [s for s in suggestions if s.doc_id in courses]
    return [Candidate(courses[s.doc_id], s, rank) for rank, s in enumerate(kept, start=1)]


def suggest_explain(*, course, target) -> Suggestion | None:
    """Score and explanation of ``target`` for ``course``, wherever it ranks (None if unindexed)."""
    province = course.institution.province
    index = load_index(province) if province is not None else None
    if index is None or target.pk not in index:
        return None
    return index.explain(course_doc(course), target.pk)


def suggest_index_status() -> list[dict]:
    """Per province: courses indexed, version, last build and update, file size."""
    rows = []
    states = {s.province_id: s for s in SuggestIndexState.objects.all()}
    provinces = Province.objects.filter(Q(pk__in=states) | Q(centre_active=True)).order_by("code")
    for province in provinces:
        state = states.get(province.pk)
        path = index_path(province)
        rows.append(
            {
                "province": province.code,
                "slug": province.slug,
                "courses": state.course_count if state else 0,
                "version": state.version if state else 0,
                "built_at": state.built_at if state else None,
                "updated_at": state.updated_at if state else None,
                "file": str(path),
                "bytes": path.stat().st_size if path.exists() else None,
                "error": state.last_error if state else "",
            }
        )
    return rows
