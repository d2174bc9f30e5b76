"""Course-equivalence suggestions: ranked candidate target courses with a plain explanation.

Independent of Django: build ``CourseDoc`` objects from courses, index them, rank.

    index = SuggestionIndex.build(docs)            # or SuggestionIndex.load(path)
    index.update(doc); index.remove(doc_id)        # when a course changes
    index.save(path)                               # atomic; survives restarts
    for s in index.rank(source_doc, candidates_filter={"LPN-TECH"}, top=10):
        s.doc_id, s.score, s.explain_text("th")
"""

from .features import ANALYZER_VERSION, CourseDoc
from .filters import CandidateFilter
from .index import IndexFormatError, SuggestionIndex
from .scoring import DEFAULT_WEIGHTS, DocMeta, Explanation, Suggestion, Weights, explain_text

__all__ = [
    "ANALYZER_VERSION",
    "DEFAULT_WEIGHTS",
    "CandidateFilter",
    "CourseDoc",
    "DocMeta",
    "Explanation",
    "IndexFormatError",
    "Suggestion",
    "SuggestionIndex",
    "Weights",
    "explain_text",
]
