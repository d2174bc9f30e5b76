"""A test centre in province A with an officer, a standard it may test and an open session."""

import datetime as dt
from types import SimpleNamespace

import pytest

from creditbank.celery import app as celery_app
from institutions.models import Institution
from skills.services import centres, sessions

from ..factories import InstitutionFactory, Role, UserFactory, grant
from ..learners.factories import make_learner

THAI_WORDS = "ผู้ใหญ่ น้ำ ปั้น สำหรับ ฎีกา ปฏิบัติ ญาติ ฐาน"


@pytest.fixture
def skills(world, settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "media"
    from creditbank import signing

    signing._clear_caches()
    centre = InstitutionFactory(
        code="T-DSD-A",
        name_th="ศูนย์ทดสอบมาตรฐานฝีมือแรงงานทดสอบ",
        kind=Institution.Kind.TEST_CENTRE,
        affiliation="dsd",
        province=world.province_a,
    )
    centre_b = InstitutionFactory(
        code="T-DSD-B", kind=Institution.Kind.TEST_CENTRE, affiliation="dsd",
        province=world.province_b,
    )  # fmt: skip
    officer = UserFactory(username="officer")
    grant(officer, centre, Role.TEST_OFFICER)
    officer_b = UserFactory(username="officer-b")
    grant(officer_b, centre_b, Role.TEST_OFFICER)
    standard = centres.standard_save(
        actor=None, body="dsd", code="0721-01", level=1,
        name_th=f"ช่างปั้นเครื่องปั้นดินเผา {THAI_WORDS}", name_en="Potter",
        branch="ช่างหัตถกรรม", credits="2", validity_years=5,
        competency_units=[{"code": "U1", "title": "การเตรียมดิน"}],
    )  # fmt: skip
    centres.centre_branch_add(actor=world.centre, centre=centre, branch="ช่างหัตถกรรม")
    centres.centre_branch_add(actor=None, centre=centre_b, branch="ช่างหัตถกรรม")
    session = sessions.session_create(
        actor=officer, centre=centre, standard=standard, starts_on=dt.date(2024, 11, 1),
        ends_on=dt.date(2024, 11, 2), capacity=3,
    )  # fmt: skip
    holder_user = UserFactory(username="holder")
    holder = make_learner(title_th="นาย", first_name_th="ผู้ใหญ่ญาติ", last_name_th="น้ำฐานปั้น")
    from learners.services.learners import learner_link_user

    learner_link_user(actor=None, learner=holder, user=holder_user)
    return SimpleNamespace(
        world=world, centre=centre, centre_b=centre_b, officer=officer, officer_b=officer_b,
        standard=standard, session=session, holder=holder, holder_user=holder_user,
    )  # fmt: skip


@pytest.fixture
def eager(settings, django_capture_on_commit_callbacks):
    """Tasks in-process even where CI points Celery at a real broker."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True

    def run(callable_, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            document = callable_(**kwargs)
        document.refresh_from_db()
        return document

    yield run
    conf.task_always_eager, conf.task_eager_propagates = saved
