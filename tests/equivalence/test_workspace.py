"""Committee workspace: choose or walk source courses, ranked candidates, accept → proposal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from equivalence.evidence import MAX_EVIDENCE_BYTES
from equivalence.models import EquivalenceMapping, MappingEvidence

from ..factories import Role, grant
from .conftest import make_course

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def reviewer(world):
    grant(world.nobody, world.peo_a, Role.COMMITTEE_REVIEWER)
    return world.nobody


def _candidates(client, course, **params):
    return client.get(reverse("equivalence:workspace_candidates"), {"course": course.pk, **params})


def test_a_reviewer_opens_a_course_and_sees_ranked_explained_candidates(
    login, world, catalogue, reviewer
):
    client = login(reviewer)
    page = client.get(reverse("equivalence:workspace"), {"course": catalogue.longan.pk})
    assert page.status_code == 200 and page.context["current"] == catalogue.longan
    assert reverse("equivalence:workspace_candidates") in page.content.decode()
    response = _candidates(client, catalogue.longan, target=world.college.pk)
    rows = response.context["rows"]
    assert rows[0]["candidate"].course == catalogue.fruit
    assert {r["candidate"].course.institution_id for r in rows} == {world.college.pk}
    body = response.content.decode()
    assert "ลำไย" in rows[0]["explanation"] and 'data-candidate-rank="1"' in body
    accept = f"{reverse('equivalence:propose')}?sources={catalogue.longan.pk}&amp;targets={catalogue.fruit.pk}"
    assert accept in body
    everywhere = _candidates(client, catalogue.longan).context["rows"]
    assert catalogue.sibling_longan in [r["candidate"].course for r in everywhere]


def test_candidates_are_ranked_in_english_too(login, world, catalogue, reviewer):
    client = login(reviewer)
    client.cookies["creditbank_language"] = "en"
    rows = _candidates(client, catalogue.wiring, target=world.college.pk).context["rows"]
    assert rows[0]["candidate"].course == catalogue.building
    assert "shared" in rows[0]["explanation"]


def test_walking_an_institution_course_by_course(login, world, catalogue, reviewer):
    client = login(reviewer)
    url = reverse("equivalence:workspace")
    first = client.get(url, {"institution": world.school.pk}).context
    assert first["current"] == catalogue.longan  # ง21201 before ง21204
    assert (first["position"], first["total"], first["previous"]) == (1, 2, None)
    second = client.get(url, {"institution": world.school.pk, "course": first["following"]})
    assert second.context["current"] == catalogue.wiring
    assert second.context["previous"] == catalogue.longan.pk and second.context["following"] is None
    body = second.content.decode()
    assert "data-workspace-previous" in body and "js/workspace.js" in body


def test_search_for_a_source_course_is_paginated(login, world, catalogue, reviewer):
    for number in range(20):
        make_course(world.sibling, f"ง22{number:03d}", f"การปลูกผัก {number}")
    response = login(reviewer).get(reverse("equivalence:workspace"), {"q": "ปลูกผัก"})
    page = response.context["page"]
    assert page.paginator.count == 20 and len(page.object_list) == 15


def test_workspace_query_counts_do_not_grow_with_the_catalogue(
    login, world, catalogue, reviewer, django_assert_max_num_queries
):
    client = login(reviewer)
    client.get(reverse("equivalence:workspace"))  # warm the scope cache and the index
    _candidates(client, catalogue.longan)
    with django_assert_max_num_queries(12):
        client.get(reverse("equivalence:workspace"), {"institution": world.school.pk})
    with django_assert_max_num_queries(8):
        _candidates(client, catalogue.longan)
    for number in range(30):
        make_course(world.college, f"20502-22{number:02d}", f"การผลิตลำไยแบบ {number}")
        make_course(world.school, f"ง23{number:03d}", f"การปลูกลำไยแบบ {number}")
    from equivalence.services import suggestions

    suggestions.suggest_index_rebuild(province=world.province_a)
    with django_assert_max_num_queries(12):
        client.get(reverse("equivalence:workspace"), {"institution": world.school.pk})
    with django_assert_max_num_queries(8):
        rows = _candidates(client, catalogue.longan).context["rows"]
    assert len(rows) == 10


def test_the_workspace_needs_the_role_and_stays_in_the_province(login, world, catalogue):
    url = reverse("equivalence:workspace")
    assert login(world.owner).get(url).status_code == 403  # an institution admin
    assert _candidates(login(world.owner), catalogue.longan).status_code == 403
    centre_b = login(world.centre_b)  # centre staff of another province
    assert centre_b.get(url).status_code == 200
    assert centre_b.get(url, {"course": catalogue.longan.pk}).status_code == 404
    assert _candidates(centre_b, catalogue.longan).status_code == 404
    assert centre_b.get(url, {"institution": world.school.pk}).status_code == 404
    propose = reverse("equivalence:propose")
    params = {"sources": catalogue.longan.pk, "targets": catalogue.fruit.pk}
    assert centre_b.get(propose, params).status_code == 404
    centre = login(world.centre)  # centre staff of province A work here too
    assert centre.get(url, {"course": catalogue.longan.pk}).status_code == 200


def _form(catalogue, **overrides):
    data = {
        "sources": [catalogue.longan.pk],
        "targets": [catalogue.fruit.pk],
        "kind": "full",
        "direction": "one_way",
        "credits_recognised": "1.0",
        "min_grade": "2.0",
        "rationale": "เนื้อหาครอบคลุม",
        "valid_from_year": "2567",
        "valid_to_year": "",
        "evidence_description": "รายงานการประชุม",
    }
    data.update(overrides)
    return data


def test_accepting_a_candidate_prefills_the_proposal_and_submitting_proposes(
    login, world, catalogue, reviewer
):
    client = login(reviewer)
    url = reverse("equivalence:propose")
    page = client.get(url, {"sources": catalogue.longan.pk, "targets": catalogue.fruit.pk})
    initial = page.context["form"].initial
    assert initial["sources"] == [catalogue.longan.pk] and initial["targets"] == [
        catalogue.fruit.pk
    ]
    assert initial["credits_recognised"] == 1 and initial["direction"] == "one_way"
    assert "ลำไย" in initial["rationale"]
    files = [
        SimpleUploadedFile("minutes.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("photo.png", PNG, "image/png"),
    ]
    response = client.post(url, {**_form(catalogue, direction="mirrored"), "evidence": files})
    mapping = EquivalenceMapping.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "equivalence:detail", args=[mapping.pk]
    )
    assert mapping.direction == "mirrored" and mapping.proposed_by == reviewer
    assert [c.code for c in mapping.sources] == ["ง21201"]
    stored = sorted(e.file.name.rsplit(".", 1)[1] for e in mapping.evidence.all())
    assert stored == ["pdf", "png"]
    detail = client.get(response["Location"]).content.decode()
    assert "Both ways" in detail or "ทั้งสองทาง" in detail or "⇄" in detail
    evidence = mapping.evidence.order_by("pk").first()
    download = client.get(reverse("equivalence:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    "files",
    [
        [("notes.pdf", b"just some text pretending to be a PDF")],  # magic bytes say no
        [("evil.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")],
        [("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES)],  # too large
        [(f"p{n}.png", PNG) for n in range(6)],  # too many
    ],
    ids=["text-as-pdf", "svg-as-png", "too-large", "too-many"],
)
def test_bad_evidence_is_refused_and_nothing_is_written(login, world, catalogue, reviewer, files):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = login(reviewer).post(
        reverse("equivalence:propose"), {**_form(catalogue), "evidence": uploads}
    )
    assert response.status_code == 400
    assert not EquivalenceMapping.objects.exists() and not MappingEvidence.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"targets": "SELF"}, "itself"),
        ({"targets": []}, ""),
        ({"credits_recognised": "5.0"}, "exceed"),
    ],
    ids=["self-mapping", "empty-side", "credits-above-target"],
)
def test_bad_proposals_from_the_form(login, world, catalogue, reviewer, overrides, message):
    client = login(reviewer)
    client.cookies["creditbank_language"] = "en"
    if overrides.get("targets") == "SELF":
        overrides["targets"] = [catalogue.longan.pk]
    response = client.post(reverse("equivalence:propose"), _form(catalogue, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EquivalenceMapping.objects.exists()


def test_a_course_of_another_province_cannot_be_proposed(login, world, catalogue, reviewer):
    foreign = make_course(world.school_b, "ง21201", "การปลูกลำไย")
    response = login(reviewer).post(
        reverse("equivalence:propose"), _form(catalogue, targets=[foreign.pk])
    )
    assert response.status_code == 400 and not EquivalenceMapping.objects.exists()


def test_more_courses_can_be_added_for_an_n_to_m_proposal(login, world, catalogue, reviewer):
    client = login(reviewer)
    url = reverse("equivalence:propose")
    second_source = make_course(world.school, "ง21202", "การผลิตลำไยนอกฤดู")
    response = client.post(
        url, {**_form(catalogue), "step": "add", "add_sources": "t-sch-1:ง21202; T-SCH-1:X1"}
    )
    assert response.status_code == 200 and not EquivalenceMapping.objects.exists()
    assert response.context["form"].initial["sources"] == [catalogue.longan.pk, second_source.pk]
    assert [c.code for c in response.context["source_courses"]] == ["ง21201", "ง21202"]
    assert "X1" in response.content.decode()  # the unknown code is reported
    client.post(
        url, {**_form(catalogue), "add_sources": "T-SCH-1:ง21202", "credits_recognised": "2"}
    )
    mapping = EquivalenceMapping.objects.get()
    assert sorted(c.code for c in mapping.sources) == ["ง21201", "ง21202"]
    response = client.post(url, {**_form(catalogue), "add_targets": "T-COL-A:nope"})
    assert response.status_code == 400 and EquivalenceMapping.objects.count() == 1
