"""Demo course lists: occupational courses of the extended-opportunity schools, ปวช. courses of
the vocational colleges, a few NFE courses. Two schools have not sent their list yet and six
lists wait for the area office's approval. Idempotent (looked up by the natural key)."""

from decimal import Decimal

from django.db import transaction

from institutions.models import Institution

from .models import Course, Curriculum

YEAR = 2567

# code suffix, Thai name, English name, credits, description, outcomes, field
SCHOOL_COURSES = [
    ("ง21201", "การปลูกลำไย", "Longan growing", "1.0", "การเตรียมดิน การปลูก การให้น้ำ และการดูแลต้นลำไย", "ปลูกและดูแลต้นลำไยได้ถูกวิธี", "เกษตรกรรม"),
    ("ง21202", "การผลิตลำไยนอกฤดู", "Off-season longan production", "1.0", "การใช้สารโพแทสเซียมคลอเรตและการจัดการทรงพุ่ม", "วางแผนการผลิตลำไยนอกฤดูได้", "เกษตรกรรม"),
    ("ง21203", "การทำอาหารไทยพื้นบ้านล้านนา", "Northern Thai home cooking", "1.0", "อาหารพื้นบ้านล้านนา เช่น แกงฮังเล น้ำพริกหนุ่ม", "ปรุงอาหารพื้นบ้านได้ถูกสุขลักษณะ", "อาหารและโภชนาการ"),
    ("ง21204", "งานไฟฟ้าในบ้าน", "Household electrical work", "1.0", "วงจรไฟฟ้าในบ้าน การเดินสายไฟ การต่อเต้ารับและสวิตช์อย่างปลอดภัย", "ติดตั้งและซ่อมบำรุงวงจรไฟฟ้าในบ้านได้", "ไฟฟ้า"),
    ("ง21205", "คอมพิวเตอร์เบื้องต้น", "Introduction to computers", "1.0", "ส่วนประกอบของคอมพิวเตอร์ การใช้งานโปรแกรมสำนักงาน", "ใช้โปรแกรมประมวลผลคำและตารางคำนวณได้", "คอมพิวเตอร์"),
    ("ง21206", "การทอผ้าไหมยกดอก", "Silk brocade weaving", "1.0", "ลวดลายผ้าไหมยกดอกลำพูน การเตรียมเส้นไหม และการทอ", "ทอผ้าไหมยกดอกลายพื้นฐานได้", "หัตถกรรม"),
    ("ง22201", "การแปรรูปลำไยอบแห้ง", "Dried longan processing", "1.0", "การคัดเลือก การอบแห้ง และการบรรจุลำไย", "แปรรูปและบรรจุลำไยอบแห้งได้ตามมาตรฐาน", "อุตสาหกรรมเกษตร"),
    ("ง22202", "ขนมไทย", "Thai desserts", "1.0", "ขนมไทยพื้นบ้าน เช่น ขนมเทียน ข้าวต้มมัด", "ทำขนมไทยพื้นบ้านเพื่อจำหน่ายได้", "อาหารและโภชนาการ"),
    ("ง22203", "ช่างซ่อมเครื่องยนต์เล็ก", "Small engine repair", "1.5", "เครื่องยนต์เล็กแก๊สโซลีนและดีเซล การบำรุงรักษา", "ซ่อมบำรุงเครื่องยนต์เล็กได้", "ช่างยนต์"),
    ("ง22204", "การตัดเย็บเสื้อผ้า", "Dressmaking", "1.0", "การวัดตัว การสร้างแบบ และการตัดเย็บ", "ตัดเย็บเสื้อผ้าแบบง่ายได้", "คหกรรม"),
    ("ง23201", "เกษตรอินทรีย์", "Organic farming", "1.0", "การทำปุ๋ยหมักและการปลูกผักอินทรีย์", "ผลิตผักอินทรีย์ได้", "เกษตรกรรม"),
    ("ง23202", "ธุรกิจออนไลน์", "Online business", "1.0", "การขายสินค้าชุมชนผ่านสื่อออนไลน์", "จัดทำร้านค้าออนไลน์อย่างง่ายได้", "ธุรกิจ"),
    ("ง23203", "การเลี้ยงไก่พื้นเมือง", "Native chicken raising", "1.0", "โรงเรือน อาหาร และการป้องกันโรคไก่", "เลี้ยงไก่พื้นเมืองได้", "เกษตรกรรม"),
]  # fmt: skip

