"""Demo inspection round for Lamphun (idempotent): round 1 of fiscal year B.E. 2567 under the
policy "reducing the burden on learners and parents", focus point 2.4 (Skill Certificate).

The agencies and facts follow the seed report in ../shared/seed (who took part, what they did and
when: the committee appointment of 5 January 2567, the meetings of 6 and 8 March 2567, the course
collection from 20 extended-opportunity schools, the "Big Data" work of 31 March – 1 April 2567);
the sentences are our own. The secondary area office takes part but has not submitted, so the
report shows a part marked "not submitted". The round is collecting: ``area1`` can still write.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from institutions.models import Institution, Province

from .models import Activity, FocusPoint, InspectionPolicy, InspectionRound
from .services import activities as activity_services
from .services import contributions, rounds

FISCAL_YEAR = 2567
ROUND = 1
AGENCIES = ["LPN-PEO", "LPN-PESA1", "LPN-PESA2", "LPN-SESA", "LPN-NFE", "LPN-VEC"]
SESA = "LPG-LPN-SESA"

PARA, ITEM = "paragraph", "item"

# agency code → [(start, end, title, place, partners)]; ``key`` names the ones sections cite.
ACTIVITIES = {
    "LPN-PESA1": [
        (
            "survey",
            dt.date(2024, 2, 12),
            dt.date(2024, 2, 23),
            "สำรวจรายวิชาอาชีพที่โรงเรียนในสังกัดเปิดสอน และส่งผลให้สำนักงานศึกษาธิการจังหวัด",
            "โรงเรียนในสังกัด สพป.ลำพูน เขต 1",
            "สำนักงานศึกษาธิการจังหวัดลำพูน",
        ),
        (
            "heads",
            dt.date(2024, 3, 6),
            None,
            "ชี้แจงแนวทางธนาคารหน่วยกิตแก่ผู้บริหารสถานศึกษา ในการประชุมผู้บริหารสถานศึกษา ครั้งที่ 1/2567",
            "สพป.ลำพูน เขต 1",
            "",
        ),
        (
            "analysis",
            dt.date(2024, 3, 8),
            None,
            "ประชุมวิเคราะห์รายวิชาเพื่อนำเข้าระบบต้นแบบธนาคารหน่วยกิตแห่งชาติ",
            "โรงแรมในอำเภอเมืองลำพูน",
            "สำนักงานศึกษาธิการจังหวัดลำพูน และมหาวิทยาลัยเทคโนโลยีราชมงคลธัญบุรี",
        ),
        (
            "bigdata",
            dt.date(2024, 3, 31),
            dt.date(2024, 4, 1),
            "จัดทำฐานข้อมูลกลาง (Big Data) ของศูนย์ธนาคารหน่วยกิตจังหวัดและเทียบรายวิชาแต่ละระดับเข้าสู่ระบบ",
            "สำนักงานศึกษาธิการจังหวัดลำพูน",
            "คณะทำงานศูนย์ธนาคารหน่วยกิตจังหวัดลำพูน",
        ),
        (
            None,
            dt.date(2024, 5, 20),
            None,
            "อบรมนายทะเบียนโรงเรียนขยายโอกาสเรื่องการส่งรายวิชาด้วยไฟล์ Excel",
            "ห้องประชุม สพป.ลำพูน เขต 1",
            "ศูนย์ธนาคารหน่วยกิตจังหวัดลำพูน",
        ),
        (
            None,
            dt.date(2024, 6, 14),
            None,
            "ติดตามการส่งรายวิชาของโรงเรียนที่ยังไม่ครบ",
            "โรงเรียนขยายโอกาสในสังกัด",
            "",
        ),
    ],
    "LPN-PESA2": [
        (
            "survey2",
            dt.date(2023, 11, 1),
            dt.date(2023, 11, 30),
            "สำรวจการจัดการเรียนการสอนรายวิชาอาชีพของสถานศึกษาในสังกัด",
            "",
            "",
        ),
        (
            "committee",
            dt.date(2024, 1, 5),
            None,
            "ได้รับแต่งตั้งเป็นคณะกรรมการส่งเสริมการดำเนินงานศูนย์ธนาคารหน่วยกิตระดับจังหวัด จังหวัดลำพูน",
            "",
            "สำนักงานศึกษาธิการจังหวัดลำพูน",
        ),
        (
            "analysis2",
            dt.date(2024, 3, 8),
            None,
            "ร่วมวิเคราะห์เนื้อหารายวิชาสำหรับระบบต้นแบบธนาคารหน่วยกิตแห่งชาติ",
            "โรงแรมในอำเภอเมืองลำพูน",
            "สพป.ลำพูน เขต 1 สพม.ลำปาง ลำพูน และสำนักงานอาชีวศึกษาจังหวัดลำพูน",
        ),
        (
            "search",
            dt.date(2024, 3, 1),
            dt.date(2024, 3, 31),
            "ค้นหารายวิชาของสถานศึกษาในสังกัดที่เทียบเคียงหรือสะสมหน่วยกิตในธนาคารหน่วยกิตแห่งชาติได้",
            "",
            "",
        ),
    ],
}

# agency code → section → [(kind, text or activity key)]
PARTS = {
    "LPN-PEO": {
        "1": [
            (
                PARA,
                "สำนักงานเลขาธิการสภาการศึกษา (สกศ.) เลือกจังหวัดลำพูนเป็นจังหวัดนำร่องของศูนย์ธนาคาร"
                "หน่วยกิตระดับจังหวัด เพื่อเป็นต้นแบบที่จะขยายไปทุกจังหวัด งานของศูนย์ฯ อาศัยความร่วมมือ"
                "ของหน่วยงานการศึกษาทุกสังกัดในจังหวัด",
            ),
            (
                PARA,
                "สำนักงานศึกษาธิการจังหวัดลำพูนขับเคลื่อนงานผ่านคณะกรรมการส่งเสริมการดำเนินงานศูนย์ธนาคาร"
                "หน่วยกิตระดับจังหวัด ขณะนี้อยู่ในขั้นสร้างการรับรู้ รวบรวมรายวิชาและหลักสูตรจากหน่วยงาน"
                "การศึกษาในจังหวัด และเชื่อมโยงเทียบรายวิชาระหว่างสถานศึกษา ตามแนวทางของสภาการศึกษา",
            ),
        ],
    },
    "LPN-PESA1": {
        "2.1": [
            (PARA, "สพป.ลำพูน เขต 1 ส่งเสริมระบบธนาคารหน่วยกิตร่วมกับสำนักงานศึกษาธิการจังหวัดลำพูน ดังนี้"),
            (ITEM, "@survey"),
            (ITEM, "@heads"),
            (ITEM, "@analysis"),
            (
                ITEM,
                "เก็บข้อมูลรายวิชาของหลักสูตรทุกระดับจากโรงเรียนขยายโอกาสทางการศึกษาที่เป็นกลุ่มเป้าหมาย "
                "20 โรงเรียน",
            ),
            (ITEM, "@bigdata"),
        ],
    },
    "LPN-PESA2": {
        "2.1": [
            (ITEM, "ชี้แจงเรื่องการเทียบโอนผลการเรียนให้สถานศึกษาในสังกัดเข้าใจและนำไปปฏิบัติ"),
            (ITEM, "ให้คำปรึกษาและเอกสารประกอบการเทียบโอนผลการเรียนแก่สถานศึกษาในสังกัด"),
            (ITEM, "@survey2"),
            (ITEM, "@committee"),
            (ITEM, "@analysis2"),
            (ITEM, "@search"),
        ],
    },
    "LPN-NFE": {
        "2.1": [
            (
                PARA,
                "สำนักงานส่งเสริมการเรียนรู้ประจำจังหวัดลำพูนร่วมขับเคลื่อนศูนย์ธนาคารหน่วยกิตจังหวัด"
                "ผ่านคณะกรรมการส่งเสริมฯ โดยสร้างความเข้าใจแก่ศูนย์ส่งเสริมการเรียนรู้ระดับอำเภอทั้ง 8 แห่ง "
                "และส่งรายวิชาการศึกษานอกระบบเข้าสู่การรวบรวมของจังหวัด",
            ),
        ],
    },
    "LPN-VEC": {
        "2.1": [(ITEM, "จัดทดสอบมาตรฐานฝีมือแรงงานให้ผู้เรียนก่อนสำเร็จการศึกษา")],
        "2.2": [(ITEM, "เปิดการทดสอบให้ผู้เรียนและผู้สนใจทั่วไป โดยไม่ต้องมีวุฒิการศึกษามาก่อน")],
        "2.3": [
            (ITEM, "ขอเพิ่มสาขาอาชีพในฐานะศูนย์ทดสอบมาตรฐานฝีมือแรงงาน"),
            (ITEM, "ขอเพิ่มสาขาอาชีพในฐานะศูนย์ทดสอบมาตรฐานคุณวุฒิวิชาชีพ"),
        ],
        "3": [(PARA, "ครุภัณฑ์สำหรับการทดสอบยังไม่เพียงพอ")],
        "4": [(PARA, "ขอให้หน่วยงานระดับจังหวัดช่วยสนับสนุนครุภัณฑ์การทดสอบ")],
        "5": [(PARA, "-")],
    },
}


def ensure_form_2567() -> None:
    """The 2567 form's rows, as its data migration writes them (a test database that was
    flushed between tests no longer has them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("reports.migrations.0002_form_2567").load(apps, None)


