"""Inverted index of courses with incremental updates, persistence and two-stage ranking.

Ranking a course:

1. **Retrieve.** The source's terms are looked up in posting lists (rarest first) and an
   approximate cosine is accumulated per course. Terms present in more than ``max_df_share`` of
   the corpus are skipped here (they still count in stage 2) and at most ``posting_budget``
   postings are read, so a query costs about the same against 2,000 or 200,000 courses.
   When the candidates are restricted to a few institutions holding at most
   ``exhaustive_limit`` courses, every one of them is scored instead (no recall loss).
2. **Rescore.** The best ``rescore`` candidates are scored exactly: per-field TF-IDF cosines from
   their stored term vectors with the current document frequencies, combined with structured
   features (``scoring``). The best ``top`` become ``Suggestion`` objects with an explanation.

Updates are incremental: ``add``/``update``/``remove`` touch only the course's own terms.
Removed courses leave dead postings that are skipped and dropped by ``compact()`` (run
automatically when a quarter of the slots are dead, or by a nightly job). Posting weights are
normalised with the document frequencies at insertion time; stage 2 always uses current ones.

Not thread-safe for concurrent writers: one process (the Celery task) updates and saves, web
workers ``load`` the saved file (``save`` replaces it atomically).
"""

from __future__ import annotations

import heapq
import math
import os
import pickle
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable
from operator import itemgetter
from pathlib import Path

from .features import (
    ANALYZER_VERSION,
    FIELDS,
    GENERIC_EN,
    GENERIC_TH,
    NAME_EN,
    NAME_GRAM,
    NAME_TH,
    TEXT,
    CourseDoc,
    course_terms,
    display_word,
)
from .filters import CandidateFilter
from .scoring import (
    DEFAULT_WEIGHTS,
    DocMeta,
    Suggestion,
    Weights,
    best_words,
    build_suggestion,
    structured,
)

FORMAT_VERSION = 1
_FIELD_INDEX = {name: number for number, name in enumerate(FIELDS)}
_TH, _EN, _GRAM, _TEXT = (_FIELD_INDEX[f] for f in (NAME_TH, NAME_EN, NAME_GRAM, TEXT))


class IndexFormatError(ValueError):
    """The saved file was written by another format or analyzer version: rebuild the index."""


