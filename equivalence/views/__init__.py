from .mappings import coverage, decide, demand, detail, evidence, queue, where_it_counts  # noqa: F401
from .spreadsheets import decisions_commit, decisions_detail, decisions_upload, export  # noqa: F401
from .workspace import propose, workspace, workspace_candidates  # noqa: F401
