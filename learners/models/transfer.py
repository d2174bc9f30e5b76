"""Credit transfer: rules per receiving institution, requests and their item-by-item evaluation."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Level


class TransferRule(models.Model):
    """What a receiving institution accepts, per level (a blank level: every level).

    Defaults from Thai practice (DOMAIN.md): minimum grade 2.0 / C, at most three quarters of
    the curriculum's credits, at least one term studied at the receiving institution.
    """

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("receiving institution"),
        on_delete=models.CASCADE,
        related_name="transfer_rules",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    min_grade = models.DecimalField(
        _("minimum grade"),
        max_digits=2,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("4"))],
        help_text=_("On the 4-point scale: 2.0 is C."),
    )
    max_share = models.DecimalField(
        _("largest share of the curriculum's credits"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    residency_terms = models.PositiveSmallIntegerField(
        _("terms to study at the receiving institution"), default=1
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution__name_th", "level"]
        verbose_name = _("transfer rule")
        verbose_name_plural = _("transfer rules")
        constraints = [
            models.UniqueConstraint(fields=["institution", "level"], name="transfer_rule_once"),
            models.CheckConstraint(
                condition=models.Q(max_share__gte=0) & models.Q(max_share__lte=1),
                name="transfer_rule_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_level_display() or '*'}"

    @property
    def scope_institution(self):
        return self.institution


class TransferRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The learner's own requests; staff: requests to, or of learners of, their scope."""
        from institutions.scoping import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.is_national:
            return self.all()
        return self.filter(
            scope.q(prefix="target_institution__")
            | scope.q(prefix="learner__home_institution__")
            | models.Q(learner__user=user)
        )


class TransferRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    target_institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("receiving institution"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    target_curriculum = models.ForeignKey(
        "courses.Curriculum",
        verbose_name=_("target curriculum"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    learner_note = models.TextField(_("learner's note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("decision comment"), blank=True)
    # The rule applied at evaluation (min grade, max share, residency) as it stood then.
    rule_snapshot = models.JSONField(_("rule applied"), default=dict, blank=True)

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        indexes = [
            models.Index(fields=["learner", "-requested_at"]),
            models.Index(fields=["target_institution", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["requested", "approved", "rejected", "withdrawn"]),
                name="transfer_request_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def scope_institution(self):
        return self.target_institution

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED


class TransferItem(models.Model):
    """One banked entry in a request's evaluation: does it count, through which mapping, why."""

    class Reason(models.TextChoices):
        COUNTED = "counted", _("Counts")
        NO_MAPPING = "no_mapping", _("No approved equivalence mapping (added to the demand list)")
        GRADE_BELOW = "grade_below", _("Grade below the minimum")
        MAPPING_NOT_VALID = "mapping_not_valid", _("Mapping not valid for that academic year")
        EXPIRED = "expired", _("Credit expired")
        NOT_PASSED = "not_passed", _("Not passed")
        NOT_VERIFIED = "not_verified", _("Not verified")
        INCOMPLETE_SET = "incomplete_set", _("Other courses of the mapping are missing")
        ALREADY_TRANSFERRED = "already_transferred", _("Already transferred there")
        OVER_CAP = "over_cap", _("Beyond the share of credits that may be transferred")

    request = models.ForeignKey(
        TransferRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="items"
    )
    entry = models.ForeignKey(
        "learners.CreditEntry",
        verbose_name=_("banked entry"),
        on_delete=models.PROTECT,
        related_name="transfer_items",
    )
    mapping = models.ForeignKey(
        "equivalence.EquivalenceMapping",
        verbose_name=_("mapping"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("counts as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counts = models.BooleanField(_("counts"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    credits_recognised = models.DecimalField(
        _("credits recognised"), max_digits=5, decimal_places=1, default=Decimal("0")
    )

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("transfer item")
        verbose_name_plural = _("transfer items")
        constraints = [
            models.UniqueConstraint(fields=["request", "entry"], name="transfer_item_once"),
            models.CheckConstraint(
                condition=models.Q(counts=False) | models.Q(reason="counted"),
                name="transfer_item_counts_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.reason}"
