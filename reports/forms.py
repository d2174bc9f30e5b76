from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin
from institutions.models import Institution

from .models import Activity, FocusPoint, InspectionPolicy
from .models.rounds import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN, validate_fiscal_year


class RoundCreateForm(BootstrapMixin, forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (B.E.)"),
        validators=[validate_fiscal_year],
        help_text=_("A Buddhist-era year, e.g. 2567."),
        widget=forms.NumberInput(attrs={"min": FISCAL_YEAR_MIN, "max": FISCAL_YEAR_MAX}),
    )
    number = forms.TypedChoiceField(
        label=_("Round"), choices=[(1, _("Round 1")), (2, _("Round 2"))], coerce=int
    )
    policy = forms.ModelChoiceField(label=_("Inspection policy"), queryset=InspectionPolicy.objects)
    focus_point = forms.ModelChoiceField(label=_("Focus point"), queryset=FocusPoint.objects)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"),
        queryset=Institution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = (
            Institution.objects.filter(province=province, active=True)
            .filter(kind__in=Institution.OFFICE_KINDS | {Institution.Kind.TEST_CENTRE})
            .order_by("kind", "name_th")
        )

    def clean(self):
        data = super().clean()
        policy, focus = data.get("policy"), data.get("focus_point")
        if policy and focus and focus.policy_id != policy.pk:
            self.add_error("focus_point", _("This focus point belongs to another policy."))
        return data


class ActivityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["institution", "start_date", "end_date", "title", "place", "partners", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].empty_label = None
