import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from equivalence.models import TransferDemand
from learners.models import CreditEntry, TransferItem, TransferRequest
from learners.services import ledger
from learners.services import transfer as services
from learners.services.learners import learner_link_user
from tests.factories import Role, UserFactory, grant

from .factories import make_course, make_entry, make_learner
from .transfer_factories import make_curriculum, make_mapping


@pytest.fixture
def setup(world):
    """A linked learner of the school with two mapped results and one unmapped; the college's
    registrar decides."""
    learner = make_learner(home_institution=world.school)
    learner_link_user(actor=None, learner=learner, user=UserFactory(username="learner-a"))
    learner.refresh_from_db()
    curriculum = make_curriculum(world.college, total="100")
    electric = make_course(world.college, "20104-2005", "3", level="voc_cert",
                           curriculum=curriculum)  # fmt: skip
    longan = make_course(world.college, "20501-2101", "2", level="voc_cert",
                         curriculum=curriculum)  # fmt: skip
    house = make_course(world.school, "ง21204", "1")
    orchard = make_course(world.school, "ง21201", "1")
    art = make_course(world.school, "ศ21101", "1")
    make_mapping(world, [house], [electric])
    make_mapping(world, [orchard], [longan])
    make_entry(learner, house, "3")
    make_entry(learner, orchard, "3.5")
    make_entry(learner, art, "4")
    registrar = UserFactory(username="college-registrar")
    grant(registrar, world.college, Role.REGISTRAR)
    return world, learner, curriculum, registrar, art


@pytest.mark.django_db
def test_ask_stores_the_evaluation_and_records_demand(setup):
    world, learner, curriculum, _registrar, art = setup
    request = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum, note="ขอเทียบโอน"
    )
    assert request.status == "requested" and request.target_institution == world.college
    assert request.rule_snapshot["min_grade"] == "2.0"
    items = TransferItem.objects.filter(request=request)
    assert sorted(items.values_list("reason", flat=True)) == ["counted", "counted", "no_mapping"]
    demand = TransferDemand.objects.get()
    assert demand.course == art and demand.target_institution == world.college
    assert not CreditEntry.objects.filter(kind="transfer").exists()
    with pytest.raises(services.TransferError):  # one open request per curriculum
        services.transfer_request_create(actor=learner.user, learner=learner, curriculum=curriculum)
    services.transfer_request_withdraw(actor=learner.user, request=request)
    again = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum
    )
    TransferDemand.objects.get(request_count=2)
    assert again.pk != request.pk


@pytest.mark.django_db
def test_who_may_ask_and_decide(setup):
    world, learner, curriculum, registrar, _art = setup
    other = make_learner(home_institution=world.school)
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.transfer_request_create(actor=learner.user, learner=other, curriculum=curriculum)
    with pytest.raises(PermissionDenied):
        services.transfer_request_create(actor=stranger, learner=learner, curriculum=curriculum)
    with pytest.raises(PermissionDenied):  # another province's admin
        services.transfer_request_create(
            actor=world.outsider, learner=learner, curriculum=curriculum
        )
    request = services.transfer_request_create(  # the home school's admin asks for them
        actor=world.owner, learner=learner, curriculum=curriculum
    )
    assert request.requested_by == world.owner
    for someone in (learner.user, world.owner, world.member):  # only the receiving side decides
        with pytest.raises(PermissionDenied):
            services.transfer_request_approve(actor=someone, request=request)
    with pytest.raises(services.TransferError):
        services.transfer_request_reject(actor=registrar, request=request, comment="  ")
    services.transfer_request_reject(actor=registrar, request=request, comment="เอกสารไม่ครบ")
    request.refresh_from_db()
    assert request.status == "rejected" and request.comment == "เอกสารไม่ครบ"
    with pytest.raises(services.TransferError):
        services.transfer_request_approve(actor=registrar, request=request)


@pytest.mark.django_db
def test_approval_posts_transfer_entries_once_and_the_same_entry_is_not_transferred_twice(setup):
    world, learner, curriculum, registrar, _art = setup
    request = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum
    )
    services.transfer_request_approve(actor=registrar, request=request, comment="อนุมัติ")
    services.transfer_request_approve(actor=registrar, request=request)  # again: nothing new
    transfers = CreditEntry.objects.filter(kind="transfer").order_by("course_code")
    assert [(e.course_code, e.credits, e.grade) for e in transfers] == [
        ("20104-2005", Decimal("3"), "3"),
        ("20501-2101", Decimal("2"), "3.5"),
    ]
    assert all(e.institution == world.college and e.verified for e in transfers)
    assert {e.transfer_request_id for e in transfers} == {request.pk}
    summary = ledger.learner_summary(learner)
    assert summary.transferred == 5 and summary.banked == 3  # transfers restate banked credits
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == registrar

    # the same entries asked again at the same institution: nothing counts, approval refused
    second = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum
    )
    reasons = set(TransferItem.objects.filter(request=second).values_list("reason", flat=True))
    assert reasons == {"already_transferred", "no_mapping"}
    with pytest.raises(services.TransferError):
        services.transfer_request_approve(actor=registrar, request=second)
    assert CreditEntry.objects.filter(kind="transfer").count() == 2


@pytest.mark.django_db
def test_approval_evaluates_again_a_reversed_entry_no_longer_counts(setup):
    _world, learner, curriculum, registrar, _art = setup
    request = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum
    )
    house = CreditEntry.objects.get(course_code="ง21204")
    ledger.entry_reverse(actor=None, entry=house, reason="บันทึกผิด")
    services.transfer_request_approve(actor=registrar, request=request)
    assert list(
        CreditEntry.objects.filter(kind="transfer").values_list("course_code", flat=True)
    ) == ["20501-2101"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
)
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_approvals_post_one_set_of_entries(setup):
    _world, learner, curriculum, registrar, _art = setup
    request = services.transfer_request_create(
        actor=learner.user, learner=learner, curriculum=curriculum
    )
    barrier = threading.Barrier(10)
    outcomes, errors = [], []

    def approve():
        try:
            barrier.wait(timeout=30)
            done = services.transfer_request_approve(
                actor=registrar, request=TransferRequest(pk=request.pk)
            )
            outcomes.append(done.status)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and outcomes == ["approved"] * 10
    transfers = CreditEntry.objects.filter(kind="transfer")
    assert transfers.count() == 2
    assert sorted(transfers.values_list("course_code", flat=True)) == ["20104-2005", "20501-2101"]
