"""Evidence files attached to a mapping: PDF, PNG or JPEG only, recognised by their first bytes.

The name and the browser's content type are not trusted: a file is accepted only when its
magic bytes say PDF, PNG or JPEG, and it is stored under a random name with the matching
extension. Sizes and counts are bounded.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_FILES = 5

SIGNATURES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)
CONTENT_TYPES = {extension: content_type for _magic, extension, content_type in SIGNATURES}


class EvidenceRefused(ValueError):
    """The file is refused; the message is for the user."""


def sniff(head: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpg`` from a file's first bytes; None for anything else."""
    for magic, extension, _content_type in SIGNATURES:
        if head.startswith(magic):
            return extension
    return None


def check_evidence(files) -> list[tuple[object, str]]:
    """[(uploaded file, extension)] or ``EvidenceRefused`` naming the first bad file."""
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        raise EvidenceRefused(
            _("Attach at most %(count)s evidence files.") % {"count": MAX_EVIDENCE_FILES}
        )
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        if upload.size > MAX_EVIDENCE_BYTES:
            raise EvidenceRefused(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)}
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        extension = sniff(head)
        if extension is None:
            raise EvidenceRefused(
                _("%(name)s is not a PDF, PNG or JPEG file, whatever its name says.")
                % {"name": name}
            )
        checked.append((upload, extension))
    return checked
