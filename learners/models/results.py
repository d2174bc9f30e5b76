"""Results uploads: a registrar's workbook of learners' results, checked, confirmed, approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def results_upload_path(instance, filename):
    return f"uploads/results/{instance.institution_id}/{instance.sha256[:16]}.xlsx"


class ResultUploadQuerySet(models.QuerySet):
    def for_user(self, user):
        from institutions.scoping import scope_for

        return self.filter(scope_for(user).q(prefix="institution__"))


class ResultUpload(models.Model):
    """One uploaded results workbook.

    queued → checking → preview (row errors shown) → submitted (confirmed: learners matched or
    created, rows frozen) → approved (the registrar verified them: entries posted) or rejected.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        PREVIEW = "preview", _("Checked: waiting for confirmation")
        SUBMITTED = "submitted", _("Waiting for the registrar's approval")
        APPROVED = "approved", _("Approved: credits recorded")
        REJECTED = "rejected", _("Rejected")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class UnknownLearners(models.TextChoices):
        REFUSE = "refuse", _("Refuse rows of learners not yet registered")
        CREATE = "create", _("Register them (marked unverified)")

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="result_uploads",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file = models.FileField(upload_to=results_upload_path)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    unknown_learners = models.CharField(
        _("learners not yet registered"),
        max_length=10,
        choices=UnknownLearners.choices,
        default=UnknownLearners.REFUSE,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    counts = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ResultUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("results upload")
        verbose_name_plural = _("results uploads")
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def scope_institution(self):
        return self.institution

    @property
    def can_submit(self) -> bool:
        return self.status == self.Status.PREVIEW and not self.counts.get("error")

    @property
    def can_decide(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ResultRow(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New result")
        CORRECTION = "correction", _("Corrects a recorded result")
        UNCHANGED = "unchanged", _("Already recorded")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    upload = models.ForeignKey(ResultUpload, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    change = models.CharField(max_length=10, blank=True)  # new / correction / unchanged
    data = models.JSONField(default=dict)
    messages = models.JSONField(default=list)
    learner = models.ForeignKey(
        "learners.Learner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["row_number"]
        indexes = [models.Index(fields=["upload", "status", "row_number"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.status}"

    @property
    def masked_identifier(self) -> str:
        from ..identifiers import mask

        value = self.data.get("identifier") or ""
        return mask(self.data.get("identifier_type", ""), value) if value else "–"