class SuggestionIndex:
    def __init__(
        self,
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        rescore: int = 300,
        posting_budget: int = 100_000,
        max_df_share: float = 0.10,
        exhaustive_limit: int = 5_000,
    ):
        self.weights = weights
        self.rescore = rescore
        self.posting_budget = posting_budget
        self.max_df_share = max_df_share
        self.exhaustive_limit = exhaustive_limit
        self._term_ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._term_field = bytearray()
        self._df: list[int] = []
        self._post_docs: list[array] = []
        self._post_weights: list[array] = []
        self._fwd_terms: list[array | None] = []
        self._fwd_tf: list[array | None] = []
        self._meta: list[DocMeta | None] = []
        self._slots: dict[Hashable, int] = {}
        self._by_institution: dict[str, set[int]] = {}
        self._doc_norms: list[array | None] = []  # per slot: field norms when last normalised
        self._normalised_n = 0  # corpus size when posting weights and norms were last computed
        self._dead = 0
        self._idf_cache: array | None = None  # idf per term id for the current corpus

    # --- building and updating ----------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[CourseDoc], **options) -> SuggestionIndex:
        """Index many courses at once (document frequencies are final before weights are set)."""
        index = cls(**options)
        for doc in docs:
            if doc.id in index._slots:
                raise ValueError(f"duplicate course id {doc.id!r}")
            index._store(doc, course_terms(doc))
        index._rebuild_postings()
        return index

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._slots

    def get(self, doc_id: Hashable) -> DocMeta | None:
        slot = self._slots.get(doc_id)
        return None if slot is None else self._meta[slot]

    def ids(self) -> list[Hashable]:
        return list(self._slots)

    def add(self, doc: CourseDoc) -> None:
        """Index a new course; ``ValueError`` if its id is already indexed (use ``update``)."""
        if doc.id in self._slots:
            raise ValueError(f"course {doc.id!r} is already indexed; use update()")
        slot = self._store(doc, course_terms(doc))
        self._post(slot)
        self._after_change()

    def update(self, doc: CourseDoc) -> None:
        """Add the course or replace its indexed version."""
        self.remove(doc.id)
        self.add(doc)

    def remove(self, doc_id: Hashable) -> bool:
        slot = self._slots.pop(doc_id, None)
        if slot is None:
            return False
        for tid in self._fwd_terms[slot]:
            self._df[tid] -= 1
        meta = self._meta[slot]
        members = self._by_institution.get(meta.institution_code)
        if members is not None:
            members.discard(slot)
            if not members:
                del self._by_institution[meta.institution_code]
        self._meta[slot] = None
        self._fwd_terms[slot] = None
        self._fwd_tf[slot] = None
        self._doc_norms[slot] = None
        self._dead += 1
        if self._dead > max(1_000, len(self._meta) // 4):
            self.compact()
        else:
            self._after_change()
        return True

    def _after_change(self) -> None:
        """Forget cached idf; re-normalise all weights once the corpus size drifted by 10 %."""
        self._idf_cache = None
        n = len(self._slots)
        if abs(n - self._normalised_n) > 0.1 * self._normalised_n + 50:
            self._rebuild_postings()

    def compact(self) -> None:
        """Drop removed courses and unused terms; re-normalise posting weights."""
        live = [slot for slot, meta in enumerate(self._meta) if meta is not None]
        used = sorted({tid for slot in live for tid in self._fwd_terms[slot]})
        new_tid = {old: new for new, old in enumerate(used)}
        self._terms = [self._terms[t] for t in used]
        self._term_field = bytearray(self._term_field[t] for t in used)
        self._df = [self._df[t] for t in used]
        self._term_ids = {term: number for number, term in enumerate(self._terms)}
        self._meta = [self._meta[s] for s in live]
        self._doc_norms = [None] * len(live)
        old_terms, old_tf = self._fwd_terms, self._fwd_tf
        self._fwd_terms, self._fwd_tf = [], []
        for slot in live:
            pairs = sorted(zip((new_tid[t] for t in old_terms[slot]), old_tf[slot], strict=True))
            self._fwd_terms.append(array("i", (t for t, _ in pairs)))
            self._fwd_tf.append(array("f", (w for _, w in pairs)))
        self._slots = {meta.id: number for number, meta in enumerate(self._meta)}
        self._by_institution = {}
        for number, meta in enumerate(self._meta):
            self._by_institution.setdefault(meta.institution_code, set()).add(number)
        self._dead = 0
        self._rebuild_postings()

    def _store(self, doc: CourseDoc, terms: dict[str, float]) -> int:
        slot = len(self._meta)
        pairs = []
        for key, tf in terms.items():
            tid = self._term_ids.get(key)
            if tid is None:
                tid = len(self._terms)
                self._term_ids[key] = tid
                self._terms.append(key)
                self._term_field.append(_FIELD_INDEX[key[0]])
                self._df.append(0)
                self._post_docs.append(array("i"))
                self._post_weights.append(array("f"))
            self._df[tid] += 1
            pairs.append((tid, tf))
        pairs.sort()
        self._fwd_terms.append(array("i", (t for t, _ in pairs)))
        self._fwd_tf.append(array("f", (w for _, w in pairs)))
        meta = DocMeta.from_doc(doc)
        self._meta.append(meta)
        self._doc_norms.append(None)
        self._slots[doc.id] = slot
        self._by_institution.setdefault(meta.institution_code, set()).add(slot)
        return slot

    def _idf(self, tid: int | None, n: int) -> float:
        df = self._df[tid] if tid is not None else 0
        return math.log(1.0 + n / max(df, 1))

    def _idf_values(self) -> array:
        if self._idf_cache is None or len(self._idf_cache) != len(self._df):
            n = len(self._slots)
            log = math.log
            self._idf_cache = array("d", (log(1.0 + n / (df or 1)) for df in self._df))
        return self._idf_cache

    def _post(self, slot: int, idf: array | None = None) -> None:
        tids, tfs = self._fwd_terms[slot], self._fwd_tf[slot]
        term_field = self._term_field
        if idf is None:
            n = len(self._slots)
            weights = [tf * self._idf(tid, n) for tid, tf in zip(tids, tfs, strict=True)]
        else:
            weights = [tf * idf[tid] for tid, tf in zip(tids, tfs, strict=True)]
        norms = [0.0] * len(FIELDS)
        for tid, x in zip(tids, weights, strict=True):
            norms[term_field[tid]] += x * x
        norms = [math.sqrt(v) for v in norms]
        self._doc_norms[slot] = array("f", norms)
        post_docs, post_weights = self._post_docs, self._post_weights
        for tid, tf in zip(tids, tfs, strict=True):
            post_docs[tid].append(slot)
            post_weights[tid].append(tf / (norms[term_field[tid]] or 1.0))

    def _rebuild_postings(self) -> None:
        self._post_docs = [array("i") for _ in self._terms]
        self._post_weights = [array("f") for _ in self._terms]
        self._idf_cache = None
        idf = self._idf_values()
        for slot, meta in enumerate(self._meta):
            if meta is not None:
                self._post(slot, idf)
        self._normalised_n = len(self._slots)

    # --- ranking --------------------------------------------------------------------------------

    def rank(
        self, source: CourseDoc, *, candidates_filter=None, top: int = 10, exhaustive=False
    ) -> list[Suggestion]:
        """Best ``top`` courses for ``source`` (which need not be indexed), best first.

        ``candidates_filter``: a ``CandidateFilter``, a set of institution codes, or a predicate
        on ``DocMeta``; by default every institution but the source's. ``exhaustive``: score
        every allowed course exactly instead of retrieving candidates (slow; for checks).
        """
        return self._rank(
            course_terms(source), DocMeta.from_doc(source), candidates_filter, top, exhaustive
        )

    def rank_indexed(
        self, doc_id: Hashable, *, candidates_filter=None, top: int = 10, exhaustive=False
    ) -> list[Suggestion]:
        """Like ``rank`` for a course already in the index, using its stored terms."""
        slot = self._slots[doc_id]
        terms = {
            self._terms[t]: tf
            for t, tf in zip(self._fwd_terms[slot], self._fwd_tf[slot], strict=True)
        }
        return self._rank(terms, self._meta[slot], candidates_filter, top, exhaustive)

    def explain(self, source: CourseDoc, doc_id: Hashable) -> Suggestion:
        """Score and explanation of one indexed course for ``source``, wherever it ranks."""
        slot = self._slots[doc_id]
        query, query_norm, idf = self._query(course_terms(source))
        sims = self._similarities(slot, query, set(query), query_norm, idf)
        meta = DocMeta.from_doc(source)
        score = self._combine(self._text_score(sims), meta, self._meta[slot])
        return self._suggestion(score, slot, sims, query, meta, idf)

    def _query(self, terms: dict[str, float]) -> tuple[dict[int, float], list[float], array]:
        """Query vector (term id -> tf * idf; unknown terms only enlarge the norms)."""
        n = len(self._slots)
        idf = self._idf_values()
        unseen = math.log(1.0 + n)
        query: dict[int, float] = {}
        query_norm = [0.0] * len(FIELDS)
        for key, tf in terms.items():
            tid = self._term_ids.get(key)
            x = tf * (idf[tid] if tid is not None else unseen)
            query_norm[_FIELD_INDEX[key[0]]] += x * x
            if tid is not None and self._df[tid] > 0:
                query[tid] = x
        return query, [math.sqrt(v) for v in query_norm], idf

    def _combine(self, text: float, source: DocMeta, target: DocMeta) -> float:
        weights = self.weights
        shape = structured(source, target, weights)
        return text * ((1.0 - weights.structure) + weights.structure * shape)

    def _allowed(self, source: DocMeta, flt: CandidateFilter) -> Callable[[int], bool]:
        meta = self._meta
        institutions = flt.institutions
        excluded = set(flt.exclude_institutions)
        if flt.exclude_source_institution and source.institution_code:
            excluded.add(source.institution_code)
        excluded_ids = set(flt.exclude_ids) | {source.id}
        levels, predicate = flt.levels, flt.predicate

        def allowed(slot: int) -> bool:
            m = meta[slot]
            if m is None or m.id in excluded_ids or m.institution_code in excluded:
                return False
            if institutions is not None and m.institution_code not in institutions:
                return False
            if levels is not None and m.level not in levels:
                return False
            return predicate is None or predicate(m)

        return allowed

    def _rank(self, terms: dict[str, float], source: DocMeta, candidates_filter, top, exhaustive):
        n = len(self._slots)
        if not n or top <= 0:
            return []
        flt = CandidateFilter.coerce(candidates_filter)
        allowed = self._allowed(source, flt)

        query, query_norm, idf = self._query(terms)
        if not query:
            return []

        pool = self._restricted_pool(flt)
        if exhaustive:
            candidates = [slot for slot in range(len(self._meta)) if allowed(slot)]
        elif pool is not None:
            candidates = [slot for slot in pool if allowed(slot)]
        else:
            candidates = self._retrieve(query, query_norm, idf, allowed)

        scored = []
        query_terms = set(query)
        for slot in candidates:
            sims = self._similarities(slot, query, query_terms, query_norm, idf)
            text = self._text_score(sims)
            if text > 0.0:
                scored.append((self._combine(text, source, self._meta[slot]), slot, sims))
        best = heapq.nlargest(top, scored, key=itemgetter(0))
        return [
            self._suggestion(score, slot, sims, query, source, idf) for score, slot, sims in best
        ]

    def _restricted_pool(self, flt: CandidateFilter) -> list[int] | None:
        if flt.institutions is None:
            return None
        pool: list[int] = []
        for code in flt.institutions:
            pool.extend(self._by_institution.get(code, ()))
            if len(pool) > self.exhaustive_limit:
                return None
        return pool

    def _retrieve(self, query, query_norm, idf, allowed) -> list[int]:
        field_weight = self._field_weights()
        df, term_field = self._df, self._term_field
        max_df = max(50, int(self.max_df_share * len(self._slots)))
        # W_f * (q_tf * idf) * idf * (d_tf / |d_f|) / |q_f|: the posting holds d_tf / |d_f|
        coefficients = {
            tid: field_weight[term_field[tid]] * x * idf[tid] / query_norm[term_field[tid]]
            for tid, x in query.items()
            if query_norm[term_field[tid]]
        }
        order = sorted(coefficients, key=coefficients.__getitem__, reverse=True)
        if order and all(df[t] > max_df for t in order):  # only common terms: read the rarest
            order = sorted(order, key=df.__getitem__)[:5]
            max_df = len(self._slots)
        acc: dict[int, float] = {}
        get = acc.get
        budget = self.posting_budget
        for tid in order:
            if df[tid] > max_df:
                continue
            docs = self._post_docs[tid]
            if len(docs) > budget:
                continue
            budget -= len(docs)
            coefficient = coefficients[tid]
            for slot, w in zip(docs, self._post_weights[tid], strict=True):
                acc[slot] = get(slot, 0.0) + coefficient * w
        wanted = self.rescore
        ranked = heapq.nlargest(wanted * 2, acc.items(), key=itemgetter(1))
        chosen = [slot for slot, _ in ranked if allowed(slot)][:wanted]
        if len(chosen) < wanted and len(acc) > len(ranked):
            rest = ((s, v) for s, v in acc.items() if allowed(s))
            chosen = [slot for slot, _ in heapq.nlargest(wanted, rest, key=itemgetter(1))]
        return chosen

    def _field_weights(self) -> list[float]:
        w = self.weights
        values = [0.0] * len(FIELDS)
        values[_TH], values[_EN], values[_GRAM], values[_TEXT] = (
            w.name_th,
            w.name_en,
            w.name_gram,
            w.text,
        )
        return values

    def _similarities(self, slot: int, query, query_terms, query_norm, idf) -> list:
        """Per-field cosine with the query; None where either course has nothing in the field."""
        dots = [0.0] * len(FIELDS)
        terms, tfs = self._fwd_terms[slot], self._fwd_tf[slot]
        term_field = self._term_field
        for tid in query_terms.intersection(terms):
            dots[term_field[tid]] += query[tid] * tfs[bisect_left(terms, tid)] * idf[tid]
        norms = self._doc_norms[slot]
        return [
            dots[f] / (query_norm[f] * norms[f]) if norms[f] and query_norm[f] else None
            for f in range(len(FIELDS))
        ]

    def _text_score(self, sims: list[float | None]) -> float:
        """Weighted mean of the fields both courses have (English names are often missing)."""
        field_weight = self._field_weights()
        total = weight = 0.0
        for field, sim in enumerate(sims):
            if sim is None:
                continue
            total += field_weight[field] * sim
            weight += field_weight[field]
        return total / weight if weight else 0.0

    def _suggestion(self, score, slot, sims, query, source: DocMeta, idf) -> Suggestion:
        name_words: list[tuple[float, str]] = []
        text_words: list[tuple[float, str]] = []
        for tid, tf in zip(self._fwd_terms[slot], self._fwd_tf[slot], strict=True):
            q = query.get(tid)
            if q is None:
                continue
            key = self._terms[tid]
            word = display_word(key)
            if word in GENERIC_TH or word in GENERIC_EN or len(word) < 2:
                continue
            weight = q * tf * idf[tid]
            if key[0] in (NAME_TH, NAME_EN):
                name_words.append((weight, word))
            elif key[0] == TEXT:
                text_words.append((weight, word))
        name_sims = [s for s in (sims[_TH], sims[_GRAM]) if s is not None]
        shared_name = best_words(name_words, 6)
        return build_suggestion(
            score,
            source,
            self._meta[slot],
            shared_name=shared_name,
            shared_text=best_words([(w, t) for w, t in text_words if t not in shared_name], 8),
            name_similarity=max(name_sims, default=0.0),
            text_similarity=sims[_TEXT] or 0.0,
        )

    # --- persistence ----------------------------------------------------------------------------

    _STATE = (
        "weights", "rescore", "posting_budget", "max_df_share", "exhaustive_limit", "_term_ids",
        "_terms", "_term_field", "_df", "_post_docs", "_post_weights", "_fwd_terms", "_fwd_tf",
        "_meta", "_slots", "_by_institution", "_doc_norms", "_normalised_n", "_dead",
    )  # fmt: skip

    def save(self, path: str | os.PathLike) -> None:
        """Write the index to ``path`` atomically (a reader never sees half a file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {name: getattr(self, name) for name in self._STATE}
        payload = {"format": FORMAT_VERSION, "analyzer": ANALYZER_VERSION, "state": state}
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(temporary, 0o644)  # mkstemp makes it 0600; web workers must read it
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> SuggestionIndex:
        """Read an index written by ``save``; ``IndexFormatError`` means: rebuild it.

        Only load files this application wrote (pickle runs code from the file).
        """
        with open(path, "rb") as handle:
            try:
                payload = pickle.load(handle)  # noqa: S301 - our own file, written by save()
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
                raise IndexFormatError(f"{path} is not a readable index: {error}") from error
        if (
            not isinstance(payload, dict)
            or payload.get("format") != FORMAT_VERSION
            or payload.get("analyzer") != ANALYZER_VERSION
        ):
            raise IndexFormatError(f"{path} was written by another version of the index")
        index = cls.__new__(cls)
        for name, value in payload["state"].items():
            setattr(index, name, value)
        index._idf_cache = None
        return index
