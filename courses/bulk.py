"""Bulk writes of a course-list upload: its preview rows, then its courses and their history.

Two paths, same results. On PostgreSQL the preview rows go in with ``COPY`` (text format,
built here in large chunks), and the confirmed upload is applied by two statements that work
on the stored preview rows inside the database: an ``UPDATE … FROM`` the rows that match
existing courses and an ``INSERT … SELECT`` of the others, each writing its django-simple-history
rows in the same statement (a data-modifying CTE), so no course passes through Python. Preview
rows hold the course's values in typed columns, so those statements only copy them. Elsewhere
(SQLite: the demo and ``make test``) the portable path does the same with the ORM in chunks:
``bulk_create``/``bulk_update`` and simple-history's ``bulk_history_create``.

Nothing here runs model ``save()`` or signals: the callers validate first, write inside their
transaction and send ``courses_changed`` themselves.
"""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import islice
from json.encoder import c_make_encoder, encode_basestring
from queue import Queue

from django.db import IntegrityError, connection, transaction
from psycopg.copy import QueuedLibpqWriter

from .importer import COMPARED_FIELDS, RowResult
from .models import Course, UploadRow

CHUNK = 5000
# What the preview shows of an unchanged row (nothing else of it is ever read).
UNCHANGED_KEYS = ("code", "name_th", "credits", "hours", "academic_year")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
if c_make_encoder is not None:  # the C encoder, built once (``encode`` builds one per call)
    _c_encoder = c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True)

    def _encode(value) -> str:
        return "".join(_c_encoder(value, 0))


def fast_path() -> bool:
    """Whether the PostgreSQL statements can be used (tests switch it off to check the other)."""
    return connection.vendor == "postgresql"


def chunks(iterable, size: int = CHUNK):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


TEXT_COLUMNS = ("code", "name_th", "name_en", "level", "subject_group", "course_type",
                "occupational_field", "term", "description", "learning_outcomes")  # fmt: skip
NUMBER_COLUMNS = ("credits", "hours", "nqf_level", "academic_year")
PREVIEW_COLUMNS = ("upload_id", "row_number", "status", "change", "messages", *TEXT_COLUMNS,
                   *NUMBER_COLUMNS, "changed_fields")  # fmt: skip


def compact_data(result: RowResult) -> dict:
    """The row's data as stored for the preview (the checker keeps no empty values);
    unchanged rows cut short."""
    data = result.data
    if result.change == "unchanged":
        return {key: data[key] for key in UNCHANGED_KEYS if key in data}
    return data


# --- preview rows ------------------------------------------------------------------------------


class PreviewWriter:
    """Stores checked rows for the preview, batch after batch, inside the caller's transaction.

    On PostgreSQL one ``COPY`` stays open across batches and a worker thread feeds it, so the
    server stores rows while Python checks the next ones; ``pause()`` ends it when the caller
    needs the connection for a query (``write`` opens a new one).
    """

    def __init__(self, upload_id: int):
        self.upload_id = upload_id
        self.fast = fast_path()
        self._cursor = self._manager = self._copy = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.pause(exc_type, exc, tb)

    def pause(self, exc_type=None, exc=None, tb=None) -> None:
        if self._copy is not None:
            manager, cursor = self._manager, self._cursor
            self._manager = self._copy = self._cursor = None
            try:
                manager.__exit__(exc_type, exc, tb)
            finally:
                cursor.close()

    def write(self, results: list[RowResult]) -> None:
        if not results:
            return
        if not self.fast:
            _create_preview_rows(self.upload_id, results)
            return
        if self._copy is None:
            table = UploadRow._meta.db_table
            sql = f"COPY {table} ({', '.join(PREVIEW_COLUMNS)}) FROM STDIN"
            self._cursor = connection.cursor()
            raw = self._cursor.cursor
            self._manager = raw.copy(sql, writer=_BoundedWriter(raw))
            self._copy = self._manager.__enter__()
        self._copy.write(_copy_lines(self.upload_id, results))


class _BoundedWriter(QueuedLibpqWriter):
    """psycopg's threaded COPY writer with a short queue: if the server falls behind, Python
    waits rather than holding the whole file's rows in memory (at most 32 × 128 kB)."""

    def __init__(self, cursor):
        super().__init__(cursor)
        self._queue = Queue(maxsize=32)


def _create_preview_rows(upload_id: int, results: list[RowResult]) -> None:
    rows = []
    for r in results:
        data = compact_data(r)
        rows.append(
            UploadRow(
                upload_id=upload_id,
                row_number=r.row_number,
                status=r.status,
                change=r.change,
                messages=r.messages,
                changed_fields=data.get("changed_fields", []),
                **{name: data.get(name, "") for name in TEXT_COLUMNS},
                **{name: data.get(name) for name in NUMBER_COLUMNS},
            )
        )
    UploadRow.objects.bulk_create(rows, batch_size=1000)


