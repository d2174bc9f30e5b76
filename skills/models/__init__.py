from .certificates import Certificate, SerialCounter
from .sessions import Candidate, Result, ResultUpload, TestSession
from .standards import (
    Body,
    BranchRequest,
    CentreBranch,
    CentreStandard,
    EquipmentNeed,
    LadderRung,
    NqfLevel,
    OccupationalStandard,
)

__all__ = [
    "Body",
    "BranchRequest",
    "Candidate",
    "CentreBranch",
    "CentreStandard",
    "Certificate",
    "EquipmentNeed",
    "LadderRung",
    "NqfLevel",
    "OccupationalStandard",
    "Result",
    "ResultUpload",
    "SerialCounter",
    "TestSession",
]
