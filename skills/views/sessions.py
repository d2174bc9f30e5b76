"""A test session: candidates, results (page or workbook), certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creditbank.documents.xlsx import XLSX_CONTENT_TYPE
from creditbank.models import GeneratedDocument

from ..documents import SESSION_CERTIFICATES
from ..forms import RegisterForm, ResultsUploadForm
from ..importer import checked_workbook_bytes, template_bytes
from ..models import Candidate, ResultUpload, TestSession
from ..services import certificates as certificate_services
from ..services import sessions as services
from .access import can_manage, object_for_user


def _session(user, pk, *, write=False) -> TestSession:
    return object_for_user(
        user,
        TestSession.objects.select_related("centre", "standard__nqf_level"),
        pk,
        write=write,
    )


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def session_detail(request, pk):
    session = _session(request.user, pk)
    candidates = list(
        Candidate.objects.filter(session=session)
        .select_related("learner", "result", "result__certificate")
        .order_by("pk")
    )
    for candidate in candidates:
        candidate.the_result = getattr(candidate, "result", None)
        candidate.the_certificate = (
            getattr(candidate.the_result, "certificate", None) if candidate.the_result else None
        )
    print_job = (
        GeneratedDocument.objects.for_user(request.user)
        .filter(kind=SESSION_CERTIFICATES, parameters__session=session.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    uploads = list(ResultUpload.objects.filter(session=session).order_by("-uploaded_at")[:5])
    return render(
        request,
        "skills/session_detail.html",
        {
            "session": session,
            "candidates": candidates,
            "full": len(candidates) >= session.capacity,
            "can_manage": can_manage(request.user, session.centre),
            "register_form": RegisterForm(),
            "upload_form": ResultsUploadForm(),
            "print_job": print_job,
            "uploads": uploads,
            "passed_without_certificate": sum(
                1
                for c in candidates
                if c.the_result and c.the_result.passed and c.the_certificate is None
            ),
        },
    )


@login_required
@require_POST
def register(request, pk):
    session = _session(request.user, pk, write=True)
    form = RegisterForm(request.POST)
    if form.is_valid():
        try:
            candidate = services.candidate_register(
                actor=request.user, session=session, **form.cleaned_data
            )
            messages.success(
                request, _("%(name)s is registered.") % {"name": candidate.learner.full_name}
            )
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Give the candidate's identifier."))
    return redirect("skills:session", pk=session.pk)


@login_required
@require_POST
def registration(request, pk):
    session = _session(request.user, pk, write=True)
    services.session_set_registration(
        actor=request.user, session=session, open_=request.POST.get("open") == "1"
    )
    return redirect("skills:session", pk=session.pk)


@login_required
@require_POST
def results(request, pk):
    """The results table of the session page: ``result-<candidate>`` = pass / fail / empty."""
    session = _session(request.user, pk, write=True)
    rows = []
    for key, value in request.POST.items():
        if not key.startswith("result-") or value not in ("pass", "fail"):
            continue
        try:
            candidate_id = int(key.removeprefix("result-"))
        except ValueError:
            continue
        score = request.POST.get(f"score-{candidate_id}", "").strip() or None
        rows.append((candidate_id, value == "pass", score))
    try:
        changed = services.results_record_many(actor=request.user, session=session, rows=rows)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(n)s results saved.") % {"n": changed})
    return redirect("skills:session", pk=session.pk)


@login_required
def results_template(request, pk):
    session = _session(request.user, pk, write=True)
    response = HttpResponse(template_bytes(session), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="results-session-{session.pk}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def results_upload(request, pk):
    session = _session(request.user, pk, write=True)
    form = ResultsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an .xlsx file."))
        return redirect("skills:session", pk=session.pk)
    upload = services.results_upload_receive(
        actor=request.user,
        session=session,
        data=form.cleaned_data["file"].read(),
        file_name=form.cleaned_data["file"].name,
    )
    return redirect("skills:upload", pk=upload.pk)


def _upload(user, pk, *, write=False) -> ResultUpload:
    return object_for_user(
        user, ResultUpload.objects.select_related("session__centre", "session__standard"), pk,
        write=write,
    )  # fmt: skip


@login_required
def upload_detail(request, pk):
    upload = _upload(request.user, pk)
    return render(
        request,
        "skills/upload_detail.html",
        {"upload": upload, "can_manage": can_manage(request.user, upload.session.centre)},
    )


@login_required
def results_checked(request, pk):
    """The uploaded workbook back, with a problems column and the problem cells highlighted.

    It carries the identifiers as typed (the preview masks them), so it takes a centre role.
    """
    upload = _upload(request.user, pk, write=True)
    if not upload.file or not upload.error_count:
        raise Http404
    response = HttpResponse(checked_workbook_bytes(upload), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="results-upload-{upload.pk}-checked.xlsx"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def upload_commit(request, pk):
    upload = _upload(request.user, pk, write=True)
    try:
        services.results_upload_commit(actor=request.user, upload=upload)
        messages.success(request, _("The results are saved."))
    except ValidationError as error:
        _errors(request, error)
        return redirect("skills:upload", pk=upload.pk)
    return redirect("skills:session", pk=upload.session_id)


@login_required
@require_POST
def upload_cancel(request, pk):
    upload = _upload(request.user, pk, write=True)
    if upload.status == ResultUpload.Status.PREVIEW:
        services.results_upload_cancel(actor=request.user, upload=upload)
    return redirect("skills:session", pk=upload.session_id)


@login_required
@require_POST
def issue(request, pk):
    session = _session(request.user, pk, write=True)
    try:
        issued = certificate_services.session_certificates_issue(
            actor=request.user, session=session, post_credits=request.POST.get("bank") == "1"
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(n)s certificates issued.") % {"n": len(issued)})
    return redirect("skills:session", pk=session.pk)


@login_required
@require_POST
def print_certificates(request, pk):
    session = _session(request.user, pk, write=True)
    try:
        document = certificate_services.session_certificates_render(
            actor=request.user, session=session
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("skills:session", pk=session.pk)
    messages.info(request, _("Drawing %(title)s.") % {"title": document.title})
    return redirect(reverse("skills:session", kwargs={"pk": session.pk}) + "#print")