_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(json_text: str) -> str:
    # JSON escapes every control character; only the backslash means something to COPY text.
    return json_text.replace("\\", "\\\\") if "\\" in json_text else json_text


def _copy_lines(upload_id: int, results: list[RowResult]) -> bytes:
    """Rows in COPY text format: tab-separated, one per line, ``\\N`` for NULL.

    Texts are written as they are unless the checker saw a tab, newline, carriage return or
    backslash in the row (``plain``); those rows have every text escaped.
    """
    lines = []
    prefix = f"{upload_id}\t"
    for r in results:
        data = compact_data(r)
        get = data.get
        messages = _copy_text(_encode(r.messages)) if r.messages else "[]"
        changed = _encode(data["changed_fields"]) if "changed_fields" in data else "[]"
        texts = "\t".join([get(name, "") for name in TEXT_COLUMNS])
        if not r.plain:
            texts = "\t".join([get(name, "").translate(_ESCAPES) for name in TEXT_COLUMNS])
        credits, hours, nqf, year = (
            get("credits"),
            get("hours"),
            get("nqf_level"),
            get("academic_year"),
        )
        lines.append(
            f"{prefix}{r.row_number}\t{r.status}\t{r.change}\t{messages}\t{texts}\t"
            f"{_NULL if credits is None else credits}\t{_NULL if hours is None else hours}\t"
            f"{_NULL if nqf is None else nqf}\t{_NULL if year is None else year}\t{changed}\n"
        )
    return "".join(lines).encode()


# --- applying a confirmed upload ---------------------------------------------------------------


def apply_upload(upload, *, actor, now) -> tuple[list[int], list[int]]:
    """Write every new and changed row of ``upload``. Returns (created ids, updated ids).

    Rows are applied to the courses as they are now: a "new" row whose course has appeared
    since the check updates it, a "changed" row whose course has gone creates it again. The
    caller holds the transaction: a failure in any step leaves everything as it was.
    """
    fast = fast_path()
    if fast:
        # Statistics of freshly written tables can be far off (a first import into empty
        # tables); a sequential scan inside a join would then cost minutes: only indexes.
        _execute("SET LOCAL enable_seqscan = off")
    updated = update_existing_courses(upload, actor=actor, now=now)
    created = insert_new_courses(upload, actor=actor, now=now)
    counts = upload.counts
    if fast and (len(updated) != counts.get("changed", 0) or len(created) != counts.get("new", 0)):
        # The courses changed since the check (another upload in between): the fast
        # statements took each row for what the check found; apply the rest by what is there.
        updated += _pg_update(upload, actor=actor, now=now, skip=updated + created)
        created += _run(
            _pg_insert_sql(on_conflict=True), upload, actor, now, changes=["new", "changed"]
        )
    if fast:
        _execute("RESET enable_seqscan")
    return sorted(created), sorted(updated)


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def update_existing_courses(upload, *, actor, now) -> list[int]:
    if fast_path():
        return _pg_update(upload, actor=actor, now=now)
    return _portable_write(upload, actor=actor, now=now, create=False)


def insert_new_courses(upload, *, actor, now) -> list[int]:
    if fast_path():
        return _pg_insert(upload, actor=actor, now=now)
    return _portable_write(upload, actor=actor, now=now, create=True)


# The stored preview rows ``d`` of the upload with the given changes.
_ROWS = "courses_uploadrow d WHERE d.upload_id = %(upload)s AND d.change = ANY(%(changes)s)"
_SAME_COURSE = (
    "c.institution_id = %(institution)s AND c.code = d.code AND c.academic_year = d.academic_year"
)


def _pg_values() -> dict[str, str]:
    """SQL for each course column, from the preview row ``d``."""
    values = {name: f"d.{name}" for name in (*TEXT_COLUMNS, *NUMBER_COLUMNS)}
    values["credits"] = "coalesce(d.credits, 0)"
    return values


