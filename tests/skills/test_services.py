import pytest
from django.core.exceptions import PermissionDenied

from learners.models import CreditEntry, Learner
from skills.models import Certificate, LadderRung, NqfLevel
from skills.services import certificates, sessions
from skills.services.errors import SkillsError

from ..learners.factories import citizen_id, make_learner


def test_the_nqf_ladder_is_data(db):
    assert NqfLevel.objects.count() == 8
    assert LadderRung.objects.get(body="tpqi", level=4).nqf_level.number == 4
    assert LadderRung.objects.get(body="dsd", level=2).nqf_level.number == 2


def test_it_registers_existing_and_new_learners_up_to_capacity(skills):
    s = skills
    sessions.candidate_register(actor=s.officer, session=s.session, learner=s.holder)
    new = sessions.candidate_register(
        actor=s.officer, session=s.session, identifier=citizen_id(), first_name_th="ใหม่"
    )
    assert new.learner.verified is False
    again = sessions.candidate_register(actor=s.officer, session=s.session, learner=s.holder)
    assert again.session_id == s.session.pk and s.session.candidates.count() == 2
    sessions.candidate_register(actor=s.officer, session=s.session, learner=make_learner())
    with pytest.raises(SkillsError) as refused:
        sessions.candidate_register(actor=s.officer, session=s.session, learner=make_learner())
    assert refused.value.code == "full"
    assert s.session.candidates.count() == 3


def test_registration_closed_is_refused(skills):
    s = skills
    sessions.session_set_registration(actor=s.officer, session=s.session, open_=False)
    with pytest.raises(SkillsError) as refused:
        sessions.candidate_register(actor=s.officer, session=s.session, learner=s.holder)
    assert refused.value.code == "closed"


def test_another_centres_officer_cannot_register(skills):
    with pytest.raises(PermissionDenied):
        sessions.candidate_register(
            actor=skills.officer_b, session=skills.session, learner=skills.holder
        )


def test_a_result_for_someone_not_registered_is_refused(skills):
    with pytest.raises(SkillsError) as refused:
        sessions.result_record(
            actor=skills.officer, session=skills.session, learner=make_learner(), passed=True
        )
    assert refused.value.code == "not_registered"


def _passed(s, learner=None, score="81.5"):
    learner = learner or s.holder
    sessions.candidate_register(actor=s.officer, session=s.session, learner=learner)
    return sessions.result_record(
        actor=s.officer, session=s.session, learner=learner, passed=True, score=score
    )


def test_issuing_twice_gives_one_certificate_and_one_ledger_entry(skills):
    result = _passed(skills)
    first = certificates.certificate_issue(actor=skills.officer, result=result, post_credits=True)
    second = certificates.certificate_issue(actor=skills.officer, result=result, post_credits=True)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1
    assert CreditEntry.objects.filter(learner=skills.holder, source="skill_test").count() == 1
    assert first.serial.startswith("T-DSD-A-25") and first.serial.endswith("00001")
    assert certificates.verify(first.public_id, first.signature)[0] == "valid"


def test_a_failing_result_earns_no_certificate(skills):
    s = skills
    sessions.candidate_register(actor=s.officer, session=s.session, learner=s.holder)
    result = sessions.result_record(
        actor=s.officer, session=s.session, learner=s.holder, passed=False
    )
    with pytest.raises(SkillsError):
        certificates.certificate_issue(actor=s.officer, result=result)


def test_serials_are_unique_per_centre_and_year(skills):
    s = skills
    issued = [
        certificates.certificate_issue(actor=s.officer, result=_passed(s, learner))
        for learner in (s.holder, make_learner())
    ]
    assert [c.sequence for c in issued] == [1, 2]


def test_tampered_id_or_signature_is_not_genuine(skills):
    cert = certificates.certificate_issue(actor=skills.officer, result=_passed(skills))
    kid, sig = cert.signature.split(".", 1)
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    assert certificates.verify(cert.public_id, f"{kid}.{flipped}") == ("not_genuine", None)
    assert certificates.verify(cert.public_id[:-1] + "x", cert.signature) == ("not_genuine", None)
    assert certificates.verify("nope", "nope") == ("not_genuine", None)
    # A record changed in the database no longer matches its signature.
    Certificate.objects.filter(pk=cert.pk).update(holder_name="คนอื่น")
    assert certificates.verify(cert.public_id, cert.signature) == ("not_genuine", None)


def test_revoked_shows_revoked_and_reverses_credits(skills):
    cert = certificates.certificate_issue(
        actor=skills.officer, result=_passed(skills), post_credits=True
    )
    certificates.certificate_revoke(actor=skills.officer, certificate=cert, reason="ทุจริตการสอบ")
    status, found = certificates.verify(cert.public_id, cert.signature)
    assert status == "revoked" and found.revoked_reason == "ทุจริตการสอบ"
    assert CreditEntry.objects.filter(learner=skills.holder, kind="reversal").count() == 1
    with pytest.raises(SkillsError):
        certificates.certificate_revoke(actor=skills.officer, certificate=cert, reason="again")


def test_expired_when_the_standard_sets_a_validity(skills):
    import datetime as dt

    cert = certificates.certificate_issue(
        actor=skills.officer, result=_passed(skills), issued_on=dt.date(2015, 1, 5)
    )
    assert cert.expires_on == dt.date(2020, 1, 5)
    assert certificates.verify(cert.public_id, cert.signature)[0] == "expired"


def test_a_signature_from_a_rotated_key_keeps_verifying(skills):
    from creditbank import signing

    cert = certificates.certificate_issue(actor=skills.officer, result=_passed(skills))
    signing.key_create()
    assert not cert.signature.startswith(signing.active_kid())
    assert certificates.verify(cert.public_id, cert.signature)[0] == "valid"


def test_learner_count_unchanged_for_existing(skills):
    before = Learner.objects.count()
    _passed(skills)
    assert Learner.objects.count() == before


def test_the_ladder_reloads_itself_when_its_rows_are_gone(db):
    from skills.services import centres

    LadderRung.objects.all().delete()
    NqfLevel.objects.all().delete()
    standard = centres.standard_save(
        actor=None, body="tpqi", code="X-1", level=6, name_th="นักวิเคราะห์", branch="ดิจิทัล"
    )
    assert standard.nqf_level.number == 6 and NqfLevel.objects.count() == 8
