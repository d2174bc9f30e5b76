"""Learner records: create, link a sign-in account, unmask an identifier (logged)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.pagination import bump_count_version
from institutions.models import Membership
from institutions.scoping import scope_for

from .. import identifiers
from ..models import IdentifierType, Learner, UnmaskLog
from .errors import LearnerError

Role = Membership.Role
# Who may register learners, link their accounts and see a full identifier (with a reason).
STAFF_ROLES = (Role.REGISTRAR, Role.INSTITUTION_ADMIN, Role.CENTRE_STAFF)


def _invalidate() -> None:
    bump_count_version("learners")
    transaction.on_commit(lambda: bump_count_version("learners"))


def identifier_clean(identifier_type: str, raw: str) -> str:
    """The normalised identifier; ValidationError on the ``identifier`` field otherwise."""
    if identifier_type not in IdentifierType.values:
        raise ValidationError({"identifier_type": _("Unknown identifier type.")})
    try:
        return identifiers.validate(identifier_type, raw)
    except ValidationError as error:
        raise ValidationError({"identifier": error.messages}) from None


def learner_find(*, identifier_type: str, identifier: str) -> Learner | None:
    try:
        value = identifiers.validate(identifier_type, identifier)
    except ValidationError:
        return None
    return Learner.objects.filter(identifier_type=identifier_type, identifier=value).first()


def _require_staff(actor, institution) -> None:
    if actor is None:  # the system itself: seed data, management commands
        return
    if institution is None:
        if not scope_for(actor).has_role_anywhere(*STAFF_ROLES):
            raise PermissionDenied
        return
    if not scope_for(actor).has_role(institution, *STAFF_ROLES):
        raise PermissionDenied


@transaction.atomic
def learner_create(
    *,
    actor,
    identifier: str,
    first_name_th: str,
    identifier_type: str = IdentifierType.CITIZEN_ID,
    last_name_th: str = "",
    title_th: str = "",
    first_name_en: str = "",
    last_name_en: str = "",
    birth_date: dt.date | None = None,
    home_institution=None,
    consent: bool = False,
    verified: bool = False,
) -> Learner:
    """Register a learner. The identifier is validated and normalised (Thai digits, spaces and
    dashes accepted); a second learner with the same identifier is refused."""
    _require_staff(actor, home_institution)
    value = identifier_clean(identifier_type, identifier)
    if Learner.objects.filter(identifier_type=identifier_type, identifier=value).exists():
        raise LearnerError(
            {"identifier": _("A learner with this identifier is already registered.")}
        )
    now = timezone.now()
    learner = Learner(
        identifier_type=identifier_type,
        identifier=value,
        title_th=title_th.strip(),
        first_name_th=first_name_th.strip(),
        last_name_th=last_name_th.strip(),
        first_name_en=first_name_en.strip(),
        last_name_en=last_name_en.strip(),
        birth_date=birth_date,
        home_institution=home_institution,
        consent=consent,
        consent_at=now if consent else None,
        verified=verified,
        created_by=actor,
    )
    learner.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            learner.save()
    except IntegrityError:  # registered concurrently
        raise LearnerError(
            {"identifier": _("A learner with this identifier is already registered.")}
        ) from None
    _invalidate()
    return learner


@transaction.atomic
def learner_record_consent(*, actor, learner: Learner, consent: bool) -> Learner:
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if actor is not None and learner.user_id != actor.pk:
        _require_staff(actor, learner.home_institution)
    learner.consent = consent
    learner.consent_at = timezone.now()
    learner.save(update_fields=["consent", "consent_at", "updated_at"])
    return learner


@transaction.atomic
def learner_verify(*, actor, learner: Learner) -> Learner:
    """A registrar has seen the learner's identity document."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    _require_staff(actor, learner.home_institution)
    if not learner.verified:
        learner.verified = True
        learner.save(update_fields=["verified", "updated_at"])
    return learner


@transaction.atomic
def learner_link_user(*, actor, learner: Learner, user) -> Learner:
    """Link a sign-in account to a learner record (a registrar does it after checking the
    person). One account, one learner."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    _require_staff(actor, learner.home_institution)
    if learner.user_id == user.pk:
        return learner
    if learner.user_id is not None:
        raise LearnerError(_("This learner is already linked to another account."))
    if Learner.objects.filter(user=user).exists():
        raise LearnerError(_("This account is already linked to another learner."))
    learner.user = user
    learner.linked_by = actor
    learner.linked_at = timezone.now()
    learner.save(update_fields=["user", "linked_by", "linked_at", "updated_at"])
    return learner


@transaction.atomic
def learner_unlink_user(*, actor, learner: Learner) -> Learner:
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    _require_staff(actor, learner.home_institution)
    learner.user = None
    learner.linked_by = actor
    learner.linked_at = timezone.now()
    learner.save(update_fields=["user", "linked_by", "linked_at", "updated_at"])
    return learner


def is_staff_of(actor, learner: Learner) -> bool:
    """Whether ``actor`` sees ``learner`` and holds a staff role (registrar, institution admin,
    centre staff): who may unmask a learner's identifier or revoke their transcript."""
    if actor is None or not actor.is_authenticated:
        return False
    return Learner.objects.for_user(actor).filter(pk=learner.pk).exists() and scope_for(
        actor
    ).has_role_anywhere(*STAFF_ROLES)


@transaction.atomic
def learner_unmask(*, actor, learner: Learner, reason: str) -> str:
    """Show a staff member the full identifier, and log who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise LearnerError({"reason": _("Say why you need to see the full identifier.")})
    if not is_staff_of(actor, learner):
        raise PermissionDenied
    if learner.pseudonymised:
        raise LearnerError(_("This learner's personal data has been erased."))
    UnmaskLog.objects.create(learner=learner, user=actor, reason=reason[:300])
    return learner.formatted_identifier
