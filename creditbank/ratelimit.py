"""A fixed-window rate limit per client address, kept in the shared cache.

The project had no general rate-limit helper (django-axes only guards sign-in), so public
endpoints that anyone can hammer (certificate verification) use this one.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _


def client_address(request) -> str:
    # Behind the TLS proxy the last hop is the proxy; only trust X-Forwarded-For when told to.
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit; False once ``limit`` hits fell in the current ``window`` seconds."""
    slot = int(time.time() // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    cache_key = f"ratelimit:{bucket}:{slot}:{digest}"
    if cache.add(cache_key, 1, window + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window + 5)
        return True
    return count <= limit


def rate_limited(bucket: str, *, limit_setting: str, default_limit: int, window: int = 60):
    """View decorator: 429 (never cached) past the limit per client address and window."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            limit = getattr(settings, limit_setting, default_limit)
            if not hit(bucket, client_address(request), limit=limit, window=window):
                response = HttpResponse(
                    _("Too many requests: try again in a minute."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(window)
                response["Cache-Control"] = "no-store"
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
