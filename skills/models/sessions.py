"""Test sessions, the candidates registered for them, and their results."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .standards import CentreQuerySet, OccupationalStandard


class TestSession(models.Model):
    __test__ = False  # not a pytest class, whatever its name says

    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("test centre"),
        on_delete=models.PROTECT,
        related_name="test_sessions",
    )
    standard = models.ForeignKey(
        OccupationalStandard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("test session")
        verbose_name_plural = _("test sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="skills_session_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} · {self.starts_on}"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day comes before the first.")})

    def scope_institution(self):
        return self.centre


class CandidateQuerySet(models.QuerySet):
    def for_user(self, user):
        from .standards import _scope_q

        return self.filter(_scope_q(user, "session__centre__"))


class Candidate(models.Model):
    session = models.ForeignKey(
        TestSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="candidates"
    )
    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="skill_candidacies",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="skills_candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.learner)

    def scope_institution(self):
        return self.session.centre


class Result(models.Model):
    """One candidate's outcome; entering it again overwrites it (idempotent imports)."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="result"
    )
    passed = models.BooleanField(_("passed"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.candidate} · {'pass' if self.passed else 'fail'}"


def result_upload_path(instance, filename):
    """Private media (never served by URL): the centre's folder, named by the file's hash."""
    return f"uploads/skills-results/{instance.session.centre_id}/{instance.sha256[:16]}.xlsx"


class ResultUploadQuerySet(models.QuerySet):
    def for_user(self, user):
        from .standards import _scope_q

        return self.filter(_scope_q(user, "session__centre__"))


class ResultUpload(models.Model):
    """An uploaded results workbook: checked rows (the preview), then committed once."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Checked, waiting for confirmation")
        REFUSED = "refused", _("Refused")
        COMMITTED = "committed", _("Saved")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        TestSession, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("session")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The workbook as uploaded (checked files only), for the checked workbook with its errors.
    file = models.FileField(upload_to=result_upload_path, blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    message = models.TextField(_("message"), blank=True)
    # [{"row": 3, "identifier": "...", "name": "...", "passed": true, "score": "78",
    #   "candidate": 12, "change": "new|changed|unchanged", "errors": [...],
    #   "error_columns": ["identifier|name|result|score", ...]}]  (one column per error)
    rows = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = ResultUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("results upload")
        verbose_name_plural = _("results uploads")

    def __str__(self) -> str:
        return self.file_name

    def scope_institution(self):
        return self.session.centre

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.PREVIEW and self.error_count == 0 and bool(self.rows)
