"""The Ministry's 2567 inspection form: policy "reducing the burden on learners and parents",
focus point 2.4 (Skill Certificate) and its three sub-points. Data, not code: next year's form is
another migration or admin entry."""

from django.db import migrations

POLICY = {
    "code": "reduce-burden",
    "title_th": "การลดภาระนักเรียนและผู้ปกครอง",
    "title_en": "Reducing the burden on learners and parents",
}
FOCUS_POINT = {
    "number": "2.4",
    "title_th": (
        "การจัดทำระบบวัดผลรองรับมาตรฐานวิชาชีพ (Skill Certificate) "
        "ผู้เรียนสามารถเรียนเพิ่มเพื่อรับประกาศนียบัตรในการประกอบอาชีพ"
    ),
    "title_en": (
        "A measurement system supporting occupational standards (Skill Certificate): learners "
        "can study further to obtain certificates for an occupation"
    ),
}
SUB_POINTS = [
    (
        "2.1",
        "การวางระบบการรับรองมาตรฐานวิชาชีพ โดยมีการดำเนินการในลักษณะหรือรูปแบบการเทียบโอนด้วย"
        "ระบบหน่วยกิตสะสม (Credit Bank) การเชื่อมโยงมาตรฐานวิชาชีพตามกรอบคุณวุฒิแห่งชาติ ฯลฯ "
        "ของหน่วยงานหรือสถานศึกษาในสังกัดกระทรวงศึกษาธิการ",
        "Setting up occupational-standard certification: credit transfer through accumulated "
        "credits (Credit Bank), linking occupational standards to the National Qualifications "
        "Framework, by the Ministry's agencies and institutions",
    ),
    (
        "2.2",
        "การกำหนดกลไกการวัดผลการรับรองมาตรฐานวิชาชีพ รองรับผู้เรียนสายอาชีวศึกษา ยังไม่สำเร็จการศึกษา",
        "A mechanism to assess occupational standards for vocational learners who have not yet "
        "graduated",
    ),
    (
        "2.3",
        "แนวทางการพัฒนาระบบการวัดผลทักษะและสมรรถนะวิชาชีพของผู้เรียน สายอาชีวศึกษา",
        "Developing the measurement of vocational learners' occupational skills and competencies",
    ),
]


def load(apps, schema_editor):
    InspectionPolicy = apps.get_model("reports", "InspectionPolicy")
    FocusPoint = apps.get_model("reports", "FocusPoint")
    FocusSubPoint = apps.get_model("reports", "FocusSubPoint")
    policy, _ = InspectionPolicy.objects.update_or_create(
        code=POLICY["code"], defaults={k: v for k, v in POLICY.items() if k != "code"}
    )
    focus, _ = FocusPoint.objects.update_or_create(
        policy=policy,
        number=FOCUS_POINT["number"],
        defaults={k: v for k, v in FOCUS_POINT.items() if k != "number"},
    )
    for order, (number, title_th, title_en) in enumerate(SUB_POINTS, start=1):
        FocusSubPoint.objects.update_or_create(
            focus_point=focus,
            number=number,
            defaults={"order": order, "title_th": title_th, "title_en": title_en},
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
