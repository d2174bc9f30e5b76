"""Suggestion-engine benchmark: quality on the labelled set, then speed against 200,000 courses.

    .venv/bin/python bench/suggest.py [--courses 200000] [--queries 50] [--seed 7] [--exhaustive 10]

1. Quality. Indexes the target courses of ``tests/data/equivalence_eval.jsonl`` and ranks every
   query course (own institution excluded), with our engine and with a plain TF-IDF on course
   names (``NameTfidfBaseline``), in the same run. The engine's weights are set by hand, not
   fitted to these queries; the figures are given for the dev split (30 % of queries, the only
   ones looked at while setting weights), the held-out test split, and all queries.
2. Speed. Adds a synthetic corpus to the labelled targets: course names recombined from
   occupational vocabulary (activity + object + qualifier, nine domains) and descriptions
   recombined from the labelled set's description phrases of the same domain, so posting lists
   have realistic sizes. Ranks ``--queries`` labelled query courses with cold text caches and
   reports the median time per ranking (analysis of the query included), then checks for
   ``--exhaustive`` queries that the two-stage top 10 matches scoring every course exactly.

No Django, no database, no network. Last line: ``p_at_1=<x> recall_at_5=<y> ms=<z>`` where the
quality figures are over all labelled queries and ``ms`` is the median time against the large
corpus. The line before it gives the baseline's figures.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from equivalence.suggest import CourseDoc, SuggestionIndex  # noqa: E402
from equivalence.suggest.evaluate import NameTfidfBaseline, evaluate, load_eval  # noqa: E402
from equivalence.suggest.features import clear_caches  # noqa: E402
from equivalence.suggest.scoring import field_family  # noqa: E402

EVAL = ROOT / "tests" / "data" / "equivalence_eval.jsonl"


def _words(text: str) -> list[str]:
    return text.split()


# domain -> (activities, objects, qualifiers, occupational fields, English words)
DOMAINS = {
    "agriculture": (
        _words("การปลูก การผลิต การเลี้ยง การขยายพันธุ์ การดูแล การจัดการ การเพาะ การเพาะเลี้ยง"),
        _words("""ลำไย มะม่วง ลิ้นจี่ ส้มโอ ส้มเขียวหวาน ข้าว ข้าวโพด ผักกาด พริก มะเขือเทศ เห็ดนางฟ้า
        เห็ดฟาง กล้วยไม้ ดาวเรือง ไก่ไข่ ไก่พื้นเมือง ไก่เนื้อ เป็ดเทศ สุกร โคเนื้อ โคนม แพะ
        ปลานิล ปลาดุก กบ จิ้งหรีด ผึ้ง ยางพารา อ้อย มันสำปะหลัง กาแฟ ชา สมุนไพร ไผ่ ไม้ผล พืชผัก
        ไม้ดอก พืชไร่ ผักสลัด หญ้าอาหารสัตว์ กุ้งก้ามกราม สตรอว์เบอร์รี"""),
        ["", "", "เบื้องต้น", "เพื่อการค้า", "นอกฤดู", "อินทรีย์", "ในโรงเรือน", "แบบปลอดภัย",
         "เชิงพาณิชย์", "สำหรับครัวเรือน", "ตามระบบ GAP", "1", "2"],
        ["พืชศาสตร์", "สัตวศาสตร์", "เกษตรกรรม", "งานเกษตร", "ประมง", "เกษตรศาสตร์"],
        _words("crop production farming growing raising livestock fruit vegetable organic poultry fish"),
    ),
    "food": (
        _words("การทำ การประกอบ การแปรรูป การถนอม การผลิต การจัด การปรุง"),
        _words("""อาหารไทย อาหารพื้นบ้าน ขนมไทย ขนมอบ ขนมปัง เค้ก อาหารว่าง เครื่องดื่ม กาแฟ น้ำพริก
        ไส้อั่ว แหนม ผลไม้แช่อิ่ม แยม ลำไยอบแห้ง กล้วยตาก ข้าวแต๋น อาหารนานาชาติ อาหารเจ
        อาหารสุขภาพ ไอศกรีม น้ำผลไม้ อาหารจานเดียว ขนมจีน"""),
        ["", "", "เบื้องต้น", "เพื่อการค้า", "เพื่อการท่องเที่ยว", "เพื่ออาชีพ", "ภาคเหนือ", "1", "2"],
        ["อาหารและโภชนาการ", "งานบ้าน", "คหกรรม", "อุตสาหกรรมเกษตร"],
        _words("thai food cuisine dessert bakery cooking snack beverage processing preservation"),
    ),
    "electrical": (
        _words("งานติดตั้ง การซ่อม งานเดินสาย การบำรุงรักษา การออกแบบ การควบคุม งาน"),
        _words("""ไฟฟ้าในอาคาร ไฟฟ้าในบ้าน มอเตอร์ไฟฟ้า เครื่องใช้ไฟฟ้า ระบบโซลาร์เซลล์ เครื่องปรับอากาศ
        ตู้เย็น หม้อแปลง ระบบแสงสว่าง วงจรอิเล็กทรอนิกส์ เครื่องเสียง ไมโครคอนโทรลเลอร์ พีแอลซี
        เครื่องวัดไฟฟ้า ระบบไฟฟ้าโรงงาน"""),
        ["", "", "เบื้องต้น", "ในที่อยู่อาศัย", "ขั้นสูง", "อุตสาหกรรม", "1", "2"],
        ["ช่างไฟฟ้ากำลัง", "ช่างอิเล็กทรอนิกส์", "ไฟฟ้า", "งานช่าง"],
        _words("electrical installation wiring motor appliance electronic circuit solar control"),
    ),
    "automotive": (
        _words("งานซ่อม งานบำรุงรักษา งานถอดประกอบ งานปรับแต่ง งาน การตรวจวิเคราะห์"),
        _words("""เครื่องยนต์เล็ก รถจักรยานยนต์ เครื่องยนต์ดีเซล เครื่องยนต์แก๊สโซลีน ระบบเบรก ระบบส่งกำลัง
        ไฟฟ้ารถยนต์ เครื่องล่างรถยนต์ ระบบปรับอากาศรถยนต์ รถไถเดินตาม เครื่องตัดหญ้า
        ยานยนต์ไฟฟ้า ระบบฉีดเชื้อเพลิง"""),
        ["", "", "เบื้องต้น", "เพื่อการเกษตร", "สมัยใหม่", "1", "2"],
        ["ช่างยนต์", "เทคนิคยานยนต์", "ช่างกลเกษตร", "งานช่าง"],
        _words("engine motorcycle automotive repair maintenance diesel chassis brake service"),
    ),
    "construction": (
        _words("งาน งานติดตั้ง งานซ่อม การประมาณราคา งานเขียนแบบ"),
        _words("""เชื่อมไฟฟ้า เชื่อมแก๊ส โลหะแผ่น ก่ออิฐฉาบปูน ประปา ไม้ เฟอร์นิเจอร์ สี กระเบื้อง หลังคา
        คอนกรีต เหล็กดัด สุขภัณฑ์ โครงหลังคาเหล็ก"""),
        ["", "", "เบื้องต้น", "ในบ้าน", "อาคาร", "1", "2"],
        ["ช่างก่อสร้าง", "ช่างเชื่อมโลหะ", "ช่างกลโรงงาน", "งานช่าง"],
        _words("welding metal plumbing masonry carpentry woodwork concrete painting construction"),
    ),
    "it": (
        _words("การใช้ การเขียน การออกแบบ การพัฒนา การสร้าง การดูแล"),
        _words("""คอมพิวเตอร์ โปรแกรมตารางงาน โปรแกรมภาษาไพทอน เว็บไซต์ ฐานข้อมูล กราฟิก ภาพเคลื่อนไหว
        แอปพลิเคชัน เครือข่าย สื่อดิจิทัล วิดีโอ ระบบปฏิบัติการ หุ่นยนต์ โปรแกรมประมวลผลคำ"""),
        ["", "", "เบื้องต้น", "เพื่องานธุรกิจ", "ในชีวิตประจำวัน", "ขั้นสูง", "1", "2"],
        ["เทคโนโลยีสารสนเทศ", "เทคโนโลยีธุรกิจดิจิทัล", "เทคโนโลยี", "คอมพิวเตอร์ธุรกิจ"],
        _words("computer programming web design graphics database network digital media software"),
    ),
    "business": (
        _words("การ หลักการ การจัดการ การวางแผน การจัดทำ"),
        _words("""บัญชี บัญชีครัวเรือน ขาย ตลาด ตลาดออนไลน์ ธุรกิจออนไลน์ บรรจุภัณฑ์ ร้านค้าปลีก ภาษีอากร
        การเงิน สหกรณ์ ผู้ประกอบการ โฆษณา บริการลูกค้า"""),
        ["", "", "เบื้องต้น", "สำหรับธุรกิจขนาดเล็ก", "ชุมชน", "1", "2"],
        ["การบัญชี", "การตลาด", "งานธุรกิจ", "ธุรกิจค้าปลีก"],
        _words("accounting selling marketing business online retail packaging finance customer"),
    ),
    "crafts": (
        _words("การทอ การตัดเย็บ การปัก การย้อม การประดิษฐ์ การจักสาน การออกแบบ งาน"),
        _words("""ผ้าไหม ผ้าฝ้าย ผ้ายกดอก เสื้อสตรี เสื้อบุรุษ กระเป๋าผ้า ผ้ามัดย้อม ดอกไม้ประดิษฐ์ มาลัย
        เครื่องจักสาน ไม้ไผ่ เครื่องปั้นดินเผา ของที่ระลึก เครื่องประดับ ใบตอง"""),
        ["", "", "เบื้องต้น", "พื้นเมือง", "เพื่อการจำหน่าย", "ลำพูน", "1", "2"],
        ["แฟชั่นและสิ่งทอ", "ศิลปหัตถกรรม", "งานประดิษฐ์", "คหกรรม"],
        _words("weaving silk cotton dressmaking sewing embroidery dyeing craft basketry flower"),
    ),
    "services": (
        _words("การ บริการ หลักการ งาน"),
        _words("""นวดไทย นวดฝ่าเท้า สปา ตัดผมชาย เสริมสวย แต่งหน้า ทำเล็บ ดูแลผู้สูงอายุ ดูแลเด็ก
        มัคคุเทศก์ โรงแรม บริการอาหารและเครื่องดื่ม แม่บ้าน"""),
        ["", "", "เบื้องต้น", "เพื่อสุขภาพ", "เพื่อการท่องเที่ยว", "1", "2"],
        ["ธุรกิจสปา", "ธุรกิจความงาม", "การท่องเที่ยว", "การโรงแรม", "การบริการสุขภาพ"],
        _words("massage spa haircut beauty makeup elderly care tour guide hotel service"),
    ),
}  # fmt: skip

FAMILY_DOMAIN = {
    "agriculture": "agriculture", "agri_mechanics": "automotive", "agro_industry": "food",
    "food": "food", "home": "food", "electrical": "electrical", "electronics": "electrical",
    "automotive": "automotive", "metalwork": "construction", "construction": "construction",
    "trades": "construction", "it": "it", "business": "business", "textiles": "crafts",
    "crafts": "crafts", "beauty": "services", "health": "services", "tourism": "services",
}  # fmt: skip

LEVELS = [  # (level, nqf, weight)
    ("voc_cert", 3, 40), ("high_voc_cert", 4, 15), ("lower_secondary", 1, 20),
    ("upper_secondary", 2, 5), ("non_formal", 1, 10), ("short_course", None, 10),
]  # fmt: skip


def description_phrases(docs: list[CourseDoc]) -> dict[str, list[str]]:
    """Space-separated phrases of the labelled set's descriptions and outcomes, by domain."""
    phrases: dict[str, list[str]] = {domain: [] for domain in DOMAINS}
    for doc in docs:
        family = field_family(doc.occupational_field)
        domain = FAMILY_DOMAIN.get(family[0]) if family else None
        for text in (doc.description, doc.learning_outcomes):
            for phrase in text.split():
                if len(phrase) > 3 and not phrase[0].isdigit():
                    for target in [domain] if domain else DOMAINS:
                        phrases[target].append(phrase)
    return phrases


