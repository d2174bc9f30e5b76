from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin
from creditbank.spreadsheets import MAX_UPLOAD_BYTES
from institutions.models import Institution
from institutions.scoping import scope_for

from .models import IdentifierType

User = get_user_model()


def institutions_with_role(user, roles):
    """Institutions (not offices) where the user holds one of ``roles``."""
    scope = scope_for(user)
    candidates = (
        Institution.objects.for_user(user)
        .filter(active=True)
        .exclude(kind__in=Institution.OFFICE_KINDS)
    )
    return [i for i in candidates.order_by("name_th")[:500] if scope.has_role(i, *roles)]


class _InstitutionChoiceMixin:
    def _limit_institutions(self, user, roles, field="institution"):
        choices = institutions_with_role(user, roles)
        self.fields[field].queryset = Institution.objects.filter(pk__in=[i.pk for i in choices])
        if len(choices) == 1:
            self.fields[field].initial = choices[0]
        return choices


class ResultsUploadForm(BootstrapMixin, _InstitutionChoiceMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    file = forms.FileField(
        label=_("Results (.xlsx)"),
        help_text=_("Excel workbook (.xlsx), at most 10 MB. Download the template if unsure."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    create_unknown = forms.TypedChoiceField(
        label=_("Learners not yet registered"),
        choices=[
            ("0", _("Refuse their rows (they are shown as errors)")),
            ("1", _("Register them, marked unverified")),
        ],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = self._limit_institutions(user, roles)
        self.fields["create_unknown"].widget.attrs["class"] = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class DecisionForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnmaskForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full identifier?"), max_length=300, strip=True
    )


class LinkAccountForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Username of the learner's account"), max_length=150)

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this username."))
        self.user = user
        return name


class LearnerCreateForm(BootstrapMixin, _InstitutionChoiceMixin, forms.Form):
    identifier_type = forms.ChoiceField(
        label=_("Identifier type"),
        choices=IdentifierType.choices,
        initial=IdentifierType.CITIZEN_ID,
    )
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=40,
        help_text=_("13-digit citizen ID; dashes, spaces and Thai digits are fine."),
    )
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=30, required=False)
    first_name_th = forms.CharField(label=_("First name (Thai)"), max_length=100)
    last_name_th = forms.CharField(label=_("Last name (Thai)"), max_length=100, required=False)
    first_name_en = forms.CharField(label=_("First name (English)"), max_length=100, required=False)
    last_name_en = forms.CharField(label=_("Last name (English)"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    home_institution = forms.ModelChoiceField(
        label=_("Home institution"), queryset=Institution.objects.none()
    )
    consent = forms.BooleanField(
        label=_("The learner consents to the processing of their data"), required=False
    )

    def __init__(self, *args, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = self._limit_institutions(user, roles, field="home_institution")


class LearnerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
