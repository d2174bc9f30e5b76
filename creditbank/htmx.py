"""htmx requests: a view answers one with the fragment it swaps, others with the whole page."""


def is_htmx(request) -> bool:
    """Whether htmx sent the request (it sets ``HX-Request: true`` on every one)."""
    return request.headers.get("HX-Request") == "true"
