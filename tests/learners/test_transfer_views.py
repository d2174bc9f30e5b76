from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from creditbank.pagination import bump_count_version
from learners.models import CreditEntry, TransferRequest, TransferRule
from learners.services import transfer as services
from learners.services.learners import learner_link_user
from tests.factories import InstitutionFactory, Role, UserFactory, grant

from .factories import make_course, make_entry, make_learner
from .transfer_factories import make_curriculum, make_mapping


@pytest.fixture
def setup(world):
    """Two linked learners of the school; the college's ปวช. curriculum with mapped courses; the
    college's registrar."""
    curriculum = make_curriculum(world.college, total="10")
    electric = make_course(world.college, "20104-2005", "3", level="voc_cert",
                           curriculum=curriculum)  # fmt: skip
    longan = make_course(world.college, "20501-2101", "2", level="voc_cert",
                         curriculum=curriculum)  # fmt: skip
    make_course(world.college, "20901-2001", "2", level="voc_cert", curriculum=curriculum)
    house = make_course(world.school, "ง21204", "1")
    orchard = make_course(world.school, "ง21201", "1")
    make_mapping(world, [house], [electric])
    make_mapping(world, [orchard], [longan])
    learners = []
    for name in ("somchai", "somying"):
        learner = make_learner(home_institution=world.school, first_name_th=name)
        learner_link_user(actor=None, learner=learner, user=UserFactory(username=name))
        learner.refresh_from_db()
        make_entry(learner, house, "3")
        make_entry(learner, orchard, "4")
        learners.append(learner)
    registrar = UserFactory(username="college-registrar")
    grant(registrar, world.college, Role.REGISTRAR)
    return world, learners[0], learners[1], curriculum, registrar, (house, orchard)


def _ask(client, curriculum, **extra):
    return client.post(reverse("learners:transfer_ask"), {"curriculum": curriculum.pk, **extra})


def test_learner_asks_registrar_approves_balance_changes(login, setup):
    world, mine, _theirs, curriculum, registrar, _courses = setup
    client = login(mine.user)
    page = client.get(reverse("learners:transfer_ask"))
    assert page.status_code == 200 and curriculum.name in page.content.decode()
    response = _ask(
        client, curriculum, note="ขอเทียบโอน", credits="99", status="approved",
        institution=world.school_b.pk, learner=999,
    )  # fmt: skip
    request = TransferRequest.objects.get()
    assert response["Location"] == reverse("learners:transfer_detail", args=[request.pk])
    assert request.status == "requested" and request.learner == mine
    assert request.target_institution == world.college and request.learner_note == "ขอเทียบโอน"
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert 'data-testid="evaluation"' in body and "20104-2005" in body
    assert detail.context["counted"] == Decimal("5") and 'data-testid="decide"' not in body
    assert 'data-testid="residency"' in body
    my_credits = client.get(reverse("learners:my_credits")).content.decode()
    assert reverse("learners:transfer_detail", args=[request.pk]) in my_credits

    # the learner cannot decide their own request
    assert (
        client.post(
            reverse("learners:transfer_decide", args=[request.pk]), {"action": "approve"}
        ).status_code
        == 403
    )

    staff = login(registrar)
    queue = staff.get(reverse("learners:transfer_queue")).content.decode()
    assert mine.masked_identifier in queue and mine.identifier not in queue
    staff.post(
        reverse("learners:transfer_decide", args=[request.pk]),
        {"action": "approve", "comment": "ผ่าน", "credits": "40", "learner": _theirs.pk,
         "status": "rejected", "next": "queue"},
    )  # fmt: skip
    request.refresh_from_db()
    assert request.status == "approved" and request.comment == "ผ่าน"
    transfers = CreditEntry.objects.filter(kind="transfer")
    assert {e.learner_id for e in transfers} == {mine.pk}
    assert sum(e.credits for e in transfers) == Decimal("5")
    summary = login(mine.user).get(reverse("learners:my_credits")).context["summary"]
    assert summary.transferred == Decimal("5")
    decided = login(mine.user).get(reverse("learners:transfer_detail", args=[request.pk]))
    assert decided.context["counted"] == Decimal("5") and "ผ่าน" in decided.content.decode()


def test_the_same_entries_twice_are_refused_through_the_pages(login, setup):
    _world, mine, _theirs, curriculum, registrar, _courses = setup
    client = login(mine.user)
    _ask(client, curriculum)
    first = TransferRequest.objects.get()
    login(registrar).post(
        reverse("learners:transfer_decide", args=[first.pk]), {"action": "approve"}
    )
    client = login(mine.user)
    assert _ask(client, curriculum).status_code == 302  # a new request may be asked …
    second = TransferRequest.objects.exclude(pk=first.pk).get()
    detail = client.get(reverse("learners:transfer_detail", args=[second.pk]))
    assert detail.context["counted"] == 0
    assert {i.reason for i in detail.context["items"]} == {"already_transferred"}
    staff = login(registrar)
    staff.post(reverse("learners:transfer_decide", args=[second.pk]), {"action": "approve"})
    second.refresh_from_db()
    assert second.status == "requested"  # … but approving it again is refused
    assert CreditEntry.objects.filter(kind="transfer").count() == 2


