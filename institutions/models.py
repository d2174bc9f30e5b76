import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MINISTRY_CODE_RE = re.compile(r"^[0-9]{10}$")

# The first two digits of a Ministry school code name the affiliation (DOMAIN.md).
MINISTRY_CODE_AFFILIATION_PREFIXES = {
    "10": "obec",
    "11": "opec",
    "12": "nfe",
    "13": "ovec",
    "14": "higher",
    "30": "local",
    "31": "bma",
}


def validate_ministry_code(value: str) -> None:
    if not MINISTRY_CODE_RE.match(value or ""):
        raise ValidationError(
            _("A Ministry school code is exactly 10 digits (0–9)."), code="ministry_code_shape"
        )
    if value[:2] not in MINISTRY_CODE_AFFILIATION_PREFIXES:
        raise ValidationError(
            _("A Ministry school code starts with an affiliation number such as 10 (OBEC)."),
            code="ministry_code_prefix",
        )


class BilingualNameMixin:
    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    def __str__(self) -> str:
        return self.name


class Province(BilingualNameMixin, models.Model):
    code = models.CharField(_("province code"), max_length=2, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    region = models.CharField(_("region"), max_length=20, blank=True)
    centre_active = models.BooleanField(
        _("credit bank centre active"),
        default=False,
        help_text=_("The province runs a provincial credit bank centre in this portal."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class InstitutionQuerySet(models.QuerySet):
    def for_user(self, user):
        from .scoping import scope_for

        return self.filter(scope_for(user).q())

    def active(self):
        return self.filter(active=True)


class Institution(BilingualNameMixin, models.Model):
    class Kind(models.TextChoices):
        NATIONAL_OFFICE = "national_office", _("National office")
        PROVINCIAL_OFFICE = "provincial_office", _("Provincial education office")
        AREA_OFFICE_PRIMARY = "area_office_primary", _("Primary educational service area office")
        AREA_OFFICE_SECONDARY = (
            "area_office_secondary",
            _("Secondary educational service area office"),
        )
        VOCATIONAL_OFFICE = "vocational_office", _("Provincial vocational education office")
        NFE_OFFICE = "nfe_office", _("Provincial non-formal education office")
        NFE_CENTRE = "nfe_centre", _("District non-formal education centre")
        SCHOOL = "school", _("School")
        VOCATIONAL_COLLEGE = "vocational_college", _("Vocational college")
        UNIVERSITY = "university", _("University")
        TEST_CENTRE = "test_centre", _("Skill test centre")
        TRAINING_PROVIDER = "training_provider", _("Training provider")

    OFFICE_KINDS = {
        Kind.NATIONAL_OFFICE,
        Kind.PROVINCIAL_OFFICE,
        Kind.AREA_OFFICE_PRIMARY,
        Kind.AREA_OFFICE_SECONDARY,
        Kind.VOCATIONAL_OFFICE,
        Kind.NFE_OFFICE,
    }

    class Affiliation(models.TextChoices):
        MOE = "moe", _("Office of the Permanent Secretary, Ministry of Education")
        OEC = "oec", _("Office of the Education Council")
        OBEC = "obec", _("Basic education (OBEC)")
        OVEC = "ovec", _("Vocational education (OVEC)")
        NFE = "nfe", _("Non-formal and informal education")
        OPEC = "opec", _("Private education (OPEC)")
        HIGHER = "higher", _("Higher education (MHESI)")
        DSD = "dsd", _("Department of Skill Development")
        LOCAL = "local", _("Local government")
        BMA = "bma", _("Bangkok Metropolitan Administration")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("portal code"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]{1,29}$",
                _("Use capital letters, digits and dashes (for example LPN-PEO)."),
            )
        ],
        help_text=_("A short unique code, e.g. the Ministry code or LPN-PEO."),
    )
    ministry_code = models.CharField(
        _("Ministry school code"),
        max_length=10,
        blank=True,
        validators=[validate_ministry_code],
        help_text=_("Optional: the 10-digit code of the Ministry of Education."),
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    affiliation = models.CharField(_("affiliation"), max_length=20, choices=Affiliation.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supervising office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
    )
    district = models.CharField(_("district"), max_length=100, blank=True)
    extended_opportunity = models.BooleanField(
        _("extended-opportunity school"),
        default=False,
        help_text=_("A primary school that also teaches lower secondary grades."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Materialised ancestor path ("/3/17/42/") so "an office and everything below it" is one
    # indexed prefix match, whatever the depth.
    tree_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [
            models.Index(fields=["name_th", "id"], name="institution_name_order"),
            models.Index(fields=["province", "name_th"]),
            models.Index(fields=["province", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="institution_not_own_parent"
            ),
        ]

    def clean(self):
        super().clean()
        if self.kind != self.Kind.NATIONAL_OFFICE and not self.province_id:
            raise ValidationError(
                {"province": _("Every institution but a national office belongs to a province.")}
            )
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("An institution cannot supervise itself.")})
            parent = self.parent
            if self.pk and f"/{self.pk}/" in parent.tree_path:
                raise ValidationError({"parent": _("That office is below this institution.")})
            if parent.province_id and parent.province_id != self.province_id:
                raise ValidationError(
                    {"parent": _("The supervising office must be in the same province.")}
                )
        if self.extended_opportunity and self.kind != self.Kind.SCHOOL:
            raise ValidationError(
                {"extended_opportunity": _("Only a school can be an extended-opportunity school.")}
            )

    @property
    def is_office(self) -> bool:
        return self.kind in self.OFFICE_KINDS

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.tree_path.strip("/").split("/") if part][:-1]


class Membership(models.Model):
    class Role(models.TextChoices):
        NATIONAL_ADMIN = "national_admin", _("National administrator")
        CENTRE_STAFF = "centre_staff", _("Credit bank centre staff")
        INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
        REGISTRAR = "registrar", _("Registrar")
        COMMITTEE_REVIEWER = "committee_reviewer", _("Equivalence committee reviewer")
        TEST_OFFICER = "test_officer", _("Test officer")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["institution__name_th", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution}"

    def clean(self):
        super().clean()
        kind = self.institution.kind if self.institution_id else None
        if self.role == self.Role.NATIONAL_ADMIN and kind != Institution.Kind.NATIONAL_OFFICE:
            raise ValidationError(
                {"role": _("National administrators belong to a national office.")}
            )
        if self.role == self.Role.CENTRE_STAFF and kind != Institution.Kind.PROVINCIAL_OFFICE:
            raise ValidationError(
                {"role": _("Centre staff belong to a provincial education office.")}
            )
