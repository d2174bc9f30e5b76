from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin
from learners.models import IdentifierType

from .models import Body, EquipmentNeed, NqfLevel


class CatalogueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    body = forms.ChoiceField(
        label=_("Body"), required=False, choices=[("", _("All bodies")), *Body.choices]
    )
    branch = forms.CharField(label=_("Occupation branch"), required=False, max_length=120)
    level = forms.IntegerField(label=_("Level"), required=False, min_value=1, max_value=8)
    nqf = forms.ModelChoiceField(
        label=_("NQF level"),
        required=False,
        queryset=NqfLevel.objects.all(),
        to_field_name="number",
        empty_label=_("All NQF levels"),
    )


class SessionForm(BootstrapMixin, forms.Form):
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=None)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=5000)
    venue = forms.CharField(label=_("Venue"), required=False, max_length=200)

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards


class RegisterForm(BootstrapMixin, forms.Form):
    identifier_type = forms.ChoiceField(
        label=_("Identifier type"),
        choices=IdentifierType.choices,
        initial=IdentifierType.CITIZEN_ID,
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=40)
    first_name_th = forms.CharField(label=_("First name (Thai)"), max_length=100, required=False)
    last_name_th = forms.CharField(label=_("Last name (Thai)"), max_length=100, required=False)


class ResultsUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Results workbook (.xlsx)"))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BranchRequestForm(BootstrapMixin, forms.Form):
    branch = forms.CharField(label=_("Occupation branch"), max_length=120)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(BootstrapMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class EquipmentForm(BootstrapMixin, forms.Form):
    item = forms.CharField(label=_("Item"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100000)
    branch = forms.CharField(label=_("For branch"), max_length=120)
    status = forms.ChoiceField(
        label=_("Status"), choices=EquipmentNeed.Status.choices, initial=EquipmentNeed.Status.NEEDED
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
