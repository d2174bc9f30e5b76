from django.core.exceptions import ValidationError


class ReportsError(ValidationError):
    """A business rule refused the action; the message is for the user."""


class RoundLocked(ReportsError):
    """The round is locked: nothing in it may change until the centre reopens it."""
