"""Pagination that stays cheap on national-scale lists."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_TTL_SECONDS = 60


def count_version(namespace: str) -> int:
    return cache.get(f"count-version:{namespace}", 1)


def bump_count_version(namespace: str) -> None:
    """Called by services that add or remove rows, so cached counts are never stale for long."""
    key = f"count-version:{namespace}"
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


class CachedCountPaginator(Paginator):
    """A Paginator whose COUNT(*) is cached per query for a minute.

    Counting 30,000 rows on every page view costs more than rendering the page; the cache key
    holds the exact SQL and parameters plus a version that writes bump.
    """

    def __init__(self, object_list, per_page, *, namespace: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.namespace = namespace

    @cached_property
    def count(self):
        try:
            sql, params = self.object_list.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing by construction (pk__in=[])
            return 0
        digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()[:32]
        key = f"count:{self.namespace}:{count_version(self.namespace)}:{digest}"
        value = cache.get(key)
        if value is None:
            value = self.object_list.count()
            cache.set(key, value, COUNT_TTL_SECONDS)
        return value
