"""Document renderers of the learners app (found by ``creditbank.documents.jobs``)."""

from django.utils.translation import gettext as _

from creditbank.documents.jobs import DocumentError, register_renderer

from .models import Transcript
from .services import transcripts as services


@register_renderer(services.DOCUMENT_KIND)
def transcript_pdf(document, progress):
    parameters = document.parameters
    transcript = (
        Transcript.objects.filter(pk=parameters.get("transcript")).select_related("learner").first()
    )
    if transcript is None:
        raise DocumentError(_("The transcript no longer exists."))
    progress(20, _("Reading the transcript"))
    try:
        data = services.transcript_render(
            transcript,
            base_url=parameters.get("base_url", ""),
            language=parameters.get("language", "th"),
        )
    except services.TranscriptError as error:
        raise DocumentError(" ".join(error.messages)) from None
    progress(95, _("Storing the PDF"))
    return f"transcript-{transcript.serial}.pdf", "application/pdf", data
