"""Summary tables of the provincial dashboard.

Pages never scan the ledger or the catalogue: a refresh (Celery beat every hour, the "refresh
now" button, ``manage.py refresh_dashboard``) replaces a province's rows in one transaction and
records when, and the dashboard sums these rows (one query for every chart of a view).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Province


class SummaryRow(models.Model):
    """One number of one chart for one institution: e.g. (courses_level, lower_secondary) = 12."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.CharField(_("district"), max_length=100, blank=True)
    dimension = models.CharField(_("chart"), max_length=30)
    key = models.CharField(_("category"), max_length=120)
    count = models.IntegerField(_("count"), default=0)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("dashboard summary row")
        verbose_name_plural = _("dashboard summary rows")
        indexes = [
            models.Index(fields=["province", "dimension"]),
            models.Index(fields=["province", "district", "dimension"]),
            models.Index(fields=["institution", "dimension"]),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key}={self.count}"


class SummaryRefresh(models.Model):
    """When a province's summary rows were last rebuilt."""

    province = models.OneToOneField(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )
    refreshed_at = models.DateTimeField(_("as of"))
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    learners = models.PositiveIntegerField(
        _("learners with banked credits in the province"), default=0
    )
    academic_year = models.PositiveIntegerField(
        _("academic year of the collection figures"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")

    def __str__(self) -> str:
        return f"{self.province} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class AgencyScope(models.Model):
    """Which institutions an office (area office, vocational or NFE office…) speaks for, kept
    with the summaries so one grouped query counts each office's distinct learners."""

    office = models.ForeignKey(
        Institution, verbose_name=_("office"), on_delete=models.CASCADE, related_name="+"
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="agency_scopes",
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("agency scope")
        verbose_name_plural = _("agency scopes")
        constraints = [
            models.UniqueConstraint(fields=["office", "institution"], name="agency_scope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} ⊇ {self.institution_id}"
