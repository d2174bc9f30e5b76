"""Document renderers of the reports app (found by ``creditbank.documents.jobs``)."""

from django.utils.translation import gettext as _

from creditbank.documents.jobs import DocumentError, register_renderer

from .models import InspectionRound
from .services import documents as services


@register_renderer(services.DOCUMENT_KIND)
def inspection_report(document, progress):
    parameters = document.parameters
    round_ = (
        InspectionRound.objects.select_related("province")
        .filter(pk=parameters.get("round"))
        .first()
    )
    if round_ is None:
        raise DocumentError(_("The inspection round no longer exists."))
    return services.render(
        round_,
        fmt=parameters.get("format", "pdf"),
        thai_digits=parameters.get("thai_digits", True),
        progress=progress,
    )
