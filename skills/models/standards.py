"""Occupational standards on the Thai NQF ladder, and the test centres that may test them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _scope_q(user, prefix: str):
    from institutions.scoping import scope_for

    return scope_for(user).q(prefix=prefix)


class Body(models.TextChoices):
    DSD = "dsd", _("Department of Skill Development (labour skill standard)")
    TPQI = "tpqi", _("Thailand Professional Qualification Institute (professional qualification)")
    OWN = "own", _("Institution's or industry's own standard")


class NqfLevel(models.Model):
    """One rung of the Thai National Qualifications Framework (data, loaded by a migration)."""

    number = models.PositiveSmallIntegerField(
        _("NQF level"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("NQF level")
        verbose_name_plural = _("NQF levels")

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "th").startswith("en") else self.name_th


class LadderRung(models.Model):
    """Where a body's level sits on the NQF ladder (DSD level 2 → NQF 2; TPQI tier 4 → NQF 4)."""

    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    nqf_level = models.ForeignKey(
        NqfLevel, verbose_name=_("NQF level"), on_delete=models.PROTECT, related_name="rungs"
    )

    class Meta:
        ordering = ["body", "level"]
        verbose_name = _("ladder rung")
        verbose_name_plural = _("ladder rungs")
        constraints = [
            models.UniqueConstraint(fields=["body", "level"], name="skills_rung_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.level} → NQF {self.nqf_level.number}"


class StandardQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(code__icontains=word)
                | models.Q(name_th__icontains=word)
                | models.Q(name_en__icontains=word)
                | models.Q(branch__icontains=word)
            )
        return self.filter(query)


class OccupationalStandard(models.Model):
    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    code = models.CharField(_("code"), max_length=40)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    branch = models.CharField(_("occupation branch"), max_length=120, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1)])
    nqf_level = models.ForeignKey(
        NqfLevel, verbose_name=_("NQF level"), on_delete=models.PROTECT, related_name="standards"
    )
    description = models.TextField(_("description"), blank=True)
    # [{"code": "RUB-ZMEV-122A", "title": "..."}]
    competency_units = models.JSONField(_("competency units"), default=list, blank=True)
    isco_code = models.CharField(_("ISCO-08 occupation code"), max_length=10, blank=True)
    credits = models.DecimalField(
        _("credits when banked"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Credits a certificate of this standard is worth in the credit bank."),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when certificates of this standard never expire."),
    )
    owner = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("owning institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_standards",
        help_text=_("For an institution's or industry's own standard."),
    )
    courses = models.ManyToManyField(
        "courses.Course",
        verbose_name=_("courses that prepare for it"),
        related_name="occupational_standards",
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["branch", "level", "code"]
        verbose_name = _("occupational standard")
        verbose_name_plural = _("occupational standards")
        constraints = [
            models.UniqueConstraint(fields=["body", "code", "level"], name="skills_std_unique"),
        ]
        indexes = [models.Index(fields=["body", "branch", "level"], name="skills_std_filter")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


class CentreQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(_scope_q(user, "centre__"))


class CentreBranch(models.Model):
    """An occupation branch a centre is accredited to test (every standard of the branch)."""

    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("test centre"),
        on_delete=models.CASCADE,
        related_name="skill_branches",
    )
    branch = models.CharField(_("occupation branch"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["branch"]
        verbose_name = _("accredited branch")
        verbose_name_plural = _("accredited branches")
        constraints = [
            models.UniqueConstraint(fields=["centre", "branch"], name="skills_centre_branch_unique")
        ]

    def __str__(self) -> str:
        return self.branch

    def scope_institution(self):
        return self.centre


class CentreStandard(models.Model):
    """A single standard a centre may test (outside its accredited branches)."""

    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("test centre"),
        on_delete=models.CASCADE,
        related_name="skill_standards",
    )
    standard = models.ForeignKey(
        OccupationalStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="centre_links",
    )

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("accredited standard")
        verbose_name_plural = _("accredited standards")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "standard"], name="skills_centre_standard_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} · {self.standard_id}"

    def scope_institution(self):
        return self.centre


class BranchRequest(models.Model):
    """A centre asks to test a further occupation branch (the seed's plan to add branches)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("test centre"),
        on_delete=models.CASCADE,
        related_name="branch_requests",
    )
    branch = models.CharField(_("occupation branch"), max_length=120)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("branch request")
        verbose_name_plural = _("branch requests")

    def __str__(self) -> str:
        return f"{self.centre} · {self.branch} ({self.get_status_display()})"

    def scope_institution(self):
        return self.centre


class EquipmentNeed(models.Model):
    """Testing equipment a centre lacks (feeds the inspection report's "problems")."""

    class Status(models.TextChoices):
        NEEDED = "needed", _("Needed")
        REQUESTED = "requested", _("Budget requested")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    centre = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("test centre"),
        on_delete=models.CASCADE,
        related_name="equipment_needs",
    )
    item = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    branch = models.CharField(_("for branch"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEEDED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["status", "branch", "item"]
        verbose_name = _("equipment need")
        verbose_name_plural = _("equipment needs")

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    def scope_institution(self):
        return self.centre
