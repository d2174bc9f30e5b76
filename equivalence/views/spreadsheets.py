"""Mappings to .xlsx and a committee's decisions back from .xlsx (preview, then apply)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from creditbank.documents.xlsx import XLSX_CONTENT_TYPE
from creditbank.forms import BootstrapMixin
from creditbank.spreadsheets import MAX_UPLOAD_BYTES
from institutions.models import Membership
from institutions.scoping import require_role_anywhere

from ..models import DecisionImport
from ..services import decisions
from ..services.mappings import MappingError
from ..spreadsheets import mappings_export_bytes
from .mappings import _with_courses, filtered_mappings

Role = Membership.Role
EXPORT_LIMIT = 20_000
OUTCOMES = {
    "approve": gettext_lazy("will be approved"),
    "reject": gettext_lazy("will be rejected"),
    "unchanged": gettext_lazy("already decided: no change"),
    "skip": gettext_lazy("no decision on this row"),
    "error": gettext_lazy("problem"),
}
DECISIONS = {"approve": gettext_lazy("approve"), "reject": gettext_lazy("reject")}


@login_required
def export(request):
    """The mappings the queue shows (same filters), as the committee's decision workbook."""
    require_role_anywhere(request.user, Role.COMMITTEE_REVIEWER, Role.CENTRE_STAFF)
    mappings, _filters = filtered_mappings(request)
    chosen = _with_courses(mappings.order_by("pk"))[:EXPORT_LIMIT]
    response = HttpResponse(mappings_export_bytes(chosen), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="equivalences.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


class DecisionUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Decision file (.xlsx)"),
        help_text=gettext_lazy(
            "The exported workbook with the Decision column filled in: อนุมัติ or ไม่อนุมัติ."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def decisions_upload(request):
    require_role_anywhere(request.user, Role.COMMITTEE_REVIEWER)
    form = DecisionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = decisions.decisions_import_receive(
            actor=request.user, data=upload.read(), file_name=upload.name
        )
        return redirect("equivalence:decisions_detail", pk=record.pk)
    recent = DecisionImport.objects.for_user(request.user).only(
        "pk", "file_name", "uploaded_at", "status", "counts"
    )[:10]
    return render(request, "equivalence/decisions_upload.html", {"form": form, "recent": recent})


@login_required
def decisions_detail(request, pk):
    record = get_object_or_404(DecisionImport.objects.for_user(request.user), pk=pk)
    show = request.GET.get("show", "")
    rows = record.rows
    if show == "error":
        rows = [r for r in rows if r["outcome"] == "error"]
    shown = [
        {**row, "outcome_label": OUTCOMES.get(row["outcome"], ""),
         "decision_label": DECISIONS.get(row["decision"], "")}
        for row in rows[:1000]
    ]  # fmt: skip
    return render(
        request,
        "equivalence/decisions_detail.html",
        {"record": record, "rows": shown, "show": show, "more": len(rows) > 1000},
    )


@login_required
@require_POST
def decisions_commit(request, pk):
    record = get_object_or_404(DecisionImport.objects.for_user(request.user), pk=pk)
    if not record.can_commit and record.status != DecisionImport.Status.COMMITTED:
        raise PermissionDenied
    try:
        record = decisions.decisions_import_commit(actor=request.user, decision_import=record)
    except MappingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        counts = record.counts
        messages.success(
            request,
            _("Decisions applied: %(approved)s approved, %(rejected)s rejected.")
            % {"approved": counts.get("approve", 0), "rejected": counts.get("reject", 0)},
        )
    return redirect("equivalence:decisions_detail", pk=record.pk)
