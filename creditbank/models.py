from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GeneratedDocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Documents are private to whoever asked for them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class GeneratedDocument(models.Model):
    """One PDF or xlsx job: what was asked, how far it got, and the file it produced."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_message = models.CharField(_("progress message"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField(_("download name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="generated_documents",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="gendoc_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="gendoc_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="gendoc_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_stuck(self) -> bool:
        """Still "running" past the task's hard time limit: its worker died."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return False
        limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60) + 60
        return timezone.now() - self.started_at > timedelta(seconds=limit)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.QUEUED or (
            self.status == self.Status.RUNNING and not self.is_stuck
        )

    @property
    def is_retryable(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stuck

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED
