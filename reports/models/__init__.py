from .dashboard import AgencyScope, SummaryRefresh, SummaryRow
from .forms import FocusPoint, FocusSubPoint, InspectionPolicy
from .rounds import (
    Activity,
    AgencyContribution,
    InspectionRound,
    RoundDocument,
    SectionBlock,
)

__all__ = [
    "Activity",
    "AgencyContribution",
    "AgencyScope",
    "FocusPoint",
    "FocusSubPoint",
    "InspectionPolicy",
    "InspectionRound",
    "RoundDocument",
    "SectionBlock",
    "SummaryRefresh",
    "SummaryRow",
]
