"""What an inspection form asks: policies, focus points and their sub-points are data.

The Ministry changes its form from year to year; a new policy or focus point is a new row (from
the admin or a data migration), never a code change. Sections 1 and 3–5 are the fixed frame of
the form; section 2 is answered once per sub-point of the round's focus point.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualTitleMixin:
    @property
    def title(self) -> str:
        if (get_language() or "th").startswith("en") and self.title_en:
            return self.title_en
        return self.title_th

    def __str__(self) -> str:
        return self.title


class InspectionPolicy(BilingualTitleMixin, models.Model):
    """An inspection policy (นโยบายการตรวจ), e.g. reducing the burden on learners and parents."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_th = models.CharField(_("title (Thai)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inspection policy")
        verbose_name_plural = _("inspection policies")
        ordering = ["code"]


class FocusPoint(BilingualTitleMixin, models.Model):
    """A focus point of a policy (ประเด็นการตรวจ), e.g. 2.4 Skill Certificate."""

    policy = models.ForeignKey(
        InspectionPolicy,
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        related_name="focus_points",
    )
    number = models.CharField(_("number"), max_length=10, help_text=_("As printed, e.g. 2.4"))
    title_th = models.CharField(_("title (Thai)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("focus point")
        verbose_name_plural = _("focus points")
        ordering = ["policy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="focus_point_unique_number")
        ]

    @property
    def description(self) -> str:
        if (get_language() or "th").startswith("en") and self.description_en:
            return self.description_en
        return self.description_th


class FocusSubPoint(BilingualTitleMixin, models.Model):
    """A result the form asks for under section 2 (2.1, 2.2, 2.3 …)."""

    focus_point = models.ForeignKey(
        FocusPoint,
        verbose_name=_("focus point"),
        on_delete=models.CASCADE,
        related_name="sub_points",
    )
    number = models.CharField(_("number"), max_length=10, help_text=_("As printed, e.g. 2.1"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_th = models.TextField(_("title (Thai)"))
    title_en = models.TextField(_("title (English)"), blank=True)

    class Meta:
        verbose_name = _("focus sub-point")
        verbose_name_plural = _("focus sub-points")
        ordering = ["focus_point", "order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["focus_point", "number"], name="focus_sub_point_unique_number"
            )
        ]
