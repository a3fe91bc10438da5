"""People, their memberships (user × organisation × role), and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anpai.core.querysets import RestrictedQuerySet
from anpai.core.validators import validate_mobile
from anpai.orgs.choices import OrgKind
from anpai.people.choices import ADMIN_ROLES, ENTERPRISE_ROLES, TOWNSHIP_ROLES, Role


class UserQuerySet(RestrictedQuerySet["User"]):
    resource = "people.user"

    def restrict(self, user, action: str = "view"):  # type: ignore[override]
        """Users with a membership in an organisation the actor may see for ``action``.

        An account with no membership yet belongs to no organisation; those who
        create accounts or grant roles also see it, so a new account can be
        given its first role.
        """
        from anpai.core import access

        scope = access.scope_q(user, self.resource, action, org_path="organization")
        if scope is None:
            return self.none()
        visible: Q = Q(Exists(Membership.objects.filter(scope).filter(user=OuterRef("pk"))))
        if action in (access.VIEW, access.CHANGE) and (
            access.can(user, self.resource, access.ADD)
            or access.can(user, "people.membership", access.ADD)
        ):
            visible |= Q(~Exists(Membership.objects.filter(user=OuterRef("pk"))))
        return self.filter(visible)


class AnpaiUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person with an account. Names are one field: Chinese names are not split."""

    full_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])

    objects = AnpaiUserManager()  # type: ignore[misc]  # widens AbstractUser.objects

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username


# Which organisation kinds each role may be held in.
ROLE_ORG_KINDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(TOWNSHIP_ROLES, (OrgKind.TOWNSHIP,)),
    Role.DEPT_OFFICER: (OrgKind.DEPARTMENT,),
    Role.VILLAGE_OFFICER: (OrgKind.VILLAGE,),
    **dict.fromkeys(ENTERPRISE_ROLES, (OrgKind.ENTERPRISE, OrgKind.PLACE)),
    Role.COUNTY_VIEWER: (OrgKind.COUNTY,),
    **dict.fromkeys(ADMIN_ROLES, (OrgKind.TOWNSHIP, OrgKind.COUNTY)),
}


class MembershipQuerySet(RestrictedQuerySet["Membership"]):
    resource = "people.membership"
    org_path = "organization"


class Membership(models.Model):
    """A person's role in an organisation; access follows from these rows alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title = models.CharField(_("post"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    def clean(self) -> None:
        if not (self.role and self.organization_id):
            return
        kinds = ROLE_ORG_KINDS.get(self.role, ())
        if self.organization.kind not in kinds:
            raise ValidationError(
                {
                    "role": _("A %(role)s belongs to a %(kinds)s, not a %(kind)s.")
                    % {
                        "role": Role(self.role).label,
                        "kinds": " / ".join(str(OrgKind(k).label) for k in kinds),
                        "kind": self.organization.get_kind_display(),
                    }
                }
            )


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; the key is shown once, when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the plain key (shown once)."""
        key = secrets.token_hex(20)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[:8],
            key_hash=_hash_token(key),
            expires_at=timezone.now() + timedelta(days=settings.ANPAI_TOKEN_DAYS),
        )
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The active token for a plain key, or None."""
        return cls.objects.active().select_related("user").filter(key_hash=_hash_token(key)).first()
