"""Every URL pattern of the project must appear here or in PUBLIC_URLS.

``OBJECT_URLS`` maps a URL name to a function that, given the ``world`` fixture, returns the
kwargs of an object that the ``outsider`` (another province) must not see, and the HTTP method
to use. Later issues add their pages here; tests/test_url_coverage.py fails for any page left
out, so no page ships without an outsider test.
"""

# Pages anyone may open without signing in.
PUBLIC_URLS = {
    "home",
    "healthz",
    "favicon",
    "set_language",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "courses:catalogue",
    "courses:catalogue_export",
    # Public for approved courses; tests/courses/test_views.py checks others are 404.
    "courses:detail",
    "equivalence:where_it_counts",
    # A share link's token is the credential; tests/learners/test_transcripts.py checks
    # unknown (404), expired and revoked (410) links. Verification is public by design.
    "learners:shared",
    "learners:shared_pdf",
    "learners:transcript_verify",
    "skills:catalogue",
    "skills:status_list",
    # Public: the standards catalogue, verification by QR link, badges and signing keys.
    "skills:standard",
    "skills:verify",
    "skills:badge",
    "skills:key",
}

# Django admin has its own sign-in; these are checked to redirect there.
ADMIN_PREFIX = "admin:"


def _institution(world):
    return {"pk": world.school.pk}


def _membership(world):
    membership = world.school.memberships.first()
    return {"pk": world.school.pk, "membership_pk": membership.pk}


def _document(world, **fields):
    """A document of ``world.owner``'s: nobody else may see, download or retry it."""
    from creditbank.models import GeneratedDocument

    document = GeneratedDocument.objects.create(
        kind="tests.registry", title="เอกสารทดสอบ", created_by=world.owner, **fields
    )
    return {"pk": document.pk}


def _document_done(world):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = "documents/tests/registry.pdf"  # one small file, reused by every run
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.7 registry"))
    return _document(
        world, status="done", file=name, filename="registry.pdf", content_type="application/pdf"
    )


def _document_failed(world):
    return _document(world, status="failed", error="ทดสอบ")


def _course_upload(world):
    from courses import services

    from .courses.xlsx_files import good_rows, workbook_bytes

    upload = services.course_upload_receive(
        actor=world.owner,
        institution=world.school,
        data=workbook_bytes(good_rows()),
        file_name="registry.xlsx",
        academic_year=2567,
    )
    services.course_upload_check(upload_id=upload.pk)
    return {"pk": upload.pk}


def _mapping(world):
    from decimal import Decimal

    from courses.models import Course
    from equivalence import services

    from .factories import Role, grant

    def course(institution, code):
        return Course.objects.create(
            institution=institution, code=code, name_th=code, credits=Decimal(1), hours=40,
            level="lower_secondary", academic_year=2567, status="approved",
        )  # fmt: skip

    grant(world.nobody, world.peo_a, Role.COMMITTEE_REVIEWER)
    mapping = services.mapping_propose(
        actor=world.nobody, province=world.province_a, sources=[course(world.school, "ง21201")],
        targets=[course(world.college, "20501-2101")], valid_from_year=2567,
    )  # fmt: skip
    return {"pk": mapping.pk}


