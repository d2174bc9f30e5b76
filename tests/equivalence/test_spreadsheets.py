"""Mappings exported to .xlsx, the committee's decisions imported back (real workbooks)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from equivalence import services
from equivalence.models import DecisionImport, EquivalenceMapping
from equivalence.services import decisions
from equivalence.spreadsheets import COLUMNS

from ..factories import Role, grant

HEADER = [c.bilingual for c in COLUMNS]
COL = {c.key: i for i, c in enumerate(COLUMNS)}


@pytest.fixture
def board(world, catalogue):
    """Two reviewers of province A and two open proposals by the first."""
    first, second = world.nobody, world.member
    grant(first, world.peo_a, Role.COMMITTEE_REVIEWER)
    grant(second, world.peo_a, Role.COMMITTEE_REVIEWER)

    def propose(source, target, **extra):
        return services.mapping_propose(
            actor=first, province=world.province_a, sources=[source], targets=[target],
            credits_recognised=Decimal(1), valid_from_year=2567, **extra,
        )  # fmt: skip

    longan = propose(catalogue.longan, catalogue.fruit, rationale='=HYPERLINK("http://x")')
    wiring = propose(catalogue.wiring, catalogue.building)
    return first, second, longan, wiring


def _export(client, **params):
    response = client.get(reverse("equivalence:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _decide(book, decisions_by_id: dict) -> bytes:
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        mapping_id = row[COL["mapping"]].value
        for key, value in decisions_by_id.get(mapping_id, {}).items():
            row[COL[key]].value = value
    return _bytes(book)


def _upload(client, data: bytes, name="decisions.xlsx"):
    response = client.post(
        reverse("equivalence:decisions_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302
    return DecisionImport.objects.latest("pk")


def test_the_export_is_a_safe_workbook_of_the_filtered_queue(login, world, board):
    _first, second, longan, wiring = board
    book = _export(login(second))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [r[COL["mapping"]] for r in rows[1:]] == [longan.pk, wiring.pk]
    first_row = rows[1]
    assert first_row[COL["sources"]] == "T-SCH-1:ง21201"
    assert first_row[COL["targets"]] == "T-COL-A:20501-2101"
    cell = sheet.cell(row=2, column=COL["rationale"] + 1)
    assert cell.data_type != "f" and cell.value.startswith("'=")  # formula neutralised
    only_wiring = _export(login(second), target=world.college.pk, level="lower_secondary")
    assert only_wiring.worksheets[0].max_row == 3  # both come from the school's ม.ต้น courses
    by_pair = _export(login(second), source=world.sibling.pk).worksheets[0]
    assert by_pair.max_row == 1  # header only


def test_export_needs_the_role(login, world, board):
    assert login(world.owner).get(reverse("equivalence:export")).status_code == 403


def test_a_decision_file_round_trip_is_previewed_applied_and_idempotent(login, world, board):
    _first, second, longan, wiring = board
    client = login(second)
    data = _decide(
        _export(client),
        {
            longan.pk: {"decision": "อนุมัติ", "meeting": "ประชุมครั้งที่ 2/2567",
                        "number": "5/2567", "date": "1/6/2567"},
            wiring.pk: {"decision": "ไม่อนุมัติ", "comment": "ชั่วโมงปฏิบัติไม่พอ"},
        },
    )  # fmt: skip
    record = _upload(client, data)
    assert record.status == "preview" and record.counts["approve"] == 1
    assert record.counts["reject"] == 1 and record.counts["error"] == 0
    assert EquivalenceMapping.objects.filter(status="proposed").count() == 2  # nothing yet
    page = client.get(reverse("equivalence:decisions_detail", args=[record.pk]))
    assert 'data-testid="decisions-apply"' in page.content.decode()

    client.post(reverse("equivalence:decisions_commit", args=[record.pk]))
    longan.refresh_from_db()
    wiring.refresh_from_db()
    assert longan.status == "approved" and longan.decided_by == second
    assert longan.decision_number == "5/2567" and longan.decision_date == dt.date(2024, 6, 1)
    assert wiring.status == "rejected" and wiring.decision_comment == "ชั่วโมงปฏิบัติไม่พอ"
    history = longan.history.count()

    again = _upload(client, data)  # the same decisions again
    assert again.counts == {"approve": 0, "reject": 0, "unchanged": 2, "skip": 0, "error": 0}
    client.post(reverse("equivalence:decisions_commit", args=[again.pk]))
    client.post(reverse("equivalence:decisions_commit", args=[again.pk]))  # twice
    assert EquivalenceMapping.objects.get(pk=longan.pk).history.count() == history


def test_unknown_course_codes_and_mappings_are_row_errors_and_nothing_is_written(
    login, world, board
):
    _first, second, longan, _wiring = board
    client = login(second)
    book = _export(client)
    sheet = book.worksheets[0]
    sheet.cell(row=2, column=COL["decision"] + 1, value="อนุมัติ")
    sheet.cell(row=3, column=COL["decision"] + 1, value="อนุมัติ")
    sheet.cell(row=3, column=COL["targets"] + 1, value="T-COL-A:99999-9999")
    sheet.append([999999] + [None] * (COL["decision"] - 1) + ["อนุมัติ"])
    sheet.append([longan.pk] + [None] * (COL["decision"] - 1) + ["maybe"])
    record = _upload(client, _bytes(book))
    assert record.counts["error"] == 3 and not record.can_commit
    messages = {row["row"]: " ".join(row["messages"]) for row in record.rows}
    assert "99999-9999" in messages[3]
    assert "999999" in messages[4]
    assert messages[5]  # unreadable decision (and the mapping appears twice)
    response = client.post(reverse("equivalence:decisions_commit", args=[record.pk]))
    assert response.status_code == 403
    with pytest.raises(services.MappingError):
        DecisionImport.objects.filter(pk=record.pk).update(counts={})  # force past the guard
        decisions.decisions_import_commit(
            actor=second, decision_import=DecisionImport.objects.get(pk=record.pk)
        )
    assert set(EquivalenceMapping.objects.values_list("status", flat=True)) == {"proposed"}


def test_courses_that_do_not_match_the_mapping_are_refused(login, world, board, catalogue):
    _first, second, longan, _wiring = board
    client = login(second)
    data = _decide(
        _export(client), {longan.pk: {"decision": "อนุมัติ", "targets": "T-COL-A:20104-2005"}}
    )
    record = _upload(client, data)
    assert record.counts["error"] == 1
    assert "do not match" in " ".join(record.rows[0]["messages"]) or record.rows[0]["messages"]


def test_the_proposer_cannot_approve_through_a_file(login, world, board):
    first, _second, longan, _wiring = board
    client = login(first)
    record = _upload(client, _decide(_export(client), {longan.pk: {"decision": "approve"}}))
    assert record.counts["error"] == 1 and record.rows[0]["outcome"] == "error"


def test_a_rejection_needs_a_comment(login, world, board):
    _first, second, _longan, wiring = board
    client = login(second)
    record = _upload(client, _decide(_export(client), {wiring.pk: {"decision": "reject"}}))
    assert record.counts["error"] == 1


def test_a_file_that_is_not_a_workbook_is_refused(login, world, board):
    _first, second, *_ = board
    record = _upload(login(second), b"%PDF-1.7 not a workbook", name="decisions.xlsx")
    assert record.status == "refused" and record.message


def test_importing_decisions_needs_the_reviewer_role(login, world, board):
    assert login(world.centre).get(reverse("equivalence:decisions_upload")).status_code == 403
    assert login(world.owner).get(reverse("equivalence:decisions_upload")).status_code == 403


def test_someone_elses_decision_file_is_a_404(login, world, board):
    first, second, longan, _wiring = board
    client = login(second)
    record = _upload(client, _decide(_export(client), {longan.pk: {"decision": "อนุมัติ"}}))
    other = login(first)
    assert other.get(reverse("equivalence:decisions_detail", args=[record.pk])).status_code == 404
    assert other.post(reverse("equivalence:decisions_commit", args=[record.pk])).status_code == 404
