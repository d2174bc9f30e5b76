from decimal import Decimal
from types import SimpleNamespace

import pytest

from courses.models import Course
from creditbank.celery import app as celery_app
from equivalence.services.suggestions import forget_loaded_indexes


@pytest.fixture(autouse=True)
def suggest_dir(settings, tmp_path):
    """Every test gets its own index directory and starts with nothing loaded in memory."""
    settings.SUGGEST_INDEX_DIR = tmp_path / "suggest"
    forget_loaded_indexes()
    yield settings.SUGGEST_INDEX_DIR
    forget_loaded_indexes()


@pytest.fixture
def eager():
    """Celery tasks run in-process (as in the embedded setup), whatever the broker settings."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def make_course(institution, code, name_th, *, credits="1", level="lower_secondary", **extra):
    extra.setdefault("status", Course.Status.APPROVED)
    extra.setdefault("hours", int(Decimal(credits) * 40))
    return Course.objects.create(
        institution=institution, code=code, name_th=name_th, credits=Decimal(credits),
        level=level, academic_year=2567, **extra,
    )  # fmt: skip


@pytest.fixture
def catalogue(world):
    """Occupational courses at the school and ปวช. courses at the college of province A."""
    school, college, sibling = world.school, world.college, world.sibling
    voc = {"level": "voc_cert", "nqf_level": 3, "subject_group": "voc"}
    return SimpleNamespace(
        longan=make_course(
            school, "ง21201", "การปลูกลำไย", name_en="Longan growing",
            description="การเตรียมดิน การปลูก การให้น้ำ และการดูแลต้นลำไย",
            occupational_field="เกษตรกรรม", subject_group="ง", nqf_level=1,
        ),
        wiring=make_course(
            school, "ง21204", "งานไฟฟ้าในบ้าน", name_en="Household electrical work",
            description="วงจรไฟฟ้าในบ้าน การเดินสายไฟ การต่อเต้ารับและสวิตช์",
            occupational_field="ไฟฟ้า", subject_group="ง", nqf_level=1,
        ),
        fruit=make_course(
            college, "20501-2101", "การผลิตไม้ผล ลำไย", credits="2", name_en="Fruit production",
            description="การปลูก การดูแล และการผลิตลำไยและไม้ผล", occupational_field="พืชศาสตร์",
            **voc,
        ),
        building=make_course(
            college, "20104-2005", "การติดตั้งไฟฟ้าในอาคาร", credits="3",
            name_en="Building electrical installation",
            description="การเดินสายไฟฟ้าในอาคาร การติดตั้งเต้ารับ สวิตช์ และวงจรไฟฟ้า",
            occupational_field="ไฟฟ้ากำลัง", **voc,
        ),
        bakery=make_course(
            college, "20404-2004", "ขนมอบ", credits="2", name_en="Baking",
            description="การทำขนมอบ ขนมปัง และคุกกี้", occupational_field="อาหาร", **voc,
        ),
        sibling_longan=make_course(
            sibling, "ง21211", "การผลิตลำไยนอกฤดู", name_en="Off-season longan",
            description="การผลิตลำไยนอกฤดู", occupational_field="เกษตรกรรม", subject_group="ง",
        ),
    )  # fmt: skip