def test_another_learners_request_is_404(login, setup):
    _world, mine, theirs, curriculum, _registrar, _courses = setup
    theirs_request = services.transfer_request_create(
        actor=theirs.user, learner=theirs, curriculum=curriculum
    )
    client = login(mine.user)
    for name, method in (
        ("learners:transfer_detail", "get"),
        ("learners:transfer_decide", "post"),
        ("learners:transfer_withdraw", "post"),
    ):
        response = getattr(client, method)(
            reverse(name, args=[theirs_request.pk]), {"action": "approve"}
        )
        assert response.status_code == 404, name
        assert theirs.identifier not in response.content.decode()
    assert client.get(reverse("learners:transfer_ask_for", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("learners:transfer_queue")).status_code == 403
    theirs_request.refresh_from_db()
    assert theirs_request.status == "requested"


def test_withdraw_by_the_learner(login, setup):
    _world, mine, _theirs, curriculum, _registrar, _courses = setup
    client = login(mine.user)
    _ask(client, curriculum)
    request = TransferRequest.objects.get()
    client.post(reverse("learners:transfer_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_staff_asks_for_a_learner(login, setup):
    world, mine, _theirs, curriculum, _registrar, _courses = setup
    client = login(world.owner)  # the home school's administrator
    assert client.get(reverse("learners:transfer_ask_for", args=[mine.pk])).status_code == 200
    response = client.post(
        reverse("learners:transfer_ask_for", args=[mine.pk]), {"curriculum": curriculum.pk}
    )
    request = TransferRequest.objects.get()
    assert response.status_code == 302 and request.requested_by == world.owner
    assert request.learner == mine
    # a viewer may see the learner but not ask for them
    assert (
        login(world.member).get(reverse("learners:transfer_ask_for", args=[mine.pk])).status_code
        == 403
    )


def test_registrar_queue_is_scoped_searchable_paginated_constant_queries(
    login, setup, django_capture_on_commit_callbacks
):
    world, mine, theirs, curriculum, registrar, courses = setup
    other_college = InstitutionFactory(
        code="T-COL-2", kind="vocational_college", province=world.province_a
    )
    elsewhere = make_curriculum(other_college)
    target = make_course(other_college, "30000-0001", "1", level="voc_cert", curriculum=elsewhere)
    make_mapping(world, [courses[0]], [target])
    services.transfer_request_create(actor=mine.user, learner=mine, curriculum=elsewhere)
    services.transfer_request_create(actor=mine.user, learner=mine, curriculum=curriculum)
    services.transfer_request_create(actor=theirs.user, learner=theirs, curriculum=curriculum)
    client = login(registrar)
    page = client.get(reverse("learners:transfer_queue"))
    assert {t.target_institution for t in page.context["page"].object_list} == {world.college}
    assert page.context["page"].paginator.count == 2
    found = client.get(reverse("learners:transfer_queue"), {"q": "somying"}).context["page"]
    assert [t.learner for t in found.object_list] == [theirs]
    by_id = client.get(reverse("learners:transfer_queue"), {"q": mine.formatted_identifier})
    assert [t.learner for t in by_id.context["page"].object_list] == [mine]
    for user in (world.outsider, world.centre_b, world.neighbour):
        other = login(user).get(reverse("learners:transfer_queue"), {"status": "all"})
        assert other.context["page"].paginator.count == 0
    assert login(world.member).get(reverse("learners:transfer_queue")).status_code == 403

    client = login(registrar)
    client.get(reverse("learners:transfer_queue"))
    bump_count_version(services.COUNT_NAMESPACE)  # both measured pages count afresh
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("learners:transfer_queue"))
    with django_capture_on_commit_callbacks(execute=True):  # the cached count is bumped
        for n in range(30):
            learner = make_learner(home_institution=world.school, first_name_th=f"ผู้เรียน{n:02d}")
            make_entry(learner, courses[n % 2], "3")
            services.transfer_request_create(
                actor=world.owner, learner=learner, curriculum=curriculum
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("learners:transfer_queue"), {"page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 7
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_request_detail_uses_a_constant_number_of_queries(login, setup, world):
    _world, mine, _theirs, curriculum, registrar, courses = setup
    request = services.transfer_request_create(actor=mine.user, learner=mine, curriculum=curriculum)
    url = reverse("learners:transfer_detail", args=[request.pk])
    for index, client in enumerate((login(mine.user), login(registrar))):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for year in range(2550, 2560):
            make_entry(mine, courses[0], "2", academic_year=year)
            make_entry(
                mine, make_course(world.school, f"ค{index}{year}", "1"), "4", academic_year=year
            )
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert len(response.context["items"]) > 20
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_demo_learner_has_one_approved_and_one_waiting_transfer(client, db):
    from django.core.management import call_command

    call_command("seed_demo", "--quiet-accounts")
    call_command("seed_demo", "--quiet-accounts")  # idempotent
    requests = TransferRequest.objects.filter(learner__user__username="learner")
    statuses = dict(requests.values_list("target_institution__code", "status"))
    assert statuses == {"LPN-AGRI": "approved", "LPN-TECH": "requested"}
    approved = requests.get(status="approved")
    assert CreditEntry.objects.filter(kind="transfer", transfer_request=approved).exists()
    waiting = requests.get(status="requested")
    client.force_login(UserFactory(username="college"))
    queue = client.get(reverse("learners:transfer_queue")).context["page"].object_list
    assert waiting in list(queue)
    detail = client.get(reverse("learners:transfer_detail", args=[waiting.pk]))
    assert detail.context["can_decide"] and detail.context["counted"] > 0
    client.post(reverse("learners:transfer_decide", args=[waiting.pk]), {"action": "approve"})
    waiting.refresh_from_db()
    assert waiting.status == "approved"


def test_my_credits_cached_body_follows_the_ledger_and_requests(login, setup):
    """The page body is cached; a new entry, a new request and a decision each show at once."""
    _world, mine, _theirs, curriculum, registrar, courses = setup
    client = login(mine.user)
    url = reverse("learners:my_credits")
    first = client.get(url).context["body_html"]
    assert 'data-testid="transfers"' not in first
    again = client.get(url)
    assert again.context["body_html"] == first and "summary" not in again.context  # cached
    request = services.transfer_request_create(actor=mine.user, learner=mine, curriculum=curriculum)
    asked = client.get(url).context["body_html"]
    assert reverse("learners:transfer_detail", args=[request.pk]) in asked
    services.transfer_request_approve(actor=registrar, request=request)
    approved = client.get(url).context["body_html"]
    assert approved != asked and 'data-testid="transferred"' in approved
    make_entry(mine, courses[0], "4", academic_year=2560)
    assert client.get(url).context["summary"].banked == Decimal("3")


def test_registrar_sets_the_institutions_transfer_rules(login, setup):
    world, mine, _theirs, curriculum, registrar, _courses = setup
    client = login(registrar)
    assert client.get(reverse("learners:transfer_rules")).status_code == 200
    client.post(reverse("learners:transfer_rules"), {
        "institution": world.college.pk, "level": "voc_cert", "min_grade": "3.5",
        "max_share": "0.5", "residency_terms": "2", "note": "ตามระเบียบวิทยาลัย",
    })  # fmt: skip
    rule = TransferRule.objects.get()
    assert (rule.institution, rule.level, rule.min_grade) == (
        world.college,
        "voc_cert",
        Decimal("3.5"),
    )
    evaluation = services.transfer_evaluate(learner=mine, curriculum=curriculum)
    assert evaluation.rule.residency_terms == 2 and evaluation.counted_credits == 2  # only the 4
    # another institution's rules cannot be set or removed
    refused = client.post(reverse("learners:transfer_rules"), {
        "institution": world.school.pk, "level": "", "min_grade": "1", "max_share": "1",
        "residency_terms": "0",
    })  # fmt: skip
    assert refused.status_code == 200 and TransferRule.objects.count() == 1
    delete = reverse("learners:transfer_rule_delete", args=[rule.pk])
    viewer = UserFactory(username="college-viewer")
    grant(viewer, world.college, Role.VIEWER)
    assert login(viewer).post(delete).status_code == 403
    for stranger in (world.owner, world.outsider):  # the college is not in their scope
        assert login(stranger).post(delete).status_code == 404
    assert login(mine.user).get(reverse("learners:transfer_rules")).status_code == 403
    login(registrar).post(reverse("learners:transfer_rule_delete", args=[rule.pk]))
    assert not TransferRule.objects.exists()


def test_a_curriculum_of_another_province_cannot_be_asked_for(login, setup):
    world, mine, *_rest = setup
    far = make_curriculum(world.school_b, level="lower_secondary")
    response = login(mine.user).post(reverse("learners:transfer_ask"), {"curriculum": far.pk})
    assert response.status_code == 200 and response.context["form"].errors["curriculum"]
    assert not TransferRequest.objects.exists()
