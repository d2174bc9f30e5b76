"""Demo skills data for Lamphun (idempotent): DSD labour skill standards and TPQI professional
qualifications for branches Lamphun's vocational colleges teach, the labour skill test centre
(``testcentre``) with a finished session (certificates issued, one revoked) and an open one,
its equipment needs and a branch request; the ``learner`` holds one certificate.

Standard codes and competency units are illustrative, shaped like the real ones (DSD codes,
TPQI units such as ``RUB-ZMEV-122A``); they are not copied from the official registers.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses.models import Course
from institutions.models import Institution
from learners.demo import CLASSMATES, LEARNER_ID, demo_citizen_id
from learners.models import Learner

from .models import BranchRequest, CentreBranch, Certificate, EquipmentNeed, TestSession
from .services import centres, certificates, sessions

# body, code, level, Thai name, English name, branch, credits, validity years, ISCO, units,
# courses (institution code, course code) that prepare for it
STANDARDS = [
    ("dsd", "0721-01", 1, "ช่างไฟฟ้าภายในอาคาร", "Building electrician", "ช่างไฟฟ้า", "2", None,
     "7411", [("DSD-EL1-01", "ความปลอดภัยในงานไฟฟ้า"), ("DSD-EL1-02", "การเดินสายไฟฟ้าภายในอาคาร"),
              ("DSD-EL1-03", "การติดตั้งเต้ารับ สวิตช์ และดวงโคม")],
     [("LPN-TECH", "20104-2005"), ("LPN-TECH", "20104-2001"), ("LPN1-EO01", "ง21204")]),
    ("dsd", "0721-01", 2, "ช่างไฟฟ้าภายในอาคาร", "Building electrician", "ช่างไฟฟ้า", "3", None,
     "7411", [("DSD-EL2-01", "การออกแบบและคำนวณวงจรไฟฟ้า"), ("DSD-EL2-02", "การตรวจสอบระบบไฟฟ้า")],
     [("LPN-TECH", "20104-2005")]),
    ("dsd", "0652-01", 1, "ช่างซ่อมเครื่องยนต์เล็ก", "Small engine mechanic", "ช่างยนต์", "2", None,
     "7233", [("DSD-SE1-01", "การบำรุงรักษาเครื่องยนต์เล็ก"), ("DSD-SE1-02", "การซ่อมระบบเชื้อเพลิง")],
     [("LPN-TECH", "20101-2002"), ("LPN1-EO01", "ง22203")]),
    ("dsd", "0912-01", 1, "ผู้ประกอบอาหารไทย", "Thai cook", "อาหารและโภชนาการ", "2", 5, "5120",
     [("DSD-TC1-01", "สุขาภิบาลอาหาร"), ("DSD-TC1-02", "การปรุงอาหารไทยพื้นฐาน")],
     [("LPN-LI", "20404-2001"), ("LPN1-EO01", "ง21203")]),
    ("tpqi", "AGR-LGN-3", 3, "เกษตรกรผู้ผลิตลำไยคุณภาพ", "Quality longan grower", "เกษตรกรรม",
     "3", 5, "6112",
     [("RUB-ZMEV-122A", "วางแผนการผลิตลำไยนอกฤดู"), ("RUB-ZMEV-123A", "จัดการทรงพุ่มและธาตุอาหาร")],
     [("LPN-AGRI", "20501-2101"), ("LPN-AGRI", "20501-2003"), ("LPN1-EO01", "ง21202")]),
    ("tpqi", "TXT-SLK-3", 3, "ช่างทอผ้าไหมยกดอก", "Silk brocade weaver", "หัตถกรรมสิ่งทอ", "3",
     None, "7318", [("TXT-WVE-301A", "เตรียมเส้นไหมและกี่ทอ"), ("TXT-WVE-302A", "ทอลายยกดอกลำพูน")],
     [("LPN-LI", "20401-2101"), ("LPN1-EO01", "ง21206")]),
    ("tpqi", "ICT-DGM-4", 4, "นักการตลาดดิจิทัล", "Digital marketer", "ธุรกิจดิจิทัล", "3", 3,
     "2431", [("ICT-DGM-401A", "วางแผนการตลาดออนไลน์"), ("ICT-DGM-402A", "วิเคราะห์ข้อมูลลูกค้า")],
     [("LPN-VOC", "20202-2001")]),
]  # fmt: skip

CENTRE = "LPN-DSD"
CENTRE_BRANCHES = ["ช่างไฟฟ้า", "ช่างยนต์", "อาหารและโภชนาการ", "เกษตรกรรม"]
EQUIPMENT = [
    ("ชุดฝึกติดตั้งไฟฟ้าภายในอาคาร (บอร์ดทดสอบ)", 6, "ช่างไฟฟ้า", "needed", "ชำรุด 4 ชุดจาก 10"),
    ("เครื่องวัดความต้านทานฉนวน (Megger)", 2, "ช่างไฟฟ้า", "requested", "ของเดิมไม่ผ่านการสอบเทียบ"),
    ("เครื่องยนต์เล็กแก๊สโซลีนสำหรับทดสอบ", 5, "ช่างยนต์", "needed", ""),
    ("เตาแก๊สหัวคู่พร้อมถังแก๊ส", 8, "อาหารและโภชนาการ", "received", "ได้รับจาก อบจ. ลำพูน"),
]
FINISHED_CANDIDATES = [
    (demo_citizen_id("351010056789"), "นาย", "สมศักดิ์", "ดวงดี"),
    (demo_citizen_id("351010067890"), "นางสาว", "จันทร์เพ็ญ", "น้ำใจดี"),
]


def _standards():
    made = {}
    for (
        body,
        code,
        level,
        name_th,
        name_en,
        branch,
        credits,
        years,
        isco,
        units,
        courses,
    ) in STANDARDS:
        linked = [
            course
            for institution, course_code in courses
            if (
                course := Course.objects.filter(
                    institution__code=institution, code=course_code
                ).first()
            )
        ]
        standard = centres.standard_save(
            actor=None, body=body, code=code, level=level, name_th=name_th, name_en=name_en,
            branch=branch, credits=credits, validity_years=years, courses=linked,
            description=f"มาตรฐาน{name_th} ระดับ {level} สำหรับผู้ประกอบอาชีพในสาขา{branch}",
            competency_units=[{"code": c, "title": t} for c, t in units],
        )  # fmt: skip
        if standard.isco_code != isco:
            standard.isco_code = isco
            standard.save(update_fields=["isco_code"])
        made[(code, level)] = standard
    return made


def _candidate(session, identifier, title, first, last):
    learner = Learner.objects.filter(identifier=identifier).first()
    if learner is None:
        return sessions.candidate_register(
            actor=None, session=session, identifier=identifier, first_name_th=first,
            last_name_th=last,
        )  # fmt: skip
    return sessions.candidate_register(actor=None, session=session, learner=learner)


def _session(centre, standard, starts_on, ends_on, capacity, venue):
    session = TestSession.objects.filter(centre=centre, standard=standard).first()
    if session is None:
        session = sessions.session_create(
            actor=None, centre=centre, standard=standard, starts_on=starts_on, ends_on=ends_on,
            capacity=capacity, venue=venue,
        )  # fmt: skip
    return session


@transaction.atomic
def load(stdout=None):
    centre = Institution.objects.get(code=CENTRE)
    officer = get_user_model().objects.get(username="testcentre")
    standards = _standards()
    for branch in CENTRE_BRANCHES:
        CentreBranch.objects.get_or_create(centre=centre, branch=branch)
    # A college accredited as a centre for its own branch.
    CentreBranch.objects.get_or_create(
        centre=Institution.objects.get(code="LPN-TECH"), branch="ช่างไฟฟ้า"
    )
    if not BranchRequest.objects.filter(centre=centre, branch="ช่างเชื่อม").exists():
        centres.branch_request_submit(
            actor=officer, centre=centre, branch="ช่างเชื่อม",
            reason="สถานประกอบการในนิคมอุตสาหกรรมภาคเหนือต้องการช่างเชื่อมที่ผ่านการรับรอง",
        )  # fmt: skip
    for item, quantity, branch, status, note in EQUIPMENT:
        if not EquipmentNeed.objects.filter(centre=centre, item=item).exists():
            centres.equipment_need_save(
                actor=officer, centre=centre, item=item, quantity=quantity, branch=branch,
                status=status, note=note,
            )  # fmt: skip

    electrician = standards[("0721-01", 1)]
    finished = _session(
        centre, electrician, dt.date(2024, 8, 17), dt.date(2024, 8, 18), 20,
        "ห้องปฏิบัติการไฟฟ้า สำนักงานพัฒนาฝีมือแรงงานลำพูน",
    )  # fmt: skip
    people = [
        (LEARNER_ID, "นางสาว", "กมลชนก", "ใฝ่เรียน"),
        *[(c[0], c[1], c[2], c[3]) for c in CLASSMATES],
        *FINISHED_CANDIDATES,
    ]
    scores = [86, 74, 91, 45, 68, 59]
    for (identifier, title, first, last), score in zip(people, scores, strict=True):
        candidate = _candidate(finished, identifier, title, first, last)
        sessions.result_record(
            actor=None, session=finished, learner=candidate.learner, passed=score >= 60,
            score=score,
        )  # fmt: skip
    if finished.registration_open:
        sessions.session_set_registration(actor=None, session=finished, open_=False)
    for result in finished.candidates.filter(result__passed=True).select_related("result"):
        # The learner's skill-test credits are already in the ledger (learners.demo).
        certificates.certificate_issue(
            actor=None, result=result.result, issued_on=dt.date(2024, 8, 23),
            post_credits=result.learner.identifier != LEARNER_ID,
        )  # fmt: skip
    revoked = Certificate.objects.filter(
        result__candidate__session=finished, learner__identifier=FINISHED_CANDIDATES[0][0]
    ).first()
    if revoked is not None and revoked.status == Certificate.Status.VALID:
        certificates.certificate_revoke(
            actor=None, certificate=revoked,
            reason="ตรวจพบภายหลังว่ามีผู้สอบแทนในการทดสอบภาคปฏิบัติ",
        )  # fmt: skip

    engines = standards[("0652-01", 1)]
    starts_on = timezone.localdate() + dt.timedelta(days=30)
    upcoming = _session(
        centre, engines, starts_on, starts_on + dt.timedelta(days=1), 15,
        "โรงฝึกงานช่างยนต์ วิทยาลัยเทคนิคลำพูน",
    )  # fmt: skip
    for identifier, title, first, last, *_english in CLASSMATES[:2]:
        _candidate(upcoming, identifier, title, first, last)
    if stdout is not None:
        stdout.write(
            f"  skills: {len(standards)} standards, sessions {finished.pk} (finished) and "
            f"{upcoming.pk} (open)"
        )