def _history_sql(source: str, history_type: str) -> str:
    """INSERT of one simple-history row per course returned by the CTE ``source``."""
    history = Course.history.model
    tracked = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.name != "history_relation"
    ]
    columns = ", ".join(
        [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"]
    )
    return (
        f"INSERT INTO {history._meta.db_table} ({columns}) "  # noqa: S608 (names from the model)
        f"SELECT {', '.join(tracked)}, %(now)s, NULL, '{history_type}', %(actor)s FROM {source} "
        f"RETURNING id"
    )


def _pg_update(upload, *, actor, now, skip=None) -> list[int]:
    """Courses of the "changed" rows (or, with ``skip``, of any row, but those) and history."""
    values = _pg_values()
    sets = ", ".join(f"{name} = {values[name]}" for name in COMPARED_FIELDS)
    sql = (
        "WITH changed AS ("  # noqa: S608 (names from the model; values are parameters)
        f" UPDATE courses_course c SET {sets},"
        "  status = CASE WHEN c.status IN ('approved', 'draft') THEN 'submitted' ELSE c.status END,"
        "  updated_at = %(now)s"
        f" FROM {_ROWS} AND {_SAME_COURSE}"
        + (" AND NOT (c.id = ANY(%(skip)s))" if skip is not None else "")
        + " RETURNING c.*"
        f") {_history_sql('changed', '~')}"
    )
    changes = ["changed"] if skip is None else ["new", "changed"]
    return _run(sql, upload, actor, now, changes=changes, skip=skip)


def _pg_insert(upload, *, actor, now) -> list[int]:
    """Courses of the "new" rows that do not exist yet, and history.

    The check found these courses absent, and usually they still are: a plain ``INSERT`` is
    tried first, in a savepoint. If one has appeared since (another upload, a course added by
    hand), its unique natural key refuses the statement, and the rows are inserted again with
    ``ON CONFLICT DO NOTHING``, which skips the existing ones (a quarter slower: each row is a
    speculative insertion).
    """
    try:
        with transaction.atomic():
            return _run(_pg_insert_sql(on_conflict=False), upload, actor, now, changes=["new"])
    except IntegrityError:
        return _run(_pg_insert_sql(on_conflict=True), upload, actor, now, changes=["new"])


def _pg_insert_sql(*, on_conflict: bool) -> str:
    values = _pg_values()
    names = ["code", "academic_year", *COMPARED_FIELDS]
    return (
        "WITH created AS ("  # noqa: S608 (names from the model; values are parameters)
        " INSERT INTO courses_course (institution_id, status, review_comment, created_at,"
        f"  updated_at, {', '.join(names)})"
        " SELECT %(institution)s, 'submitted', '', %(now)s, %(now)s,"
        f"  {', '.join(values[name] for name in names)}"
        f" FROM {_ROWS}"
        + (" ON CONFLICT ON CONSTRAINT course_natural_key DO NOTHING" if on_conflict else "")
        + " RETURNING *"
        f") {_history_sql('created', '+')}"
    )


def _run(sql, upload, actor, now, **extra) -> list[int]:
    params = {
        "upload": upload.pk,
        "institution": upload.institution_id,
        "now": now,
        "actor": actor.pk if actor else None,
        **extra,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def course_values(row: dict) -> dict:
    """The compared fields of a course as the model holds them, from a stored preview row."""
    values = {name: row[name] for name in COMPARED_FIELDS}
    values["credits"] = Decimal(str(row["credits"] or "0"))
    return values


def _portable_write(upload, *, actor, now, create: bool) -> list[int]:
    """The ORM path: rows matching an existing course update it, the others create one."""
    history = Course.history
    rows = (
        UploadRow.objects.filter(upload=upload, change__in=("new", "changed"))
        .order_by("row_number")
        .values("code", "academic_year", *COMPARED_FIELDS)
    )
    done: list[int] = []
    for chunk in chunks(rows.iterator(chunk_size=CHUNK), 2000):
        existing = {
            (c.code, c.academic_year): c
            for c in Course.objects.filter(
                institution_id=upload.institution_id,
                academic_year__in={d["academic_year"] for d in chunk},
                code__in={d["code"] for d in chunk},
            ).order_by()
        }
        courses = []
        for data in chunk:
            course = existing.get((data["code"], data["academic_year"]))
            if create and course is None:
                courses.append(
                    Course(
                        institution_id=upload.institution_id,
                        code=data["code"],
                        academic_year=data["academic_year"],
                        status=Course.Status.SUBMITTED,
                        created_at=now,
                        updated_at=now,
                        **course_values(data),
                    )
                )
            elif not create and course is not None:
                for name, value in course_values(data).items():
                    setattr(course, name, value)
                if course.status in (Course.Status.APPROVED, Course.Status.DRAFT):
                    course.status = Course.Status.SUBMITTED  # a changed course is reviewed again
                course.updated_at = now
                courses.append(course)
        if not courses:
            continue
        if create:
            Course.objects.bulk_create(courses)  # SQLite ≥ 3.35 and PostgreSQL return the keys
        else:
            Course.objects.bulk_update(courses, [*COMPARED_FIELDS, "status", "updated_at"])
        history.bulk_history_create(
            courses,
            update=not create,
            default_user=actor,
            default_change_reason=None,
            default_date=now,
        )
        done.extend(c.pk for c in courses)
    return sorted(done)
