from django.core.exceptions import ValidationError


class LearnerError(ValidationError):
    """A business rule refused the action; the message is for the user."""


class LedgerError(ValidationError):
    """The ledger refused an entry; the message is for the user."""
