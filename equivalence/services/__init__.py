from .mappings import (  # noqa: F401
    MappingError,
    demand_record,
    demand_resolve_for,
    mapping_approve,
    mapping_propose,
    mapping_reject,
    mapping_retire,
    mapping_start_review,
)
