from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin

from .models import Institution, Membership, Province
from .scoping import scope_for

User = get_user_model()


class InstitutionFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Institution.Kind.choices]
    )
    affiliation = forms.ChoiceField(
        label=_("Affiliation"),
        required=False,
        choices=[("", _("All affiliations")), *Institution.Affiliation.choices],
    )
    district = forms.CharField(label=_("District"), required=False, max_length=100)
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        if not scope.is_national and len(scope.province_ids) <= 1:
            del self.fields["province"]
            return
        english = (get_language() or "th").startswith("en")
        rows = Province.objects.filter(scope.province_q()).values_list("slug", "name_th", "name_en")
        self.fields["province"].choices = [("", _("All provinces"))] + [
            (slug, name_en if english else name_th) for slug, name_th, name_en in rows
        ]


class InstitutionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            "code",
            "ministry_code",
            "name_th",
            "name_en",
            "kind",
            "affiliation",
            "province",
            "parent",
            "district",
            "extended_opportunity",
            "active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        provinces = Province.objects.all()
        if not scope.is_national:
            provinces = provinces.filter(pk__in=scope.centre_province_ids)
        self.fields["province"].queryset = provinces
        self.fields["province"].required = True
        parents = (
            Institution.objects.for_user(user)
            .filter(kind__in=Institution.OFFICE_KINDS)
            .select_related("province")
        )
        if self.instance.pk:
            parents = parents.exclude(tree_path__startswith=self.instance.tree_path)
        self.fields["parent"].queryset = parents
        if provinces.count() == 1 and not self.instance.pk:
            self.fields["province"].initial = provinces.first()


class MembershipAddForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=150,
        help_text=_("The person must already have an account."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args, institution, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        roles = [
            (value, label)
            for value, label in Membership.Role.choices
            if value != Membership.Role.NATIONAL_ADMIN or scope.is_national
        ]
        if institution.kind != Institution.Kind.PROVINCIAL_OFFICE or not scope.is_centre_for(
            institution.province_id
        ):
            roles = [r for r in roles if r[0] != Membership.Role.CENTRE_STAFF]
        if institution.kind != Institution.Kind.NATIONAL_OFFICE:
            roles = [r for r in roles if r[0] != Membership.Role.NATIONAL_ADMIN]
        self.fields["role"].choices = roles

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        user = (
            User.objects.filter(username__iexact=value).first()
            or User.objects.filter(email__iexact=value).first()
        )
        if user is None:
            raise forms.ValidationError(_("No account has this username or e-mail."))
        self.cleaned_data["user"] = user
        return value
