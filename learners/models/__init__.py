from .learner import IdentifierType, Learner, UnmaskLog
from .ledger import CreditEntry, SourceKind
from .results import ResultRow, ResultUpload
from .sharing import ErasureRequest, ShareAccess, Transcript, TranscriptShare
from .transfer import TransferItem, TransferRequest, TransferRule

__all__ = [
    "CreditEntry",
    "ErasureRequest",
    "IdentifierType",
    "Learner",
    "ResultRow",
    "ResultUpload",
    "ShareAccess",
    "SourceKind",
    "Transcript",
    "TranscriptShare",
    "TransferItem",
    "TransferRequest",
    "TransferRule",
    "UnmaskLog",
]