VOCATIONAL_COURSES = {
    "LPN-TECH": [
        ("20104-2001", "เขียนแบบไฟฟ้า", "Electrical drawing", "2", "ไฟฟ้ากำลัง"),
        ("20104-2005", "การติดตั้งไฟฟ้าในอาคาร", "Building electrical installation", "3", "ไฟฟ้ากำลัง"),
        ("20105-2002", "งานไฟฟ้าและอิเล็กทรอนิกส์เบื้องต้น", "Basic electrical and electronic work", "2", "อิเล็กทรอนิกส์"),
        ("20101-2002", "งานเครื่องยนต์เล็ก", "Small engines", "2", "ช่างยนต์"),
        ("20901-2001", "คอมพิวเตอร์และสารสนเทศเพื่องานอาชีพ", "Computers and information for work", "2", "เทคโนโลยีสารสนเทศ"),
    ],
    "LPN-AGRI": [
        ("20501-2003", "การผลิตไม้ผล", "Fruit tree production", "3", "พืชศาสตร์"),
        ("20501-2101", "การผลิตลำไยเพื่อการค้า", "Commercial longan production", "2", "พืชศาสตร์"),
        ("20503-2001", "การผลิตสัตว์ปีก", "Poultry production", "2", "สัตวศาสตร์"),
        ("20501-2201", "เกษตรอินทรีย์เพื่อการค้า", "Commercial organic farming", "2", "พืชศาสตร์"),
        ("20402-2002", "การแปรรูปผลไม้", "Fruit processing", "2", "อุตสาหกรรมเกษตร"),
    ],
    "LPN-LI": [
        ("20404-2001", "อาหารไทย", "Thai cuisine", "3", "อาหารและโภชนาการ"),
        ("20404-2003", "ขนมไทยเพื่อการค้า", "Thai desserts for business", "2", "อาหารและโภชนาการ"),
        ("20401-2001", "การตัดเย็บเสื้อผ้าเบื้องต้น", "Basic garment making", "2", "แฟชั่นและสิ่งทอ"),
        ("20401-2101", "การทอผ้าพื้นเมือง", "Traditional weaving", "2", "แฟชั่นและสิ่งทอ"),
    ],
    "LPN-VOC": [
        ("20202-2001", "การขายออนไลน์", "Online selling", "2", "การตลาด"),
        ("20201-2001", "การบัญชีเบื้องต้น", "Introductory accounting", "3", "การบัญชี"),
        ("20204-2001", "คอมพิวเตอร์เบื้องต้นและการประยุกต์ใช้", "Computer basics and applications", "2", "คอมพิวเตอร์ธุรกิจ"),
    ],
}  # fmt: skip

NFE_COURSES = [
    ("LPN-NFE-01", "สค12025", "การพัฒนาอาชีพการปลูกลำไย", "Longan growing for a living", "2", 80),
    ("LPN-NFE-01", "อช21001", "ช่องทางการพัฒนาอาชีพ", "Pathways to an occupation", "1", 40),
    ("LPN-NFE-03", "อช21003", "การทอผ้าไหมยกดอกเพื่อจำหน่าย", "Silk brocade weaving for sale", "2", 80),
]  # fmt: skip

NOT_SUBMITTED = {"LPN1-EO19", "LPN1-EO20"}
AWAITING_APPROVAL = {f"LPN1-EO{n:02d}" for n in range(13, 19)}


def _course(institution, code, status, **values):
    course = Course.objects.filter(institution=institution, code=code, academic_year=YEAR).first()
    if course:
        return course
    return Course.objects.create(
        institution=institution, code=code, academic_year=YEAR, status=status, **values
    )


@transaction.atomic
def load(stdout=None):
    schools = Institution.objects.filter(code__startswith="LPN1-EO").order_by("code")
    for index, school in enumerate(schools):
        if school.code in NOT_SUBMITTED:
            continue
        status = (
            Course.Status.SUBMITTED if school.code in AWAITING_APPROVAL else Course.Status.APPROVED
        )
        chosen = [SCHOOL_COURSES[(index + k) % len(SCHOOL_COURSES)] for k in range(5)]
        for code, name_th, name_en, credits, description, outcomes, field in chosen:
            _course(
                school, code, status, name_th=name_th, name_en=name_en, credits=Decimal(credits),
                hours=int(Decimal(credits) * 40), level="lower_secondary", nqf_level=1,
                subject_group="ง", course_type="additional", occupational_field=field,
                description=description, learning_outcomes=outcomes,
            )  # fmt: skip
    for college_code, courses in VOCATIONAL_COURSES.items():
        college = Institution.objects.get(code=college_code)
        curriculum, _created = Curriculum.objects.get_or_create(
            institution=college,
            name="หลักสูตรประกาศนียบัตรวิชาชีพ พุทธศักราช 2562",
            academic_year=YEAR,
            defaults={"level": "voc_cert", "total_credits": Decimal("103")},
        )
        for code, name_th, name_en, credits, field in courses:
            _course(
                college, code, Course.Status.APPROVED, curriculum=curriculum, name_th=name_th,
                name_en=name_en, credits=Decimal(credits), hours=int(Decimal(credits) * 36),
                level="voc_cert", nqf_level=3, subject_group="voc", course_type="basic",
                occupational_field=field, description=f"ศึกษาและปฏิบัติเกี่ยวกับ{name_th}",
                learning_outcomes=f"ปฏิบัติงาน{name_th}ได้ตามมาตรฐานอาชีพ",
            )  # fmt: skip
    for centre_code, code, name_th, name_en, credits, hours in NFE_COURSES:
        _course(
            Institution.objects.get(code=centre_code), code, Course.Status.APPROVED,
            name_th=name_th, name_en=name_en, credits=Decimal(credits), hours=hours,
            level="non_formal", nqf_level=1, subject_group="ง", occupational_field="อาชีพ",
            description=f"หลักสูตรการศึกษานอกระบบ {name_th}",
        )  # fmt: skip
