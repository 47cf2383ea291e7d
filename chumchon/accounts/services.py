"""Every write about users, roles, second factors and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chumchon.core.audit import record_event, snapshot
from chumchon.organizations.models import Area

from .models import ApiToken, Role, RoleAssignment, User
from .scoping import clear_reach_cache

TOKEN_PREFIX = "chc_"
BACKUP_CODE_COUNT = 10


# --- role assignments ---------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: User,
    role: Role,
    area: Area,
    valid_from: date | None = None,
    valid_to: date | None = None,
    note: str = "",
) -> RoleAssignment:
    kinds = list(role.area_kinds.all())
    if kinds and area.kind_id not in {kind.pk for kind in kinds}:
        raise ValidationError(
            {
                "area": ValidationError(
                    _("The role %(role)s is assigned at %(kinds)s level, not at %(area)s.")
                    % {
                        "role": role.name,
                        "kinds": ", ".join(kind.name for kind in kinds),
                        "area": area.kind.name,
                    },
                    code="wrong_level",
                )
            }
        )
    assignment = RoleAssignment(
        user=user,
        role=role,
        area=area,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.full_clean()
    assignment.save()
    clear_reach_cache(user)
    record_event(actor=actor, action="role.assign", obj=assignment, changes=snapshot(assignment))
    return assignment


@transaction.atomic
def role_assignment_end(
    *, actor: Any, assignment: RoleAssignment, valid_to: date, reason: str = ""
) -> RoleAssignment:
    if valid_to < assignment.valid_from:
        raise ValidationError(
            {
                "valid_to": _("The end date cannot be before the start date %(start)s.")
                % {"start": assignment.valid_from}
            },
            code="before_start",
        )
    old = assignment.valid_to
    assignment.valid_to = valid_to
    assignment.full_clean()
    assignment.save(update_fields=["valid_to"])
    clear_reach_cache(assignment.user)
    record_event(
        actor=actor,
        action="role.end",
        obj=assignment,
        changes={"valid_to": [old, valid_to]},
        reason=reason,
    )
    return assignment


# --- second factor --------------------------------------------------------------------------


def user_requires_otp(user: Any) -> bool:
    """Every role except community committee member needs a TOTP second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    roles = list(
        Role.objects.filter(
            pk__in=RoleAssignment.objects.active_on().filter(user=user).values("role")
        ).values_list("requires_otp", flat=True)
    )
    return not roles or any(roles)


def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for enrolment (replaces an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm enrolment with a first code; returns fresh backup codes (shown once)."""
    if not device.verify_token((token or "").strip().replace(" ", "")):
        raise ValidationError(
            {"token": _("The code is not correct. Check the time on your phone and try again.")},
            code="bad_token",
        )
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    codes = backup_codes_regenerate(actor=actor, user=device.user, audit=False)
    record_event(actor=actor, action="otp.enrol", obj=device.user, object_label=str(device.user))
    return codes


def backup_codes_regenerate(*, actor: Any, user: User, audit: bool = True) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    if audit:
        record_event(actor=actor, action="otp.backup_codes", obj=user, object_label=str(user))
    return codes


@transaction.atomic
def otp_reset(*, actor: Any, user: User, reason: str) -> None:
    """An administrator removes a user's second factor (lost phone); the user enrols again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the reset.")}, code="required")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(actor=actor, action="otp.reset", obj=user, object_label=str(user), reason=reason)


# --- API tokens -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns the record and the token itself, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")}, code="required")
    if not user.is_active:
        raise ValidationError(_("The user %(user)s is not active.") % {"user": user.username})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=token_hash(raw)
    )
    token.full_clean()
    token.save()
    record_event(
        actor=actor,
        action="token.create",
        obj=token,
        area_path="",
        object_label=f"{user.username}: {token}",
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="token.revoke",
            obj=token,
            area_path="",
            object_label=f"{token.user.username}: {token}",
        )
    return token


def api_token_user(raw: str) -> User | None:
    """The active user owning an active token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
