"""Suggestion engine: ranking, hard negatives, explanations, incremental updates, persistence,
offline use and the quality targets on the labelled set (no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import pickle
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from equivalence.suggest import (
    CandidateFilter,
    CourseDoc,
    IndexFormatError,
    SuggestionIndex,
)
from equivalence.suggest.evaluate import NameTfidfBaseline, evaluate, load_eval
from equivalence.suggest.features import analyse_text, normalise

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
EVAL = DATA / "equivalence_eval.jsonl"


@pytest.fixture(scope="module")
def labelled():
    return load_eval(EVAL)


@pytest.fixture(scope="module")
def index(labelled):
    corpus, _queries = labelled
    return SuggestionIndex.build(corpus)


def school(code, name_th, name_en="", description="", outcomes="", credits="1.0", **extra):
    return CourseDoc(
        id=f"LPN1-EO99:{code}", institution_code="LPN1-EO99", code=code, name_th=name_th,
        name_en=name_en, description=description, learning_outcomes=outcomes,
        credits=Decimal(credits), hours=int(Decimal(credits) * 40), level="lower_secondary",
        nqf_level=1, subject_group="ง", **extra,
    )  # fmt: skip


LONGAN = school(
    "ง21201",
    "การปลูกลำไย",
    "Longan Growing",
    "การเตรียมพื้นที่ การปลูก การให้น้ำ การใส่ปุ๋ย การตัดแต่งกิ่ง และการดูแลต้นลำไย",
    "ปลูกและดูแลต้นลำไยได้ถูกวิธี",
    occupational_field="งานเกษตร",
)


def position(suggestions, doc_id):
    ids = [s.doc_id for s in suggestions]
    return ids.index(doc_id) if doc_id in ids else len(ids)


def test_it_ranks_a_clear_match_first(index):
    suggestions = index.rank(LONGAN, top=5)
    assert suggestions[0].doc_id in {
        "LPN-AGRI:20501-2105",  # การผลิตลำไยนอกฤดู
        "LPN-BH:20501-2107",  # การผลิตลำไยคุณภาพ
        "LPN-NFE-01:ส.อช.014",  # การดูแลสวนลำไยให้ได้คุณภาพ
    }
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert all(0.0 <= s.score <= 1.0 for s in suggestions)


@pytest.mark.parametrize(
    ("source_name", "match", "look_alike"),
    [
        ("งานไฟฟ้าในบ้าน", "LPN-TECH:20104-2004", "LPN-TECH:20101-2006"),  # vs งานไฟฟ้ารถยนต์
        ("การทำอาหารไทย", "LPN-LI:20404-2001", "LPN-VOC:20701-2005"),  # vs อาหารไทยเพื่อการท่องเที่ยว
        ("ขนมไทย", "LPN-LI:20404-2003", "LPN-LI:20404-2004"),  # vs ขนมอบ
        ("คอมพิวเตอร์เบื้องต้น", "LPN-TECH:20001-2001", "LPN-VOC:20204-2105"),  # vs การเขียนโปรแกรม
        ("การปลูกลำไย", "LPN-AGRI:20501-2105", "LPN-AGRI:20503-2107"),  # vs การอบแห้งลำไย
        ("การแปรรูปลำไย", "LPN-AGRI:20503-2107", "LPN-AGRI:20501-2105"),
        ("การเลี้ยงไก่ไข่", "LPN-AGRI:20502-2003", "LPN-AGRI:20502-2006"),  # vs ไก่พื้นเมือง
    ],
)
def test_it_ranks_hard_negatives_below_the_true_match(
    labelled, index, source_name, match, look_alike
):
    _corpus, queries = labelled
    query = next(q for q in queries if q.source.name_th == source_name)
    assert match in query.relevant and look_alike in query.hard_negatives
    suggestions = index.rank(query.source, top=20)
    assert position(suggestions, match) < position(suggestions, look_alike)


def test_it_rarely_puts_a_look_alike_above_every_true_match(labelled, index):
    _corpus, queries = labelled
    metrics = evaluate(lambda s: [x.doc_id for x in index.rank(s, top=20)], queries)
    assert metrics.hard_negative_above <= 0.10


def test_it_explains_in_thai_and_english(index):
    suggestion = index.explain(LONGAN, "LPN-AGRI:20501-2105")  # การผลิตลำไยนอกฤดู, 2 credits
    explanation = suggestion.explanation
    assert "ลำไย" in explanation.shared_name_words
    assert "longan" in explanation.shared_name_words
    assert explanation.shared_text_words  # ปุ๋ย, ตัดแต่งกิ่ง ... from the descriptions
    assert explanation.credits_difference == 1.0
    assert explanation.hours_difference == 72 - 40
    assert explanation.level_match is False
    assert explanation.field_agreement == "same"  # งานเกษตร / พืชศาสตร์

    thai = suggestion.explain_text("th")
    assert "ชื่อวิชามีคำร่วม" in thai and "ลำไย" in thai
    assert "หน่วยกิต 1 → 2 (+1)" in thai
    assert "ชั่วโมง 40 → 72 (+32)" in thai
    assert "ม.ต้น → ปวช." in thai
    assert any(word in thai for word in explanation.shared_text_words)

    english = suggestion.explain_text("en")
    assert english.startswith("Shared name words:") and "longan" in english
    assert "credits 1 → 2 (+1)" in english
    assert "hours 40 → 72 (+32)" in english
    assert "lower secondary → vocational certificate (NQF 1 → 3)" in english
    assert "same occupational field" in english
    assert explanation.as_dict()["credits_difference"] == 1.0


def test_explain_matches_the_ranking(index):
    for suggestion in index.rank(LONGAN, top=5):
        assert index.explain(LONGAN, suggestion.doc_id) == suggestion
    short_course = index.explain(LONGAN, "LPN-NFE-01:ส.อช.014")  # 40 h, no credits
    assert short_course.explanation.credits_difference is None
    assert "ชั่วโมงเท่ากัน (40)" in short_course.explain_text("th")
    assert "same hours (40)" in short_course.explain_text("en")


def test_it_says_when_nothing_in_the_name_is_shared(index):
    source = school("ง23299", "วิชาทดลอง", description="ตัดแต่งกิ่งลำไยและใส่ปุ๋ย")
    suggestion = index.rank(source, top=1)[0]
    assert suggestion.explanation.shared_name_words == ()
    assert suggestion.explain_text("th").startswith("ชื่อวิชาไม่มีคำร่วม")
    assert suggestion.explain_text("en").startswith("No shared name words")


def test_it_follows_the_candidate_filter(index):
    only_nfe = index.rank(LONGAN, candidates_filter={"LPN-NFE-01", "LPN-NFE-03"}, top=5)
    assert only_nfe and {s.institution_code for s in only_nfe} <= {"LPN-NFE-01", "LPN-NFE-03"}
    assert only_nfe[0].doc_id == "LPN-NFE-01:ส.อช.014"

    no_agri = index.rank(
        LONGAN, candidates_filter=CandidateFilter(exclude_institutions=frozenset({"LPN-AGRI"}))
    )
    assert "LPN-AGRI" not in {s.institution_code for s in no_agri}
    short = index.rank(LONGAN, candidates_filter=lambda meta: meta.level == "short_course")
    assert short and {index.get(s.doc_id).level for s in short} == {"short_course"}


def test_it_never_suggests_the_source_or_its_own_institution(index):
    suggestions = index.rank_indexed("LPN-AGRI:20501-2105", top=20)
    assert suggestions
    assert "LPN-AGRI" not in {s.institution_code for s in suggestions}
    own = CandidateFilter(exclude_source_institution=False)
    suggestions = index.rank_indexed("LPN-AGRI:20501-2105", candidates_filter=own, top=20)
    assert "LPN-AGRI:20501-2105" not in {s.doc_id for s in suggestions}


def test_it_updates_incrementally(labelled):
    corpus, _queries = labelled
    index = SuggestionIndex.build(corpus)
    before = len(index)
    mushrooms = "LPN-AGRI:20501-2011"  # การผลิตเห็ด
    assert position(index.rank(LONGAN, top=10), mushrooms) == 10

    renamed = replace(
        next(doc for doc in corpus if doc.id == mushrooms),
        name_th="การปลูกลำไยและการดูแลต้นลำไย",
        name_en="Longan Growing and Care",
        description="การเตรียมพื้นที่ปลูกลำไย การให้น้ำ การใส่ปุ๋ย และการตัดแต่งกิ่งลำไย",
        learning_outcomes="ปลูกและดูแลต้นลำไยได้",
    )
    index.update(renamed)
    assert len(index) == before
    assert index.get(mushrooms).name_th == "การปลูกลำไยและการดูแลต้นลำไย"
    assert position(index.rank(LONGAN, top=10), mushrooms) < 3
    mushroom_query = school("ง21204", "การเพาะเห็ด", description="การทำก้อนเชื้อเห็ดนางฟ้า")
    assert mushrooms not in {s.doc_id for s in index.rank(mushroom_query, top=10)}

    assert index.remove(mushrooms) is True
    assert index.remove(mushrooms) is False
    assert len(index) == before - 1 and mushrooms not in index
    assert mushrooms not in {s.doc_id for s in index.rank(LONGAN, top=50)}

    with pytest.raises(ValueError, match="already indexed"):
        index.add(corpus[0])
    new = CourseDoc(
        id="LPN-NEW:1", institution_code="LPN-NEW", code="20501-2199",
        name_th="การจัดการสวนลำไย", name_en="Longan Orchard Management",
        description="การปลูก การตัดแต่งกิ่ง การใส่ปุ๋ย และการเก็บเกี่ยวลำไย", credits=2,
        hours=72, level="voc_cert", nqf_level=3, occupational_field="พืชศาสตร์",
    )  # fmt: skip
    index.add(new)
    assert position(index.rank(LONGAN, top=10), "LPN-NEW:1") < 5


def test_compacting_keeps_rankings(labelled):
    corpus, queries = labelled
    index = SuggestionIndex.build(corpus)
    dropped = [doc.id for doc in corpus[:40]]
    for doc_id in dropped:
        index.remove(doc_id)
    rebuilt = SuggestionIndex.build(corpus[40:])
    index.compact()
    for query in queries[:30]:
        assert [s.doc_id for s in index.rank(query.source)] == [
            s.doc_id for s in rebuilt.rank(query.source)
        ]


def test_save_and_load_give_identical_rankings(labelled, index, tmp_path):
    _corpus, queries = labelled
    path = tmp_path / "suggest" / "index.pickle"
    index.save(path)
    loaded = SuggestionIndex.load(path)
    assert len(loaded) == len(index)
    for query in queries[::5]:
        assert loaded.rank(query.source) == index.rank(query.source)
        assert [s.explanation for s in loaded.rank(query.source)] == [
            s.explanation for s in index.rank(query.source)
        ]
    loaded.update(replace(LONGAN, id="LPN-NEW:2", institution_code="LPN-NEW"))  # still editable
    assert "LPN-NEW:2" in loaded
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_it_refuses_an_index_from_another_version(tmp_path):
    path = tmp_path / "old.pickle"
    path.write_bytes(pickle.dumps({"format": 0, "analyzer": 0, "state": {}}))
    with pytest.raises(IndexFormatError):
        SuggestionIndex.load(path)


NO_NETWORK = r"""
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network disabled in this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
sys.path.insert(0, sys.argv[1])
from decimal import Decimal
from equivalence.suggest import CourseDoc, SuggestionIndex
docs = [
    CourseDoc(id=1, institution_code="A", code="ง21201", name_th="การปลูกลำไย", credits=Decimal(1)),
    CourseDoc(id=2, institution_code="B", code="20501-2105", name_th="การผลิตลำไยนอกฤดู"),
    CourseDoc(id=3, institution_code="B", code="20404-2004", name_th="ขนมอบ"),
]
index = SuggestionIndex.build(docs[1:])
result = index.rank(docs[0])
assert result and result[0].doc_id == 2, result
assert not attempts, attempts
print("offline ok")
"""


def test_it_works_without_network_and_downloads_nothing(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHAINLP_DATA_DIR": str(tmp_path / "d"),
    }
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(ROOT)], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "offline ok" in done.stdout
    data_dir = tmp_path / "d"
    assert not data_dir.exists() or not any(data_dir.rglob("*.*"))  # no corpus fetched


def test_text_normalisation():
    assert normalise("ง๒๑๒๐๑ ลําไย\u200b") == "ง21201 ลำไย"
    words = [word for word, _weight in analyse_text("การผลิตลำไยนอกฤดู")[0]]
    assert "ผลิต" in words and "ลำไย" in words and "นอกฤดู" in words
    weights = dict(analyse_text("คอมพิวเตอร์เบื้องต้น")[0])
    assert weights["คอมพิวเตอร์"] == 1.0 and 0 < weights["เบื้องต้น"] < 1.0  # weak, not dropped
    assert dict(analyse_text("การเลี้ยงหมู")[0]).keys() >= {"เลี้ยง", "สุกร"}
    assert [w for w, _ in analyse_text("Introduction to Weaving")[0]] == ["introduction", "weav"]


def test_the_labelled_set_is_current_and_large_enough(labelled):
    spec = importlib.util.spec_from_file_location("equivalence_eval", DATA / "equivalence_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lines = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    assert module.build() == lines  # regenerate with: python tests/data/equivalence_eval.py
    corpus, queries = labelled
    assert len(corpus) >= 200
    assert sum(len(q.relevant) for q in queries) >= 200
    assert sum(len(q.hard_negatives) for q in queries) >= 100


def test_quality_on_the_labelled_set_reaches_the_targets(labelled, index):
    """Quality regression test: precision@1 >= 0.8 and recall@5 >= 0.95 over all queries."""
    corpus, queries = labelled
    ours = evaluate(lambda s: [x.doc_id for x in index.rank(s, top=20)], queries)
    assert ours.p_at_1 >= 0.8, ours.line()
    assert ours.recall_at_5 >= 0.95, ours.line()
    held_out = evaluate(
        lambda s: [x.doc_id for x in index.rank(s, top=20)],
        [q for q in queries if q.split == "test"],
    )
    assert held_out.p_at_1 >= 0.8 and held_out.recall_at_5 >= 0.95, held_out.line()
    baseline = evaluate(NameTfidfBaseline(corpus).rank, queries)
    assert ours.p_at_1 > baseline.p_at_1 and ours.recall_at_5 > baseline.recall_at_5
