"""The transfer evaluation engine (a package: data.py, loading.py, engine.py): which of a learner's banked entries count toward a curriculum.

Read-only and a constant number of queries whatever the size of the ledger (tests count them):
the learner's live entries (one query), the approved mappings that touch the learner's courses
(one), the receiving institutions' rules (one), what was already transferred (one) and, for the
pathway, the curricula's courses (one). Everything else is computed in Python, so the same
loaded data evaluates one curriculum (a transfer request) or every curriculum of a province (the
pathway ranking).

Rules, in the order they are checked for each entry:

1. only live EARN entries are considered (a reversed entry and transfer entries restate nothing
   new); entries earned at the receiving institution already count there and are left out;
2. not passed, not verified, expired (``valid_until`` before today) → does not count;
3. already transferred to the receiving institution by an approved request → does not count;
4. an approved mapping must lead from the entry's course to courses of the target curriculum
   (a mirrored mapping also leads back); none → "no mapping" (the request puts the course on
   the equivalence demand list);
5. the mapping must be valid in the entry's academic year, and the grade must reach the higher
   of the mapping's minimum and the receiving institution's rule (default 2.0 / C);
6. n:m: every source course of the mapping must be passed under the same conditions;
7. at most ``max_share`` of the curriculum's credits (higher education: 3/4 by default, a
   setting per institution and level in ``TransferRule``); mappings beyond it do not count.

The residency condition (at least one term at the receiving institution) cannot be met by
credits: it is shown with the result.
"""

from .data import (  # noqa: F401
    DEFAULT_HIGHER_MAX_SHARE,
    DEFAULT_MIN_GRADE,
    DEFAULT_RESIDENCY_TERMS,
    HIGHER_EDUCATION_LEVELS,
    AppliedRule,
    CourseRef,
    EntryRef,
    Evaluation,
    Group,
    InstitutionRef,
    Item,
    Orientation,
)
from .engine import evaluate, evaluate_loaded  # noqa: F401
from .loading import (  # noqa: F401
    applied_rule,
    curriculum_courses,
    in_curriculum,
    load_entries,
    load_orientations,
    load_rules,
    load_transferred,
)
