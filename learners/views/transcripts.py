"""Transcripts: the learner's page (issue, download, share links and who opened them), the
public share link a receiving institution opens, and the public verification page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from creditbank.ratelimit import rate_limited

from ..models import Transcript, TranscriptShare
from ..services import transcripts as services
from ..transcript_forms import ShareForm, TranscriptRevokeForm
from .access import learner_of

TRANSCRIPTS_PAGE = 10
SHARES_PAGE = 20
ACCESS_PAGE = 25


def base_url(request) -> str:
    """Where QR codes and share links point: ``PUBLIC_BASE_URL`` if set, else this site."""
    configured = getattr(settings, "PUBLIC_BASE_URL", "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def _own_learner(request):
    learner = learner_of(request.user)
    if learner is None:
        raise Http404
    return learner


def _private(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _pdf_response(document, filename=None):
    if document is None or not document.is_done:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return _private(
        FileResponse(
            handle,
            as_attachment=True,
            filename=filename or document.filename or "transcript.pdf",
            content_type="application/pdf",
        )
    )


@login_required
@never_cache
def my_transcripts(request):
    learner = learner_of(request.user)
    if learner is None:
        return render(request, "learners/not_linked.html")
    transcripts = Paginator(services.learner_transcripts(learner), TRANSCRIPTS_PAGE).get_page(
        request.GET.get("page")
    )
    shares = Paginator(services.learner_shares(learner), SHARES_PAGE).get_page(
        request.GET.get("shares")
    )
    accesses = Paginator(services.learner_share_accesses(learner), ACCESS_PAGE).get_page(
        request.GET.get("log")
    )
    return render(
        request,
        "learners/my_transcripts.html",
        {
            "learner": learner,
            "transcripts": transcripts,
            "shares": shares,
            "accesses": accesses,
            "share_form": ShareForm(),
            "revoke_form": TranscriptRevokeForm(),
            "site": base_url(request),
            "can_share": any(
                t.document and t.document.is_done and not t.revoked_at for t in transcripts
            ),
        },
    )


@login_required
@require_POST
def transcript_issue(request):
    learner = _own_learner(request)
    try:
        transcript = services.transcript_issue(
            actor=request.user,
            learner=learner,
            base_url=base_url(request),
            language=get_language() or "th",
        )
    except services.TranscriptError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learners:my_transcripts")
    messages.info(request, _("Your transcript %(serial)s is being prepared.") % {
        "serial": transcript.serial
    })  # fmt: skip
    return redirect(reverse("learners:my_transcripts") + f"#transcript-{transcript.pk}")


@login_required
@require_GET
def transcript_download(request, pk):
    transcript = get_object_or_404(
        Transcript.objects.select_related("document"), pk=pk, learner__user=request.user
    )
    return _pdf_response(transcript.document, f"transcript-{transcript.serial}.pdf")


def revoke(request, transcript: Transcript, next_url: str):
    """Revoke ``transcript`` with the reason posted (the caller has checked who may)."""
    form = TranscriptRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the transcript is revoked."))
        return redirect(next_url)
    try:
        services.transcript_revoke(
            actor=request.user, transcript=transcript, reason=form.cleaned_data["reason"]
        )
    except services.TranscriptError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(
            request,
            _("Transcript %(serial)s is revoked: its verification page now says so.")
            % {"serial": transcript.serial},
        )
    return redirect(next_url)


@login_required
@require_POST
def transcript_revoke_mine(request, pk):
    transcript = get_object_or_404(Transcript, pk=pk, learner__user=request.user)
    return revoke(request, transcript, reverse("learners:my_transcripts") + f"#transcript-{pk}")


@login_required
@require_POST
def share_create(request):
    learner = _own_learner(request)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how many days the link stays valid (1–90)."))
        return redirect("learners:my_transcripts")
    try:
        share = services.share_create(
            actor=request.user,
            learner=learner,
            recipient=form.cleaned_data["recipient"],
            days=form.cleaned_data["days"],
        )
    except services.TranscriptError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Share link created. Send it to the receiving institution: %(url)s")
            % {"url": base_url(request) + reverse("learners:shared", args=[share.token])},
        )
    return redirect(reverse("learners:my_transcripts") + "#shares")


@login_required
@require_POST
def share_revoke(request, pk):
    share = get_object_or_404(TranscriptShare, pk=pk, learner__user=request.user)
    services.share_revoke(actor=request.user, share=share)
    messages.info(request, _("The share link is revoked: it no longer opens."))
    return redirect(reverse("learners:my_transcripts") + "#shares")


# --- public ------------------------------------------------------------------------------------


def _client_ip(request):
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def _open_share(request, token):
    try:
        return services.share_open(
            token=token,
            ip_address=_client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except TranscriptShare.DoesNotExist:
        raise Http404 from None


def _gone(request, gone):
    response = render(request, "learners/share_gone.html", {"reason": gone.reason}, status=410)
    return _private(response)


@rate_limited("transcript", limit_setting="TRANSCRIPT_PUBLIC_RATE_PER_MINUTE", default_limit=30)
@never_cache
@require_GET
def shared(request, token):
    """What a receiving institution sees: the latest transcript, no sign-in, every open logged."""
    try:
        share, transcript = _open_share(request, token)
    except services.ShareGone as gone:
        return _gone(request, gone)
    context = {"share": share, "transcript": transcript}
    if transcript is not None:
        data = transcript.content["data"]
        context["t"] = services.transcript_display(
            data, english=(get_language() or "th").startswith("en")
        )
        context["verification"] = services.transcript_verify(
            serial=transcript.serial, code=services.verification_code(transcript)
        )
    return _private(render(request, "learners/shared.html", context))


@rate_limited("transcript", limit_setting="TRANSCRIPT_PUBLIC_RATE_PER_MINUTE", default_limit=30)
@never_cache
@require_GET
def shared_pdf(request, token):
    try:
        _share, transcript = _open_share(request, token)
    except services.ShareGone as gone:
        return _gone(request, gone)
    if transcript is None:
        raise Http404
    return _pdf_response(transcript.document, f"transcript-{transcript.serial}.pdf")


@rate_limited("transcript", limit_setting="TRANSCRIPT_PUBLIC_RATE_PER_MINUTE", default_limit=30)
@require_GET
def transcript_verify(request, serial):
    """Public: is this transcript genuine? Shows only what a reader needs to match the paper."""
    result = services.transcript_verify(serial=serial, code=request.GET.get("c", ""))
    context = {"result": result, "serial": serial[:40]}
    if result.transcript is not None:
        data = result.transcript.content.get("data") or {}
        learner = data.get("learner") or {}
        english = (get_language() or "th").startswith("en")
        context.update(
            name=(english and learner.get("name_en")) or learner.get("name_th", ""),
            identifier_masked=learner.get("identifier_masked", ""),
            banked=data.get("banked", ""),
        )
    response = render(
        request,
        "learners/transcript_verify.html",
        context,
        status=200 if result.transcript is not None else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
