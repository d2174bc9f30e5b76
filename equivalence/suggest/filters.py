"""Which indexed courses may be suggested for a source course."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .scoring import DocMeta


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    """Which indexed courses may be suggested.

    ``institutions``: only these institution codes (None: all). ``exclude_institutions``: never
    these. ``exclude_source_institution``: skip the source's own institution (default).
    ``levels``: only these levels (None: all). ``predicate``: any further test on ``DocMeta``.
    The source course itself is never suggested.
    """

    institutions: frozenset[str] | None = None
    exclude_institutions: frozenset[str] = frozenset()
    exclude_source_institution: bool = True
    levels: frozenset[str] | None = None
    exclude_ids: frozenset = frozenset()
    predicate: Callable[[DocMeta], bool] | None = None

    @classmethod
    def coerce(cls, value) -> CandidateFilter:
        """None, a CandidateFilter, an iterable of institution codes, or a DocMeta predicate."""
        if value is None:
            return cls()
        if isinstance(value, CandidateFilter):
            return value
        if callable(value):
            return cls(predicate=value)
        if isinstance(value, str):
            return cls(institutions=frozenset({value}))
        return cls(institutions=frozenset(value))
