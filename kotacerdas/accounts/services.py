"""Accounts: creating users (command line, idempotent) and inviting them by an e-mail link."""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor


class AccountError(ValueError):
    pass


def _check_role(role: str, region: Any) -> None:
    if role not in Role.values or role == Role.PUBLIC:
        raise AccountError(_("Peran harus salah satu dari: admin, operator, assessor."))
    if role == Role.OPERATOR and region is None:
        raise AccountError(_("Operator memerlukan daerah (--region)."))
    if role != Role.OPERATOR and region is not None:
        raise AccountError(_("Hanya operator yang terikat pada satu daerah."))


@dataclass(frozen=True)
class UserChange:
    user: User
    created: bool
    changed: list[str]


@transaction.atomic
def create_user(
    email: str,
    role: str,
    *,
    password: str | None,
    region: Any = None,
    institution: str = "",
    name: str = "",
    actor: User | SystemActor,
) -> UserChange:
    """Create the user or bring it to the given state; with the same arguments twice, nothing changes."""
    _check_role(role, region)
    email = User.objects.normalize_email(email).strip()
    if "@" not in email:
        raise AccountError(_("Alamat e-mail tidak valid: %(email)s") % {"email": email})
    if password is not None:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, User(email=email))
    user = User.objects.filter(email__iexact=email).first()
    wanted = {
        "role": role,
        "region": region,
        "institution": institution,
        "is_staff": role == Role.ADMIN,
        "is_superuser": role == Role.ADMIN,
    }
    if name:
        first, _sep, last = name.partition(" ")
        wanted |= {"first_name": first, "last_name": last}
    if user is None:
        user = User.objects.create_user(email=email, password=password, **wanted)
        record_event(
            "user.created",
            actor=actor,
            object_type="user",
            object_id=user.pk,
            new={"email": email, "role": role, "region": getattr(region, "code", None)},
        )
        changed = list(wanted)
        created = True
    else:
        changed = [field for field, value in wanted.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, wanted[field])
        if password is not None and not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save()
            record_event(
                "user.changed", actor=actor, object_type="user", object_id=user.pk, new={"fields": changed}
            )
        created = False
    return UserChange(user, created, changed)


def invitation_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("accounts:accept_invitation", args=[uid, token])


@transaction.atomic
def invite_user(
    email: str,
    role: str,
    *,
    base_url: str,
    region: Any = None,
    institution: str = "",
    name: str = "",
    actor: User | SystemActor,
) -> str:
    """Create the account without a usable password and e-mail a one-time link to choose one."""
    change = create_user(
        email, role, password=None, region=region, institution=institution, name=name, actor=actor
    )
    user = change.user
    if user.has_usable_password() and not change.created:
        raise AccountError(_("Pengguna ini sudah aktif; gunakan fitur lupa kata sandi."))
    link = invitation_link(user, base_url)
    send_mail(
        subject=_("Undangan Kota Cerdas"),
        message=_(
            "Anda diundang ke platform evaluasi Kota Cerdas sebagai %(role)s.\n\n"
            "Pilih kata sandi Anda melalui tautan berikut (hanya berlaku sekali):\n%(link)s\n"
        )
        % {"role": Role(role).label, "link": link},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    record_event(
        "user.invited", actor=actor, object_type="user", object_id=user.pk, new={"email": user.email}
    )
    return link


@transaction.atomic
def deactivate_user(user: User, *, actor: User | SystemActor, reason: str = "") -> bool:
    """What deleting a person does: they can no longer sign in, and everything they did stays attributed
    to them in the audit (whose events cannot change). Returns whether anything changed."""
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_event("user.deactivated", actor=actor, object_type="user", object_id=user.pk, reason=reason)
    return True


ERASED_DOMAIN = "erased.invalid"


@transaction.atomic
def erase_person(user: User, *, actor: User | SystemActor, reason: str) -> None:
    """Erase a person's identifying data (UU PDP No. 27/2022, docs/personal-data.md): the account stays as an
    anonymous, inactive row so that the audit keeps pointing at it (its events carry only ``user:<id>``),
    but its e-mail, name, institution, password and second factor are gone."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not reason.strip():
        raise AccountError(_("Alasan penghapusan wajib diisi."))
    forget_sign_ins(user)  # kept under the e-mail, which goes next
    user.email = f"erased-{user.pk}@{ERASED_DOMAIN}"
    user.first_name = user.last_name = user.institution = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "first_name",
            "last_name",
            "institution",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
        ]
    )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event("user.erased", actor=actor, object_type="user", object_id=user.pk, reason=reason)


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def export_person(user: User, *, actor: User | SystemActor) -> dict[str, Any]:
    """Everything the platform holds about one person (UU PDP No. 27/2022, the right of access): their
    account, every row of any table that points at their account, their second-factor devices (names
    only, never secrets), failed sign-ins recorded under their e-mail, and the audit events they did or
    that concern their account. The export itself is audited."""
    from django.core import serializers
    from django.db.models import Q

    from kotacerdas.audit.models import AuditEvent

    def rows(queryset: Any) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(serializers.serialize("json", queryset))
        return data

    account = rows(User.objects.filter(pk=user.pk))
    for row in account:
        row["fields"].pop("password", None)
    related: dict[str, list[dict[str, Any]]] = {}
    for relation in User._meta.related_objects:
        model = relation.related_model
        if model is AuditEvent or not hasattr(model, "_default_manager"):
            continue
        found = model._default_manager.filter(**{relation.field.name: user})
        if model._meta.app_label.startswith("otp_"):
            related[model._meta.label] = list(found.values("name", "confirmed"))
            continue
        if found.exists():
            related[model._meta.label] = rows(found)
    events = AuditEvent.objects.filter(Q(actor=user) | Q(object_type="user", object_id=str(user.pk)))
    export = {
        "account": account,
        "related": related,
        "failed_sign_ins": _failed_sign_ins(user),
        "audit_events": rows(events.order_by("id")),
    }
    record_event("user.exported", actor=actor, object_type="user", object_id=user.pk)
    return export


def _failed_sign_ins(user: User) -> list[dict[str, Any]]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    found: list[dict[str, Any]] = []
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.filter(username__iexact=user.email).values():
            found.append({"table": model._meta.label, **{k: str(v) for k, v in row.items()}})
    return found


def forget_sign_ins(user: User) -> int:
    """Remove the sign-in records (django-axes: addresses, browsers) kept under the person's e-mail."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    removed = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        count, _per_model = model.objects.filter(username__iexact=user.email).delete()
        removed += int(count)
    return removed
