from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin
from creditbank.thai import academic_year_be

from .evidence import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES
from .models import EquivalenceMapping


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type, size and count are checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProposalForm(BootstrapMixin, forms.Form):
    """A mapping proposal; the courses of both sides are chosen before (workspace or URL)."""

    sources = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput)
    targets = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput)
    kind = forms.ChoiceField(label=_("kind"), choices=EquivalenceMapping.Kind.choices)
    direction = forms.ChoiceField(
        label=_("direction"),
        choices=EquivalenceMapping.Direction.choices,
        initial=EquivalenceMapping.Direction.ONE_WAY,
    )
    credits_recognised = forms.DecimalField(
        label=_("credits recognised"), min_value=Decimal("0.5"), max_digits=5, decimal_places=1
    )
    min_grade = forms.DecimalField(
        label=_("minimum grade"),
        min_value=Decimal("0"),
        max_value=Decimal("4"),
        max_digits=3,
        decimal_places=1,
        initial=Decimal("2.0"),
        help_text=_("On the 4-point scale: 2.0 is C."),
    )
    conditions = forms.CharField(
        label=_("other conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rationale = forms.CharField(label=_("rationale"), widget=forms.Textarea(attrs={"rows": 4}))
    valid_from_year = forms.IntegerField(
        label=_("valid from academic year (B.E.)"), min_value=2500, max_value=2700
    )
    valid_to_year = forms.IntegerField(
        label=_("valid to academic year (B.E.)"), min_value=2500, max_value=2700, required=False
    )
    add_sources = forms.CharField(
        label=_("add source courses"),
        required=False,
        help_text=_("institution code:course code, several separated by ; (n:m mappings)"),
    )
    add_targets = forms.CharField(
        label=_("add target courses"),
        required=False,
        help_text=_("institution code:course code, several separated by ; (n:m mappings)"),
    )
    evidence = MultipleFileField(
        label=_("evidence files"),
        required=False,
        help_text=_("PDF, PNG or JPEG; at most %(count)s files of %(mb)s MB each.")
        % {"count": MAX_EVIDENCE_FILES, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
    )
    evidence_description = forms.CharField(
        label=_("description of the evidence"), max_length=200, required=False
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = courses
        self.fields["targets"].queryset = courses
        self.fields["valid_from_year"].initial = academic_year_be(timezone.localdate())

    def added(self, field: str):
        """(courses named in ``add_sources``/``add_targets``, the tokens not found)."""
        from .spreadsheets import parse_courses

        value = self.data.get(field, "") if self.is_bound else ""
        found, unknown = [], []
        for institution, code in parse_courses(value)[:10]:
            course = (
                self.fields["sources"]
                .queryset.filter(institution__code__iexact=institution, code=code)
                .order_by("-academic_year")
                .first()
            )
            if course is None:
                unknown.append(f"{institution}:{code}")
            else:
                found.append(course)
        return found, unknown

    def clean(self):
        data = super().clean()
        for side in ("sources", "targets"):
            found, unknown = self.added(f"add_{side}")
            if unknown:
                self.add_error(
                    f"add_{side}",
                    _("Unknown course codes: %(codes)s (write institution code:course code).")
                    % {"codes": ", ".join(unknown)},
                )
            elif side in data:
                data[side] = list({c.pk: c for c in [*data[side], *found]}.values())
        start, end = data.get("valid_from_year"), data.get("valid_to_year")
        if start and end and end < start:
            self.add_error("valid_to_year", _("The last year cannot come before the first."))
        return data
