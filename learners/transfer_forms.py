"""Forms of the transfer and pathway pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Level
from creditbank.forms import BootstrapMixin


class CurriculumChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.institution.name} · {obj.name} ({obj.get_level_display()})"


class TransferAskForm(BootstrapMixin, forms.Form):
    """Only the curriculum and a note: the learner, the institution and what counts are never
    taken from the form."""

    curriculum = CurriculumChoiceField(
        label=_("Curriculum to count my credits toward"), queryset=None
    )
    note = forms.CharField(
        label=_("Note to the registrar"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, curricula, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["curriculum"].queryset = curricula


class TransferSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.CharField(required=False, max_length=20)


class PathwayForm(forms.Form):
    curriculum = forms.IntegerField(required=False, min_value=1)
    level = forms.ChoiceField(required=False, choices=[("", ""), *Level.choices])
