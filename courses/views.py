from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.documents.xlsx import XLSX_CONTENT_TYPE
from creditbank.htmx import is_htmx
from creditbank.thai import academic_year_be
from institutions.models import Institution, Membership, Province
from institutions.scoping import get_for_user, scope_for

from . import services
from .forms import UPLOAD_ROLES, CatalogueFilterForm, CourseUploadForm, ReviewForm
from .models import Course, CourseListUpload, UploadRow
from .spreadsheets import catalogue_export_bytes, course_template_bytes, error_workbook_bytes

Role = Membership.Role
PAGE_SIZE = 25


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def can_review(scope, institution) -> bool:
    """The area office above an institution reviews its courses; the centre reviews any."""
    if scope.is_centre_for(institution.province_id):
        return True
    return any(
        g.role == Role.INSTITUTION_ADMIN
        and institution.tree_path.startswith(g.tree_path)
        and g.tree_path != institution.tree_path
        for g in scope.grants
    )


@login_required
def template_download(request):
    return _xlsx(course_template_bytes(), "course-list-template.xlsx")


@login_required
def upload(request):
    form = CourseUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        institution = form.cleaned_data["institution"]
        get_for_user(request.user, Institution, roles=UPLOAD_ROLES, pk=institution.pk)
        received = services.course_upload_receive(
            actor=request.user,
            institution=institution,
            data=form.cleaned_data["file"].read(),
            file_name=form.cleaned_data["file"].name,
            academic_year=form.cleaned_data["academic_year"],
        )
        return redirect("courses:upload_detail", pk=received.pk)
    if not form.fields["institution"].queryset.exists():
        raise PermissionDenied
    return render(request, "courses/upload.html", {"form": form})


@login_required
def my_uploads(request):
    uploads = (
        CourseListUpload.objects.for_user(request.user)
        .select_related("institution", "uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
    if request.GET.get("mine") != "0":
        uploads = uploads.filter(uploaded_by=request.user)
    page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "courses/my_uploads.html", {"page": page})


@login_required
def upload_detail(request, pk):
    upload = get_for_user(
        request.user, CourseListUpload.objects.select_related("institution", "uploaded_by"), pk=pk
    )
    status_filter = request.GET.get("status", "")
    rows = UploadRow.objects.filter(upload=upload).order_by("row_number")
    if status_filter in UploadRow.Status.values:
        rows = rows.filter(status=status_filter)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "upload": upload,
        "page": page,
        "status_filter": status_filter,
        "statuses": UploadRow.Status.choices,
        "can_confirm": upload.can_commit
        and scope_for(request.user).has_role(upload.institution, *UPLOAD_ROLES),
    }
    if is_htmx(request):
        return render(request, "courses/_upload_status.html", context)
    return render(request, "courses/upload_detail.html", context)


@login_required
@require_POST
def upload_commit(request, pk):
    upload = get_for_user(request.user, CourseListUpload, roles=UPLOAD_ROLES, pk=pk)
    try:
        upload = services.course_upload_commit(actor=request.user, upload=upload)
    except services.CourseError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)s new and %(updated)s changed courses, sent for approval.")
            % {
                "created": upload.counts.get("created", 0),
                "updated": upload.counts.get("updated", 0),
            },
        )
    return redirect("courses:upload_detail", pk=upload.pk)


@login_required
@require_POST
def upload_cancel(request, pk):
    upload = get_for_user(request.user, CourseListUpload, roles=UPLOAD_ROLES, pk=pk)
    services.course_upload_cancel(actor=request.user, upload=upload)
    messages.info(request, _("The upload was cancelled; nothing was imported."))
    return redirect("courses:my_uploads")


@login_required
def upload_errors(request, pk):
    upload = get_for_user(request.user, CourseListUpload, pk=pk)
    if upload.status not in (CourseListUpload.Status.PREVIEW, CourseListUpload.Status.COMMITTED):
        raise Http404
    stem = upload.file_name.rsplit(".", 1)[0][:60].encode("ascii", "ignore").decode() or "courses"
    return _xlsx(error_workbook_bytes(upload), f"{stem}-checked.xlsx")


