"""Upgrading a running portal: previews waiting for confirmation keep their rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("courses", "0003_submitted_courses_index")]
AFTER = [("courses", "0004_typed_preview_rows")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_typed_preview_rows_keep_the_values_of_stored_previews():
    old_apps = _migrate(BEFORE)
    try:
        Province = old_apps.get_model("institutions", "Province")
        Institution = old_apps.get_model("institutions", "Institution")
        Upload = old_apps.get_model("courses", "CourseListUpload")
        Row = old_apps.get_model("courses", "UploadRow")
        province, _ = Province.objects.get_or_create(
            code="51", defaults={"slug": "lamphun", "name_th": "ลำพูน", "name_en": "Lamphun"}
        )
        school = Institution.objects.create(code="M-1", name_th="โรงเรียน", province=province)
        upload = Upload.objects.create(
            institution=school, file_name="a.xlsx", sha256="0" * 64, academic_year=2567
        )
        Row.objects.create(
            upload=upload, row_number=2, status="changed", change="changed",
            data={"code": "ง21101", "name_th": "การปลูกลำไย", "credits": "1.5", "hours": 60,
                  "level": "lower_secondary", "academic_year": 2567,
                  "changed_fields": ["name_th"]},
        )  # fmt: skip
        Row.objects.create(
            upload=upload, row_number=3, status="error",
            data={"code": "ง21102", "credits": "-1", "hours": 5_000_000_000},
            messages=[{"column": "hours", "message": "…", "level": "error"}],
        )  # fmt: skip
    finally:
        new_apps = _migrate(AFTER)
        _migrate(_latest())

    Row = new_apps.get_model("courses", "UploadRow")
    changed, error = Row.objects.order_by("row_number")
    assert (changed.code, changed.name_th, changed.level) == (
        "ง21101", "การปลูกลำไย", "lower_secondary")  # fmt: skip
    assert (changed.credits, changed.hours, changed.academic_year) == (Decimal("1.5"), 60, 2567)
    assert changed.changed_fields == ["name_th"] and changed.name_en == ""
    # a value that does not fit its new column is dropped, the row and its message stay
    assert (error.code, error.credits, error.hours) == ("ง21102", None, None)
    assert error.messages[0]["column"] == "hours"


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
