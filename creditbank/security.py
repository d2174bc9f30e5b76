"""Start-up assertions about the libraries that read untrusted files."""

from django.core.exceptions import ImproperlyConfigured


def assert_defusedxml():
    """openpyxl parses XML from uploaded workbooks; it must do so through defusedxml.

    openpyxl switches to defusedxml by itself when the package is importable; refuse to start
    when it is not, rather than parse entity bombs with the standard library.
    """
    try:
        import defusedxml  # noqa: F401
        from openpyxl.xml import DEFUSEDXML
    except ImportError as exc:  # pragma: no cover - only on a broken install
        raise ImproperlyConfigured("defusedxml must be installed to read spreadsheets.") from exc
    if not DEFUSEDXML:  # pragma: no cover
        raise ImproperlyConfigured("openpyxl is not using defusedxml; refusing to start.")
