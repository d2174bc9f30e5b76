from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ACADEMIC_YEAR_VALIDATORS = [MinValueValidator(2500), MaxValueValidator(2700)]


class Level(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    VOC_CERT = "voc_cert", _("Vocational certificate (ปวช.)")
    HIGH_VOC_CERT = "high_voc_cert", _("Higher vocational certificate (ปวส.)")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    SHORT_COURSE = "short_course", _("Short course")
    NON_FORMAL = "non_formal", _("Non-formal education")


BASIC_EDUCATION_LEVELS = {Level.PRIMARY, Level.LOWER_SECONDARY, Level.UPPER_SECONDARY}


class SubjectGroup(models.TextChoices):
    THAI = "ท", _("Thai language")
    MATHEMATICS = "ค", _("Mathematics")
    SCIENCE = "ว", _("Science and technology")
    SOCIAL = "ส", _("Social studies, religion and culture")
    HEALTH = "พ", _("Health and physical education")
    ARTS = "ศ", _("Arts")
    OCCUPATIONS = "ง", _("Occupations")
    FOREIGN = "อ", _("Foreign languages")
    VOCATIONAL = "voc", _("Vocational subjects")
    OTHER = "other", _("Other")


class CourseType(models.TextChoices):
    BASIC = "basic", _("Basic (required)")
    ADDITIONAL = "additional", _("Additional (elective)")
    ACTIVITY = "activity", _("Learner development activity")


def _scoped(queryset, user):
    from institutions.scoping import scope_for

    return queryset.filter(scope_for(user).q(prefix="institution__"))


class Curriculum(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="curricula",
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    academic_year = models.PositiveIntegerField(
        _("academic year (B.E.)"), validators=ACADEMIC_YEAR_VALIDATORS
    )
    total_credits = models.DecimalField(
        _("credits to graduate"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    transfer_max_share = models.DecimalField(
        _("largest share of credits that may be transferred"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        ordering = ["institution__name_th", "name"]
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year})"

    @property
    def scope_institution(self):
        return self.institution


class CourseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Courses of institutions in the user's scope (for managing them)."""
        return _scoped(self, user)

    def approved(self):
        return self.filter(status=Course.Status.APPROVED)

    def public(self):
        """What anyone may browse: approved courses of active institutions."""
        return self.filter(status=Course.Status.APPROVED, institution__active=True)


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    # Indexes are few on purpose (each one costs every bulk import): the natural key serves
    # lookups by institution, and the mostly empty foreign keys get partial indexes (Meta).
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="courses",
        db_index=False,
    )
    curriculum = models.ForeignKey(
        Curriculum,
        verbose_name=_("curriculum"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        db_index=False,
    )
    code = models.CharField(_("course code"), max_length=30)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credits = models.DecimalField(
        _("credits"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("60"))],
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    nqf_level = models.PositiveSmallIntegerField(
        _("NQF level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    subject_group = models.CharField(
        _("subject group"), max_length=10, choices=SubjectGroup.choices, blank=True
    )
    course_type = models.CharField(_("type"), max_length=12, choices=CourseType.choices, blank=True)
    occupational_field = models.CharField(_("occupational field"), max_length=100, blank=True)
    term = models.CharField(_("term"), max_length=10, blank=True)
    description = models.TextField(_("description"), blank=True)
    learning_outcomes = models.TextField(_("learning outcomes"), blank=True)
    academic_year = models.PositiveIntegerField(
        _("academic year (B.E.)"), validators=ACADEMIC_YEAR_VALIDATORS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # History is read per course (by ``id``, indexed); its copies of the foreign keys are not.
    # An audit row keeps the id of who made the change without a database constraint (as
    # simple-history allows): bulk imports write one per course without a check each.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "created_at"],
        no_db_index=["institution", "curriculum", "reviewed_by"],
        user_db_constraint=False,
    )
    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name_th", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code", "academic_year"], name="course_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(credits__gte=0), name="course_credits_not_negative"
            ),
        ]
        indexes = [
            # the public catalogue: approved courses by level (imports add submitted ones)
            models.Index(
                fields=["level"],
                condition=models.Q(status="approved"),
                name="course_approved_level",
            ),
            # the review queue: an office's institutions' submitted courses. Partial, so that
            # a lookup by natural key never takes it for a cheaper way to the institution's rows
            # (the planner did, with statistics from before a large import: a scan per row).
            models.Index(
                fields=["institution"],
                condition=models.Q(status="submitted"),
                name="course_submitted_institution",
            ),
            models.Index(
                fields=["curriculum"],
                condition=models.Q(curriculum__isnull=False),
                name="course_curriculum_set",
            ),
            models.Index(
                fields=["reviewed_by"],
                condition=models.Q(reviewed_by__isnull=False),
                name="course_reviewed_by_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    @property
    def scope_institution(self):
        return self.institution

    def clean(self):
        super().clean()
        if self.credits is not None and (self.credits * 2) % 1:
            raise ValidationError({"credits": _("Credits come in half steps (0.5, 1, 1.5 …).")})


def upload_path(instance, filename):
    return f"uploads/courses/{instance.institution_id}/{instance.sha256[:16]}.xlsx"


class CourseListUploadQuerySet(models.QuerySet):
    def for_user(self, user):
        return _scoped(self, user)


class CourseListUpload(models.Model):
    """One uploaded course list: kept with its hash, who sent it, its counts and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        PREVIEW = "preview", _("Checked: waiting for confirmation")
        COMMITTED = "committed", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="course_uploads",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file = models.FileField(upload_to=upload_path)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    academic_year = models.PositiveIntegerField(
        _("academic year (B.E.)"), validators=ACADEMIC_YEAR_VALIDATORS
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    counts = models.JSONField(default=dict, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = CourseListUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("course list upload")
        verbose_name_plural = _("course list uploads")

    def __str__(self) -> str:
        return self.file_name

    @property
    def scope_institution(self):
        return self.institution

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.PREVIEW and not self.counts.get("error")


class UploadRow(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CHANGED = "changed", _("Changed")
        UNCHANGED = "unchanged", _("Unchanged")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    # Preview rows are staging data written in bulk by the upload service only, inside the
    # transaction that locks their upload: no per-row constraint check (deletion still
    # cascades through Django), and indexes only for the preview page's queries.
    upload = models.ForeignKey(
        CourseListUpload,
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    # [{"column": "credits", "message": "...", "level": "error"|"warning"}]
    messages = models.JSONField(default=list)
    change = models.CharField(max_length=10, blank=True)  # new / changed / unchanged
    # What the row will write (new, changed) or is (unchanged: only code, name, credits, hours
    # and year are kept), as the course's own column types, so that confirming is a plain
    # INSERT … SELECT. Texts are unbounded (an error row keeps what it was given, too long or
    # not); a value that failed its check is NULL.
    code = models.TextField(blank=True)
    name_th = models.TextField(blank=True)
    name_en = models.TextField(blank=True)
    credits = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    hours = models.PositiveIntegerField(null=True)
    level = models.TextField(blank=True)
    nqf_level = models.PositiveSmallIntegerField(null=True)
    subject_group = models.TextField(blank=True)
    course_type = models.TextField(blank=True)
    occupational_field = models.TextField(blank=True)
    term = models.TextField(blank=True)
    description = models.TextField(blank=True)
    learning_outcomes = models.TextField(blank=True)
    academic_year = models.PositiveIntegerField(null=True)
    changed_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["row_number"]
        indexes = [
            models.Index(fields=["upload", "row_number"], name="uploadrow_upload_row"),
            # the page's filters for the few rows worth a look (new and unchanged rows are
            # found through the index above)
            models.Index(
                fields=["upload", "status", "row_number"],
                condition=models.Q(status__in=["error", "warning", "changed"]),
                name="uploadrow_upload_status",
            ),
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.status}"

    @property
    def changed_labels(self) -> list[str]:
        """The changed fields as the course page names them, in the user's language."""
        return [str(Course._meta.get_field(name).verbose_name) for name in self.changed_fields]
