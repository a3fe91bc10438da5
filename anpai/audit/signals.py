"""Record every change of domain data and every authentication event."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.db.models import signals

from anpai.audit.log import SECRET_FIELDS, append, snapshot
from anpai.audit.models import AuditAction

# Models whose every create, change and delete goes into the trail. Later
# domain apps add theirs with :func:`register`.
AUDITED: set[str] = {
    "regions.region",
    "orgs.industry",
    "orgs.organization",
    "orgs.supervision",
    "people.user",
    "people.membership",
    "people.apitoken",
}
# Fields whose change alone is not worth a record (bookkeeping).
IGNORED_FIELDS = frozenset({"last_login", "updated_at", "last_used_at"})
# What the trail shows for a secret (a password hash, a token hash): that it
# was set or changed, never its value.
SECRET_SET = "[secret]"  # noqa: S105 - a placeholder, not a password
SECRET_CHANGED = "[secret changed]"  # noqa: S105 - a placeholder


def register(label: str) -> None:
    AUDITED.add(label.lower())


def _audited(sender: Any) -> bool:
    return sender._meta.label_lower in AUDITED


def _secrets(instance) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.name in SECRET_FIELDS
    }


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    instance._audit_before = None
    instance._audit_secrets = {}
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).first()
        if old is not None:
            instance._audit_before = snapshot(old)
            # Kept on the instance only, to tell whether a secret changed.
            instance._audit_secrets = _secrets(old)


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    secrets_now = _secrets(instance)
    if created or before is None:
        after.update({k: SECRET_SET for k, v in secrets_now.items() if v})
        append(AuditAction.CREATE, obj=instance, after=after)
        return
    changed = {k for k in after if before.get(k) != after[k]} - IGNORED_FIELDS
    secrets_before = getattr(instance, "_audit_secrets", {})
    changed_secrets = sorted(k for k, v in secrets_now.items() if secrets_before.get(k) != v)
    if not changed and not changed_secrets:
        return
    append(
        AuditAction.UPDATE,
        obj=instance,
        before={
            **{k: before.get(k) for k in sorted(changed)},
            **dict.fromkeys(changed_secrets, SECRET_SET),
        },
        after={
            **{k: after[k] for k in sorted(changed)},
            **dict.fromkeys(changed_secrets, SECRET_CHANGED),
        },
    )


def _post_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    append(AuditAction.DELETE, obj=instance, before=snapshot(instance))


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not _audited(type(instance)):
        return
    field_name = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    if action == "pre_clear":
        instance._audit_m2m_before = sorted(
            getattr(instance, field_name).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        before_ids = getattr(instance, "_audit_m2m_before", [])
        if not before_ids:
            return
        append(
            AuditAction.UPDATE,
            obj=instance,
            before={field_name: before_ids},
            after={field_name: []},
        )
        return
    if not pk_set:
        return
    now = sorted(getattr(instance, field_name).values_list("pk", flat=True))
    ids = set(pk_set)
    before_ids = sorted(set(now) - ids) if action == "post_add" else sorted(set(now) | ids)
    append(
        AuditAction.UPDATE, obj=instance, before={field_name: before_ids}, after={field_name: now}
    )


def _client_ip(request) -> str | None:
    from anpai.audit.middleware import client_ip

    return client_ip(request) if request is not None else None


def _logged_in(sender, request, user, **kwargs):
    from anpai.audit import context

    context.set_actor(user)
    append(AuditAction.LOGIN, obj=user, actor=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        append(AuditAction.LOGOUT, obj=user, actor=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    append(
        AuditAction.LOGIN_FAILED, object_type="people.user", object_repr=username, username=username
    )


def connect() -> None:
    signals.pre_save.connect(_pre_save, dispatch_uid="anpai_audit_pre_save")
    signals.post_save.connect(_post_save, dispatch_uid="anpai_audit_post_save")
    signals.post_delete.connect(_post_delete, dispatch_uid="anpai_audit_post_delete")
    signals.m2m_changed.connect(_m2m_changed, dispatch_uid="anpai_audit_m2m")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="anpai_audit_login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="anpai_audit_logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="anpai_audit_login_failed")
    # Fail fast on a typo in AUDITED.
    for label in AUDITED:
        apps.get_model(label)
