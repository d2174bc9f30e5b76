from django.core.exceptions import ValidationError


class SkillsError(ValidationError):
    """A business rule refused the action; the message is for the user."""
