"""Demo learners: ``learner`` (กมลชนก ใฝ่เรียน) has credits from an extended-opportunity school
(one of them corrected through a reversal), an NFE course and a skill test; the college's
registrar and the school have results uploads waiting for approval. Idempotent."""

import datetime as dt
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from openpyxl import Workbook

from courses.models import Course
from institutions.models import Institution

from . import identifiers
from .models import CreditEntry, Learner, ResultUpload
from .services import ledger
from .services import results as results_services
from .services.learners import learner_create, learner_link_user


def demo_citizen_id(first_twelve: str) -> str:
    return first_twelve + str(identifiers.citizen_id_check_digit(first_twelve))


LEARNER_ID = demo_citizen_id("151010012345")
# identifier, title, first, last, English first, last
CLASSMATES = [
    (demo_citizen_id("151010023456"), "เด็กชาย", "ธนากร", "สายสุข", "Thanakorn", "Saisuk"),
    (demo_citizen_id("151010034567"), "เด็กหญิง", "พิมพ์ชนก", "ทองคำ", "Phimchanok", "Thongkham"),
    (demo_citizen_id("151010045678"), "นาย", "อนุชา", "แก้วมณี", "Anucha", "Kaewmanee"),
]
HEADER = ["เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "ชื่อภาษาอังกฤษ",
          "นามสกุลภาษาอังกฤษ", "รหัสวิชา", "ปีการศึกษา", "ภาคเรียน", "ผลการเรียน"]  # fmt: skip


def _course(institution_code, code):
    return Course.objects.filter(institution__code=institution_code, code=code).first()


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _waiting_upload(institution_code, username, file_name, rows):
    institution = Institution.objects.filter(code=institution_code).first()
    if (
        institution is None
        or ResultUpload.objects.filter(institution=institution, file_name=file_name).exists()
    ):
        return
    actor = get_user_model().objects.get(username=username)
    upload = results_services.results_upload_receive(
        actor=actor, institution=institution, data=_workbook(rows), file_name=file_name,
        create_unknown=True,
    )  # fmt: skip
    upload = results_services.results_upload_check(upload_id=upload.pk)
    if upload.can_submit:
        results_services.results_upload_submit(actor=actor, upload=upload)


@transaction.atomic
def load(stdout=None):
    school = Institution.objects.get(code="LPN1-EO01")
    learner = Learner.objects.filter(identifier=LEARNER_ID).first()
    if learner is None:
        learner = learner_create(
            actor=None, identifier=LEARNER_ID, title_th="นางสาว", first_name_th="กมลชนก",
            last_name_th="ใฝ่เรียน", first_name_en="Kamonchanok", last_name_en="Phairian",
            home_institution=school, consent=True, verified=True,
            birth_date=dt.date(2009, 6, 14),
        )  # fmt: skip
    account = get_user_model().objects.get(username="learner")
    if learner.user_id is None:  # the demo link a registrar would make
        learner_link_user(actor=None, learner=learner, user=account)

    def earn(key, institution_code, code, grade, year, term, **extra):
        course = _course(institution_code, code) if code else None
        institution = (
            course.institution if course else Institution.objects.get(code=institution_code)
        )
        return ledger.entry_record(
            actor=None, learner=learner, institution=institution, course=course, grade=grade,
            academic_year=year, term=term, verified=True, idempotency_key=f"demo:{key}", **extra,
        )  # fmt: skip

    earn("eo-longan", "LPN1-EO01", "ง21201", "4", 2566, "1")
    earn("eo-cooking", "LPN1-EO01", "ง21203", "3.5", 2566, "1")
    earn("eo-electric", "LPN1-EO01", "ง21204", "3", 2566, "2")
    earn("eo-computer", "LPN1-EO01", "ง21205", "2.5", 2567, "1")
    pending = earn("eo-offseason", "LPN1-EO01", "ง21202", "ร", 2566, "2")
    if not CreditEntry.objects.filter(reverses=pending).exists():
        ledger.entry_reverse(actor=None, entry=pending, reason="สอบแก้ตัวผ่านแล้ว บันทึกผลใหม่")
    earn("eo-offseason-final", "LPN1-EO01", "ง21202", "2", 2566, "2")
    earn("nfe-longan", "LPN-NFE-01", "สค12025", "3", 2567, "1")
    earn(
        "dsd-electrician", "LPN-DSD", None, "ผ", 2567, "",
        source="skill_test", credits=Decimal("2"),
        course_name_th="ช่างไฟฟ้าภายในอาคาร ระดับ 1 (มาตรฐานฝีมือแรงงานแห่งชาติ)",
        course_name_en="Building electrician, level 1 (national skill standard)",
        reference="DSD-LPN-2567-0042",
    )  # fmt: skip

    _transfers(learner)

    names = ("นางสาว", "กมลชนก", "ใฝ่เรียน", "Kamonchanok", "Phairian")
    _waiting_upload(
        "LPN-TECH", "college", "ผลการเรียน-ภาคเรียนที่1-2567.xlsx",
        [(LEARNER_ID, *names, "20104-2001", 2567, 1, "3")]
        + [(c[0], *c[1:], "20104-2001", 2567, 1, g) for c, g in zip(CLASSMATES, ["3.5", "2", "4"], strict=True)]
        + [(c[0], *c[1:], "20105-2002", 2567, 1, g) for c, g in zip(CLASSMATES, ["3", "1.5", "0"], strict=True)],
    )  # fmt: skip
    _waiting_upload(
        "LPN1-EO01", "school", "ผลการเรียน-ม2-ภาคเรียนที่2-2567.xlsx",
        [(c[0], *c[1:], "ง21202", 2567, 2, g) for c, g in zip(CLASSMATES, ["4", "3", "มส"], strict=True)],
    )  # fmt: skip


