"""Demo mappings: school occupational courses ↔ the colleges' ปวช. courses, in every state."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from courses.models import Course
from institutions.models import Province

from . import services
from .models import EquivalenceMapping, MappingCourse

# (school code, course code), (college code, course code), outcome, direction
PAIRS = [
    (("LPN1-EO01", "ง21201"), ("LPN-AGRI", "20501-2101"), "approved", "one_way"),
    (("LPN1-EO02", "ง21204"), ("LPN-TECH", "20104-2005"), "approved", "one_way"),
    (("LPN1-EO03", "ง21203"), ("LPN-LI", "20404-2001"), "approved", "mirrored"),
    (("LPN1-EO04", "ง21206"), ("LPN-LI", "20401-2101"), "approved", "one_way"),
    (("LPN1-EO05", "ง21205"), ("LPN-VOC", "20204-2001"), "proposed", "one_way"),
    (("LPN1-EO06", "ง22201"), ("LPN-AGRI", "20402-2002"), "proposed", "one_way"),
    (("LPN1-EO07", "ง22202"), ("LPN-LI", "20404-2003"), "rejected", "one_way"),
]


def _course(institution_code, code):
    return Course.objects.filter(institution__code=institution_code, code=code).first()


@transaction.atomic
def load(stdout=None):
    User = get_user_model()
    proposer = User.objects.get(username="committee")
    approver = User.objects.get(username="committee2")
    lamphun = Province.objects.get(slug="lamphun")
    for (school, source_code), (college, target_code), outcome, direction in PAIRS:
        source, target = _course(school, source_code), _course(college, target_code)
        if source is None or target is None:
            continue
        exists = (
            EquivalenceMapping.objects.filter(
                links__course=source, links__side=MappingCourse.Side.SOURCE
            )
            .filter(links__course=target)
            .exists()
        )
        if exists:
            continue
        mapping = services.mapping_propose(
            actor=proposer, province=lamphun, sources=[source], targets=[target],
            credits_recognised=min(Decimal(source.credits), Decimal(target.credits)),
            direction=direction,
            rationale="เนื้อหาและผลการเรียนรู้ครอบคลุมไม่น้อยกว่าสามในสี่ของรายวิชาปลายทาง",
            valid_from_year=2567,
        )  # fmt: skip
        if outcome == "approved":
            services.mapping_approve(
                actor=approver, mapping=mapping, meeting="ประชุมคณะกรรมการฯ ครั้งที่ 1/2567",
                decision_number="1/2567",
            )  # fmt: skip
        elif outcome == "rejected":
            services.mapping_reject(
                actor=approver, mapping=mapping,
                comment="ชั่วโมงปฏิบัติไม่เพียงพอเมื่อเทียบกับรายวิชาปลายทาง",
            )  # fmt: skip