def _agency(code: str) -> Institution:
    return Institution.objects.get(code=SESA if code == "LPN-SESA" else code)


@transaction.atomic
def load(stdout=None):
    _load_round()
    load_dashboard()


def _load_round():
    lamphun = Province.objects.get(slug="lamphun")
    if InspectionRound.objects.filter(
        province=lamphun, fiscal_year=FISCAL_YEAR, number=ROUND
    ).exists():
        return
    centre_user = get_user_model().objects.filter(username="centre").first()
    logged = {}
    for code, entries in ACTIVITIES.items():
        institution = _agency(code)
        for key, start, end, title, place, partners in entries:
            activity = Activity.objects.filter(
                institution=institution, start_date=start, title=title
            ).first() or activity_services.activity_create(
                actor=None,
                institution=institution,
                start_date=start,
                end_date=end,
                title=title,
                place=place,
                partners=partners,
            )
            if key:
                logged[key] = activity

    ensure_form_2567()
    policy = InspectionPolicy.objects.get(code="reduce-burden")
    round_ = rounds.round_create(
        actor=None,
        filing_office=Institution.objects.get(code="LPN-PEO"),
        fiscal_year=FISCAL_YEAR,
        number=ROUND,
        policy=policy,
        focus_point=FocusPoint.objects.get(policy=policy, number="2.4"),
        agencies=[_agency(code) for code in AGENCIES],
        deadline=dt.date(2024, 4, 30),
    )
    round_.created_by = centre_user
    round_.save(update_fields=["created_by"])
    by_code = {c.institution.code: c for c in round_.contributions.select_related("institution")}
    for code, sections in PARTS.items():
        contribution = by_code[_agency(code).code]
        for section, blocks in sections.items():
            rows = []
            for kind, text in blocks:
                if text.startswith("@"):
                    activity = logged[text[1:]]
                    rows.append(
                        {
                            "kind": kind,
                            "text": contributions.activity_item_text(activity),
                            "activity": activity.pk,
                        }
                    )
                else:
                    rows.append({"kind": kind, "text": text, "activity": None})
            contribution = contributions.section_save(
                actor=None, contribution=contribution, section=section, blocks=rows
            )
        contributions.contribution_submit(actor=None, contribution=contribution)
    rounds.round_set_state(actor=None, round_=round_, state=InspectionRound.State.COLLECTING)


def load_dashboard(stdout=None):
    """Summaries of the demo province, so the dashboard has numbers at once."""
    from .dashboard.services import summaries_refresh

    summaries_refresh(province=Province.objects.get(slug="lamphun"))