def _evidence(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from equivalence import services
    from equivalence.models import EquivalenceMapping

    mapping = EquivalenceMapping.objects.get(**_mapping(world))
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7 registry", "application/pdf")
    (item,) = services.mapping_evidence_add(actor=world.nobody, mapping=mapping, files=[pdf])
    return {"pk": item.pk}


def _decision_import(world):
    from equivalence.models import DecisionImport

    record = DecisionImport.objects.create(
        uploaded_by=world.owner, file_name="decisions.xlsx", sha256="0" * 64, status="preview"
    )
    return {"pk": record.pk}


def _learner(world):
    from .learners.factories import make_learner

    return {"pk": make_learner(home_institution=world.school).pk}


def _results_upload(world):
    from learners.services import results

    from .courses.xlsx_files import workbook_bytes
    from .learners.factories import citizen_id, make_course

    make_course(world.school, "ง21101")
    rows = [(citizen_id(), "สมชาย", "ใจดี", "ง21101", 2567, 1, "3")]
    upload = results.results_upload_receive(
        actor=world.owner, institution=world.school, file_name="registry.xlsx",
        data=workbook_bytes(rows, header=["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "รหัสวิชา",
                                          "ปีการศึกษา", "ภาคเรียน", "ผลการเรียน"]),
        create_unknown=True,
    )  # fmt: skip
    results.results_upload_check(upload_id=upload.pk)
    return {"pk": upload.pk}


def _transfer_request(world):
    from learners.services import transfer

    from .learners.factories import make_course, make_entry, make_learner
    from .learners.transfer_factories import make_curriculum, make_mapping

    learner = make_learner(home_institution=world.school)
    curriculum = make_curriculum(world.college)
    target = make_course(world.college, "20104-2005", "3", level="voc_cert", curriculum=curriculum)
    source = make_course(world.school, "ง21204", "1")
    make_mapping(world, [source], [target])
    make_entry(learner, source, "3")
    request = transfer.transfer_request_create(
        actor=world.owner, learner=learner, curriculum=curriculum
    )
    return {"pk": request.pk}


def _linked_learner(world):
    """A learner of world.school with their own sign-in account."""
    from learners.services import learners as learner_services

    from .factories import UserFactory
    from .learners.factories import make_learner

    learner = make_learner(home_institution=world.school)
    account = UserFactory(username=f"learner-{learner.pk}")
    return learner_services.learner_link_user(actor=None, learner=learner, user=account)


def _transcript(world):
    from learners.services import transcripts

    learner = _linked_learner(world)
    transcript = transcripts.transcript_issue(
        actor=learner.user, learner=learner, base_url="http://testserver"
    )
    return {"pk": transcript.pk}


def _transcript_of_learner(world):
    transcript = _transcript(world)
    from learners.models import Transcript

    learner_pk = Transcript.objects.get(pk=transcript["pk"]).learner_id
    return {"pk": learner_pk, "transcript_pk": transcript["pk"]}


def _share(world):
    import datetime as dt

    from django.utils import timezone

    from learners.models import TranscriptShare

    learner = _linked_learner(world)
    share = TranscriptShare.objects.create(
        learner=learner, token="registry-token", created_by=learner.user,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    return {"pk": share.pk}


def _erasure(world):
    from learners.services import privacy

    learner = _linked_learner(world)
    request = privacy.erasure_request_record(actor=world.owner, learner=learner)
    return {"pk": request.pk}


def _transfer_rule(world):
    from learners.models import TransferRule

    return {"pk": TransferRule.objects.create(institution=world.college).pk}


def _skills(world):
    """A test centre of province A with a session, a candidate who passed and a certificate."""
    import datetime as dt

    from institutions.models import Institution
    from skills.models import Certificate, ResultUpload
    from skills.services import centres, certificates, sessions

    from .factories import InstitutionFactory
    from .learners.factories import make_learner

    centre = InstitutionFactory(
        code="T-DSD-R", kind=Institution.Kind.TEST_CENTRE, affiliation="dsd",
        province=world.province_a,
    )  # fmt: skip
    standard = centres.standard_save(
        actor=None, body="dsd", code="R-01", level=1, name_th="ช่างทดสอบ", branch="ช่างทดสอบ"
    )
    centres.centre_branch_add(actor=None, centre=centre, branch="ช่างทดสอบ")
    session = sessions.session_create(
        actor=None, centre=centre, standard=standard, starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 1, 1), capacity=5,
    )  # fmt: skip
    learner = make_learner()
    sessions.candidate_register(actor=None, session=session, learner=learner)
    result = sessions.result_record(actor=None, session=session, learner=learner, passed=True)
    certificate = certificates.certificate_issue(actor=None, result=result)
    request = centres.branch_request_submit(actor=None, centre=centre, branch="ช่างอื่น")
    need = centres.equipment_need_save(
        actor=None, centre=centre, item="สว่าน", quantity=2, branch="ช่างทดสอบ"
    )
    own = centres.standard_save(
        actor=None, body="own", code="OWN-R", level=1, name_th="มาตรฐานของศูนย์", branch="ช่างทดสอบ",
        nqf_level=1, owner=centre,
    )  # fmt: skip
    upload = ResultUpload.objects.create(
        session=session, file_name="r.xlsx", sha256="0" * 64, status="preview"
    )
    assert isinstance(certificate, Certificate)
    return {
        "centre": centre, "session": session, "certificate": certificate, "request": request,
        "need": need, "upload": upload, "own_standard": own,
    }  # fmt: skip


def _skills_pk(key):
    def kwargs(world):
        return {"pk": _skills(world)[key].pk}

    return kwargs


def _round(world):
    from reports.demo import ensure_form_2567
    from reports.models import FocusPoint, InspectionRound
    from reports.services import rounds

    existing = InspectionRound.objects.filter(province=world.province_a).first()
    if existing:
        return existing
    ensure_form_2567()
    focus = FocusPoint.objects.get(number="2.4")
    return rounds.round_create(
        actor=None, filing_office=world.peo_a, fiscal_year=2567, number=1, policy=focus.policy,
        focus_point=focus, agencies=[world.area],
    )  # fmt: skip


def _round_pk(world):
    return {"pk": _round(world).pk}


def _part_pk(world):
    return {"pk": _round(world).contributions.get().pk}


def _section(world):
    return {"pk": _round(world).contributions.get().pk, "section": "3"}


def _activity(world):
    import datetime as dt

    from reports.services import activities

    activity = activities.activity_create(
        actor=None, institution=world.area, start_date=dt.date(2024, 3, 6), title="ประชุม"
    )
    return {"pk": activity.pk}


def _round_document(world):
    from creditbank.models import GeneratedDocument
    from reports.models import RoundDocument

    document = GeneratedDocument.objects.create(
        kind="reports.inspection_report", title="รายงาน", created_by=world.centre
    )
    generated = RoundDocument.objects.create(round=_round(world), document=document, format="pdf")
    return {"pk": generated.pk}


def _dimension(world):
    return {"dimension": "courses_level"}


OBJECT_URLS = {
    "reports:round": (_round_pk, "get"),
    "reports:round_state": (_round_pk, "post"),
    "reports:round_reorder": (_round_pk, "post"),
    "reports:round_generate": (_round_pk, "post"),
    "reports:part": (_part_pk, "get"),
    "reports:section_save": (_section, "post"),
    "reports:part_activities": (_part_pk, "post"),
    "reports:part_submit": (_part_pk, "post"),
    "reports:activity_edit": (_activity, "get"),
    "reports:activity_delete": (_activity, "post"),
    "reports:round_download": (_round_document, "get"),
    "reports:dashboard_export": (_dimension, "get"),
    "institutions:detail": (_institution, "get"),
    "institutions:edit": (_institution, "get"),
    "institutions:membership_add": (_institution, "post"),
    "institutions:membership_remove": (_membership, "post"),
    "documents:status": (_document_done, "get"),
    "documents:download": (_document_done, "get"),
    "documents:retry": (_document_failed, "post"),
    "courses:upload_detail": (_course_upload, "get"),
    "courses:upload_commit": (_course_upload, "post"),
    "courses:upload_cancel": (_course_upload, "post"),
    "courses:upload_errors": (_course_upload, "get"),
    "equivalence:detail": (_mapping, "get"),
    "equivalence:decide": (_mapping, "post"),
    "equivalence:evidence": (_evidence, "get"),
    "equivalence:decisions_detail": (_decision_import, "get"),
    "equivalence:decisions_commit": (_decision_import, "post"),
    "learners:detail": (_learner, "get"),
    "learners:unmask": (_learner, "post"),
    "learners:link": (_learner, "post"),
    "learners:results_detail": (_results_upload, "get"),
    "learners:results_submit": (_results_upload, "post"),
    "learners:results_cancel": (_results_upload, "post"),
    "learners:results_decide": (_results_upload, "post"),
    "learners:results_checked": (_results_upload, "get"),
    "learners:transfer_ask_for": (_learner, "get"),
    "learners:transfer_detail": (_transfer_request, "get"),
    "learners:transfer_decide": (_transfer_request, "post"),
    "learners:transfer_withdraw": (_transfer_request, "post"),
    "learners:transcript_download": (_transcript, "get"),
    "learners:share_revoke": (_share, "post"),
    "learners:transcript_revoke_mine": (_transcript, "post"),
    "learners:transcript_revoke": (_transcript_of_learner, "post"),
    "learners:privacy": (_learner, "get"),
    "learners:erasure_record": (_learner, "post"),
    "learners:erasure_answer": (_erasure, "post"),
    "learners:transfer_rule_delete": (_transfer_rule, "post"),
    "skills:centre": (_skills_pk("centre"), "get"),
    "skills:branch_request": (_skills_pk("centre"), "post"),
    "skills:equipment_add": (_skills_pk("centre"), "post"),
    "skills:session_create": (_skills_pk("centre"), "get"),
    "skills:standard_create": (_skills_pk("centre"), "get"),
    "skills:standard_edit": (_skills_pk("own_standard"), "get"),
    "skills:branch_request_decide": (_skills_pk("request"), "post"),
    "skills:equipment_status": (_skills_pk("need"), "post"),
    "skills:session": (_skills_pk("session"), "get"),
    "skills:register": (_skills_pk("session"), "post"),
    "skills:registration": (_skills_pk("session"), "post"),
    "skills:results": (_skills_pk("session"), "post"),
    "skills:results_template": (_skills_pk("session"), "get"),
    "skills:results_upload": (_skills_pk("session"), "post"),
    "skills:issue": (_skills_pk("session"), "post"),
    "skills:print": (_skills_pk("session"), "post"),
    "skills:upload": (_skills_pk("upload"), "get"),
    "skills:results_checked": (_skills_pk("upload"), "get"),
    "skills:upload_commit": (_skills_pk("upload"), "post"),
    "skills:upload_cancel": (_skills_pk("upload"), "post"),
    "skills:certificate": (_skills_pk("certificate"), "get"),
    "skills:certificate_pdf": (_skills_pk("certificate"), "get"),
    "skills:revoke": (_skills_pk("certificate"), "post"),
}