@login_required
def course_manage(request):
    """Courses of the institutions the user works for, any status."""
    courses = Course.objects.for_user(request.user).select_related("institution")
    status = request.GET.get("status", "")
    if status in Course.Status.values:
        courses = courses.filter(status=status)
    if query := request.GET.get("q", "").strip():
        courses = courses.filter(
            Q(code__icontains=query) | Q(name_th__icontains=query) | Q(name_en__icontains=query)
        )
    page = Paginator(courses.order_by("institution__name_th", "code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "courses/course_manage.html",
        {"page": page, "status": status, "statuses": Course.Status.choices, "q": query},
    )


def course_detail(request, pk):
    """Approved courses are public; others only inside the user's scope."""
    course = (
        Course.objects.select_related("institution", "institution__province").filter(pk=pk).first()
    )
    if course is None:
        raise Http404
    in_scope = Course.objects.for_user(request.user).filter(pk=pk).exists()
    if course.status != Course.Status.APPROVED and not in_scope:
        raise Http404
    history = (
        course.history.select_related("history_user").order_by("-history_date")[:50]
        if in_scope
        else []
    )
    changes = []
    for record in history:
        previous = record.prev_record
        diff = record.diff_against(previous).changes if previous else []
        changes.append({"record": record, "diff": diff})
    return render(
        request,
        "courses/course_detail.html",
        {"course": course, "changes": changes, "in_scope": in_scope},
    )


@login_required
def review(request):
    scope = scope_for(request.user)
    candidates = Course.objects.for_user(request.user).filter(status=Course.Status.SUBMITTED)
    institutions = [
        i
        for i in Institution.objects.filter(pk__in=candidates.values("institution")).order_by(
            "name_th"
        )
        if can_review(scope, i)
    ]
    if not institutions and not scope.has_role_anywhere(Role.CENTRE_STAFF, Role.INSTITUTION_ADMIN):
        raise PermissionDenied
    reviewable = candidates.filter(institution__in=institutions).select_related("institution")
    if request.method == "POST":
        form = ReviewForm(request.POST, queryset=reviewable)
        if form.is_valid():
            chosen = list(form.cleaned_data["courses"])
            try:
                if form.cleaned_data["action"] == "approve":
                    count = services.courses_approve(
                        actor=request.user, courses=chosen, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("%(count)s courses approved.") % {"count": count})
                else:
                    count = services.courses_return(
                        actor=request.user, courses=chosen, comment=form.cleaned_data["comment"]
                    )
                    messages.success(request, _("%(count)s courses returned.") % {"count": count})
            except services.CourseError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Choose at least one course."))
        return redirect(request.get_full_path())
    selected = request.GET.get("institution", "")
    if selected.isdigit():
        reviewable = reviewable.filter(institution_id=int(selected))
    page = Paginator(reviewable.order_by("institution__name_th", "code", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "courses/review.html",
        {"page": page, "institutions": institutions, "selected": selected},
    )


def _catalogue_queryset(request, form):
    courses = Course.objects.public().select_related("institution")
    if form.is_valid():
        data = form.cleaned_data
        if query := data["q"].strip():
            courses = courses.filter(
                Q(code__icontains=query) | Q(name_th__icontains=query) | Q(name_en__icontains=query)
            )
        if data["province"]:
            courses = courses.filter(institution__province__slug=data["province"])
        if data["institution"]:
            courses = courses.filter(institution_id=data["institution"])
        for name in ("level", "subject_group"):
            if data[name]:
                courses = courses.filter(**{name: data[name]})
        if data["nqf_level"]:
            courses = courses.filter(nqf_level=int(data["nqf_level"]))
        if data["academic_year"]:
            courses = courses.filter(academic_year=data["academic_year"])
        if data["occupational_field"]:
            courses = courses.filter(
                occupational_field__icontains=data["occupational_field"].strip()
            )
    return courses.order_by("institution__name_th", "code", "pk")


def _catalogue_form(request):
    english = (get_language() or "th").startswith("en")
    provinces = [("", _("All provinces"))] + [
        (slug, en if english else th)
        for slug, th, en in Province.objects.filter(centre_active=True).values_list(
            "slug", "name_th", "name_en"
        )
    ]
    province = request.GET.get("province") or ""
    institutions = Institution.objects.filter(active=True, courses__status=Course.Status.APPROVED)
    if province:
        institutions = institutions.filter(province__slug=province)
    institution_choices = [
        (str(pk), en if english and en else th)
        for pk, th, en in institutions.distinct()
        .order_by("name_th")
        .values_list("pk", "name_th", "name_en")[:500]
    ]
    return CatalogueFilterForm(
        request.GET or None, institutions=institution_choices, provinces=provinces
    )


def catalogue(request):
    """Province-wide catalogue of approved courses; anyone may browse and search it."""
    form = _catalogue_form(request)
    courses = _catalogue_queryset(request, form)
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "courses/catalogue.html", {"form": form, "page": page})


def catalogue_export(request):
    form = _catalogue_form(request)
    # Anyone may export; a cap keeps one anonymous request from building a huge workbook.
    limit = 100_000 if request.user.is_authenticated else 20_000
    courses = _catalogue_queryset(request, form)[:limit]
    return _xlsx(catalogue_export_bytes(courses), "courses.xlsx")


@login_required
def collection_progress(request):
    """Which institutions have sent a course list this academic year; missing ones first."""
    scope = scope_for(request.user)
    if not scope.has_role_anywhere(Role.CENTRE_STAFF, Role.INSTITUTION_ADMIN):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or academic_year_be(timezone.localdate()))
    except ValueError:
        year = academic_year_be(timezone.localdate())
    institutions = (
        Institution.objects.for_user(request.user)
        .filter(active=True)
        .exclude(kind__in=Institution.OFFICE_KINDS)
        .annotate(
            course_count=Count("courses", filter=Q(courses__academic_year=year), distinct=True),
            approved_count=Count(
                "courses",
                filter=Q(courses__academic_year=year, courses__status=Course.Status.APPROVED),
                distinct=True,
            ),
        )
        .select_related("parent")
    )
    if request.GET.get("eo") == "1":
        institutions = institutions.filter(extended_opportunity=True)
    institutions = institutions.order_by("course_count", "name_th")
    totals = {
        "institutions": institutions.count(),
        "submitted": institutions.filter(course_count__gt=0).count(),
    }
    page = Paginator(institutions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/progress.html",
        {"page": page, "year": year, "totals": totals, "eo": request.GET.get("eo") == "1"},
    )
