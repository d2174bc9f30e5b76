"""PDPA data-subject rights: the learner's copy of their data, and erasure that pseudonymises
the learner while every ledger number stays."""

import json
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from learners.models import CreditEntry, ErasureRequest, Learner, ResultRow, TranscriptShare
from learners.services import learners as learner_services
from learners.services import ledger, privacy, transcripts
from learners.services import results as results_services
from tests.courses.xlsx_files import workbook_bytes
from tests.factories import UserFactory

from .factories import citizen_id, make_course, make_entry, make_learner

HEADER = ["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "รหัสวิชา", "ปีการศึกษา", "ภาคเรียน", "ผลการเรียน"]


@pytest.fixture
def learner(world):
    person = make_learner(
        identifier=citizen_id("110370054321"),
        first_name_th="กมลชนก",
        last_name_th="ใฝ่เรียน",
        first_name_en="Kamonchanok",
        last_name_en="Phairian",
        birth_date="2009-06-14",
        home_institution=world.school,
    )
    person = learner_services.learner_link_user(
        actor=None, learner=person, user=UserFactory(username="kamonchanok")
    )
    course = make_course(world.school, "ง21101", "1.5")
    entry = make_entry(person, course, "2")
    ledger.entry_reverse(actor=None, entry=entry, reason="แก้ไข")
    make_entry(person, course, "3", note="=1+1")
    make_entry(person, make_course(world.school, "ค21101", "1.0"), "4")
    return person


@pytest.fixture
def other(world):
    person = make_learner(identifier=citizen_id("350990077777"), home_institution=world.school)
    return learner_services.learner_link_user(
        actor=None, learner=person, user=UserFactory(username="other-learner")
    )


def test_the_learner_downloads_all_their_data_as_json(login, learner, other):
    make_entry(other, make_course(other.home_institution, "ว21101", "2.0"), "3")
    response = login(learner.user).get(reverse("learners:my_data_json") + f"?pk={other.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["learner"]["identifier"] == learner.identifier  # their own, in full
    assert data["learner"]["first_name_en"] == "Kamonchanok"
    assert data["learner"]["birth_date"] == "2009-06-14"
    kinds = [e["kind"] for e in data["credit_entries"]]
    assert kinds == ["earn", "reversal", "earn", "earn"]
    assert sum(Decimal(str(e["credits"])) for e in data["credit_entries"]) == Decimal("2.5")
    text = response.content.decode()
    assert other.identifier not in text and "ว21101" not in text


def test_the_xlsx_copy_is_formula_safe(login, learner, world, django_capture_on_commit_callbacks):
    client = login(learner.user)
    transcripts.transcript_issue(actor=learner.user, learner=learner, base_url="http://x")
    TranscriptShare.objects.create(
        learner=learner, token="t" * 20, recipient='=HYPERLINK("http://evil.example","x")',
        created_by=learner.user, expires_at="2099-01-01T00:00Z",
    )  # fmt: skip
    response = client.get(reverse("learners:my_data_xlsx"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    book = openpyxl.load_workbook(BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert "'=1+1" in values  # the entry's note
    assert '\'=HYPERLINK("http://evil.example","x")' in values
    assert learner.identifier in values
    entries = book.worksheets[1]
    assert entries.max_row == 1 + CreditEntry.objects.filter(learner=learner).count()
    assert len(book.worksheets) == 9


def test_erasure_pseudonymises_the_learner_and_keeps_every_ledger_number(
    login, world, learner, client, django_capture_on_commit_callbacks
):
    # a results upload that names the learner (a warning quotes the registered name)
    make_course(world.school, "ง21102", "1.0")
    upload = results_services.results_upload_receive(
        actor=world.owner, institution=world.school, file_name="r.xlsx", create_unknown=False,
        data=workbook_bytes(
            [(learner.identifier, "กมลชนกก", "ใฝ่เรียน", "ง21102", 2567, 1, "3")], header=HEADER
        ),
    )  # fmt: skip
    results_services.results_upload_check(upload_id=upload.pk)
    row = ResultRow.objects.get(upload=upload)
    assert "กมลชนก" in json.dumps(row.messages, ensure_ascii=False)
    with django_capture_on_commit_callbacks(execute=True):
        transcript = transcripts.transcript_issue(
            actor=learner.user, learner=learner, base_url="http://testserver"
        )
    transcript.document.refresh_from_db()
    if transcript.document.status == "queued":
        from creditbank.documents.jobs import document_render

        document_render(document_id=transcript.document_id)
        transcript.document.refresh_from_db()
    pdf_name = transcript.document.file.name
    storage = transcript.document.file.storage
    assert storage.exists(pdf_name)
    share = transcripts.share_create(actor=learner.user, learner=learner, days=5)

    fields = [f.attname for f in CreditEntry._meta.concrete_fields]
    before = list(CreditEntry.objects.filter(learner=learner).order_by("pk").values_list(*fields))
    summary_before = ledger.learner_summary(learner)
    old = {learner.identifier, learner.formatted_identifier, "กมลชนก", "ใฝ่เรียน", "Kamonchanok"}

    staff = login(world.owner)
    page = staff.get(reverse("learners:privacy", args=[learner.pk]))
    assert page.status_code == 200 and learner.identifier not in page.content.decode()
    staff.post(
        reverse("learners:erasure_record", args=[learner.pk]),
        {"channel": "จดหมาย", "details": "ขอลบข้อมูล", "status": "completed"},
    )
    request = ErasureRequest.objects.get()
    assert request.status == "received" and request.received_by == world.owner
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("learners:erasure_answer", args=[request.pk]),
            {"action": "complete", "answer": "ดำเนินการแล้ว"},
        )
    request.refresh_from_db()
    assert request.status == "completed" and request.answered_by == world.owner

    erased = Learner.objects.get(pk=learner.pk)
    assert erased.pseudonymised and erased.pseudonymised_at
    assert erased.birth_date is None and erased.user is None
    values = {erased.identifier, erased.first_name_th, erased.last_name_th, erased.first_name_en}
    assert not values & old
    assert erased.masked_identifier == "—"
    after = list(CreditEntry.objects.filter(learner=learner).order_by("pk").values_list(*fields))
    assert after == before
    summary_after = ledger.learner_summary(erased)
    assert summary_after.banked == summary_before.banked == Decimal("2.5")
    assert summary_after.by_year == summary_before.by_year

    share.refresh_from_db()
    assert share.revoked_at is not None
    assert client.get(reverse("learners:shared", args=[share.token])).status_code == 410
    assert not storage.exists(pdf_name)
    verify = client.get(reverse("learners:transcript_verify", args=[transcript.serial]))
    body = verify.content.decode()
    assert 'data-genuine="true"' in body  # still issued by us and signed
    assert not any(value in body for value in old)
    row.refresh_from_db()
    row_text = json.dumps([row.data, row.messages], ensure_ascii=False)
    assert not any(value in row_text for value in old)

    detail = staff.get(reverse("learners:detail", args=[learner.pk])).content.decode()
    assert not any(value in detail for value in old)
    found = staff.get(reverse("learners:list"), {"q": "กมลชนก"}).context["page"].object_list
    assert list(found) == []
    assert (
        'data-testid="not-linked"'
        in (
            login(UserFactory(username="kamonchanok")).get(reverse("learners:my_credits"))
        ).content.decode()
    )


def test_a_refusal_needs_a_reason_and_a_request_is_answered_once(login, world, learner):
    staff = login(world.owner)
    staff.post(reverse("learners:erasure_record", args=[learner.pk]), {"channel": "อีเมล"})
    request = ErasureRequest.objects.get()
    staff.post(reverse("learners:erasure_answer", args=[request.pk]), {"action": "refuse"})
    request.refresh_from_db()
    assert request.status == "received"
    staff.post(
        reverse("learners:erasure_answer", args=[request.pk]),
        {"action": "refuse", "answer": "ยังมีคำขอเทียบโอนค้างอยู่"},
    )
    request.refresh_from_db()
    assert request.status == "refused"
    staff.post(reverse("learners:erasure_answer", args=[request.pk]), {"action": "complete"})
    request.refresh_from_db()
    assert request.status == "refused"
    assert not Learner.objects.get(pk=learner.pk).pseudonymised


def test_only_staff_with_a_learner_role_record_or_answer(login, world, learner):
    viewer = login(world.member)  # a viewer at the learner's school
    assert viewer.get(reverse("learners:privacy", args=[learner.pk])).status_code == 200
    response = viewer.post(reverse("learners:erasure_record", args=[learner.pk]), {})
    assert response.status_code == 403
    request = privacy.erasure_request_record(actor=world.owner, learner=learner)
    for user, status in ((world.member, 403), (world.neighbour, 404), (learner.user, 404)):
        response = login(user).post(
            reverse("learners:erasure_answer", args=[request.pk]), {"action": "complete"}
        )
        assert response.status_code == status, user
    assert not Learner.objects.get(pk=learner.pk).pseudonymised
    with pytest.raises(learner_services.LearnerError):
        privacy.erasure_request_record(actor=world.owner, learner=learner)  # one waiting


def test_a_transcript_queued_before_erasure_is_never_rendered(world, learner):
    from creditbank.documents.jobs import document_render

    transcript = transcripts.transcript_issue(
        actor=learner.user, learner=learner, base_url="http://testserver"
    )  # the job is queued, not yet run (no commit in this test)
    request = privacy.erasure_request_record(actor=world.owner, learner=learner)
    privacy.erasure_request_answer(actor=world.owner, request=request, complete=True, answer="")
    document = document_render(document_id=transcript.document_id)
    assert document.status == "failed" and not document.file
    assert "ข้อมูลส่วนบุคคล" in document.error or "personal data" in document.error
