from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from creditbank.forms import BootstrapMixin
from learners.models import IdentifierType

from .models import Body, EquipmentNeed, NqfLevel, OccupationalStandard


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


class StandardForm(BootstrapMixin, forms.Form):
    """An occupational standard. ``owner`` is the centre (own standard) or None (national, for a
    superuser); ``standard`` is the one being edited: its body, code and level stay fixed."""

    body = forms.ChoiceField(label=_("Body"), choices=[])
    code = forms.CharField(label=_("Code"), max_length=40)
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=8)
    nqf_level = forms.ModelChoiceField(
        label=_("NQF level"),
        queryset=NqfLevel.objects.all(),
        to_field_name="number",
        required=False,
        help_text=_("Required for an own standard; a national one takes it from the ladder."),
    )
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    branch = forms.CharField(label=_("Occupation branch"), max_length=120)
    description = forms.CharField(
        label=_("Standard description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    competency_units = forms.CharField(
        label=_("Competency units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the unit code, a space, then its title."),
    )
    credits = forms.DecimalField(
        label=_("Credits when banked"), min_value=0, max_value=999, decimal_places=1, initial=0
    )
    validity_years = forms.IntegerField(
        label=_("Validity (years)"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Leave empty when certificates never expire."),
    )
    courses = forms.CharField(
        label=_("Courses that prepare for it"),
        required=False,
        max_length=2000,
        help_text=_("Codes of approved courses, separated by commas."),
    )

    def __init__(self, *args, owner=None, standard=None, **kwargs):
        self.owner = owner
        self.standard = standard
        if standard is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(standard)
        super().__init__(*args, **kwargs)
        if owner is not None:
            self.fields["body"].choices = [(Body.OWN, Body.OWN.label)]
            self.fields["body"].initial = Body.OWN
            self.fields["nqf_level"].required = True
        else:
            self.fields["body"].choices = [(Body.DSD, Body.DSD.label), (Body.TPQI, Body.TPQI.label)]
        if standard is not None:
            for name in ("body", "code", "level"):
                self.fields[name].disabled = True

    @staticmethod
    def initial_for(standard) -> dict:
        units = "\n".join(
            f"{unit.get('code', '')} {unit.get('title', '')}".strip()
            for unit in standard.competency_units or []
        )
        codes = sorted({course.code for course in standard.courses.all()})
        return {
            "body": standard.body,
            "code": standard.code,
            "level": standard.level,
            "nqf_level": standard.nqf_level,
            "name_th": standard.name_th,
            "name_en": standard.name_en,
            "branch": standard.branch,
            "description": standard.description,
            "competency_units": units,
            "credits": standard.credits,
            "validity_years": standard.validity_years,
            "courses": ", ".join(codes),
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_competency_units(self):
        units = []
        for line in self.cleaned_data["competency_units"].splitlines():
            line = line.strip()
            if not line:
                continue
            code, _space, title = line.partition(" ")
            units.append({"code": code, "title": title.strip()})
        return units

    def clean_courses(self):
        codes = [c.strip() for c in self.cleaned_data["courses"].split(",") if c.strip()]
        if not codes:
            return []
        courses = Course.objects.public().filter(code__in=codes)
        if self.owner is not None:
            courses = courses.filter(institution__province_id=self.owner.province_id)
        courses = list(courses)
        unknown = sorted(set(codes) - {course.code for course in courses})
        if unknown:
            raise forms.ValidationError(
                _("No approved course with these codes: %(codes)s"),
                params={"codes": ", ".join(unknown)},
            )
        return courses

    def clean(self):
        data = super().clean()
        if self.standard is None and {"body", "code", "level"} <= data.keys():
            exists = OccupationalStandard.objects.filter(
                body=data["body"], code=data["code"], level=data["level"]
            ).exists()
            if exists:
                raise forms.ValidationError(
                    _("A standard with this body, code and level already exists.")
                )
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        nqf = data.pop("nqf_level")
        data["nqf_level"] = nqf.number if nqf is not None else None
        data["owner"] = self.owner
        return data
