import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.pagination import COUNT_TTL_SECONDS, CachedCountPaginator, count_version

from . import services
from .forms import InstitutionFilterForm, InstitutionForm, MembershipAddForm
from .models import Institution, Membership
from .scoping import get_for_user, require_role_anywhere, scope_for

Role = Membership.Role
PAGE_SIZE = 25


@login_required
def institution_list(request):
    scope = scope_for(request.user)
    # The body (filters and results) costs far more to build than the rest of the page, and is
    # the same for everyone with the same scope, language and query: it is cached, and every
    # write to institutions bumps the version in the key.
    cache_key = "institution-list:{}:{}:{}:{}".format(
        count_version("institutions"),
        get_language(),
        scope.fingerprint,
        hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24],
    )
    body_html = cache.get(cache_key)
    context = {}
    if body_html is None:
        form = InstitutionFilterForm(request.GET or None, user=request.user)
        page = _institution_page(request, form)
        body_html = render_to_string(
            "institutions/_institution_list_body.html",
            {
                "form": form,
                "page": page,
                "can_create": bool(scope.centre_province_ids) or scope.is_national,
            },
            request=request,
        )
        if not form.errors:
            cache.set(cache_key, body_html, COUNT_TTL_SECONDS)
        context.update(form=form, page=page)
    context["body_html"] = mark_safe(body_html)  # rendered by our own template above  # noqa: S308
    return render(request, "institutions/institution_list.html", context)


def _institution_page(request, form):
    institutions = Institution.objects.for_user(request.user).select_related("province")
    if form.is_valid():
        data = form.cleaned_data
        if query := data["q"].strip():
            institutions = institutions.filter(
                Q(name_th__icontains=query)
                | Q(name_en__icontains=query)
                | Q(code__iexact=query)
                | Q(ministry_code=query)
            )
        if data["kind"]:
            institutions = institutions.filter(kind=data["kind"])
        if data["affiliation"]:
            institutions = institutions.filter(affiliation=data["affiliation"])
        if data["district"]:
            institutions = institutions.filter(district__icontains=data["district"].strip())
        if data.get("province"):
            institutions = institutions.filter(province__slug=data["province"])
    page = CachedCountPaginator(
        institutions.order_by("name_th", "pk"), PAGE_SIZE, namespace="institutions"
    ).get_page(request.GET.get("page"))
    # get_FOO_display() re-translates every choice of the field on each call; translate each
    # label once per request instead.
    kinds = {value: str(label) for value, label in Institution.Kind.choices}
    affiliations = {value: str(label) for value, label in Institution.Affiliation.choices}
    for institution in page.object_list:
        institution.kind_label = kinds.get(institution.kind, institution.kind)
        institution.affiliation_label = affiliations.get(institution.affiliation, "")
    return page


@login_required
def institution_detail(request, pk):
    institution = get_for_user(
        request.user, Institution.objects.select_related("province", "parent"), pk=pk
    )
    scope = scope_for(request.user)
    can_manage = scope.has_role(institution, Role.INSTITUTION_ADMIN)
    children = Institution.objects.filter(parent=institution).order_by("name_th")
    children_page = Paginator(children, 50).get_page(request.GET.get("page"))
    memberships = (
        institution.memberships.select_related("user").order_by("role", "user__username")
        if can_manage
        else Membership.objects.none()
    )
    return render(
        request,
        "institutions/institution_detail.html",
        {
            "institution": institution,
            "children_page": children_page,
            "memberships": memberships,
            "can_edit": scope.is_centre_for(institution.province_id),
            "can_manage": can_manage,
            "membership_form": MembershipAddForm(institution=institution, user=request.user)
            if can_manage
            else None,
            "stats": Institution.objects.filter(tree_path__startswith=institution.tree_path)
            .exclude(pk=institution.pk)
            .aggregate(below=Count("pk")),
        },
    )


@login_required
def institution_create(request):
    scope = require_role_anywhere(request.user, Role.CENTRE_STAFF)
    form = InstitutionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not scope.is_centre_for(data["province"].pk):
            raise PermissionDenied
        try:
            institution = services.institution_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Institution created."))
            return redirect("institutions:detail", pk=institution.pk)
    return render(request, "institutions/institution_form.html", {"form": form})


@login_required
def institution_edit(request, pk):
    institution = get_for_user(request.user, Institution, pk=pk)
    if not scope_for(request.user).is_centre_for(institution.province_id):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None, instance=institution, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        if not scope_for(request.user).is_centre_for(data["province"].pk):
            raise PermissionDenied
        # The form already wrote its values onto the instance; reload so the service sees the
        # stored row and applies the change itself.
        institution = Institution.objects.get(pk=institution.pk)
        try:
            services.institution_update(actor=request.user, institution=institution, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("institutions:detail", pk=institution.pk)
    return render(
        request, "institutions/institution_form.html", {"form": form, "institution": institution}
    )


@login_required
@require_POST
def membership_add(request, pk):
    institution = get_for_user(request.user, Institution, roles=[Role.INSTITUTION_ADMIN], pk=pk)
    form = MembershipAddForm(request.POST, institution=institution, user=request.user)
    if form.is_valid():
        try:
            services.membership_add(
                actor=request.user,
                institution=institution,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Member added."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("institutions:detail", pk=institution.pk)


@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    institution = get_for_user(request.user, Institution, roles=[Role.INSTITUTION_ADMIN], pk=pk)
    membership = get_object_or_404(Membership, pk=membership_pk, institution=institution)
    if membership.role in (Role.CENTRE_STAFF, Role.NATIONAL_ADMIN) and not scope_for(
        request.user
    ).is_centre_for(institution.province_id):
        raise PermissionDenied
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("Member removed."))
    return redirect("institutions:detail", pk=institution.pk)
