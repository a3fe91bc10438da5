"""Hazards (隐患) and their closed loop: history, evidence, extensions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from anpai.core.querysets import RestrictedQuerySet
from anpai.hazards.choices import (
    OPEN_STATES,
    AttachmentKind,
    EventKind,
    ExtensionState,
    HazardLevel,
    HazardSource,
    HazardState,
)

S = HazardState


class Category(models.Model):
    """A hazard category (electrical, gas, fire facilities …); an extensible list."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("hazard category")
        verbose_name_plural = _("hazard categories")

    def __str__(self) -> str:
        return self.name


class HazardQuerySet(RestrictedQuerySet["Hazard"]):
    resource = "hazards.hazard"
    org_path = "organization"

    def open(self) -> HazardQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: date | None = None) -> HazardQuerySet:
        """Being rectified past the deadline: derived from the deadline, never stored."""
        today = today or timezone.localdate()
        return self.filter(state=S.ASSIGNED, deadline__lt=today)

    def not_overdue(self, today: date | None = None) -> HazardQuerySet:
        today = today or timezone.localdate()
        return self.exclude(Q(state=S.ASSIGNED, deadline__lt=today))

    def with_list_related(self) -> HazardQuerySet:
        """What the list, ledger and API show, in a constant number of queries."""
        return self.select_related(
            "organization",
            "organization__region",
            "category",
            "industry",
            "responsible_user",
            "verified_by",
            "reported_by",
        )


class Hazard(models.Model):
    """One hazard, from report to closure (销号), with its five implementations (五落实)."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where in the organisation, e.g. workshop 2, boiler room."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="hazards"
    )
    industry = models.ForeignKey(
        "orgs.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=HazardLevel.choices,
        default=HazardLevel.GENERAL,
        db_index=True,
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=HazardSource.choices,
        default=HazardSource.SELF_INSPECTION,
    )
    finder = models.CharField(_("found by"), max_length=100, blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now, db_index=True)
    clause = models.CharField(
        _("determination-standard clause"),
        max_length=200,
        blank=True,
        help_text=_("The clause of a major-hazard determination standard this meets, if any."),
    )
    standard_clause = models.ForeignKey(
        "standards.Clause",
        verbose_name=_("determination-standard clause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        verbose_name=_("risk point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
        help_text=_("The risk point where the hazard was found, if any."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(
        _("state"), max_length=12, choices=HazardState.choices, default=S.REPORTED, db_index=True
    )

    # 五落实: responsible person, measures, funds, deadline, contingency plan.
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person (account)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    funds = models.DecimalField(
        _("funds (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    contingency = models.TextField(_("contingency plan"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    # 治理方案 for a major hazard (six parts).
    plan_goals = models.TextField(_("goals and tasks"), blank=True)
    plan_methods = models.TextField(_("methods and measures"), blank=True)
    plan_resources = models.TextField(_("funds and materials"), blank=True)
    plan_organization = models.TextField(_("organisation and people"), blank=True)
    plan_schedule = models.TextField(_("time limits and requirements"), blank=True)
    plan_safety = models.TextField(_("safety measures during rectification"), blank=True)
    reported_up_at = models.DateTimeField(_("reported to the township"), null=True, blank=True)

    rectification = models.TextField(_("what was done"), blank=True)
    actual_cost = models.DecimalField(
        _("actual cost (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rectified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    # 挂牌督办
    is_supervised = models.BooleanField(_("listed supervision"), default=False, db_index=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervise_deadline = models.DateField(_("supervision deadline"), null=True, blank=True)
    supervise_note = models.TextField(_("supervision requirements"), blank=True)

    version = models.PositiveIntegerField(default=1, help_text="Bumped by every action.")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    # The state machine (django-fsm): the action functions call these after
    # locking the row and checking the actor; they only move the state.
    @transition(field=state, source=S.REPORTED, target=S.ASSIGNED)
    def to_assigned(self) -> None:
        """reported → assigned (五落实 recorded)."""

    @transition(field=state, source=S.ASSIGNED, target=S.RECTIFIED)
    def to_rectified(self) -> None:
        """assigned → rectified (awaiting acceptance)."""

    @transition(field=state, source=S.RECTIFIED, target=S.CLOSED)
    def to_closed(self) -> None:
        """rectified → closed (销号)."""

    @transition(field=state, source=S.RECTIFIED, target=S.ASSIGNED)
    def to_reassigned(self) -> None:
        """rectified → assigned (acceptance failed)."""

    @transition(field=state, source=S.REPORTED, target=S.VOIDED)
    def to_voided(self) -> None:
        """reported → voided (with a reason)."""

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return (
            self.state == S.ASSIGNED
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def overdue_days(self) -> int:
        """Days past the deadline: while rectifying, to today; once rectified, to that day."""
        if self.deadline is None or self.state in (S.REPORTED, S.VOIDED):
            return 0
        end = (
            timezone.localtime(self.rectified_at).date()
            if self.rectified_at and self.state != S.ASSIGNED
            else timezone.localdate()
        )
        return max(0, (end - self.deadline).days)


class Event(models.Model):
    """One step in a hazard's history: who, when, from, to, comment. Never edited."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("step"), max_length=20, choices=EventKind.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=HazardState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=HazardState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard history")
        verbose_name_plural = _("hazard history")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    stamp = timezone.now()
    return f"hazards/{stamp:%Y/%m}/{instance.hazard_id}/{filename}"


class AttachmentQuerySet(RestrictedQuerySet["Attachment"]):
    resource = "hazards.hazard"
    org_path = "hazard__organization"


class Attachment(models.Model):
    """Evidence: a photo before or after rectification, or a document (PDF)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=attachment_path, max_length=255, blank=True
    )
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Extension(models.Model):
    """A request to extend the rectification deadline, decided by township staff."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    current_deadline = models.DateField(_("deadline before"))
    requested_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("decision"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(state="pending"), name="one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.requested_deadline}"
