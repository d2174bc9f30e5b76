"""Lamphun demo: the agencies and schools of the seed inspection report, plus Chiang Mai.

Loaded by ``manage.py seed_demo`` (never in production). Idempotent: rows are looked up by
their natural key and left alone when they exist.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import Institution, Membership, Province

Kind = Institution.Kind
Aff = Institution.Affiliation
Role = Membership.Role

DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo password, demo only

# (code, ministry code, Thai name, English name, district)
EXTENDED_OPPORTUNITY_SCHOOLS = [
    ("LPN1-EO01", "1051100101", "โรงเรียนบ้านหนองช้างคืน", "Ban Nong Chang Khuen School", "เมืองลำพูน"),
    ("LPN1-EO02", "1051100102", "โรงเรียนบ้านศรีเตี้ย", "Ban Si Tia School", "บ้านโฮ่ง"),
    ("LPN1-EO03", "1051100103", "โรงเรียนบ้านป่าเห็ว", "Ban Pa Hew School", "เมืองลำพูน"),
    ("LPN1-EO04", "1051100104", "โรงเรียนบ้านหนองเงือก", "Ban Nong Ngueak School", "ป่าซาง"),
    ("LPN1-EO05", "1051100105", "โรงเรียนวัดพระบาท", "Wat Phra Bat School", "ป่าซาง"),
    ("LPN1-EO06", "1051100106", "โรงเรียนบ้านธิ(ธิวิทยา)", "Ban Thi (Thi Witthaya) School", "บ้านธิ"),
    ("LPN1-EO07", "1051100107", "โรงเรียนบ้านห้วยไซ", "Ban Huai Sai School", "บ้านธิ"),
    ("LPN1-EO08", "1051100108", "โรงเรียนบ้านหนองล่อง", "Ban Nong Long School", "เวียงหนองล่อง"),
    ("LPN1-EO09", "1051100109", "โรงเรียนบ้านวังผาง", "Ban Wang Phang School", "เวียงหนองล่อง"),
    ("LPN1-EO10", "1051100110", "โรงเรียนบ้านทาป่าเปา", "Ban Tha Pa Pao School", "แม่ทา"),
    ("LPN1-EO11", "1051100111", "โรงเรียนบ้านทาดอยแช่", "Ban Tha Doi Chae School", "แม่ทา"),
    ("LPN1-EO12", "1051100112", "โรงเรียนบ้านเหมืองง่า", "Ban Mueang Nga School", "เมืองลำพูน"),
    ("LPN1-EO13", "1051100113", "โรงเรียนบ้านสันป่าฝ้าย", "Ban San Pa Fai School", "เมืองลำพูน"),
    ("LPN1-EO14", "1051100114", "โรงเรียนบ้านมะกอก", "Ban Makok School", "ป่าซาง"),
    ("LPN1-EO15", "1051100115", "โรงเรียนบ้านแม่สารบ้านตอง", "Ban Mae San Ban Tong School", "ป่าซาง"),
    ("LPN1-EO16", "1051100116", "โรงเรียนบ้านหนองปลาสะวาย", "Ban Nong Pla Sawai School", "บ้านโฮ่ง"),
    ("LPN1-EO17", "1051100117", "โรงเรียนบ้านเหล่ายาว", "Ban Lao Yao School", "บ้านโฮ่ง"),
    ("LPN1-EO18", "1051100118", "โรงเรียนบ้านแม่ลอง", "Ban Mae Long School", "ลี้"),
    ("LPN1-EO19", "1051100119", "โรงเรียนบ้านปวงคำ", "Ban Puang Kham School", "ลี้"),
    ("LPN1-EO20", "1051100120", "โรงเรียนบ้านทุ่งหัวช้าง", "Ban Thung Hua Chang School", "ทุ่งหัวช้าง"),
]

LAMPHUN_DISTRICTS = [
    ("เมืองลำพูน", "Mueang Lamphun"),
    ("แม่ทา", "Mae Tha"),
    ("บ้านโฮ่ง", "Ban Hong"),
    ("ลี้", "Li"),
    ("ทุ่งหัวช้าง", "Thung Hua Chang"),
    ("ป่าซาง", "Pa Sang"),
    ("บ้านธิ", "Ban Thi"),
    ("เวียงหนองล่อง", "Wiang Nong Long"),
]

VOCATIONAL_COLLEGES = [
    ("LPN-TECH", "1351100001", "วิทยาลัยเทคนิคลำพูน", "Lamphun Technical College", "เมืองลำพูน"),
    (
        "LPN-AGRI",
        "1351100002",
        "วิทยาลัยเกษตรและเทคโนโลยีลำพูน",
        "Lamphun College of Agriculture and Technology",
        "เมืองลำพูน",
    ),
    (
        "LPN-LI",
        "1351100003",
        "วิทยาลัยการอาชีพลี้",
        "Li Industrial and Community Education College",
        "ลี้",
    ),
    ("LPN-VOC", "1351100004", "วิทยาลัยอาชีวศึกษาลำพูน", "Lamphun Vocational College", "เมืองลำพูน"),
]

# username, first name, last name, (institution code, role) or None for a learner
DEMO_ACCOUNTS = [
    ("national", "ผู้ดูแลระบบ", "ระดับชาติ", ("OEC", Role.NATIONAL_ADMIN)),
    ("centre", "สมศรี", "ศูนย์ธนาคารหน่วยกิต", ("LPN-PEO", Role.CENTRE_STAFF)),
    ("area1", "ประเสริฐ", "เขตหนึ่ง", ("LPN-PESA1", Role.INSTITUTION_ADMIN)),
    ("school", "มาลี", "ขยายโอกาส", ("LPN1-EO01", Role.INSTITUTION_ADMIN)),
    ("college", "วิชัย", "ทะเบียน", ("LPN-TECH", Role.REGISTRAR)),
    ("committee", "อรุณี", "กรรมการเทียบโอน", ("LPN-PEO", Role.COMMITTEE_REVIEWER)),
    ("committee2", "บุญมี", "กรรมการเทียบโอน", ("LPN-PEO", Role.COMMITTEE_REVIEWER)),
    ("testcentre", "สุริยา", "ศูนย์ทดสอบ", ("LPN-DSD", Role.TEST_OFFICER)),
    ("learner", "กมลชนก", "ใฝ่เรียน", None),
    ("chiangmai", "ดวงใจ", "เชียงใหม่", ("CMI-PEO", Role.CENTRE_STAFF)),
]


def _institution(code, **fields):
    existing = Institution.objects.filter(code=code).first()
    if existing:
        return existing
    return services.institution_create(actor=None, code=code, **fields)


@transaction.atomic
def load(stdout=None):
    services.provinces_load()
    lamphun = Province.objects.get(slug="lamphun")
    chiang_mai = Province.objects.get(slug="chiang-mai")
    Province.objects.filter(pk__in=[lamphun.pk, chiang_mai.pk]).update(centre_active=True)

    _institution(
        "OEC",
        name_th="สำนักงานเลขาธิการสภาการศึกษา",
        name_en="Office of the Education Council",
        kind=Kind.NATIONAL_OFFICE,
        affiliation=Aff.OEC,
    )
    peo = _institution(
        "LPN-PEO",
        name_th="สำนักงานศึกษาธิการจังหวัดลำพูน",
        name_en="Lamphun Provincial Education Office",
        kind=Kind.PROVINCIAL_OFFICE,
        affiliation=Aff.MOE,
        province=lamphun,
        district="เมืองลำพูน",
    )
    area1 = _institution(
        "LPN-PESA1",
        name_th="สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำพูน เขต 1",
        name_en="Lamphun Primary Educational Service Area Office 1",
        kind=Kind.AREA_OFFICE_PRIMARY,
        affiliation=Aff.OBEC,
        province=lamphun,
        district="เมืองลำพูน",
    )
    area2 = _institution(
        "LPN-PESA2",
        name_th="สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำพูน เขต 2",
        name_en="Lamphun Primary Educational Service Area Office 2",
        kind=Kind.AREA_OFFICE_PRIMARY,
        affiliation=Aff.OBEC,
        province=lamphun,
        district="ลี้",
    )
    sesa = _institution(
        "LPG-LPN-SESA",
        name_th="สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาลำปาง ลำพูน",
        name_en="Lampang–Lamphun Secondary Educational Service Area Office",
        kind=Kind.AREA_OFFICE_SECONDARY,
        affiliation=Aff.OBEC,
        province=lamphun,
        district="เมืองลำพูน",
    )
    nfe = _institution(
        "LPN-NFE",
        name_th="สำนักงานส่งเสริมการเรียนรู้ประจำจังหวัดลำพูน",
        name_en="Lamphun Provincial Learning Promotion Office (NFE)",
        kind=Kind.NFE_OFFICE,
        affiliation=Aff.NFE,
        province=lamphun,
        district="เมืองลำพูน",
    )
    for index, (district_th, district_en) in enumerate(LAMPHUN_DISTRICTS, start=1):
        _institution(
            f"LPN-NFE-{index:02d}",
            ministry_code=f"12511000{index:02d}",
            name_th=f"ศูนย์ส่งเสริมการเรียนรู้ระดับอำเภอ{district_th}",
            name_en=f"{district_en} District Learning Promotion Centre",
            kind=Kind.NFE_CENTRE,
            affiliation=Aff.NFE,
            province=lamphun,
            parent=nfe,
            district=district_th,
        )
    vec = _institution(
        "LPN-VEC",
        name_th="สำนักงานอาชีวศึกษาจังหวัดลำพูน",
        name_en="Lamphun Provincial Vocational Education Office",
        kind=Kind.VOCATIONAL_OFFICE,
        affiliation=Aff.OVEC,
        province=lamphun,
        district="เมืองลำพูน",
    )
    for code, ministry_code, name_th, name_en, district in VOCATIONAL_COLLEGES:
        _institution(
            code,
            ministry_code=ministry_code,
            name_th=name_th,
            name_en=name_en,
            kind=Kind.VOCATIONAL_COLLEGE,
            affiliation=Aff.OVEC,
            province=lamphun,
            parent=vec,
            district=district,
        )
    _institution(
        "RMUTT",
        name_th="มหาวิทยาลัยเทคโนโลยีราชมงคลธัญบุรี (มหาวิทยาลัยพันธมิตร)",
        name_en="Rajamangala University of Technology Thanyaburi (partner university)",
        kind=Kind.UNIVERSITY,
        affiliation=Aff.HIGHER,
        province=lamphun,
    )
    _institution(
        "LPN-DSD",
        name_th="สำนักงานพัฒนาฝีมือแรงงานลำพูน (ศูนย์ทดสอบมาตรฐานฝีมือแรงงาน)",
        name_en="Lamphun Skill Development Office (labour skill test centre)",
        kind=Kind.TEST_CENTRE,
        affiliation=Aff.DSD,
        province=lamphun,
        district="เมืองลำพูน",
    )
    for code, ministry_code, name_th, name_en, district in EXTENDED_OPPORTUNITY_SCHOOLS:
        _institution(
            code,
            ministry_code=ministry_code,
            name_th=name_th,
            name_en=name_en,
            kind=Kind.SCHOOL,
            affiliation=Aff.OBEC,
            province=lamphun,
            parent=area1,
            district=district,
            extended_opportunity=True,
        )
    _institution(
        "LPN2-S01",
        ministry_code="1051200201",
        name_th="โรงเรียนบ้านแม่ตืน",
        name_en="Ban Mae Tuen School",
        kind=Kind.SCHOOL,
        affiliation=Aff.OBEC,
        province=lamphun,
        parent=area2,
        district="ลี้",
    )
    _institution(
        "LPN-SEC01",
        ministry_code="1051300301",
        name_th="โรงเรียนจักรคำคณาทร จังหวัดลำพูน",
        name_en="Chakkham Khanathon School",
        kind=Kind.SCHOOL,
        affiliation=Aff.OBEC,
        province=lamphun,
        parent=sesa,
        district="เมืองลำพูน",
    )

    cm_peo = _institution(
        "CMI-PEO",
        name_th="สำนักงานศึกษาธิการจังหวัดเชียงใหม่",
        name_en="Chiang Mai Provincial Education Office",
        kind=Kind.PROVINCIAL_OFFICE,
        affiliation=Aff.MOE,
        province=chiang_mai,
        district="เมืองเชียงใหม่",
    )
    cm_area = _institution(
        "CMI-PESA1",
        name_th="สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1",
        name_en="Chiang Mai Primary Educational Service Area Office 1",
        kind=Kind.AREA_OFFICE_PRIMARY,
        affiliation=Aff.OBEC,
        province=chiang_mai,
        district="เมืองเชียงใหม่",
    )
    _institution(
        "CMI1-S01",
        ministry_code="1050100101",
        name_th="โรงเรียนบ้านสันป่าสัก",
        name_en="Ban San Pa Sak School",
        kind=Kind.SCHOOL,
        affiliation=Aff.OBEC,
        province=chiang_mai,
        parent=cm_area,
        district="สารภี",
        extended_opportunity=True,
    )
    _institution(
        "CMI-TECH",
        ministry_code="1350100001",
        name_th="วิทยาลัยเทคนิคเชียงใหม่",
        name_en="Chiang Mai Technical College",
        kind=Kind.VOCATIONAL_COLLEGE,
        affiliation=Aff.OVEC,
        province=chiang_mai,
        district="เมืองเชียงใหม่",
    )
    del peo, cm_peo

    accounts_load()


def accounts_load():
    User = get_user_model()
    for username, first, last, grant in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if grant:
            code, role = grant
            institution = Institution.objects.get(code=code)
            if not Membership.objects.filter(
                user=user, institution=institution, role=role
            ).exists():
                services.membership_add(actor=None, institution=institution, user=user, role=role)
        if username == "national" and not user.is_staff:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])


def accounts_summary() -> list[tuple[str, str]]:
    descriptions = {
        "national": "national administrator (every province) / ผู้ดูแลระดับชาติ",
        "centre": "Lamphun credit bank centre staff / เจ้าหน้าที่ศูนย์ฯ ลำพูน",
        "area1": "Lamphun Primary Area 1 administrator / ผู้ดูแล สพป.ลำพูน เขต 1",
        "school": "extended-opportunity school administrator / ผู้ดูแลโรงเรียนขยายโอกาส",
        "college": "Lamphun Technical College registrar / นายทะเบียนวิทยาลัยเทคนิคลำพูน",
        "committee": "equivalence committee reviewer / กรรมการเทียบโอน",
        "committee2": "second committee reviewer (four eyes) / กรรมการเทียบโอนคนที่สอง",
        "testcentre": "skill test centre officer / เจ้าหน้าที่ศูนย์ทดสอบ",
        "learner": "a learner / ผู้เรียน",
        "chiangmai": "Chiang Mai centre staff / เจ้าหน้าที่ศูนย์ฯ เชียงใหม่",
    }
    return [(username, descriptions[username]) for username, *_ in DEMO_ACCOUNTS]
