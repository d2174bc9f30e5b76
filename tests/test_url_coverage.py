"""Walks every URL pattern: each requires sign-in or is public; each object URL is a 404 to an
outsider from another province."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .url_registry import ADMIN_PREFIX, OBJECT_URLS, PUBLIC_URLS


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


ALL_URLS = dict(_walk(get_resolver().url_patterns))
PROJECT_URLS = {
    name: p
    for name, p in ALL_URLS.items()
    if not name.startswith(ADMIN_PREFIX) and name not in {"javascript-catalog"}
}


def _has_args(pattern) -> bool:
    return bool(pattern.pattern.regex.groupindex) or pattern.pattern.regex.groups > 0


def test_it_knows_every_url():
    unknown = sorted(
        name
        for name, pattern in PROJECT_URLS.items()
        if name not in PUBLIC_URLS and _has_args(pattern) and name not in OBJECT_URLS
    )
    assert unknown == [], f"object URLs missing from tests/url_registry.py OBJECT_URLS: {unknown}"
    stale = sorted((set(OBJECT_URLS) | PUBLIC_URLS) - set(PROJECT_URLS))
    assert stale == [], f"registry names that are not URL patterns: {stale}"


@pytest.mark.parametrize("name", sorted(n for n, p in PROJECT_URLS.items() if not _has_args(p)))
def test_it_requires_sign_in_unless_public(client, db, name):
    response = client.get(reverse(name))
    if name in PUBLIC_URLS:
        assert response.status_code in (200, 302, 405), name
        if response.status_code == 302:
            assert not response["Location"].startswith(settings.LOGIN_URL)
    else:
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_object_url_requires_sign_in(client, world, name):
    kwargs_for, method = OBJECT_URLS[name]
    response = getattr(client, method)(reverse(name, kwargs=kwargs_for(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_object_url_is_404_to_an_outsider(client, world, name):
    client.force_login(world.outsider)
    kwargs_for, method = OBJECT_URLS[name]
    response = getattr(client, method)(reverse(name, kwargs=kwargs_for(world)))
    assert response.status_code == 404, name


def test_admin_requires_staff_sign_in(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
