"""Inspection rounds, each agency's part of the report, and the agencies' activity logs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Province

from .forms import FocusPoint, InspectionPolicy

FISCAL_YEAR_MIN = 2500
FISCAL_YEAR_MAX = 2700

# The fixed frame of the form; section 2 is answered per sub-point of the focus point.
SECTION_SITUATION = "1"
SECTION_PROBLEMS = "3"
SECTION_SUGGESTIONS = "4"
SECTION_GOOD_PRACTICE = "5"
FIXED_SECTIONS = {
    SECTION_SITUATION: _("Situation analysis in the area"),
    SECTION_PROBLEMS: _("Problems and obstacles"),
    SECTION_SUGGESTIONS: _("Comments and suggestions"),
    SECTION_GOOD_PRACTICE: _("Good practices or innovations"),
}
RESULTS_SECTION_TITLE = _("Results of driving the policy")


def validate_fiscal_year(value: int) -> None:
    if not FISCAL_YEAR_MIN <= value <= FISCAL_YEAR_MAX:
        raise ValidationError(
            _("A fiscal year is a Buddhist-era year between %(low)s and %(high)s."),
            params={"low": FISCAL_YEAR_MIN, "high": FISCAL_YEAR_MAX},
            code="fiscal_year_range",
        )


class InspectionRoundQuerySet(models.QuerySet):
    def for_user(self, user):
        """Centre staff see their province's rounds; an agency sees the rounds it takes part in."""
        from institutions.scoping import scope_for

        scope = scope_for(user)
        if scope.is_national:
            return self.all()
        if not scope.grants:
            return self.none()
        covered = Institution.objects.filter(scope.q()).values("pk")
        return self.filter(
            Q(province_id__in=sorted(scope.centre_province_ids))
            | Q(pk__in=AgencyContribution.objects.filter(institution__in=covered).values("round"))
        )


class InspectionRound(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        COLLECTING = "collecting", _("Collecting")
        UNDER_REVIEW = "under_review", _("Under review")
        LOCKED = "locked", _("Locked")

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="rounds"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (B.E.)"),
        validators=[
            validate_fiscal_year,
            MinValueValidator(FISCAL_YEAR_MIN),
            MaxValueValidator(FISCAL_YEAR_MAX),
        ],
    )
    number = models.PositiveSmallIntegerField(
        _("round"), choices=[(1, _("Round 1")), (2, _("Round 2"))]
    )
    policy = models.ForeignKey(
        InspectionPolicy, verbose_name=_("inspection policy"), on_delete=models.PROTECT
    )
    focus_point = models.ForeignKey(
        FocusPoint, verbose_name=_("focus point"), on_delete=models.PROTECT
    )
    filing_office = models.ForeignKey(
        Institution,
        verbose_name=_("filing office"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The provincial education office that files the report."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InspectionRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-fiscal_year", "-number", "province"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "fiscal_year", "number"], name="inspection_round_unique"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FISCAL_YEAR_MIN, fiscal_year__lte=FISCAL_YEAR_MAX),
                name="inspection_round_fiscal_year_range",
            ),
            models.CheckConstraint(
                condition=Q(number__in=[1, 2]), name="inspection_round_number_1_or_2"
            ),
        ]

    def __str__(self) -> str:
        return _("Round %(number)s, fiscal year %(year)s, %(province)s") % {
            "number": self.number,
            "year": self.fiscal_year,
            "province": self.province,
        }

    @property
    def scope_institution(self) -> Institution:
        return self.filing_office

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.LOCKED

    def sections(self) -> list[tuple[str, str]]:
        """``(key, title)`` of every section an agency answers, in the form's order."""
        results = [(sub.number, sub.title) for sub in self.focus_point.sub_points.all()]
        return [
            (SECTION_SITUATION, str(FIXED_SECTIONS[SECTION_SITUATION])),
            *results,
            (SECTION_PROBLEMS, str(FIXED_SECTIONS[SECTION_PROBLEMS])),
            (SECTION_SUGGESTIONS, str(FIXED_SECTIONS[SECTION_SUGGESTIONS])),
            (SECTION_GOOD_PRACTICE, str(FIXED_SECTIONS[SECTION_GOOD_PRACTICE])),
        ]

    def section_keys(self) -> list[str]:
        return [key for key, _title in self.sections()]


class AgencyContributionQuerySet(models.QuerySet):
    def for_user(self, user):
        """An agency sees its own part (and those below it); centre staff see their province's."""
        from institutions.scoping import scope_for

        scope = scope_for(user)
        if scope.is_national:
            return self.all()
        if not scope.grants:
            return self.none()
        return self.filter(
            Q(round__province_id__in=sorted(scope.centre_province_ids))
            | Q(institution__in=Institution.objects.filter(scope.q()).values("pk"))
        )


class AgencyContribution(models.Model):
    """One participating agency's part of a round's report."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("inspection round"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="inspection_contributions",
    )
    position = models.PositiveSmallIntegerField(_("order in the report"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Bumped on every save; autosave sends it back.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    objects = AgencyContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency contribution")
        verbose_name_plural = _("agency contributions")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "institution"], name="agency_contribution_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.institution}"

    @property
    def scope_institution(self) -> Institution:
        return self.institution

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class SectionBlock(models.Model):
    """One paragraph or numbered item of an agency's answer to one section of the form."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        ITEM = "item", _("Numbered item")

    contribution = models.ForeignKey(
        AgencyContribution,
        verbose_name=_("agency contribution"),
        on_delete=models.CASCADE,
        related_name="blocks",
    )
    section = models.CharField(_("section"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PARAGRAPH)
    text = models.TextField(_("text"))
    activity = models.ForeignKey(
        "Activity",
        verbose_name=_("inserted from activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("section block")
        verbose_name_plural = _("section blocks")
        ordering = ["contribution", "section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "section", "position"], name="section_block_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ActivityQuerySet(models.QuerySet):
    def for_user(self, user):
        from institutions.scoping import scope_for

        scope = scope_for(user)
        return self.filter(scope.q(prefix="institution__"))


class Activity(models.Model):
    """A dated entry of an agency's year-round log: a meeting, a survey, a training."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="activities"
    )
    start_date = models.DateField(_("date"))
    end_date = models.DateField(
        _("until"), null=True, blank=True, help_text=_("For an activity of several days.")
    )
    title = models.CharField(_("title"), max_length=500)
    place = models.CharField(_("place"), max_length=300, blank=True)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["institution", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="activity_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_institution(self) -> Institution:
        return self.institution

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class RoundDocument(models.Model):
    """A generated report (PDF or xlsx) of a round, kept so what was sent can be found later."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (.xlsx)"

    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("inspection round"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    document = models.OneToOneField(
        "creditbank.GeneratedDocument",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="inspection_report",
    )
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    thai_digits = models.BooleanField(_("Thai numerals"), default=True)
    missing_parts = models.JSONField(
        _("parts not submitted"),
        default=list,
        blank=True,
        help_text=_("Names of the agencies whose part was not submitted when it was generated."),
    )

    class Meta:
        verbose_name = _("generated inspection report")
        verbose_name_plural = _("generated inspection reports")
        ordering = ["-document__created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round} ({self.format})"
