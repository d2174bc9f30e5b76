"""Learners: who banks credits, how they are identified, and who looked at their ID."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import identifiers


class IdentifierType(models.TextChoices):
    CITIZEN_ID = identifiers.CITIZEN_ID, _("Thai citizen ID")
    G_CODE = identifiers.G_CODE, _("G-code (learner without Thai status)")
    PASSPORT = identifiers.PASSPORT, _("Passport")


class LearnerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Learners a staff member may see: those whose home institution is in the user's scope,
        who have ledger entries at one, or who asked one for a transfer. A learner sees
        themself only."""
        from institutions.scoping import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.is_national:
            return self.all()
        if not scope.grants:
            return self.filter(user=user)
        from .ledger import CreditEntry
        from .transfer import TransferRequest

        institution_q = scope.q(prefix="institution__")
        entries = CreditEntry.objects.filter(institution_q, learner=models.OuterRef("pk"))
        requests = TransferRequest.objects.filter(
            scope.q(prefix="target_institution__"), learner=models.OuterRef("pk")
        )
        return self.filter(
            scope.q(prefix="home_institution__")
            | models.Exists(entries)
            | models.Exists(requests)
            | models.Q(user=user)
        )

    def search(self, text: str):
        """Search by name (Thai or English) or by the full identifier (never by a fragment of
        it: a partial-ID search would let staff recover a masked number digit by digit)."""
        text = (text or "").strip()
        if not text:
            return self
        normalised = identifiers.normalise(text)
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(first_name_th__icontains=word)
                | models.Q(last_name_th__icontains=word)
                | models.Q(first_name_en__icontains=word)
                | models.Q(last_name_en__icontains=word)
            )
        return self.filter(query | models.Q(identifier=normalised))


class Learner(models.Model):
    identifier_type = models.CharField(
        _("identifier type"),
        max_length=12,
        choices=IdentifierType.choices,
        default=IdentifierType.CITIZEN_ID,
    )
    # Normalised (identifiers.validate): ASCII digits, no separators. Replaced by a random
    # token when the learner's personal data is pseudonymised.
    identifier = models.CharField(_("identifier"), max_length=40)
    title_th = models.CharField(_("title (Thai)"), max_length=30, blank=True)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100)
    last_name_th = models.CharField(_("last name (Thai)"), max_length=100, blank=True)
    first_name_en = models.CharField(_("first name (English)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (English)"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    home_institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("home institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="learners",
    )
    consent = models.BooleanField(_("consents to data processing"), default=False)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    verified = models.BooleanField(
        _("identity verified"),
        default=False,
        help_text=_("A registrar has checked the learner's identity document."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learner",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("account linked"), null=True, blank=True)
    pseudonymised = models.BooleanField(_("personal data erased"), default=False)
    pseudonymised_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["first_name_th", "last_name_th", "pk"]
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_type", "identifier"], name="learner_identifier_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["first_name_th", "last_name_th", "id"], name="learner_name_order"),
            models.Index(fields=["home_institution", "first_name_th"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name_th(self) -> str:
        return " ".join(p for p in (self.title_th + self.first_name_th, self.last_name_th) if p)

    @property
    def full_name_en(self) -> str:
        return " ".join(p for p in (self.first_name_en, self.last_name_en) if p)

    @property
    def full_name(self) -> str:
        if (get_language() or "th").startswith("en") and self.full_name_en:
            return self.full_name_en
        return self.full_name_th

    @property
    def masked_identifier(self) -> str:
        """What every screen shows (``1-2345-xxxxx-xx-1``) except the learner's own."""
        if self.pseudonymised:
            return "—"
        return identifiers.mask(self.identifier_type, self.identifier)

    @property
    def formatted_identifier(self) -> str:
        """The full number, for the learner themself and for a logged unmask."""
        return identifiers.format_full(self.identifier_type, self.identifier)

    @property
    def scope_institution(self):
        return self.home_institution


class UnmaskLog(models.Model):
    """Staff saw a learner's full identifier: who, when and why."""

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="unmask_logs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("identifier unmasking")
        verbose_name_plural = _("identifier unmaskings")
        indexes = [models.Index(fields=["learner", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.learner_id} · {self.at:%Y-%m-%d %H:%M}"
