import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learners.models import Learner, UnmaskLog
from learners.services import learners as services
from learners.services.errors import LearnerError
from tests.factories import Role, UserFactory, grant

from .factories import citizen_id, make_learner

pytestmark = pytest.mark.django_db

VALID = citizen_id("110370012345")
THAI = VALID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


@pytest.mark.parametrize(
    "typed",
    [VALID, THAI, f"{VALID[0]} {VALID[1:5]} {VALID[5:10]} {VALID[10:12]} {VALID[12]}",
     f"{VALID[0]}-{VALID[1:5]}-{VALID[5:10]}-{VALID[10:12]}-{VALID[12]}", f"  {THAI} "],
)  # fmt: skip
def test_learner_create_normalises_every_form_of_the_id(db, typed):
    learner = make_learner(identifier=typed)
    assert learner.identifier == VALID
    assert learner.masked_identifier == f"{VALID[0]}-{VALID[1:5]}-xxxxx-xx-{VALID[12]}"
    assert learner.formatted_identifier.replace("-", "") == VALID


@pytest.mark.parametrize(
    "typed",
    [VALID[:12] + str((int(VALID[12]) + 1) % 10), VALID[:12], VALID + "1", "๑๒๓", "abc",
     "١١٠٣٧٠٠١٢٣٤٥" + VALID[12]],  # Arabic-Indic digits pass isdigit() but are not ASCII
)  # fmt: skip
def test_learner_create_refuses_bad_ids(db, typed):
    with pytest.raises(ValidationError) as error:
        make_learner(identifier=typed)
    assert "identifier" in error.value.message_dict
    assert not Learner.objects.exists()


def test_other_identifier_types(db):
    g = make_learner(identifier_type="g_code", identifier="g 0012 3456 7890")
    assert g.identifier == "G001234567890"
    assert g.masked_identifier == "G0" + "x" * 9 + "90"
    passport = make_learner(identifier_type="passport", identifier="aa1234567")
    assert passport.identifier == "AA1234567"
    with pytest.raises(ValidationError):
        make_learner(identifier_type="g_code", identifier="G12")
    with pytest.raises(ValidationError):
        make_learner(identifier_type="driving_licence", identifier="123456")


def test_the_same_id_twice_is_refused(db):
    make_learner(identifier=VALID)
    with pytest.raises(LearnerError):
        make_learner(identifier=THAI)
    assert Learner.objects.count() == 1


def test_consent_is_dated(db):
    learner = make_learner(consent=True)
    assert learner.consent_at is not None
    assert make_learner(consent=False).consent_at is None


def test_only_staff_of_the_home_institution_register_learners(world):
    with pytest.raises(PermissionDenied):
        make_learner(actor=world.member, home_institution=world.school)  # a viewer
    with pytest.raises(PermissionDenied):
        make_learner(actor=world.outsider, home_institution=world.school)
    learner = make_learner(actor=world.owner, home_institution=world.school)
    assert learner.created_by == world.owner
    assert make_learner(actor=world.centre, home_institution=world.school)


def test_unmask_is_logged_and_needs_a_reason(world):
    learner = make_learner(identifier=VALID, home_institution=world.school)
    with pytest.raises(LearnerError):
        services.learner_unmask(actor=world.owner, learner=learner, reason="  ")
    with pytest.raises(PermissionDenied):
        services.learner_unmask(actor=world.outsider, learner=learner, reason="curious")
    with pytest.raises(PermissionDenied):
        services.learner_unmask(actor=world.member, learner=learner, reason="viewer")
    shown = services.learner_unmask(actor=world.owner, learner=learner, reason="ตรวจสอบเอกสาร")
    assert shown.replace("-", "") == VALID
    log = UnmaskLog.objects.get()
    assert (log.user, log.learner, log.reason) == (world.owner, learner, "ตรวจสอบเอกสาร")
    assert log.at is not None


def test_link_a_sign_in_account(world):
    learner = make_learner(home_institution=world.school)
    other = make_learner(home_institution=world.school)
    account = UserFactory(username="somchai")
    with pytest.raises(PermissionDenied):
        services.learner_link_user(actor=world.outsider, learner=learner, user=account)
    services.learner_link_user(actor=world.owner, learner=learner, user=account)
    learner.refresh_from_db()
    assert learner.user == account and learner.linked_by == world.owner
    # idempotent, and one account is one learner
    services.learner_link_user(actor=world.owner, learner=learner, user=account)
    with pytest.raises(LearnerError):
        services.learner_link_user(actor=world.owner, learner=other, user=account)
    with pytest.raises(LearnerError):
        services.learner_link_user(
            actor=world.owner, learner=learner, user=UserFactory(username="x")
        )
    services.learner_unlink_user(actor=world.owner, learner=learner)
    learner.refresh_from_db()
    assert learner.user is None


def test_staff_see_learners_of_their_scope_only(world):
    from .factories import make_course, make_entry

    home = make_learner(home_institution=world.school)
    studied_here = make_learner(home_institution=world.school_b)
    make_entry(studied_here, make_course(world.school, "ค21101"), "3")
    elsewhere = make_learner(home_institution=world.school_b)
    account = UserFactory(username="self")
    services.learner_link_user(actor=None, learner=elsewhere, user=account)
    assert set(Learner.objects.for_user(world.owner)) == {home, studied_here}
    assert set(Learner.objects.for_user(world.outsider)) == {studied_here, elsewhere}
    assert set(Learner.objects.for_user(world.national)) == {home, studied_here, elsewhere}
    assert list(Learner.objects.for_user(account)) == [elsewhere]
    assert not Learner.objects.for_user(world.nobody).exists()
    registrar = UserFactory(username="reg2")
    grant(registrar, world.area, Role.REGISTRAR)
    assert set(Learner.objects.for_user(registrar)) == {home, studied_here}


def test_search_by_name_or_full_id_only(db):
    somchai = make_learner(identifier=VALID, first_name_th="สมชาย", last_name_th="รักเรียน")
    make_learner(first_name_th="สมหญิง", first_name_en="Somying")
    assert list(Learner.objects.search("สมชาย รัก")) == [somchai]
    assert list(Learner.objects.search(THAI)) == [somchai]
    assert list(Learner.objects.search(VALID[:6])) == []  # no digit-by-digit recovery
    assert Learner.objects.search("somying").count() == 1
