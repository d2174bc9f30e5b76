"""The credit ledger: an append-only list of entries; balances are queries over it.

Nothing updates or deletes a ``CreditEntry``: the database refuses it (triggers created in the
migration by ``creditbank.db.AppendOnly``). A correction is a REVERSAL entry that points at the
entry it cancels and carries the same fields with the credits negated, so every sum and every
breakdown nets the pair to zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import ACADEMIC_YEAR_VALIDATORS, Level, SubjectGroup

from ..grades import GradeScale


class SourceKind(models.TextChoices):
    SCHOOL = "school", _("School (basic education)")
    VOCATIONAL = "vocational", _("Vocational education")
    NFE = "nfe", _("Non-formal education")
    UNIVERSITY = "university", _("Higher education")
    SKILL_TEST = "skill_test", _("Skill test")
    PRIOR_LEARNING = "prior_learning", _("Prior learning / experience")
    TRANSFER = "transfer", _("Credit transfer")


ZERO = Decimal("0")


class CreditEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        """Entries of learners the user may see (see ``LearnerQuerySet.for_user``)."""
        from .learner import Learner

        return self.filter(learner__in=Learner.objects.for_user(user).values("pk"))

    def counted(self, on: dt.date | None = None):
        """Entries that count toward a balance: passed, verified and not expired on ``on``.

        A reversal carries the flags of the entry it reverses, so the pair nets to zero here.
        """
        on = on or timezone.localdate()
        return self.filter(passed=True, verified=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )

    def total_credits(self) -> Decimal:
        return self.aggregate(total=Coalesce(Sum("credits"), ZERO))["total"]

    def live(self):
        """EARN and TRANSFER entries that no reversal has cancelled."""
        return self.exclude(kind=CreditEntry.Kind.REVERSAL).filter(reversal__isnull=True)


class CreditEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        TRANSFER = "transfer", _("Transferred")
        REVERSAL = "reversal", _("Reversal")

    learner = models.ForeignKey(
        "learners.Learner",
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("entry kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_entries",
    )
    # Snapshots: what the course was when the credit was earned (a course may change later,
    # and a skill test or prior learning has no course).
    course_code = models.CharField(_("course code"), max_length=30, blank=True)
    course_name_th = models.CharField(_("course name (Thai)"), max_length=200)
    course_name_en = models.CharField(_("course name (English)"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    subject_group = models.CharField(
        _("subject group"), max_length=10, choices=SubjectGroup.choices, blank=True
    )
    credits = models.DecimalField(_("credits"), max_digits=5, decimal_places=1)
    grade_scale = models.CharField(
        _("grade scale"), max_length=10, choices=GradeScale.choices, default=GradeScale.BASIC
    )
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    grade_points = models.DecimalField(
        _("grade points"), max_digits=2, decimal_places=1, null=True, blank=True
    )
    academic_year = models.PositiveIntegerField(
        _("academic year (B.E.)"), validators=ACADEMIC_YEAR_VALIDATORS
    )
    term = models.CharField(_("term"), max_length=10, blank=True)
    passed = models.BooleanField(_("passed"))
    verified = models.BooleanField(_("verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
    )
    transfer_request = models.ForeignKey(
        "learners.TransferRequest",
        verbose_name=_("transfer request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    mapping = models.ForeignKey(
        "equivalence.EquivalenceMapping",
        verbose_name=_("equivalence mapping"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    results_upload = models.ForeignKey(
        "learners.ResultUpload",
        verbose_name=_("results upload"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("E.g. a skill certificate's serial number."),
    )
    note = models.TextField(_("note"), blank=True)
    # The result this entry records (learner, institution, course code, year, term): a
    # corrected result reverses the live entry with the same key and posts a new one.
    natural_key = models.CharField(max_length=200, db_index=True)
    # Whoever posts an entry names the request; posting it twice stores it once.
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        indexes = [
            models.Index(fields=["learner", "created_at"], name="entry_learner_timeline"),
            models.Index(fields=["learner", "academic_year", "term"], name="entry_learner_year"),
            models.Index(fields=["institution", "academic_year"], name="entry_institution_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(reverses__isnull=False))
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="entry_reversal_points_back",
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(transfer_request__isnull=False),
                name="entry_transfer_has_request",
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal") | Q(credits__gte=0),
                name="entry_credits_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["earn", "transfer", "reversal"]), name="entry_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.course_code} {self.credits}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("credit entries are append-only: post a reversal instead")
        super().save(*args, **kwargs)

    @property
    def scope_institution(self):
        return self.institution

    @property
    def course_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "th").startswith("en") and self.course_name_en:
            return self.course_name_en
        return self.course_name_th

    @property
    def counts(self) -> bool:
        today = timezone.localdate()
        return (
            self.passed
            and self.verified
            and (self.valid_until is None or self.valid_until >= today)
        )
