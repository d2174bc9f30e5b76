"""Certificates: issued once per passing result, signed, revocable, expiring with the standard."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import Result
from .standards import OccupationalStandard


class CertificateQuerySet(models.QuerySet):
    def for_user(self, user):
        """Certificates of centres in the user's scope, and a learner's own."""
        from institutions.scoping import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(scope_for(user).q(prefix="centre__") | models.Q(learner__user=user))

    def of_learner_user(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(learner__user=user)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    # What the verification page and the QR code say; "expired" is computed from expires_on.
    class Shown(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        NOT_GENUINE = "not_genuine", _("Not genuine")

    public_id = models.CharField(_("certificate ID"), max_length=40, unique=True, editable=False)
    serial = models.CharField(_("serial number"), max_length=40)
    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="skill_certificates",
    )
    year = models.PositiveIntegerField(_("year (B.E.)"))
    sequence = models.PositiveIntegerField(_("sequence"))
    result = models.OneToOneField(
        Result, verbose_name=_("result"), on_delete=models.PROTECT, related_name="certificate"
    )
    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="skill_certificates",
    )
    standard = models.ForeignKey(
        OccupationalStandard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # What was true when it was issued (the signature covers these).
    holder_name = models.CharField(_("holder name"), max_length=255)
    standard_code = models.CharField(_("standard code"), max_length=40)
    standard_name = models.CharField(_("standard name"), max_length=255)
    level = models.PositiveSmallIntegerField(_("level"))
    nqf_level = models.PositiveSmallIntegerField(_("NQF level"))
    issuer_name = models.CharField(_("issuer name"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    signature = models.CharField(_("signature"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ledger_entry_id = models.PositiveBigIntegerField(
        _("credit ledger entry"), null=True, blank=True
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True, max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "year", "sequence"], name="skills_cert_sequence_unique"
            ),
            models.UniqueConstraint(fields=["centre", "serial"], name="skills_cert_serial_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["valid", "revoked"]), name="skills_cert_status"
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def scope_institution(self):
        return self.centre

    def shown_status(self, on=None) -> str:
        if self.status == self.Status.REVOKED:
            return self.Shown.REVOKED
        today = on or timezone.localdate()
        if self.expires_on and self.expires_on < today:
            return self.Shown.EXPIRED
        return self.Shown.VALID

    def get_shown_status_display(self) -> str:
        return self.Shown(self.shown_status()).label


class SerialCounter(models.Model):
    """The last sequence number a centre used in a year (locked while issuing)."""

    centre = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "year"], name="skills_serial_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id}/{self.year}: {self.last}"
