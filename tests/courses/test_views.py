import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses import services
from courses.models import Course, CourseListUpload

from ..factories import InstitutionFactory, grant
from .xlsx_files import good_rows, workbook_bytes


def _post_upload(client, world, data, name="list.xlsx"):
    upload_file = io.BytesIO(data)
    upload_file.name = name
    return client.post(
        reverse("courses:upload"),
        {"institution": world.school.pk, "academic_year": 2567, "file": upload_file},
    )


def _approved_course(world, **fields):
    values = {"code": "ง21101", "name_th": "การปลูกลำไยนอกฤดู", "credits": 1, "hours": 40,
              "level": "lower_secondary", "academic_year": 2567, "status": "approved"}  # fmt: skip
    institution = fields.pop("institution", world.school)
    values.update(fields)
    return Course.objects.create(institution=institution, **values)


def test_upload_preview_confirm_through_the_pages(login, world, django_capture_on_commit_callbacks):
    client = login(world.owner)
    assert client.get(reverse("courses:upload")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(client, world, workbook_bytes(good_rows()))
    upload = CourseListUpload.objects.get()
    assert response["Location"] == reverse("courses:upload_detail", args=[upload.pk])
    if upload.status == "queued":  # a real broker holds the job: do what the worker would
        waiting = client.get(response["Location"])
        assert 'hx-trigger="every 1s"' in waiting.content.decode()  # the page polls for progress
        services.course_upload_check(upload_id=upload.pk)
    page = client.get(response["Location"])
    assert page.context["upload"].status == "preview"
    assert 'data-testid="confirm"' in page.content.decode()
    client.post(reverse("courses:upload_commit", args=[upload.pk]))
    assert Course.objects.filter(institution=world.school, status="submitted").count() == 3


def test_the_progress_poll_gets_only_the_status_fragment(login, world):
    upload = services.course_upload_receive(
        actor=world.owner, institution=world.school, data=workbook_bytes(good_rows()),
        file_name="a.xlsx", academic_year=2567,
    )  # fmt: skip
    services.course_upload_check(upload_id=upload.pk)
    client = login(world.owner)
    url = reverse("courses:upload_detail", args=[upload.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="upload-status"') and "<html" not in fragment
    assert 'data-testid="counts"' in fragment
    assert "<html" in client.get(url).content.decode()


def test_a_viewer_cannot_upload(login, world):
    assert login(world.member).get(reverse("courses:upload")).status_code == 403


def test_preview_uses_a_constant_number_of_queries(login, world, django_assert_max_num_queries):
    rows = [(f"ง21{n:03d}", f"วิชา {n}", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ") for n in range(100, 180)]
    upload = services.course_upload_receive(
        actor=world.owner, institution=world.school, data=workbook_bytes(rows), file_name="a.xlsx",
        academic_year=2567,
    )  # fmt: skip
    services.course_upload_check(upload_id=upload.pk)
    client = login(world.owner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("courses:upload_detail", args=[upload.pk]))
    assert len(response.context["page"].object_list) == 50


def test_the_checked_workbook_highlights_errors(login, world):
    rows = [good_rows()[0], ("ง21102", "วิชา", -1, None, "ม.ต้น", 2567, "")]
    upload = services.course_upload_receive(
        actor=world.owner, institution=world.school, data=workbook_bytes(rows), file_name="a.xlsx",
        academic_year=2567,
    )  # fmt: skip
    services.course_upload_check(upload_id=upload.pk)
    response = login(world.owner).get(reverse("courses:upload_errors", args=[upload.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    last = sheet.max_column
    assert sheet.cell(row=3, column=last).value  # the error column names the problem
    assert sheet.cell(row=2, column=last).value in (None, "")
    assert sheet.cell(row=3, column=3).fill.fgColor.rgb.endswith("F8D7DA")  # credits cell


def test_template_download_round_trips(login, world):
    response = login(world.owner).get(reverse("courses:template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "รายวิชา"
    sheet = workbook["รายวิชา"]
    assert sheet.cell(row=1, column=1).value == "รหัสวิชา / Course code"
    assert sheet.data_validations.dataValidation  # drop-downs
    upload = services.course_upload_receive(
        actor=world.owner, institution=world.school, data=response.content, file_name="t.xlsx",
        academic_year=2567,
    )  # fmt: skip
    upload = services.course_upload_check(upload_id=upload.pk)
    assert upload.counts["rows"] == 2 and not upload.counts.get("error")


def test_area_office_approves_its_schools_courses_in_bulk(login, world):
    submitted = [_approved_course(world, code=f"ง2110{n}", status="submitted") for n in range(1, 4)]
    client = login(world.area_admin)
    page = client.get(reverse("courses:review"))
    assert len(page.context["page"].object_list) == 3
    client.post(
        reverse("courses:review"), {"courses": [c.pk for c in submitted[:2]], "action": "approve"}
    )
    assert Course.objects.filter(status="approved").count() == 2
    client.post(
        reverse("courses:review"),
        {"courses": [submitted[2].pk], "action": "return", "comment": "ชั่วโมงไม่ตรง"},
    )
    returned = Course.objects.get(pk=submitted[2].pk)
    assert returned.status == "draft" and returned.review_comment == "ชั่วโมงไม่ตรง"


def test_a_school_cannot_approve_its_own_courses(login, world):
    course = _approved_course(world, status="submitted")
    client = login(world.owner)
    response = client.get(reverse("courses:review"))
    assert response.status_code == 403 or not response.context["page"].object_list
    client.post(reverse("courses:review"), {"courses": [course.pk], "action": "approve"})
    assert Course.objects.get(pk=course.pk).status == "submitted"


def test_outsiders_cannot_review_another_provinces_courses(login, world):
    course = _approved_course(world, status="submitted")
    client = login(world.centre_b)
    client.post(reverse("courses:review"), {"courses": [course.pk], "action": "approve"})
    assert Course.objects.get(pk=course.pk).status == "submitted"


def test_public_catalogue_finds_a_word_inside_a_thai_name(client, world):
    _approved_course(world)
    _approved_course(world, code="ง21102", name_th="การทำอาหารไทย", status="submitted")
    response = client.get(reverse("courses:catalogue"), {"q": "ลำไย"})
    assert response.status_code == 200
    assert [c.code for c in response.context["page"].object_list] == ["ง21101"]
    response = client.get(reverse("courses:catalogue"), {"q": "อาหาร"})
    assert list(response.context["page"].object_list) == []  # not approved: not public


def test_catalogue_filters(client, world):
    _approved_course(world)
    _approved_course(world, institution=world.college, code="20101-2001", name_th="งานไฟฟ้า",
                     level="voc_cert", nqf_level=3, subject_group="voc", occupational_field="ช่างไฟฟ้า")  # fmt: skip
    for params, expected in [
        ({"level": "voc_cert"}, ["20101-2001"]),
        ({"nqf_level": "3"}, ["20101-2001"]),
        ({"institution": str(world.school.pk)}, ["ง21101"]),
        ({"occupational_field": "ไฟฟ้า"}, ["20101-2001"]),
        ({"academic_year": "2566"}, []),
    ]:
        page = client.get(reverse("courses:catalogue"), params).context["page"]
        assert [c.code for c in page.object_list] == expected, params


@pytest.mark.parametrize("count", [0, 30])
def test_catalogue_uses_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries, count
):
    for n in range(count):
        school = InstitutionFactory(code=f"T-CAT-{n}", province=world.province_a)
        _approved_course(world, institution=school, code=f"ง21{n:03d}")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("courses:catalogue")).status_code == 200


def test_export_is_formula_safe(client, world):
    _approved_course(world, name_th='=HYPERLINK("http://evil")', name_en="+cmd|' /C calc'!A0")
    response = client.get(reverse("courses:catalogue_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


def test_a_submitted_course_page_is_404_outside_scope_but_approved_is_public(client, world):
    submitted = _approved_course(world, status="submitted")
    approved = _approved_course(world, code="ง21109")
    assert client.get(reverse("courses:detail", args=[submitted.pk])).status_code == 404
    client.force_login(world.outsider)
    assert client.get(reverse("courses:detail", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("courses:detail", args=[approved.pk])).status_code == 200


def test_course_page_shows_its_history(login, world):
    course = _approved_course(world)
    course.name_th = "การปลูกลำไยคุณภาพ"
    course._history_user = world.owner
    course.save()
    body = login(world.owner).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "การปลูกลำไยนอกฤดู" in body and "การปลูกลำไยคุณภาพ" in body


def test_collection_progress_lists_missing_institutions_first(login, world):
    _approved_course(world)
    page = login(world.area_admin).get(reverse("courses:progress"), {"year": 2567}).context["page"]
    names = [(i.code, i.course_count) for i in page.object_list]
    assert names[0] == ("T-SCH-2", 0) and names[-1] == ("T-SCH-1", 1)


def test_my_uploads_lists_only_my_institutions(login, world):
    services.course_upload_receive(
        actor=world.owner,
        institution=world.school,
        data=b"",
        file_name="empty.xlsx",
        academic_year=2567,
    )
    assert (
        len(login(world.owner).get(reverse("courses:my_uploads")).context["page"].object_list) == 1
    )
    grant(world.nobody, world.sibling, "institution_admin")
    assert (
        len(
            login(world.nobody)
            .get(reverse("courses:my_uploads"), {"mine": "0"})
            .context["page"]
            .object_list
        )
        == 0
    )
