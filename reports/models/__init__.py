from .dashboard import SummaryRefresh, SummaryRow
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
    "FocusPoint",
    "FocusSubPoint",
    "InspectionPolicy",
    "InspectionRound",
    "RoundDocument",
    "SectionBlock",
    "SummaryRefresh",
    "SummaryRow",
]
