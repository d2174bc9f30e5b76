"""Demo mappings: school occupational courses ↔ the colleges' ปวช. courses, in every state.

One n:m mapping (two school courses together count as one college course), mirrored and
one-way ones, approved, proposed and rejected, so the public search, coverage and the review
queue all show real content. The suggestion index is rebuilt at the end so the committee
workspace ranks candidates at once.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from courses.models import Course
from institutions.models import Province

from . import services
from .models import EquivalenceMapping, MappingCourse

# (school code, [course codes]), (college code, [course codes]), outcome, direction
PAIRS = [
    (("LPN1-EO01", ["ง21201", "ง21202"]), ("LPN-AGRI", ["20501-2101"]), "approved", "one_way"),
    (("LPN1-EO02", ["ง21204"]), ("LPN-TECH", ["20104-2005"]), "approved", "one_way"),
    (("LPN1-EO03", ["ง21203"]), ("LPN-LI", ["20404-2001"]), "approved", "mirrored"),
    (("LPN1-EO04", ["ง21206"]), ("LPN-LI", ["20401-2101"]), "approved", "one_way"),
    (("LPN1-EO08", ["ง22204"]), ("LPN-LI", ["20401-2001"]), "approved", "mirrored"),
    (("LPN1-EO05", ["ง21205"]), ("LPN-VOC", ["20204-2001"]), "proposed", "one_way"),
    (("LPN1-EO06", ["ง22201"]), ("LPN-AGRI", ["20402-2002"]), "proposed", "one_way"),
    (("LPN1-EO10", ["ง23201"]), ("LPN-AGRI", ["20501-2201"]), "proposed", "one_way"),
    (("LPN1-EO07", ["ง22202"]), ("LPN-LI", ["20404-2003"]), "rejected", "one_way"),
]


def _courses(institution_code, codes):
    found = list(Course.objects.filter(institution__code=institution_code, code__in=codes))
    return found if len(found) == len(codes) else []


@transaction.atomic
def load(stdout=None):
    User = get_user_model()
    proposer = User.objects.get(username="committee")
    approver = User.objects.get(username="committee2")
    lamphun = Province.objects.get(slug="lamphun")
    for (school, source_codes), (college, target_codes), outcome, direction in PAIRS:
        sources, targets = _courses(school, source_codes), _courses(college, target_codes)
        if not sources or not targets:
            continue
        exists = (
            EquivalenceMapping.objects.filter(
                links__course=sources[0], links__side=MappingCourse.Side.SOURCE
            )
            .filter(links__course=targets[0])
            .exists()
        )
        if exists:
            continue
        credits = min(
            sum((Decimal(c.credits) for c in sources), Decimal(0)),
            sum((Decimal(c.credits) for c in targets), Decimal(0)),
        )
        mapping = services.mapping_propose(
            actor=proposer, province=lamphun, sources=sources, targets=targets,
            credits_recognised=credits, direction=direction,
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
    counts = services.suggest_index_rebuild(province=lamphun)
    if stdout is not None:
        stdout.write(f"Suggestion index: {counts.get(lamphun.code, 0)} Lamphun courses indexed.")
