from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Province

ACADEMIC_YEAR_VALIDATORS = [MinValueValidator(2500), MaxValueValidator(2700)]


class MappingQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff read the mappings of the provinces they work in; the national level, all."""
        from institutions.scoping import scope_for

        return self.filter(scope_for(user).province_q("province_id"))

    def approved(self):
        return self.filter(status=EquivalenceMapping.Status.APPROVED)

    def valid_in(self, academic_year: int):
        return self.filter(valid_from_year__lte=academic_year).filter(
            models.Q(valid_to_year__isnull=True) | models.Q(valid_to_year__gte=academic_year)
        )


class EquivalenceMapping(models.Model):
    """A set of source courses recognised as (part of) a set of target courses."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full equivalence")
        PARTIAL = "partial", _("Partial equivalence")

    class Direction(models.TextChoices):
        MIRRORED = "mirrored", _("Both ways (mirrored)")
        ONE_WAY = "one_way", _("One way (source → target)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    courses = models.ManyToManyField(
        "courses.Course", through="MappingCourse", related_name="equivalence_mappings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FULL)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.ONE_WAY
    )
    credits_recognised = models.DecimalField(
        _("credits recognised"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    min_grade = models.DecimalField(
        _("minimum grade"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("4"))],
        help_text=_("On the 4-point scale: 2.0 is C."),
    )
    conditions = models.TextField(_("other conditions"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    valid_from_year = models.PositiveIntegerField(
        _("valid from academic year (B.E.)"), validators=ACADEMIC_YEAR_VALIDATORS
    )
    valid_to_year = models.PositiveIntegerField(
        _("valid to academic year (B.E.)"),
        null=True,
        blank=True,
        validators=ACADEMIC_YEAR_VALIDATORS,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_meeting = models.CharField(_("committee meeting"), max_length=200, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MappingQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("equivalence mapping")
        verbose_name_plural = _("equivalence mappings")
        indexes = [models.Index(fields=["province", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to_year__isnull=True)
                | models.Q(valid_to_year__gte=models.F("valid_from_year")),
                name="mapping_valid_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    def side(self, side: str):
        return [link.course for link in self.links.all() if link.side == side]

    @property
    def sources(self):
        return self.side(MappingCourse.Side.SOURCE)

    @property
    def targets(self):
        return self.side(MappingCourse.Side.TARGET)

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED, self.Status.RETIRED)


class MappingCourse(models.Model):
    class Side(models.TextChoices):
        SOURCE = "source", _("Source")
        TARGET = "target", _("Target")

    mapping = models.ForeignKey(EquivalenceMapping, on_delete=models.CASCADE, related_name="links")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=6, choices=Side.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mapping", "course"], name="mapping_course_once")
        ]
        indexes = [models.Index(fields=["course", "side"])]

    def __str__(self) -> str:
        return f"{self.side}: {self.course_id}"


def evidence_path(instance, filename):
    return f"equivalence/{instance.mapping_id}/{filename}"


class MappingEvidence(models.Model):
    mapping = models.ForeignKey(
        EquivalenceMapping, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.description or self.file.name


class TransferDemandQuerySet(models.QuerySet):
    def for_user(self, user):
        from institutions.scoping import scope_for

        return self.filter(scope_for(user).province_q("province_id"))


class TransferDemand(models.Model):
    """A course somebody asked to transfer for which no approved mapping existed.

    Filled by the learners app (a transfer evaluation calls ``demand_record``); the committee
    works through it oldest first.
    """

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    target_institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    request_count = models.PositiveIntegerField(_("times asked"), default=1)
    first_requested_at = models.DateTimeField(_("first asked"))
    last_requested_at = models.DateTimeField(_("last asked"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = TransferDemandQuerySet.as_manager()

    class Meta:
        ordering = ["first_requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "target_institution"], name="demand_once_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} → {self.target_institution_id} ×{self.request_count}"


class SuggestIndexState(models.Model):
    """One province's suggestion index on disk: the row writers lock, and what it holds.

    Updates and rebuilds take ``select_for_update`` on this row before they read, change and
    save the index file, so two workers never interleave their writes to one province's file.
    Web workers only read the file; ``version`` tells them (and the status page) it changed.
    """

    province = models.OneToOneField(Province, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    course_count = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("suggestion index")
        verbose_name_plural = _("suggestion indexes")

    def __str__(self) -> str:
        return f"{self.province_id}: v{self.version}, {self.course_count} courses"


class DecisionImportQuerySet(models.QuerySet):
    def for_user(self, user):
        """A decision file is seen by the reviewer who uploaded it (it holds their decisions)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(uploaded_by=user)


class DecisionImport(models.Model):
    """A committee's decisions (.xlsx): checked row by row, previewed, then applied at once."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Checked: waiting for confirmation")
        REFUSED = "refused", _("Refused")
        COMMITTED = "committed", _("Applied")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    message = models.TextField(blank=True)
    # [{"row": 5, "mapping": 12, "decision": "approve", "comment": "", "meeting": "",
    #   "number": "", "date": "2024-06-01" | None, "outcome": "approve" | "reject" |
    #   "unchanged" | "error", "messages": ["..."]}]
    rows = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("committee decision file")
        verbose_name_plural = _("committee decision files")

    def __str__(self) -> str:
        return self.file_name

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.PREVIEW and not self.counts.get("error")
