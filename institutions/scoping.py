"""The one scoping mechanism every view and queryset uses.

A user's reach is the union of their memberships:
- a national administrator sees every province;
- centre staff see every institution of their province;
- any other membership covers its institution and every institution below it
  (an area office covers its schools).

Outside that reach an object does not exist for the user (404). Inside it, a write needs a role
(403 without it). ``get_for_user`` is the access helper views call first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from creditbank.pagination import count_version

from .models import Institution, Membership

Role = Membership.Role

# Centre staff act for every institution of their province in these capacities as well.
CENTRE_STAFF_IMPLIES = frozenset({Role.CENTRE_STAFF, Role.INSTITUTION_ADMIN, Role.VIEWER})


@dataclass(frozen=True)
class Grant:
    institution_id: int
    tree_path: str
    province_id: int | None
    role: str


@dataclass
class Scope:
    user_id: int | None
    is_national: bool = False
    grants: list[Grant] = field(default_factory=list)

    @property
    def is_staff_member(self) -> bool:
        return self.is_national or bool(self.grants)

    @property
    def centre_province_ids(self) -> set[int]:
        return {g.province_id for g in self.grants if g.role == Role.CENTRE_STAFF}

    @property
    def province_ids(self) -> set[int]:
        return {g.province_id for g in self.grants if g.province_id}

    @property
    def roles(self) -> set[str]:
        roles = {g.role for g in self.grants}
        if self.is_national:
            roles.add(Role.NATIONAL_ADMIN)
        return roles

    @property
    def fingerprint(self) -> str:
        """Equal for two users who see exactly the same things (a cache-key component)."""
        if self.is_national:
            return "national"
        parts = sorted({(g.role, g.tree_path, g.province_id or 0) for g in self.grants})
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]

    def q(self, prefix: str = "") -> Q:
        """A filter on Institution (or, with ``prefix="institution__"``, on a related model)."""
        if self.is_national:
            return Q()
        if not self.grants:
            return Q(**{f"{prefix}pk__in": []})
        centre_provinces = self.centre_province_ids
        query = (
            Q(**{f"{prefix}province_id__in": sorted(centre_provinces)}) if centre_provinces else Q()
        )
        paths = sorted({g.tree_path for g in self.grants if g.role != Role.CENTRE_STAFF})
        for path in _outermost(paths):
            query |= Q(**{f"{prefix}tree_path__startswith": path})
        return query

    def province_q(self, field: str = "pk") -> Q:
        """A filter for province-wide data (catalogues, coverage) the user may read."""
        if self.is_national:
            return Q()
        return Q(**{f"{field}__in": sorted(self.province_ids)})

    def covers(self, institution: Institution) -> bool:
        if self.is_national:
            return True
        return any(self._grant_covers(g, institution) for g in self.grants)

    def roles_at(self, institution: Institution) -> set[str]:
        if self.is_national:
            return set(Role.values)
        roles: set[str] = set()
        for grant in self.grants:
            if self._grant_covers(grant, institution):
                roles |= CENTRE_STAFF_IMPLIES if grant.role == Role.CENTRE_STAFF else {grant.role}
        return roles

    def has_role(self, institution: Institution, *roles: str) -> bool:
        return bool(self.roles_at(institution) & set(roles))

    def has_role_anywhere(self, *roles: str) -> bool:
        return self.is_national or bool(self.roles & set(roles))

    def has_role_in_province(self, province_id: int | None, *roles: str) -> bool:
        """A province-level role (committee reviewer, centre staff) held anywhere in the province."""
        if self.is_national:
            return True
        wanted = set(roles)
        return any(g.province_id == province_id and g.role in wanted for g in self.grants)

    def is_centre_for(self, province_id: int | None) -> bool:
        return self.is_national or province_id in self.centre_province_ids

    @staticmethod
    def _grant_covers(grant: Grant, institution: Institution) -> bool:
        if grant.role == Role.CENTRE_STAFF:
            return institution.province_id == grant.province_id
        return institution.tree_path.startswith(grant.tree_path)


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter one, so the OR stays short."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


SCOPE_CACHE_SECONDS = 30


def scope_for(user) -> Scope:
    """The user's scope, computed once per request and cached across requests.

    The cache key carries the versions that membership and institution writes bump, so a
    revoked role stops working at once wherever the cache is shared (Redis in production; the
    single process of the embedded setup). Across processes with a per-process cache, a stale
    entry lives at most SCOPE_CACHE_SECONDS.
    """
    if user is None or not user.is_authenticated:
        return Scope(user_id=None)
    cached = getattr(user, "_creditbank_scope", None)
    if cached is not None:
        return cached
    key = "scope:{}:{}:{}".format(
        count_version("memberships"), count_version("institutions"), user.pk
    )
    scope = cache.get(key)
    if scope is None:
        rows = Membership.objects.filter(user_id=user.pk, institution__active=True).values_list(
            "role", "institution_id", "institution__tree_path", "institution__province_id"
        )
        grants = [
            Grant(inst_id, path, province_id, role) for role, inst_id, path, province_id in rows
        ]
        scope = Scope(
            user_id=user.pk,
            is_national=user.is_superuser or any(g.role == Role.NATIONAL_ADMIN for g in grants),
            grants=[g for g in grants if g.role != Role.NATIONAL_ADMIN],
        )
        cache.set(key, scope, SCOPE_CACHE_SECONDS)
    user._creditbank_scope = scope
    return scope


def forget_scope(user) -> None:
    if hasattr(user, "_creditbank_scope"):
        del user._creditbank_scope


def institution_of(obj) -> Institution:
    """The institution that owns a scoped object (the object itself for an institution)."""
    if isinstance(obj, Institution):
        return obj
    getter = getattr(obj, "scope_institution", None)
    if getter is None:
        raise TypeError(f"{type(obj).__name__} does not declare scope_institution")
    return getter() if callable(getter) else getter


def get_for_user(user, queryset, *, roles: Iterable[str] = (), **lookup):
    """Fetch one object through the user's scope.

    Outside the scope it is a 404 (we do not confirm it exists); inside the scope without one of
    ``roles`` it is a 403. ``queryset`` is a model or queryset whose manager has ``for_user``.
    """
    if hasattr(queryset, "objects"):
        queryset = queryset.objects.all()
    obj = get_object_or_404(queryset.for_user(user), **lookup)
    roles = tuple(roles)
    if roles and not scope_for(user).has_role(institution_of(obj), *roles):
        raise PermissionDenied
    return obj


def require_role_anywhere(user, *roles: str) -> Scope:
    scope = scope_for(user)
    if not scope.has_role_anywhere(*roles):
        raise PermissionDenied
    return scope
