"""Business actions on institutions and memberships. Views, admin and commands call these."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from creditbank.pagination import bump_count_version

from .models import Institution, Membership, Province
from .scoping import forget_scope

User = get_user_model()

INSTITUTION_FIELDS = (
    "code",
    "ministry_code",
    "name_th",
    "name_en",
    "kind",
    "affiliation",
    "parent",
    "province",
    "district",
    "extended_opportunity",
    "active",
)


def _invalidate(namespace: str) -> None:
    """Bump the cache version now and again after commit, so nothing read in between sticks."""
    bump_count_version(namespace)
    transaction.on_commit(lambda: bump_count_version(namespace))


def _path_for(institution: Institution) -> str:
    parent_path = institution.parent.tree_path if institution.parent_id else "/"
    return f"{parent_path}{institution.pk}/"


@transaction.atomic
def institution_create(*, actor, **data) -> Institution:
    unknown = set(data) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    institution = Institution(**data)
    institution.full_clean()
    institution.save()
    institution.tree_path = _path_for(institution)
    institution.save(update_fields=["tree_path"])
    _invalidate("institutions")
    return institution


@transaction.atomic
def institution_update(*, actor, institution: Institution, **data) -> Institution:
    unknown = set(data) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    old_path = institution.tree_path
    for name, value in data.items():
        setattr(institution, name, value)
    institution.full_clean()
    institution.tree_path = _path_for(institution)
    institution.save()
    if institution.tree_path != old_path:
        # Re-root the subtree: every descendant's path starts with the old path.
        for child in Institution.objects.filter(tree_path__startswith=old_path).exclude(
            pk=institution.pk
        ):
            child.tree_path = institution.tree_path + child.tree_path[len(old_path) :]
            child.save(update_fields=["tree_path"])
    _invalidate("institutions")
    return institution


@transaction.atomic
def membership_add(*, actor, institution: Institution, user, role: str) -> Membership:
    if Membership.objects.filter(user=user, institution=institution, role=role).exists():
        raise ValidationError(_("%(user)s already has this role here.") % {"user": user})
    membership = Membership(user=user, institution=institution, role=role, created_by=actor)
    membership.full_clean(validate_unique=False)
    membership.save()
    forget_scope(user)
    _invalidate("memberships")
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    membership._change_reason = f"removed by {actor}"
    membership.delete()
    forget_scope(membership.user)
    _invalidate("memberships")


@transaction.atomic
def provinces_load(*, actor=None) -> int:
    """Create or refresh the 77 provinces from the bundled list. Idempotent."""
    import csv
    from pathlib import Path

    path = Path(__file__).with_name("data") / "provinces.csv"
    count = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Province.objects.update_or_create(
                code=row["code"],
                defaults={
                    "slug": row["slug"],
                    "name_th": row["name_th"],
                    "name_en": row["name_en"],
                    "region": row["region"],
                },
            )
            count += 1
    return count
