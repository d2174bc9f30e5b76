"""Measuring suggestion quality on a labelled set, and the plain baseline we compare against.

The set (``tests/data/equivalence_eval.jsonl``) holds target courses and source queries, each
query with its equivalent targets (``relevant``) and look-alikes that are not
(``hard_negatives``). A query is ranked against all targets except its own institution's.

* precision@1: share of queries whose first suggestion is equivalent;
* recall@5: per query, equivalent targets among the first five / min(5, equivalent targets),
  averaged;
* MRR: mean of 1 / rank of the first equivalent target (0 when not in the first 20);
* hard_negative_above: share of queries where a labelled look-alike outranks every
  equivalent target.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .features import CourseDoc, normalise

DEPTH = 20


@dataclass(frozen=True, slots=True)
class EvalQuery:
    id: str
    split: str
    source: CourseDoc
    relevant: frozenset
    hard_negatives: frozenset


@dataclass(frozen=True, slots=True)
class Metrics:
    queries: int
    p_at_1: float
    recall_at_5: float
    mrr: float
    hard_negative_above: float

    def line(self) -> str:
        return (
            f"queries={self.queries} p_at_1={self.p_at_1:.3f} recall_at_5={self.recall_at_5:.3f} "
            f"mrr={self.mrr:.3f} hard_negative_above={self.hard_negative_above:.3f}"
        )


def doc_from_record(record: dict) -> CourseDoc:
    return CourseDoc(
        id=record["id"],
        institution_code=record["institution_code"],
        code=record["code"],
        name_th=record["name_th"],
        name_en=record.get("name_en", ""),
        description=record.get("description", ""),
        learning_outcomes=record.get("learning_outcomes", ""),
        credits=Decimal(record["credits"]) if record.get("credits") not in (None, "") else None,
        hours=record.get("hours"),
        level=record.get("level", ""),
        nqf_level=record.get("nqf_level"),
        subject_group=record.get("subject_group", ""),
        occupational_field=record.get("occupational_field", ""),
    )


def load_eval(path: str | Path) -> tuple[list[CourseDoc], list[EvalQuery]]:
    corpus: list[CourseDoc] = []
    queries: list[EvalQuery] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            if record["kind"] == "course":
                corpus.append(doc_from_record(record))
            else:
                queries.append(
                    EvalQuery(
                        id=record["id"],
                        split=record.get("split", "test"),
                        source=doc_from_record(record["course"]),
                        relevant=frozenset(record["relevant"]),
                        hard_negatives=frozenset(record.get("hard_negatives", ())),
                    )
                )
    return corpus, queries


def evaluate(rank: Callable[[CourseDoc], Sequence[Hashable]], queries: Iterable[EvalQuery]):
    """Metrics of ``rank(source) -> ids best first`` (at least the first 20) over ``queries``."""
    hits_1 = recall_5 = reciprocal = negative_above = 0.0
    count = 0
    for query in queries:
        ranked = list(rank(query.source))[:DEPTH]
        count += 1
        if ranked and ranked[0] in query.relevant:
            hits_1 += 1
        found = sum(1 for doc_id in ranked[:5] if doc_id in query.relevant)
        recall_5 += found / min(5, len(query.relevant))
        first_relevant = next((i for i, d in enumerate(ranked) if d in query.relevant), None)
        if first_relevant is not None:
            reciprocal += 1.0 / (first_relevant + 1)
        first_negative = next((i for i, d in enumerate(ranked) if d in query.hard_negatives), None)
        if first_negative is not None and (
            first_relevant is None or first_negative < first_relevant
        ):
            negative_above += 1
    if not count:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0)
    return Metrics(
        queries=count,
        p_at_1=hits_1 / count,
        recall_at_5=recall_5 / count,
        mrr=reciprocal / count,
        hard_negative_above=negative_above / count,
    )


class NameTfidfBaseline:
    """Plain TF-IDF cosine on course names: newmm words of the Thai name (PyThaiNLP's default
    dictionary, no stop words, no n-grams) plus lower-cased English words; nothing else."""

    def __init__(self, docs: Iterable[CourseDoc]):
        self.docs = list(docs)
        vectors = [self._counts(doc) for doc in self.docs]
        df: dict[str, int] = {}
        for counts in vectors:
            for term in counts:
                df[term] = df.get(term, 0) + 1
        n = len(self.docs)
        self.idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}
        self.vectors = [self._weigh(counts) for counts in vectors]

    @staticmethod
    def _counts(doc: CourseDoc) -> dict[str, int]:
        from pythainlp.tokenize import word_tokenize

        counts: dict[str, int] = {}
        tokens = word_tokenize(normalise(doc.name_th), engine="newmm", keep_whitespace=False)
        tokens += normalise(doc.name_en).replace("-", " ").split()
        for token in tokens:
            token = token.strip("()[],.:;'\"")
            if token:
                counts[token] = counts.get(token, 0) + 1
        return counts

    def _weigh(self, counts: dict[str, int]) -> dict[str, float]:
        weights = {t: c * self.idf.get(t, 0.0) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def rank(self, source: CourseDoc, top: int = DEPTH) -> list[Hashable]:
        query = self._weigh(self._counts(source))
        scored = []
        for doc, vector in zip(self.docs, self.vectors, strict=True):
            if doc.institution_code == source.institution_code or doc.id == source.id:
                continue
            score = sum(w * vector.get(t, 0.0) for t, w in query.items())
            if score > 0:
                scored.append((score, doc.id))
        scored.sort(key=lambda item: -item[0])
        return [doc_id for _score, doc_id in scored[:top]]