def synthetic_corpus(count: int, seed: int, labelled: list[CourseDoc]) -> Iterator[CourseDoc]:
    rng = random.Random(seed)
    phrases = description_phrases(labelled)
    domains = list(DOMAINS)
    levels, level_weights = [(lv, nqf) for lv, nqf, _ in LEVELS], [w for *_, w in LEVELS]
    for number in range(count):
        domain = domains[number % len(domains)] if number % 3 else rng.choice(domains)
        activities, objects, qualifiers, fields, english = DOMAINS[domain]
        activity, obj, qualifier = (
            rng.choice(activities),
            rng.choice(objects),
            rng.choice(qualifiers),
        )
        name = f"{activity}{obj}{(' ' + qualifier) if qualifier else ''}"
        level, nqf = rng.choices(levels, level_weights)[0]
        if level == "short_course":
            credits, hours = Decimal(0), rng.choice((12, 20, 30, 40, 60, 90, 150))
        elif level in ("voc_cert", "high_voc_cert"):
            c = rng.choice((1, 2, 2, 3, 3))
            credits, hours = Decimal(c), c * rng.choice((18, 36))
        else:
            credits = Decimal(rng.choice(("0.5", "1.0", "1.0", "1.5", "2.0")))
            hours = int(credits * 40)
        pool = phrases[domain]
        body = " ".join(rng.sample(pool, min(len(pool), rng.randint(6, 12))))
        outcomes = " ".join(rng.sample(pool, min(len(pool), rng.randint(2, 4))))
        yield CourseDoc(
            id=f"syn:{number}",
            institution_code=f"SYN-{number % 2000:04d}",
            code=f"S{number:07d}",
            name_th=name,
            name_en=" ".join(rng.sample(english, rng.randint(2, 3))).title()
            if rng.random() < 0.7
            else "",
            description=f"ศึกษาและปฏิบัติเกี่ยวกับ{body}",
            learning_outcomes=outcomes,
            credits=credits,
            hours=hours,
            level=level,
            nqf_level=nqf,
            subject_group="voc" if level in ("voc_cert", "high_voc_cert") else "ง",
            occupational_field=rng.choice(fields),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exhaustive", type=int, default=10, help="queries checked exhaustively")
    args = parser.parse_args()

    corpus, queries = load_eval(EVAL)
    index = SuggestionIndex.build(corpus)
    baseline = NameTfidfBaseline(corpus)

    def ours(source):
        return [s.doc_id for s in index.rank(source, top=20)]

    print(
        f"labelled set: {len(corpus)} target courses, {len(queries)} queries; weights set by hand"
    )
    results = {}
    for split in ("dev", "test", "all"):
        chosen = [q for q in queries if split == "all" or q.split == split]
        results[split] = (evaluate(ours, chosen), evaluate(baseline.rank, chosen))
        print(f"  {split:<4} ours     {results[split][0].line()}")
        print(f"  {split:<4} baseline {results[split][1].line()}")

    started = time.perf_counter()
    big = SuggestionIndex.build([*corpus, *synthetic_corpus(args.courses, args.seed, corpus)])
    build_s = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"large corpus: {len(big)} courses indexed in {build_s:.1f} s (peak RSS {rss_mb:.0f} MB)")

    sample = random.Random(args.seed).sample(queries, min(args.queries, len(queries)))
    clear_caches()
    timings, hits = [], 0
    for query in sample:
        started = time.perf_counter()
        suggestions = big.rank(query.source, top=10)
        timings.append((time.perf_counter() - started) * 1000)
        hits += bool(suggestions) and suggestions[0].doc_id in query.relevant
    timings.sort()
    ms = statistics.median(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"  rank one course against {len(big)}: median {ms:.1f} ms, p95 {p95:.1f} ms, max "
        f"{timings[-1]:.1f} ms over {len(sample)} queries (cold text caches); labelled target "
        f"still first in {hits}/{len(sample)} (synthetic courses may be genuine equivalents)"
    )
    agreement = []
    for query in sample[: args.exhaustive]:
        fast = {x.doc_id for x in big.rank(query.source, top=10)}
        exact = {x.doc_id for x in big.rank(query.source, top=10, exhaustive=True)}
        agreement.append(len(fast & exact) / max(1, len(exact)))
    if agreement:
        print(
            f"  two-stage top 10 vs exhaustive exact top 10: {statistics.mean(agreement):.1%} "
            f"shared (min {min(agreement):.0%}) over {len(agreement)} queries"
        )
    ours_all, base_all = results["all"]
    print(
        f"baseline_p_at_1={base_all.p_at_1:.3f} baseline_recall_at_5={base_all.recall_at_5:.3f} "
        f"baseline_mrr={base_all.mrr:.3f}"
    )
    print(f"p_at_1={ours_all.p_at_1:.3f} recall_at_5={ours_all.recall_at_5:.3f} ms={ms:.1f}")


if __name__ == "__main__":
    main()
