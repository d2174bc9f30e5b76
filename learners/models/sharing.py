"""Transcripts, share links for receiving institutions, and data-subject (PDPA) requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Transcript(models.Model):
    """One issued transcript: what it said when issued, so verification shows exactly that."""

    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="transcripts",
    )
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    document = models.ForeignKey(
        "creditbank.GeneratedDocument",
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return self.serial


class TranscriptShare(models.Model):
    """A link a learner gives a receiving institution; it expires and logs every access."""

    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="shares",
    )
    token = models.CharField(max_length=64, unique=True)
    recipient = models.CharField(_("shared with"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("transcript share link")
        verbose_name_plural = _("transcript share links")

    def __str__(self) -> str:
        return f"{self.recipient or self.pk} → {self.expires_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ShareAccess(models.Model):
    share = models.ForeignKey(
        TranscriptShare,
        verbose_name=_("share link"),
        on_delete=models.CASCADE,
        related_name="accesses",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    granted = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("share link access")
        verbose_name_plural = _("share link accesses")

    def __str__(self) -> str:
        return f"{self.share_id} @ {self.at:%Y-%m-%d %H:%M}"


class ErasureRequest(models.Model):
    """A learner asked to erase their personal data (PDPA). Answering it pseudonymises the
    learner (names, identifier, birth date) while the ledger's numbers stay."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        COMPLETED = "completed", _("Completed: personal data pseudonymised")
        REFUSED = "refused", _("Refused")

    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("how it was asked"), max_length=100, blank=True)
    details = models.TextField(_("what was asked"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def scope_institution(self):
        return self.learner.home_institution
