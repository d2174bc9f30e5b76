"""Transcripts through the real stack: the Celery document job renders a WeasyPrint PDF whose
text layer (pdftotext) and QR image (pdfimages) are read back; verification; share links."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from creditbank import thai
from creditbank.documents.jobs import document_render
from learners.models import CreditEntry, ShareAccess, Transcript, TranscriptShare
from learners.services import learners as learner_services
from learners.services import ledger
from learners.services import transcripts as services
from tests.factories import UserFactory

from .factories import citizen_id, make_course, make_entry, make_learner
from .pdfcheck import pdftotext, qr_matrix_from_pdf, qr_matrix_of

# Names whose text layer WeasyPrint gets wrong without the ActualText fix (SARA AM, stacked
# tone marks over upper and lower vowels).
LONGAN = "การทำน้ำพริกลำไยสำหรับจำหน่าย"
ENTREPRENEUR = "ผู้ประกอบการรุ่นใหม่ที่ปฏิบัติงานได้"
ELECTRIC = "งานไฟฟ้าและอิเล็กทรอนิกส์เบื้องต้น"
HIDDEN = "วิชาที่ยังไม่ได้รับรองผล"
# Stacked marks (ปั้น, ผู้ใหญ่) and the letters with descenders ฎ ฏ ญ ฐ.
POTTERY = "งานปั้นสำหรับผู้ใหญ่ตามกฎหมายและมาตรฐานฐานรากของชุมชน"


@pytest.fixture
def record(world):
    """A linked learner with school and college credits, a corrected result, a pending one and
    a skill test; and a second linked learner of the same school."""
    learner = make_learner(
        identifier=citizen_id("110370012345"),
        title_th="นางสาว",
        first_name_th="ณัฐธิดา",
        last_name_th="น้ำใจดี",
        first_name_en="Nattida",
        last_name_en="Namjaidee",
        birth_date=dt.date(2009, 6, 14),
        home_institution=world.school,
    )
    learner = learner_services.learner_link_user(
        actor=None, learner=learner, user=UserFactory(username="nattida")
    )
    longan = make_course(world.school, "ง21201", "1.5", name_th=LONGAN, name_en="Longan paste")
    leader = make_course(world.school, "ง21202", "1.0", name_th=ENTREPRENEUR)
    electric = make_course(
        world.college, "20104-2001", "2", level="voc_cert", subject_group="voc", name_th=ELECTRIC
    )
    hidden = make_course(world.school, "ง21299", "1.0", name_th=HIDDEN)
    pottery = make_course(world.school, "ง21203", "1.0", name_th=POTTERY)
    make_entry(learner, longan, "4", academic_year=2566)
    wrong = make_entry(learner, leader, "1", academic_year=2566, term="2")
    ledger.entry_reverse(actor=None, entry=wrong, reason="แก้ไขผล")
    make_entry(learner, leader, "3", academic_year=2566, term="2", note="corrected")
    make_entry(learner, electric, "3.5", academic_year=2567)
    make_entry(learner, hidden, "4", verified=False)
    make_entry(learner, pottery, "3", academic_year=2567)
    ledger.entry_record(
        actor=None, learner=learner, institution=world.college, grade="ผ", academic_year=2567,
        source="skill_test", credits=Decimal("2"), course_name_th="ช่างไฟฟ้าภายในอาคาร ระดับ 1",
        verified=True,
    )  # fmt: skip
    other = make_learner(
        identifier=citizen_id("350990011223"), first_name_th="สมหญิง", home_institution=world.school
    )
    other = learner_services.learner_link_user(
        actor=None, learner=other, user=UserFactory(username="somying")
    )
    make_entry(other, longan, "2")
    return learner, other


def _issue(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("learners:transcript_issue"), data)
    transcript = Transcript.objects.order_by("-pk").first()
    document = transcript.document
    document.refresh_from_db()
    if document.status == "queued":  # a real broker holds the job: do what the worker would
        document_render(document_id=document.pk)
        document.refresh_from_db()
    assert document.status == "done", document.error
    return response, transcript


def test_the_transcript_pdf_reads_back_in_correct_thai_and_its_qr_verifies(
    login, record, django_capture_on_commit_callbacks
):
    learner, other = record
    client = login(learner.user)
    response, transcript = _issue(
        client, django_capture_on_commit_callbacks, learner=other.pk, status="done"
    )
    assert transcript.learner == learner  # the posted learner id is ignored
    assert response["Location"].endswith(f"#transcript-{transcript.pk}")
    page = client.get(reverse("learners:my_transcripts")).content.decode()
    assert transcript.serial in page and 'data-testid="document-download"' in page

    pdf = client.get(reverse("learners:transcript_download", args=[transcript.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    text = pdftotext(data)
    assert "นางสาวณัฐธิดา น้ำใจดี" in text
    for name in (LONGAN, ENTREPRENEUR, ELECTRIC, "ช่างไฟฟ้าภายในอาคาร ระดับ 1"):
        assert name in text, name
    assert POTTERY in text.replace(" ", "")  # long: it wraps inside its table cell
    assert HIDDEN not in text  # not verified: not on the transcript
    assert learner.identifier not in text and learner.masked_identifier in text
    assert thai.format_date(timezone.localdate()) in text  # Buddhist-era issue date
    assert "14 มิถุนายน 2552" in text  # birth date, B.E.
    assert transcript.serial in text
    # 1.5 + 1 (corrected) + 2 + 2 (skill test) banked; the reversed "1" grade is gone
    assert transcript.content["data"]["banked"] == "7.5"
    assert Decimal(transcript.content["data"]["banked"]) == ledger.learner_balance(learner)

    url = "http://testserver" + services.verification_path(transcript)
    assert qr_matrix_from_pdf(data) == qr_matrix_of(url)
    verified = client.get(url.removeprefix("http://testserver"))
    body = verified.content.decode()
    assert verified.status_code == 200
    assert 'data-genuine="true"' in body and transcript.serial in body
    assert learner.masked_identifier in body and learner.identifier not in body
    assert learner.formatted_identifier not in body


def test_the_english_transcript_uses_english_names_and_gregorian_years(
    login, record, django_capture_on_commit_callbacks
):
    learner, _other = record
    client = login(learner.user)
    client.cookies["creditbank_language"] = "en"
    _response, transcript = _issue(client, django_capture_on_commit_callbacks)
    data = b"".join(
        client.get(reverse("learners:transcript_download", args=[transcript.pk])).streaming_content
    )
    text = pdftotext(data)
    assert "Nattida Namjaidee" in text and "Longan paste" in text
    assert "14 Jun 2009" in text and "Credit bank transcript" in text


def test_issuing_twice_with_an_unchanged_ledger_makes_one_transcript(
    login, record, world, django_capture_on_commit_callbacks
):
    learner, _other = record
    client = login(learner.user)
    _issue(client, django_capture_on_commit_callbacks)
    _issue(client, django_capture_on_commit_callbacks)
    assert Transcript.objects.filter(learner=learner).count() == 1
    make_entry(learner, make_course(world.school, "ค21101", "1.0"), "2")
    _issue(client, django_capture_on_commit_callbacks)
    assert Transcript.objects.filter(learner=learner).count() == 2


def test_verification_refuses_altered_content_wrong_codes_and_unknown_serials(client, record):
    learner, _other = record
    transcript = services.transcript_issue(
        actor=learner.user, learner=learner, base_url="http://testserver"
    )
    assert services.transcript_verify(serial=transcript.serial).genuine
    assert services.transcript_verify(serial=transcript.serial.lower()).genuine
    wrong_code = client.get(
        reverse("learners:transcript_verify", args=[transcript.serial])
        + "?c=AAAAAAAAAAAAAAAAAAAAAA"
    )
    assert 'data-genuine="false"' in wrong_code.content.decode()

    content = transcript.content
    content["data"]["banked"] = "99"  # edited behind the application's back
    Transcript.objects.filter(pk=transcript.pk).update(content=content)
    altered = services.transcript_verify(serial=transcript.serial)
    assert altered.signature_valid and not altered.content_intact and not altered.genuine

    forged = Transcript.objects.create(
        learner=learner, serial="TR2569-FORGED0000", signature=transcript.signature,
        content=transcript.content, issued_by=learner.user,
    )  # fmt: skip
    assert not services.transcript_verify(serial=forged.serial).signature_valid

    unknown = client.get(reverse("learners:transcript_verify", args=["TR2569-NOSUCH"]))
    assert unknown.status_code == 404 and 'data-genuine="false"' in unknown.content.decode()


def test_share_link_shows_downloads_and_logs_each_access(
    client, login, record, django_capture_on_commit_callbacks, django_user_model
):
    learner, _other = record
    owner = login(learner.user)
    _issue(owner, django_capture_on_commit_callbacks)
    owner.post(
        reverse("learners:share_create"),
        {"recipient": "วิทยาลัยเทคนิคลำพูน", "days": 7, "learner": 999, "expires_at": "2099-01-01"},
    )
    share = TranscriptShare.objects.get()
    assert share.learner == learner
    assert dt.timedelta(days=6) < share.expires_at - timezone.now() <= dt.timedelta(days=7)
    owner.logout()

    url = reverse("learners:shared", args=[share.token])
    opened = client.get(url, HTTP_USER_AGENT="RegistrarBrowser/1.0", REMOTE_ADDR="203.0.113.9")
    body = opened.content.decode()
    assert opened.status_code == 200 and learner.full_name_th in body
    assert LONGAN in body and 'data-testid="shared-genuine"' in body
    assert learner.identifier not in body and learner.formatted_identifier not in body
    assert opened["Cache-Control"].startswith("no-store") or "no-cache" in opened["Cache-Control"]
    pdf = client.get(reverse("learners:shared_pdf", args=[share.token]), HTTP_USER_AGENT="Curl/8")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    accesses = list(ShareAccess.objects.order_by("at", "pk"))
    assert [(a.ip_address, a.user_agent, a.granted) for a in accesses] == [
        ("203.0.113.9", "RegistrarBrowser/1.0", True),
        ("127.0.0.1", "Curl/8", True),
    ]
    assert django_user_model.objects.filter(is_active=True).count() >= 2  # nobody signed in

    page = login(learner.user).get(reverse("learners:my_transcripts")).content.decode()
    assert "RegistrarBrowser/1.0" in page and "203.0.113.9" in page
    assert "วิทยาลัยเทคนิคลำพูน" in page


def test_expired_revoked_and_unknown_share_links(
    client, login, record, django_capture_on_commit_callbacks
):
    learner, _other = record
    owner = login(learner.user)
    _issue(owner, django_capture_on_commit_callbacks)
    owner.post(reverse("learners:share_create"), {"days": 3})
    owner.post(reverse("learners:share_create"), {"days": 3})
    expired, revoked = TranscriptShare.objects.order_by("pk")
    TranscriptShare.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    owner.post(reverse("learners:share_revoke", args=[revoked.pk]))
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    owner.logout()

    for share, reason in ((expired, "expired"), (revoked, "revoked")):
        for name in ("learners:shared", "learners:shared_pdf"):
            response = client.get(reverse(name, args=[share.token]))
            assert response.status_code == 410, (name, reason)
            body = response.content.decode()
            assert f'data-reason="{reason}"' in body and learner.first_name_th not in body
    assert ShareAccess.objects.filter(granted=False).count() == 4
    assert not ShareAccess.objects.filter(granted=True).exists()
    assert client.get(reverse("learners:shared", args=["no-such-token"])).status_code == 404

    owner = login(learner.user)
    for days in (0, 91, "x"):
        owner.post(reverse("learners:share_create"), {"days": days})
    assert TranscriptShare.objects.count() == 2


def test_a_share_link_needs_a_transcript_first(login, record):
    learner, _other = record
    login(learner.user).post(reverse("learners:share_create"), {"days": 3})
    assert not TranscriptShare.objects.exists()


def test_another_learners_transcript_pdf_and_share_links_are_404(
    login, record, django_capture_on_commit_callbacks
):
    learner, other = record
    theirs = Client()  # another browser: the other learner's messages stay in it
    theirs.force_login(other.user)
    _response, their_transcript = _issue(theirs, django_capture_on_commit_callbacks)
    theirs.post(reverse("learners:share_create"), {"days": 3})
    their_share = TranscriptShare.objects.get(learner=other)

    client = login(learner.user)
    forbidden = {other.identifier, other.formatted_identifier, other.masked_identifier}
    responses = [
        client.get(reverse("learners:transcript_download", args=[their_transcript.pk])),
        client.get(reverse("documents:download", args=[their_transcript.document_id])),
        client.post(reverse("learners:share_revoke", args=[their_share.pk])),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    their_share.refresh_from_db()
    assert their_share.revoked_at is None
    mine = [
        client.get(reverse("learners:my_transcripts")),
        client.get(reverse("learners:my_transcripts") + f"?learner={other.pk}"),
        client.get(reverse("learners:my_data_json") + f"?learner={other.pk}"),
        client.get(reverse("learners:my_data")),
    ]
    for response in responses + mine:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode("utf-8", "replace")
        assert not any(form in text for form in forbidden)
        assert their_transcript.serial not in text and their_share.token not in text
    # staff pages are not for learners, whoever's pk is named
    for pk in (learner.pk, other.pk):
        assert client.get(reverse("learners:privacy", args=[pk])).status_code == 404


def test_an_account_without_a_learner_cannot_issue_or_share(login, world):
    client = login(world.nobody)
    assert client.get(reverse("learners:my_transcripts")).status_code == 200
    assert client.post(reverse("learners:transcript_issue")).status_code == 404
    assert client.post(reverse("learners:share_create"), {"days": 3}).status_code == 404
    assert client.get(reverse("learners:my_data_json")).status_code == 404
    assert not Transcript.objects.exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_pages_use_a_constant_number_of_queries(
    client, login, record, world, django_capture_on_commit_callbacks, settings
):
    settings.TRANSCRIPT_PUBLIC_RATE_PER_MINUTE = 1000  # this test opens the public pages often
    learner, _other = record
    owner = login(learner.user)
    _response, transcript = _issue(owner, django_capture_on_commit_callbacks)
    owner.post(reverse("learners:share_create"), {"days": 3})
    share = TranscriptShare.objects.get()
    public = [
        reverse("learners:shared", args=[share.token]),
        reverse("learners:transcript_verify", args=[transcript.serial]),
    ]
    own = [reverse("learners:my_transcripts"), reverse("learners:my_data")]
    staff_url = reverse("learners:privacy", args=[learner.pk])

    def measure():
        owner = login(learner.user)
        counts = [_count(owner, url) for url in own]
        owner.logout()
        counts += [_count(client, url) for url in public]
        counts.append(_count(login(world.owner), staff_url))
        client.logout()
        return counts

    measure()  # warm up
    few = measure()
    for n in range(12):
        make_entry(learner, make_course(world.school, f"ค21{n:03d}", "1.0"), "3")
    for n in range(8):
        owner = login(learner.user)
        owner.post(reverse("learners:share_create"), {"days": 3, "recipient": f"ที่ {n}"})
    for n in range(30):
        client.get(public[0], HTTP_USER_AGENT=f"agent {n}")
    with django_capture_on_commit_callbacks(execute=True):
        services.transcript_issue(actor=learner.user, learner=learner, base_url="http://x")
    from learners.services import privacy

    for n in range(3):
        request = privacy.erasure_request_record(actor=world.owner, learner=learner)
        privacy.erasure_request_answer(
            actor=world.owner, request=request, complete=False, answer=f"ไม่ได้ {n}"
        )
    many = measure()
    assert many == few
    assert CreditEntry.objects.filter(learner=learner).count() > 12
    assert max(few) <= 15, few


def test_a_revoked_transcript_says_so_and_is_no_longer_shared(
    client, login, record, django_capture_on_commit_callbacks
):
    learner, _other = record
    owner = login(learner.user)
    _response, transcript = _issue(owner, django_capture_on_commit_callbacks)
    owner.post(reverse("learners:share_create"), {"days": 3})
    share = TranscriptShare.objects.get()
    Transcript.objects.filter(pk=transcript.pk).update(revoked_at=timezone.now())
    owner.logout()
    page = client.get(reverse("learners:transcript_verify", args=[transcript.serial]))
    assert 'data-genuine="revoked"' in page.content.decode()
    shared = client.get(reverse("learners:shared", args=[share.token]))
    assert 'data-testid="shared-none"' in shared.content.decode()
    assert client.get(reverse("learners:shared_pdf", args=[share.token])).status_code == 404


def _verify_says(client, transcript) -> str:
    page = client.get(reverse("learners:transcript_verify", args=[transcript.serial]))
    return page.content.decode().split('data-genuine="')[1].split('"')[0]


def test_a_learner_revokes_their_own_transcript_saying_why(
    client, login, record, django_capture_on_commit_callbacks
):
    learner, _other = record
    owner = login(learner.user)
    _response, transcript = _issue(owner, django_capture_on_commit_callbacks)
    url = reverse("learners:transcript_revoke_mine", args=[transcript.pk])
    assert (
        'data-testid="transcript-revoke-form"'
        in owner.get(reverse("learners:my_transcripts")).content.decode()
    )
    owner.post(url, {"reason": "  "})  # a reason is required
    transcript.refresh_from_db()
    assert transcript.revoked_at is None
    response = owner.post(url, {"reason": "ส่งผิดสถานศึกษา"}, follow=True)
    transcript.refresh_from_db()
    assert transcript.revoked_at is not None and transcript.revoked_by == learner.user
    assert transcript.revoke_reason == "ส่งผิดสถานศึกษา"
    page = response.content.decode()
    assert 'data-testid="revoke-reason"' in page and "ส่งผิดสถานศึกษา" in page
    owner.logout()
    assert _verify_says(client, transcript) == "revoked"


def test_staff_revoke_a_learners_transcript_once(
    client, login, record, world, django_capture_on_commit_callbacks
):
    learner, _other = record
    _response, transcript = _issue(login(learner.user), django_capture_on_commit_callbacks)
    staff = login(world.owner)
    detail = staff.get(reverse("learners:detail", args=[learner.pk])).content.decode()
    assert transcript.serial in detail and 'data-testid="staff-revoke-form"' in detail
    url = reverse("learners:transcript_revoke", args=[learner.pk, transcript.pk])
    staff.post(url, {"reason": "ออกก่อนแก้ไขผลการเรียน"})
    transcript.refresh_from_db()
    first = transcript.revoked_at
    assert first is not None and transcript.revoked_by == world.owner
    staff.post(url, {"reason": "อีกครั้ง"})  # already revoked: nothing changes
    transcript.refresh_from_db()
    assert (transcript.revoked_at, transcript.revoke_reason) == (first, "ออกก่อนแก้ไขผลการเรียน")
    detail = staff.get(reverse("learners:detail", args=[learner.pk])).content.decode()
    assert "ออกก่อนแก้ไขผลการเรียน" in detail and 'data-testid="staff-revoke-form"' not in detail
    staff.logout()
    assert _verify_says(client, transcript) == "revoked"


def test_nobody_else_can_revoke_a_transcript(
    login, record, world, django_capture_on_commit_callbacks
):
    learner, other = record
    _response, transcript = _issue(login(learner.user), django_capture_on_commit_callbacks)
    theirs = login(other.user)  # another learner of the same school
    assert (
        theirs.post(
            reverse("learners:transcript_revoke_mine", args=[transcript.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        theirs.post(
            reverse("learners:transcript_revoke", args=[learner.pk, transcript.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    viewer = login(world.member)  # sees the school, holds no staff role
    viewer.post(reverse("learners:transcript_revoke", args=[learner.pk, transcript.pk]),
                {"reason": "x"})  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.transcript_revoke(actor=other.user, transcript=transcript, reason="x")
    transcript.refresh_from_db()
    assert transcript.revoked_at is None


def test_public_transcript_pages_are_rate_limited_per_address(client, db, settings, monkeypatch):
    from creditbank import ratelimit

    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)  # one fixed window
    settings.TRANSCRIPT_PUBLIC_RATE_PER_MINUTE = 3
    verify = reverse("learners:transcript_verify", args=["TR2569-NOSUCH"])
    shared = reverse("learners:shared", args=["no-such-token"])
    codes = [client.get(url).status_code for url in (verify, shared, verify, shared, verify)]
    assert codes[:3] == [404, 404, 404]  # the verify and share pages share one allowance
    assert codes[3:] == [429, 429]
    other_address = client.get(verify, REMOTE_ADDR="10.9.9.9")
    assert other_address.status_code == 404
