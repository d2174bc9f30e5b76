import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learners.models import CreditEntry, Learner, ResultUpload, UnmaskLog
from learners.services import learners as learner_services
from learners.services import results as results_services
from tests.courses.xlsx_files import workbook_bytes
from tests.factories import Role, UserFactory, grant

from .factories import citizen_id, make_course, make_entry, make_learner

HEADER = ["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "รหัสวิชา", "ปีการศึกษา", "ภาคเรียน", "ผลการเรียน"]


@pytest.fixture
def registrar(world):
    user = UserFactory(username="registrar")
    grant(user, world.school, Role.REGISTRAR)
    return user


@pytest.fixture
def two_learners(world):
    """Two linked learners of the same school, each with an entry."""
    course = make_course(world.school, "ง21101", "1.5")
    mine = make_learner(identifier=citizen_id("110370012345"), first_name_th="สมชาย",
                        home_institution=world.school)  # fmt: skip
    theirs = make_learner(identifier=citizen_id("350990011223"), first_name_th="สมหญิง",
                          home_institution=world.school)  # fmt: skip
    for learner, name in ((mine, "somchai"), (theirs, "somying")):
        learner_services.learner_link_user(
            actor=None, learner=learner, user=UserFactory(username=name)
        )
        make_entry(learner, course, "3")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    return mine, theirs, course


def _id_forms(learner):
    return {learner.identifier, learner.formatted_identifier, learner.masked_identifier}


def _post_upload(client, world, rows, **extra):
    data = io.BytesIO(workbook_bytes(rows, header=HEADER))
    data.name = "results.xlsx"
    return client.post(
        reverse("learners:results_upload"),
        {"institution": world.school.pk, "file": data, "create_unknown": "1", **extra},
    )


def test_results_upload_preview_confirm_approve_through_the_pages(
    login, world, registrar, django_capture_on_commit_callbacks
):
    make_course(world.school, "ง21101", "1.5")
    new_id = citizen_id("110370099887")
    client = login(registrar)
    assert client.get(reverse("learners:results_upload")).status_code == 200
    template = client.get(reverse("learners:results_template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(
            client, world, [(new_id, "สมใจ", "ใฝ่รู้", "ง21101", 2567, 1, "4")],
            status="approved", credits="99",  # ignored
        )  # fmt: skip
    upload = ResultUpload.objects.get()
    assert response["Location"] == reverse("learners:results_detail", args=[upload.pk])
    if upload.status == "queued":  # a real broker holds the job: do what the worker would
        page = client.get(response["Location"]).content.decode()
        assert 'hx-trigger="every 1s"' in page
        results_services.results_upload_check(upload_id=upload.pk)
    page = client.get(response["Location"])
    assert page.context["upload"].status == "preview"
    body = page.content.decode()
    assert 'data-testid="confirm"' in body and new_id not in body  # masked in the preview
    client.post(reverse("learners:results_submit", args=[upload.pk]), {"status": "approved"})
    upload.refresh_from_db()
    assert upload.status == "submitted" and not CreditEntry.objects.exists()
    waiting = client.get(reverse("learners:results_list") + "?waiting=1").content.decode()
    assert upload.file_name in waiting
    client.post(
        reverse("learners:results_decide", args=[upload.pk]),
        {"action": "approve", "credits": "40", "institution": world.school_b.pk},
    )
    entry = CreditEntry.objects.get()
    assert entry.credits == Decimal("1.5") and entry.institution == world.school and entry.verified
    assert Learner.objects.get(identifier=new_id).verified is False


def test_reject_through_the_page_needs_a_comment(login, world, registrar):
    pk = _submitted_upload(world, registrar)
    client = login(registrar)
    client.post(reverse("learners:results_decide", args=[pk]), {"action": "reject"})
    assert ResultUpload.objects.get(pk=pk).status == "submitted"
    client.post(
        reverse("learners:results_decide", args=[pk]), {"action": "reject", "comment": "ผิด"}
    )
    assert ResultUpload.objects.get(pk=pk).status == "rejected"


def _submitted_upload(world, registrar):
    make_course(world.school, "ค21101", "1.0")
    upload = results_services.results_upload_receive(
        actor=registrar, institution=world.school, file_name="r.xlsx", create_unknown=True,
        data=workbook_bytes([(citizen_id(), "ก", "ข", "ค21101", 2567, 1, "3")], header=HEADER),
    )  # fmt: skip
    upload = results_services.results_upload_check(upload_id=upload.pk)
    return results_services.results_upload_submit(actor=registrar, upload=upload).pk


def test_viewers_and_learners_cannot_upload_or_approve(login, world, registrar, two_learners):
    assert login(world.member).get(reverse("learners:results_upload")).status_code == 403
    pk = _submitted_upload(world, registrar)
    response = login(world.member).post(
        reverse("learners:results_decide", args=[pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    client = login(UserFactory(username="somchai"))
    assert client.get(reverse("learners:results_upload")).status_code == 403
    assert client.get(reverse("learners:results_detail", args=[pk])).status_code == 404
    assert ResultUpload.objects.get(pk=pk).status == "submitted"


def test_my_credits_shows_my_balance_breakdowns_ledger_and_my_full_id(login, two_learners):
    mine, theirs, _course = two_learners
    response = login(mine.user).get(reverse("learners:my_credits"))
    assert response.status_code == 200
    body = response.content.decode()
    assert mine.formatted_identifier in body  # the learner sees their own ID
    assert response.context["summary"].banked == Decimal("1.5")
    assert 'data-testid="timeline"' in body and "ง21101" in body
    for form in _id_forms(theirs):
        assert form not in body
    assert theirs.first_name_th not in body


def test_an_account_without_a_learner_record_is_told_how_to_link_it(login, world):
    response = login(world.nobody).get(reverse("learners:my_credits"))
    assert response.status_code == 200 and 'data-testid="not-linked"' in response.content.decode()


def test_a_learner_cannot_reach_another_learners_pages(login, world, registrar, two_learners):
    mine, theirs, _course = two_learners
    client = login(mine.user)
    forbidden_forms = _id_forms(theirs)
    for name, method in (
        ("learners:detail", "get"),
        ("learners:unmask", "post"),
        ("learners:link", "post"),
    ):
        response = getattr(client, method)(
            reverse(name, args=[theirs.pk]), {"reason": "x", "username": "somchai"}
        )
        assert response.status_code == 404, name
        assert not any(f in response.content.decode() for f in forbidden_forms)
    # own record through the staff pages: also 404 (a learner is not staff)
    assert client.get(reverse("learners:detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("learners:list")).status_code == 403
    response = client.get(reverse("learners:my_credits") + f"?learner={theirs.pk}&pk={theirs.pk}")
    assert response.context["learner"] == mine
    assert not any(f in response.content.decode() for f in forbidden_forms)
    assert not UnmaskLog.objects.exists()


def test_my_credits_uses_a_constant_number_of_queries(login, world, two_learners):
    mine, _theirs, course = two_learners
    client = login(mine.user)
    client.get(reverse("learners:my_credits"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("learners:my_credits"))
    other = make_course(world.college, "20101-2001", "2", level="voc_cert", subject_group="voc")
    for year in range(2550, 2570):
        make_entry(mine, other, "3.5", academic_year=year)
        make_entry(mine, course, "2", academic_year=year, term="2")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("learners:my_credits"))
    assert response.context["summary"].banked == Decimal("71.5")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_staff_list_is_scoped_masked_searchable_paginated(
    login, world, two_learners, django_assert_max_num_queries
):
    mine, theirs, _course = two_learners
    elsewhere = make_learner(home_institution=world.school_b, first_name_th="ต่างจังหวัด")
    client = login(world.owner)
    body = client.get(reverse("learners:list")).content.decode()
    assert mine.masked_identifier in body and theirs.masked_identifier in body
    assert mine.identifier not in body and mine.formatted_identifier not in body
    assert elsewhere.first_name_th not in body
    found = client.get(reverse("learners:list"), {"q": "สมหญิง"}).context["page"].object_list
    assert list(found) == [theirs]
    by_id = client.get(reverse("learners:list"), {"q": mine.formatted_identifier}).context["page"]
    assert list(by_id.object_list) == [mine]
    for n in range(30):
        make_learner(home_institution=world.school, first_name_th=f"ผู้เรียน{n:02d}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("learners:list"), {"page": 2})
    assert response.context["page"].number == 2 and len(response.context["page"].object_list) == 7
    assert login(world.outsider).get(reverse("learners:detail", args=[mine.pk])).status_code == 404


def test_staff_detail_masks_and_unmask_is_logged(
    login, world, two_learners, django_assert_max_num_queries
):
    mine, _theirs, _course = two_learners
    client = login(world.owner)
    with django_assert_max_num_queries(15):
        body = client.get(reverse("learners:detail", args=[mine.pk])).content.decode()
    assert mine.masked_identifier in body and mine.formatted_identifier not in body
    refused = client.post(reverse("learners:unmask", args=[mine.pk]), {"reason": "  "})
    assert refused.status_code == 400 and mine.formatted_identifier not in refused.content.decode()
    shown = client.post(
        reverse("learners:unmask", args=[mine.pk]),
        {"reason": "ตรวจเอกสาร", "user": world.nobody.pk},
    )
    assert shown.status_code == 200 and mine.formatted_identifier in shown.content.decode()
    log = UnmaskLog.objects.get()
    assert log.user == world.owner and log.reason == "ตรวจเอกสาร"
    assert "ตรวจเอกสาร" in client.get(reverse("learners:detail", args=[mine.pk])).content.decode()
    # a viewer may look but not unmask
    assert (
        login(world.member)
        .post(reverse("learners:unmask", args=[mine.pk]), {"reason": "x"})
        .status_code
        == 403
    )


def test_registrar_links_an_account_and_the_learner_then_sees_their_credits(
    login, world, registrar
):
    learner = make_learner(home_institution=world.school)
    make_entry(learner, make_course(world.school, "ค21101", "1.0"), "4")
    account = UserFactory(username="newlearner")
    client = login(registrar)
    client.post(
        reverse("learners:link", args=[learner.pk]), {"username": "newlearner", "learner": 999}
    )
    learner.refresh_from_db()
    assert learner.user == account and learner.linked_by == registrar
    client.post(reverse("learners:link", args=[learner.pk]), {"username": "nobody-such"})
    learner.refresh_from_db()
    assert learner.user == account
    response = login(account).get(reverse("learners:my_credits"))
    assert response.context["summary"].banked == Decimal("1.0")


def test_register_a_learner_through_the_page(login, world, registrar):
    client = login(registrar)
    assert client.get(reverse("learners:create")).status_code == 200
    thai = citizen_id("110370055555").translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = client.post(reverse("learners:create"), {
        "identifier_type": "citizen_id", "identifier": thai, "first_name_th": "ใหม่",
        "home_institution": world.school.pk, "consent": "on", "verified": "on", "pseudonymised": "on",
    })  # fmt: skip
    learner = Learner.objects.get()
    assert response["Location"] == reverse("learners:detail", args=[learner.pk])
    assert learner.identifier == citizen_id("110370055555") and learner.consent
    assert not learner.verified and not learner.pseudonymised  # extra fields ignored
    bad = client.post(reverse("learners:create"), {
        "identifier_type": "citizen_id", "identifier": "1103700555550", "first_name_th": "x",
        "home_institution": world.school.pk,
    })  # fmt: skip
    assert bad.status_code == 200 and bad.context["form"].errors["identifier"]
    outside = client.post(reverse("learners:create"), {
        "identifier_type": "citizen_id", "identifier": citizen_id(), "first_name_th": "x",
        "home_institution": world.school_b.pk,
    })  # fmt: skip
    assert outside.context["form"].errors["home_institution"]
    assert Learner.objects.count() == 1


def test_the_demo_learner_and_waiting_results(client, db):
    from django.core.management import call_command

    call_command("seed_demo", "--quiet-accounts")
    learner = Learner.objects.get(user__username="learner")
    sources = set(learner.entries.values_list("source", flat=True))
    assert {"school", "nfe", "skill_test"} <= sources
    assert learner.entries.filter(institution__extended_opportunity=True).exists()
    assert learner.entries.filter(kind="reversal").count() == 1
    client.force_login(learner.user)
    response = client.get(reverse("learners:my_credits"))
    summary = response.context["summary"]
    assert summary.banked == Decimal("9")  # five 1-credit school courses, NFE 2, skill test 2
    assert {b.key for b in summary.by_source} == {"school", "nfe", "skill_test"}
    waiting = ResultUpload.objects.filter(status="submitted")
    assert set(waiting.values_list("institution__code", flat=True)) == {"LPN-TECH", "LPN1-EO01"}
    client.force_login(UserFactory(username="college"))  # get_or_create: the demo registrar
    listing = client.get(reverse("learners:results_list") + "?waiting=1").content.decode()
    assert "ผลการเรียน-ภาคเรียนที่1-2567.xlsx" in listing


def test_results_preview_uses_a_constant_number_of_queries(login, world, registrar):
    make_course(world.school, "ง21101", "1.5")

    def preview(count):
        rows = [(citizen_id(), f"คน{n}", "ทดสอบ", "ง21101", 2567, 1, "3") for n in range(count)]
        upload = results_services.results_upload_receive(
            actor=registrar, institution=world.school, file_name=f"{count}.xlsx",
            create_unknown=True, data=workbook_bytes(rows, header=HEADER),
        )  # fmt: skip
        upload = results_services.results_upload_check(upload_id=upload.pk)
        results_services.results_upload_submit(actor=registrar, upload=upload)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("learners:results_detail", args=[upload.pk]))
        assert response.status_code == 200
        return len(queries)

    client = login(registrar)
    client.get(reverse("learners:results_list"))
    assert preview(3) == preview(40)


def test_admin_shows_the_ledger_read_only_and_ids_masked(client, world, two_learners):
    mine, _theirs, _course = two_learners
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    body = client.get(reverse("admin:learners_learner_changelist")).content.decode()
    assert mine.masked_identifier in body and mine.identifier not in body
    entry = CreditEntry.objects.filter(learner=mine).first()
    page = client.get(reverse("admin:learners_creditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="credits"' not in page.content
