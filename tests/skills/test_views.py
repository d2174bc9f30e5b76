"""Skills pages: public catalogue and verification, scoped centre and session pages."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from skills import badges
from skills.models import Certificate, Result, ResultUpload
from skills.services import centres, certificates, sessions

from ..courses.xlsx_files import workbook_bytes
from ..factories import Role, UserFactory, grant
from ..learners.factories import citizen_id, make_course, make_learner

HEADER = ["เลขประจำตัว", "ชื่อ-นามสกุล", "ผลการทดสอบ", "คะแนน"]


def _register(s, learner=None):
    learner = learner or make_learner()
    sessions.candidate_register(actor=s.officer, session=s.session, learner=learner)
    return learner


def _issued(s, learner=None):
    learner = _register(s, learner or s.holder)
    result = sessions.result_record(
        actor=s.officer, session=s.session, learner=learner, passed=True, score=88
    )
    return certificates.certificate_issue(actor=s.officer, result=result)


# --- public ----------------------------------------------------------------------------------


def test_the_catalogue_is_public_searchable_and_filterable(
    client, skills, django_assert_max_num_queries
):
    centres.standard_save(
        actor=None, body="tpqi", code="TPQI-X", level=4, name_th="นักพัฒนาซอฟต์แวร์",
        branch="ดิจิทัล",
    )  # fmt: skip
    url = reverse("skills:catalogue")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert "0721-01" in response.text and "TPQI-X" in response.text
    only = client.get(url, {"body": "tpqi", "nqf": 4}).text
    assert "TPQI-X" in only and "0721-01" not in only
    assert "0721-01" in client.get(url, {"q": "ปั้น"}).text
    assert "TPQI-X" not in client.get(url, {"branch": "หัตถกรรม", "level": 1}).text


def test_the_catalogue_query_count_does_not_grow(client, skills, django_assert_max_num_queries):
    for index in range(30):
        centres.standard_save(
            actor=None, body="dsd", code=f"N-{index}", level=1, name_th=f"มาตรฐาน {index}",
            branch="ช่างไฟฟ้า",
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert client.get(reverse("skills:catalogue"), {"page": 2}).status_code == 200


def test_a_standard_page_shows_courses_in_the_province_and_centres(client, skills):
    course = make_course(skills.world.college, "20104-2005", level="voc_cert")
    elsewhere = make_course(skills.world.school_b, "20104-2099", level="voc_cert")
    skills.standard.courses.add(course, elsewhere)
    response = client.get(
        reverse("skills:standard", args=[skills.standard.pk]), {"province": "lamphun-t"}
    )
    assert response.status_code == 200
    assert "20104-2005" in response.text and "20104-2099" not in response.text
    assert skills.centre.name_th in response.text
    assert skills.centre_b.name_th not in response.text


def test_verification_shows_valid_with_a_masked_name_and_is_never_cached(client, skills):
    cert = _issued(skills)
    response = client.get(certificates.verify_path(cert))
    assert response.status_code == 200
    assert 'data-status="valid"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert "นายผู้ใหญ่ญาติ น•••" in response.text
    assert "น้ำฐานปั้น" not in response.text
    assert cert.standard_name in response.text and cert.issuer_name in response.text


def test_a_tampered_link_is_not_genuine(client, skills):
    cert = _issued(skills)
    kid, sig = cert.signature.split(".", 1)
    bad_sig = sig[:10] + ("x" if sig[10] != "x" else "y") + sig[11:]
    for public_id, token in (
        (cert.public_id, f"{kid}.{bad_sig}"),
        ("A" + cert.public_id[1:], cert.signature),
        (cert.public_id, "kother." + sig),
    ):
        response = client.get(reverse("skills:verify", args=[public_id, token]))
        assert response.status_code == 404
        assert 'data-status="not_genuine"' in response.text
        assert cert.standard_name not in response.text


def test_a_revoked_certificate_shows_revoked_never_valid(client, skills):
    cert = _issued(skills)
    certificates.certificate_revoke(actor=skills.officer, certificate=cert, reason="เอกสารปลอม")
    response = client.get(certificates.verify_path(cert))
    assert 'data-status="revoked"' in response.text and 'data-status="valid"' not in response.text


def test_verification_is_rate_limited(client, skills, settings, monkeypatch):
    from creditbank import ratelimit

    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)  # one fixed window
    settings.SKILLS_VERIFY_RATE_PER_MINUTE = 3
    cert = _issued(skills)
    codes = [client.get(certificates.verify_path(cert)).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_the_badge_is_a_signed_open_badge_with_a_revocation_status(client, skills):
    cert = _issued(skills)
    response = client.get(reverse("skills:badge", args=[cert.public_id, cert.signature]))
    assert response.status_code == 200
    credential = json.loads(response.content)
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialSubject"]["achievement"]["name"].startswith("ช่างปั้น")
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert badges.verify_signed(credential)
    credential["credentialSubject"]["name"] = "คนอื่น"
    assert not badges.verify_signed(credential)
    index = int(credential["credentialStatus"]["statusListIndex"])

    def revoked_bit():
        status_list = json.loads(client.get(reverse("skills:status_list")).content)
        assert badges.verify_signed(status_list)
        return badges.is_revoked_in(status_list["credentialSubject"]["encodedList"], index)

    assert revoked_bit() is False
    certificates.certificate_revoke(actor=skills.officer, certificate=cert, reason="ผิดพลาด")
    assert revoked_bit() is True
    kid = cert.signature.split(".")[0]
    key = json.loads(client.get(reverse("skills:key", args=[kid])).content)
    assert key["type"] == "Multikey" and key["publicKeyMultibase"].startswith("z6Mk")


# --- scoped staff pages ------------------------------------------------------------------------


def test_the_officer_sees_the_session_with_constant_queries(
    login, skills, django_assert_max_num_queries
):
    for _ in range(2):
        _issued(skills, make_learner())
    client = login(skills.officer)
    url = reverse("skills:session", args=[skills.session.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    _issued(skills, make_learner())
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_another_provinces_officer_gets_404_and_a_viewer_403(login, skills):
    url = reverse("skills:session", args=[skills.session.pk])
    assert login(skills.officer_b).get(url).status_code == 404
    viewer = UserFactory(username="viewer")
    grant(viewer, skills.centre, Role.VIEWER)
    client = login(viewer)
    assert client.get(url).status_code == 200
    register = reverse("skills:register", args=[skills.session.pk])
    assert client.post(register, {"identifier": citizen_id()}).status_code == 403
    assert client.post(reverse("skills:issue", args=[skills.session.pk])).status_code == 403


def test_the_centre_page_shows_requests_and_equipment(login, skills, django_assert_max_num_queries):
    centres.branch_request_submit(actor=skills.officer, centre=skills.centre, branch="ช่างเชื่อม")
    centres.equipment_need_save(
        actor=skills.officer, centre=skills.centre, item="เครื่องเชื่อม", quantity=4,
        branch="ช่างเชื่อม",
    )  # fmt: skip
    client = login(skills.officer)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("skills:centre", args=[skills.centre.pk]))
    assert "ช่างเชื่อม" in response.text and "เครื่องเชื่อม" in response.text


def test_the_province_centre_approves_a_branch_request(login, skills):
    request = centres.branch_request_submit(
        actor=skills.officer, centre=skills.centre, branch="ช่างเชื่อม"
    )
    url = reverse("skills:branch_request_decide", args=[request.pk])
    assert login(skills.officer).post(url, {"approve": "1"}).status_code == 403
    login(skills.world.centre).post(url, {"approve": "1"})
    assert skills.centre.skill_branches.filter(branch="ช่างเชื่อม").exists()


def test_registering_over_capacity_is_refused_on_the_page(login, skills):
    client = login(skills.officer)
    url = reverse("skills:register", args=[skills.session.pk])
    for index in range(4):
        client.post(url, {"identifier_type": "citizen_id", "identifier": citizen_id(),
                          "first_name_th": f"ผู้สมัคร{index}"})  # fmt: skip
    assert skills.session.candidates.count() == 3
    response = client.get(reverse("skills:session", args=[skills.session.pk]))
    assert "3 / 3" in response.text


def test_results_on_the_page_refuse_someone_not_registered(login, skills):
    learner = _register(skills)
    other_session = sessions.session_create(
        actor=skills.officer, centre=skills.centre, standard=skills.standard,
        starts_on=skills.session.starts_on, ends_on=skills.session.ends_on, capacity=5,
    )  # fmt: skip
    stranger = sessions.candidate_register(
        actor=skills.officer, session=other_session, learner=make_learner()
    )
    candidate = skills.session.candidates.get(learner=learner)
    client = login(skills.officer)
    url = reverse("skills:results", args=[skills.session.pk])
    client.post(url, {f"result-{candidate.pk}": "pass", f"score-{candidate.pk}": "75",
                      f"result-{stranger.pk}": "pass"})  # fmt: skip
    assert Result.objects.count() == 0  # all or nothing
    client.post(url, {f"result-{candidate.pk}": "pass", f"score-{candidate.pk}": "75"})
    assert Result.objects.get().passed is True


def test_results_upload_previews_errors_commits_once_and_is_idempotent(login, skills):
    learners = [_register(skills) for _ in range(2)]
    client = login(skills.officer)
    url = reverse("skills:results_upload", args=[skills.session.pk])

    def upload(rows, name="ผลการทดสอบ.xlsx"):
        data = workbook_bytes(rows, title_rows=["ผลการทดสอบ รอบ 1"], header=HEADER)
        client.post(url, {"file": SimpleUploadedFile(name, data)})
        return ResultUpload.objects.order_by("-pk").first()

    bad = upload([(learners[0].identifier, "", "ผ่าน", 80), (citizen_id(), "คนนอก", "ผ่าน", 90),
                  (learners[1].identifier, "", "อาจจะ", 50)])  # fmt: skip
    assert bad.status == "preview" and bad.error_count == 2 and not bad.can_commit
    page = client.get(reverse("skills:upload", args=[bad.pk])).text
    assert "not registered" in page or "ไม่ได้ลงทะเบียน" in page
    assert client.post(reverse("skills:upload_commit", args=[bad.pk])).status_code == 302
    assert Result.objects.count() == 0

    rows = [(learners[0].identifier, "", "ผ่าน", 80), (learners[1].identifier, "", "ไม่ผ่าน", 40)]
    good = upload(rows)
    assert good.can_commit
    client.post(reverse("skills:upload_commit", args=[good.pk]))
    client.post(reverse("skills:upload_commit", args=[good.pk]))
    assert Result.objects.count() == 2
    again = upload(rows)
    assert again.counts["unchanged"] == 2

    refused = upload([], name="results.xls")
    assert refused.status == "refused"


def test_issuing_twice_on_the_page_gives_one_certificate(login, skills):
    learner = _register(skills, skills.holder)
    sessions.result_record(
        actor=skills.officer, session=skills.session, learner=learner, passed=True
    )
    client = login(skills.officer)
    url = reverse("skills:issue", args=[skills.session.pk])
    client.post(url, {"bank": "1"})
    client.post(url, {"bank": "1"})
    assert Certificate.objects.count() == 1
    assert skills.holder.entries.filter(source="skill_test").count() == 1


def test_revoking_needs_a_reason_and_a_centre_role(login, skills):
    cert = _issued(skills)
    url = reverse("skills:revoke", args=[cert.pk])
    assert login(skills.holder_user).post(url, {"reason": "x"}).status_code == 403
    client = login(skills.officer)
    client.post(url, {"reason": ""})
    cert.refresh_from_db()
    assert cert.status == "valid"
    client.post(url, {"reason": "สอบแทนกัน"})
    cert.refresh_from_db()
    assert cert.status == "revoked" and cert.revoked_reason == "สอบแทนกัน"


def test_the_holder_downloads_their_certificate_and_nobody_else_can(
    login, skills, eager, django_capture_on_commit_callbacks
):
    cert = _issued(skills)
    client = login(skills.holder_user)
    assert cert.standard_name in client.get(reverse("skills:mine")).text
    url = reverse("skills:certificate_pdf", args=[cert.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and "/documents/" in response["Location"]
    response = client.get(url)  # the job stored the certificate's file
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    stranger = UserFactory(username="stranger")
    assert login(stranger).get(url).status_code == 404


def test_the_officer_creates_a_session_reports_equipment_and_asks_for_a_branch(login, skills):
    client = login(skills.officer)
    centre = skills.centre
    response = client.post(
        reverse("skills:session_create", args=[centre.pk]),
        {"standard": skills.standard.pk, "starts_on": "2025-01-10", "ends_on": "2025-01-11",
         "capacity": 12, "venue": "ห้อง 1"},
    )  # fmt: skip
    assert response.status_code == 302 and centre.test_sessions.filter(capacity=12).exists()
    client.post(
        reverse("skills:equipment_add", args=[centre.pk]),
        {"item": "คีมตัดสายไฟ", "quantity": 10, "branch": "ช่างไฟฟ้า", "status": "needed"},
    )
    need = centre.equipment_needs.get()
    client.post(reverse("skills:equipment_status", args=[need.pk]), {"status": "received"})
    need.refresh_from_db()
    assert need.status == "received"
    client.post(reverse("skills:branch_request", args=[centre.pk]), {"branch": "ช่างเชื่อม"})
    assert centre.branch_requests.filter(branch="ช่างเชื่อม", status="submitted").exists()
    from skills.selectors import equipment_needs_open

    assert list(equipment_needs_open(province_id=centre.province_id)) == []


def test_my_certificates_and_a_certificate_page(login, skills, django_assert_max_num_queries):
    cert = _issued(skills)
    client = login(skills.holder_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("skills:mine"))
    assert cert.serial not in response.text or cert.standard_name in response.text
    page = client.get(reverse("skills:certificate", args=[cert.pk])).text
    assert certificates.verify_path(cert) in page and "revoke-form" not in page


def test_a_standard_page_has_constant_queries(client, skills, django_assert_max_num_queries):
    for index in range(5):
        skills.standard.courses.add(make_course(skills.world.college, f"20104-200{index}"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("skills:standard", args=[skills.standard.pk])).status_code == 200


def test_the_checked_workbook_marks_the_problem_cells_and_holds_no_formula(login, skills):
    import io

    from django.utils import translation
    from django.utils.translation import gettext
    from openpyxl import load_workbook

    learners = [_register(skills) for _ in range(2)]
    client = login(skills.officer)
    stranger = citizen_id()
    rows = [
        (learners[0].identifier, '=HYPERLINK("http://x","x")', "ผ่าน", 80),
        (stranger, "คนนอก", "ผ่าน", 90),
        (learners[1].identifier, "", "อาจจะ", 50),
    ]
    data = workbook_bytes(rows, title_rows=["ผลการทดสอบ รอบ 1"], header=HEADER)
    client.post(
        reverse("skills:results_upload", args=[skills.session.pk]),
        {"file": SimpleUploadedFile("ผลการทดสอบ.xlsx", data)},
    )
    upload = ResultUpload.objects.get()
    assert upload.error_count == 2 and upload.file
    assert upload.rows[1]["error_columns"] == ["identifier"]
    assert upload.rows[2]["error_columns"] == ["result"]
    url = reverse("skills:results_checked", args=[upload.pk])
    assert url in client.get(reverse("skills:upload", args=[upload.pk])).text

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-checked.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    # Title row 1, header row 2, data rows 3-5; the problems column after the four columns.
    with translation.override("th"):  # the site speaks Thai by default
        problems, error = gettext("Problems found"), gettext("Error")
    unregistered, bad_result = upload.rows[1]["errors"][0], upload.rows[2]["errors"][0]
    assert "ไม่ได้ลงทะเบียน" in unregistered or "not registered" in unregistered
    assert sheet.cell(row=2, column=5).value == problems
    assert sheet.cell(row=3, column=5).value is None
    assert sheet.cell(row=4, column=5).value == f"{error}: {unregistered}"
    assert sheet.cell(row=5, column=5).value == f"{error}: {bad_result}"
    assert sheet.cell(row=4, column=1).fill.fgColor.rgb.endswith("F8D7DA")
    assert sheet.cell(row=4, column=1).comment.text == unregistered
    assert sheet.cell(row=5, column=3).fill.fgColor.rgb.endswith("F8D7DA")
    for fine in [(3, 1), (3, 3), (4, 3), (5, 1), (4, 2)]:
        assert sheet.cell(*fine).fill.fill_type is None, fine
    formulas = [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []
    assert sheet.cell(row=3, column=2).value.startswith("'=")

    # Scoped like the other upload pages: outsider 404, in scope without a centre role 403.
    assert login(skills.officer_b).get(url).status_code == 404
    viewer = UserFactory(username="viewer")
    grant(viewer, skills.centre, Role.VIEWER)
    client = login(viewer)
    assert client.get(url).status_code == 403
    preview = client.get(reverse("skills:upload", args=[upload.pk]))
    assert preview.status_code == 200 and url not in preview.text


def test_there_is_no_checked_workbook_without_errors(login, skills):
    learner = _register(skills)
    client = login(skills.officer)
    data = workbook_bytes([(learner.identifier, "", "ผ่าน", 80)], header=HEADER)
    client.post(
        reverse("skills:results_upload", args=[skills.session.pk]),
        {"file": SimpleUploadedFile("r.xlsx", data)},
    )
    upload = ResultUpload.objects.get()
    assert upload.error_count == 0
    assert client.get(reverse("skills:results_checked", args=[upload.pk])).status_code == 404
    page = client.get(reverse("skills:upload", args=[upload.pk])).text
    assert reverse("skills:results_checked", args=[upload.pk]) not in page


def test_my_credits_lists_the_holders_certificates_and_shows_a_revocation_at_once(
    login, skills, django_capture_on_commit_callbacks
):
    client = login(skills.holder_user)
    url = reverse("learners:my_credits")
    assert 'data-testid="credits-certificates-none"' in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        cert = _issued(skills)
    page = client.get(url).text  # the cached body must not hide the new certificate
    assert 'data-testid="credits-certificates"' in page and cert.standard_name in page
    assert str(Certificate.Shown.VALID.label) in page
    with django_capture_on_commit_callbacks(execute=True):
        certificates.certificate_revoke(actor=skills.officer, certificate=cert, reason="ผิดพลาด")
    assert str(Certificate.Shown.REVOKED.label) in client.get(url).text
    other = make_learner()
    other_user = UserFactory(username="other-holder")
    from learners.services.learners import learner_link_user

    learner_link_user(actor=None, learner=other, user=other_user)
    assert cert.standard_name not in login(other_user).get(url).text
