from .mappings import (  # noqa: F401
    MappingError,
    demand_record,
    demand_resolve_for,
    mapping_approve,
    mapping_evidence_add,
    mapping_propose,
    mapping_reject,
    mapping_retire,
    mapping_start_review,
)
from .suggestions import (  # noqa: F401
    Candidate,
    load_index,
    suggest_explain,
    suggest_for_course,
    suggest_index_rebuild,
    suggest_index_status,
    suggest_index_update,
)
