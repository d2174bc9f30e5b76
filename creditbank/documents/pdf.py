"""The one PDF rendering path: Django template → HTML → WeasyPrint, Sarabun embedded, A4.

Rendering never touches the network: the URL fetcher serves ``data:`` URLs and files under the
project's ``static/`` directory, and refuses everything else (a template that links to a remote
image renders without it and logs a warning). ``{% static %}`` URLs (``/static/…``) resolve to
the same directory, so PDF templates reference assets the way page templates do.
"""

from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

from . import textlayer

logger = logging.getLogger(__name__)

# (file, CSS font-weight, CSS font-style); Regular and Bold are required.
SARABUN_FACES = (
    ("Sarabun-Light.ttf", 300, "normal"),
    ("Sarabun-Regular.ttf", 400, "normal"),
    ("Sarabun-Italic.ttf", 400, "italic"),
    ("Sarabun-Medium.ttf", 500, "normal"),
    ("Sarabun-SemiBold.ttf", 600, "normal"),
    ("Sarabun-Bold.ttf", 700, "normal"),
    ("Sarabun-BoldItalic.ttf", 700, "italic"),
)
REQUIRED_FACES = {"Sarabun-Regular.ttf", "Sarabun-Bold.ttf"}
BASE_STYLESHEET = "documents/base_pdf.css"


def static_dir() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


def font_dir() -> Path:
    return static_dir() / "vendor" / "sarabun"


def font_face_css() -> str:
    """``@font-face`` rules for the vendored Sarabun files, as absolute ``file:`` URLs."""
    directory = font_dir()
    missing = sorted(name for name in REQUIRED_FACES if not (directory / name).is_file())
    if missing:
        raise ImproperlyConfigured(f"Sarabun font files missing from {directory}: {missing}")
    rules = []
    for name, weight, style in SARABUN_FACES:
        path = directory / name
        if path.is_file():
            rules.append(
                f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; '
                f'font-style: {style}; src: url("{path.as_uri()}") format("truetype"); }}'
            )
    return "\n".join(rules)


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``data:`` URLs and files under ``static/``; refuses anything else."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self._root = root
            self._static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise ValueError(f"PDF rendering fetches no {scheme}: URLs: {url[:200]}")
            path = self._local_path(url)
            return super().fetch(path.as_uri(), headers)

        def _local_path(self, url: str) -> Path:
            raw = unquote(urlsplit(url).path)
            candidate = Path(raw).resolve()
            if not candidate.is_relative_to(self._root) and raw.startswith(self._static_prefix):
                # ``{% static %}`` output resolved against a file: base URL
                candidate = (self._root / raw[len(self._static_prefix) :]).resolve()
            if not candidate.is_relative_to(self._root) or not candidate.is_file():
                raise ValueError(f"PDF rendering reads only files under static/: {url[:200]}")
            return candidate

    return StaticOnlyFetcher


class _Toolkit(threading.local):
    """Per-thread font configuration, fetcher and parsed base stylesheets.

    Building a FontConfiguration and registering the seven Sarabun faces costs more than a
    short document, so they are made once per thread and reused for every render.
    """

    ready = False

    def get(self):
        if not self.ready:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            root = static_dir()
            self.base_url = root.as_uri() + "/"
            self.fetcher = _static_fetcher_class()(root)
            self.font_config = FontConfiguration()
            base_css = render_to_string(BASE_STYLESHEET)
            self.stylesheets = [
                CSS(
                    string=font_face_css() + "\n" + base_css,
                    base_url=self.base_url,
                    url_fetcher=self.fetcher,
                    font_config=self.font_config,
                )
            ]
            self.ready = True
        return self


_toolkit = _Toolkit()


@atexit.register
def _release_toolkit():
    # FontConfiguration deletes its temporary font folder in __del__, which fails noisily
    # once the interpreter has started tearing modules down.
    _toolkit.__dict__.clear()


def render_pdf(html: str, *, base_url: str | None = None, **options) -> bytes:
    """Render an HTML string to PDF bytes with the house fonts and page setup.

    ``base_url`` defaults to the ``static/`` directory; ``options`` go to WeasyPrint's
    ``write_pdf`` (``pdf_variant="pdf/a-3b"``, ``pdf_tags=True`` …).
    """
    from weasyprint import HTML

    textlayer.install()
    toolkit = _toolkit.get()
    document = HTML(string=html, base_url=base_url or toolkit.base_url, url_fetcher=toolkit.fetcher)
    return document.write_pdf(
        stylesheets=toolkit.stylesheets, font_config=toolkit.font_config, **options
    )


def render_document(html: str, *, base_url: str | None = None):
    """Lay out an HTML string once (house fonts and page setup) and return WeasyPrint's
    ``Document``: ``document.copy([page]).write_pdf()`` then writes single pages without laying
    the whole document out again (a batch of certificates: one file each and one combined)."""
    from weasyprint import HTML

    textlayer.install()
    toolkit = _toolkit.get()
    document = HTML(string=html, base_url=base_url or toolkit.base_url, url_fetcher=toolkit.fetcher)
    return document.render(stylesheets=toolkit.stylesheets, font_config=toolkit.font_config)


def render_template_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render a Django template (normally extending ``documents/base.html``) to PDF bytes."""
    html = render_to_string(template_name, context or {}, request=request)
    return render_pdf(html)
