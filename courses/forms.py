from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin
from creditbank.spreadsheets import MAX_UPLOAD_BYTES
from creditbank.thai import academic_year_be
from institutions.models import Institution, Membership
from institutions.scoping import scope_for

from .models import Course, Level, SubjectGroup

UPLOAD_ROLES = (Membership.Role.INSTITUTION_ADMIN, Membership.Role.REGISTRAR)


def uploadable_institutions(user):
    """Institutions whose course list this user may send (admins and registrars)."""
    scope = scope_for(user)
    candidates = (
        Institution.objects.for_user(user)
        .filter(active=True)
        .exclude(kind__in=Institution.OFFICE_KINDS)
    )
    return [i for i in candidates.order_by("name_th")[:500] if scope.has_role(i, *UPLOAD_ROLES)]


class CourseUploadForm(BootstrapMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    academic_year = forms.IntegerField(
        label=_("Academic year (B.E.)"),
        min_value=2500,
        max_value=2700,
        help_text=_("Used for rows that do not give their own academic year."),
    )
    file = forms.FileField(
        label=_("Course list (.xlsx)"),
        help_text=_("Excel workbook (.xlsx), at most 10 MB. Download the template if unsure."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = uploadable_institutions(user)
        self.fields["institution"].queryset = Institution.objects.filter(
            pk__in=[i.pk for i in choices]
        )
        if len(choices) == 1:
            self.fields["institution"].initial = choices[0]
        self.fields["academic_year"].initial = academic_year_be(timezone.localdate())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class CatalogueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)
    institution = forms.ChoiceField(label=_("Institution"), required=False, choices=())
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    subject_group = forms.ChoiceField(
        label=_("Subject group"),
        required=False,
        choices=[("", _("All groups")), *SubjectGroup.choices],
    )
    occupational_field = forms.CharField(
        label=_("Occupational field"), required=False, max_length=100
    )
    nqf_level = forms.ChoiceField(
        label=_("NQF level"),
        required=False,
        choices=[("", _("Any")), *[(str(n), str(n)) for n in range(1, 9)]],
    )
    academic_year = forms.IntegerField(
        label=_("Academic year"), required=False, min_value=2500, max_value=2700
    )
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())

    def __init__(self, *args, institutions, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [("", _("All institutions")), *institutions]
        self.fields["province"].choices = provinces


class ReviewForm(forms.Form):
    courses = forms.ModelMultipleChoiceField(queryset=Course.objects.none())
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    comment = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = queryset
