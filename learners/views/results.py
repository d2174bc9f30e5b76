"""Results uploads: upload, preview with row errors, confirm, approve or reject."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.documents.xlsx import XLSX_CONTENT_TYPE
from creditbank.htmx import is_htmx
from institutions.models import Institution
from institutions.scoping import get_for_user, scope_for

from ..forms import DecisionForm, ResultsUploadForm
from ..models import ResultRow, ResultUpload
from ..services import results as services
from ..spreadsheets import results_checked_workbook_bytes, results_template_bytes
from .access import require_staff

Status = ResultUpload.Status
PAGE_SIZE = 25


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def template_download(request):
    require_staff(request.user, services.UPLOAD_ROLES)
    return _xlsx(results_template_bytes(), "results-template.xlsx")


@login_required
def upload(request):
    require_staff(request.user, services.UPLOAD_ROLES)
    form = ResultsUploadForm(
        request.POST or None, request.FILES or None, user=request.user, roles=services.UPLOAD_ROLES
    )
    if not form.choices:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        institution = get_for_user(
            request.user,
            Institution,
            roles=services.UPLOAD_ROLES,
            pk=form.cleaned_data["institution"].pk,
        )
        received = services.results_upload_receive(
            actor=request.user,
            institution=institution,
            data=form.cleaned_data["file"].read(),
            file_name=form.cleaned_data["file"].name,
            create_unknown=form.cleaned_data["create_unknown"],
        )
        return redirect("learners:results_detail", pk=received.pk)
    return render(request, "learners/results_upload.html", {"form": form})


@login_required
def upload_list(request):
    require_staff(request.user, roles=())
    uploads = (
        ResultUpload.objects.for_user(request.user)
        .select_related("institution", "uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        uploads = uploads.filter(status=Status.SUBMITTED)
    page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "learners/results_list.html", {"page": page, "waiting": waiting})


@login_required
def upload_detail(request, pk):
    upload = get_for_user(
        request.user, ResultUpload.objects.select_related("institution", "uploaded_by"), pk=pk
    )
    status_filter = request.GET.get("status", "")
    rows = ResultRow.objects.filter(upload=upload).select_related("learner").order_by("row_number")
    if status_filter in ResultRow.Status.values:
        rows = rows.filter(status=status_filter)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    context = {
        "upload": upload,
        "page": page,
        "status_filter": status_filter,
        "statuses": ResultRow.Status.choices,
        "can_confirm": upload.can_submit
        and scope.has_role(upload.institution, *services.UPLOAD_ROLES),
        "can_decide": upload.can_decide
        and scope.has_role(upload.institution, *services.APPROVE_ROLES),
        "decision_form": DecisionForm(),
    }
    if is_htmx(request):
        return render(request, "learners/_results_status.html", context)
    return render(request, "learners/results_detail.html", context)


@login_required
@require_POST
def upload_submit(request, pk):
    upload = get_for_user(request.user, ResultUpload, roles=services.UPLOAD_ROLES, pk=pk)
    try:
        upload = services.results_upload_submit(actor=request.user, upload=upload)
    except services.ResultsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Confirmed: the results wait for the registrar's approval."))
    return redirect("learners:results_detail", pk=upload.pk)


@login_required
@require_POST
def upload_cancel(request, pk):
    upload = get_for_user(request.user, ResultUpload, roles=services.UPLOAD_ROLES, pk=pk)
    services.results_upload_cancel(actor=request.user, upload=upload)
    messages.info(request, _("The upload was cancelled; nothing was recorded."))
    return redirect("learners:results_list")


@login_required
@require_POST
def upload_decide(request, pk):
    upload = get_for_user(request.user, ResultUpload, roles=services.APPROVE_ROLES, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("learners:results_detail", pk=upload.pk)
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["action"] == "approve":
            upload = services.results_upload_approve(
                actor=request.user, upload=upload, comment=comment
            )
            messages.success(
                request,
                _("Approved: %(posted)s results recorded, %(corrected)s corrected.")
                % {
                    "posted": upload.counts.get("posted", 0),
                    "corrected": upload.counts.get("corrected", 0),
                },
            )
        else:
            services.results_upload_reject(actor=request.user, upload=upload, comment=comment)
            messages.info(request, _("The results were rejected."))
    except services.ResultsError as error:
        messages.error(request, error.message)
    return redirect("learners:results_detail", pk=upload.pk)


@login_required
def upload_checked(request, pk):
    upload = get_for_user(request.user, ResultUpload, pk=pk)
    if not upload.file or upload.status in (Status.QUEUED, Status.CHECKING, Status.REFUSED):
        raise Http404
    stem = upload.file_name.rsplit(".", 1)[0][:60].encode("ascii", "ignore").decode() or "results"
    return _xlsx(results_checked_workbook_bytes(upload), f"{stem}-checked.xlsx")