# (source institution, code), (target institution, code): mappings the demo transfers use.
TRANSFER_MAPPINGS = [
    (("LPN-NFE-01", "สค12025"), ("LPN-AGRI", "20501-2101")),
    (("LPN1-EO01", "ง21204"), ("LPN-TECH", "20104-2005")),
    (("LPN1-EO01", "ง21205"), ("LPN-TECH", "20901-2001")),
]


def _transfer_mappings():
    from equivalence import services as equivalence
    from equivalence.models import EquivalenceMapping, MappingCourse
    from institutions.models import Province

    User = get_user_model()
    proposer, approver = (
        User.objects.get(username="committee"),
        User.objects.get(username="committee2"),
    )
    lamphun = Province.objects.get(slug="lamphun")
    for (source_inst, source_code), (target_inst, target_code) in TRANSFER_MAPPINGS:
        source, target = _course(source_inst, source_code), _course(target_inst, target_code)
        if source is None or target is None:
            continue
        if (
            EquivalenceMapping.objects.filter(
                links__course=source, links__side=MappingCourse.Side.SOURCE
            )
            .filter(links__course=target)
            .exists()
        ):
            continue
        mapping = equivalence.mapping_propose(
            actor=proposer, province=lamphun, sources=[source], targets=[target],
            credits_recognised=min(Decimal(source.credits), Decimal(target.credits)),
            rationale="ผลการเรียนรู้ครอบคลุมรายวิชาปลายทาง", valid_from_year=2566,
        )  # fmt: skip
        equivalence.mapping_approve(
            actor=approver, mapping=mapping, meeting="ประชุมคณะกรรมการฯ ครั้งที่ 2/2567",
            decision_number="2/2567",
        )  # fmt: skip


def _transfers(learner):
    """One request approved (to the agricultural college, decided by the centre) and one waiting
    for the technical college's registrar (``college``)."""
    from courses.models import Curriculum

    from .models import TransferRequest
    from .services import transfer

    _transfer_mappings()
    learner.refresh_from_db()
    User = get_user_model()
    agri = Curriculum.objects.filter(institution__code="LPN-AGRI").order_by("pk").first()
    tech = Curriculum.objects.filter(institution__code="LPN-TECH").order_by("pk").first()
    if (
        agri is not None
        and not TransferRequest.objects.filter(learner=learner, target_curriculum=agri).exists()
    ):
        request = transfer.transfer_request_create(
            actor=learner.user, learner=learner, curriculum=agri,
            note="ต้องการเรียนต่อสาขาพืชศาสตร์ ขอเทียบโอนวิชาการปลูกลำไย",
        )  # fmt: skip
        transfer.transfer_request_approve(
            actor=User.objects.get(username="centre"), request=request,
            comment="เทียบโอนได้ตามมติคณะกรรมการฯ",
        )  # fmt: skip
    if (
        tech is not None
        and not TransferRequest.objects.filter(learner=learner, target_curriculum=tech).exists()
    ):
        transfer.transfer_request_create(
            actor=learner.user, learner=learner, curriculum=tech,
            note="ขอเทียบโอนวิชางานไฟฟ้าในบ้านและคอมพิวเตอร์เบื้องต้น",
        )  # fmt: skip
