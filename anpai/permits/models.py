"""Hazardous-work permits (特殊作业票): the township's rules, the permits with their
workers, measures, gas analyses and approvals, and each permit's history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from anpai.core.querysets import RestrictedQuerySet
from anpai.permits.choices import ACTIVE_STATES, EventKind, PermitState, PermitType

S = PermitState


class PermitRules(models.Model):
    """One version of the permit rules: the shipped default (no region) or a township's.

    Editing makes a new version; a permit keeps the version and a copy of the
    level rule it was submitted under, so later edits do not change it.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="permit_rules",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    data = models.JSONField(_("rules"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["region", "-version"]
        verbose_name = _("permit rules")
        verbose_name_plural = _("permit rules")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "version"], name="unique_permit_rules_version"
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(is_current=True),
                name="one_current_permit_rules",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region is not None else _("default")
        return f"{where} v{self.version}"


class PermitQuerySet(RestrictedQuerySet["Permit"]):
    resource = "permits.permit"
    org_path = "organization"

    def active(self) -> PermitQuerySet:
        return self.filter(state__in=ACTIVE_STATES)


class Permit(models.Model):
    """One permit for one special operation (作业票)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="permits",
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    type = models.CharField(_("operation type"), max_length=20, choices=PermitType.choices)
    level = models.CharField(_("level"), max_length=10)
    answers = models.JSONField(
        _("level questions"),
        default=dict,
        blank=True,
        help_text=_("What decides the level: area, night or holiday, height, mass."),
    )
    rules = models.ForeignKey(
        PermitRules, verbose_name=_("rules"), on_delete=models.PROTECT, related_name="+"
    )
    level_rule = models.JSONField(_("level rule applied"), default=dict)
    unit = models.CharField(
        _("working unit"),
        max_length=100,
        blank=True,
        help_text=_("Workshop or contractor doing the work."),
    )
    content = models.TextField(_("work content"))
    location = models.CharField(_("location"), max_length=200)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        verbose_name=_("risk point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="permits",
    )
    medium = models.CharField(
        _("medium"), max_length=100, blank=True, help_text=_("The substance in or near the work.")
    )
    medium_lel = models.DecimalField(
        _("medium's lower explosive limit (% vol)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_in_charge = models.CharField(
        _("person in charge of the work"), max_length=50, blank=True
    )
    guardian = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_certificate = models.CharField(_("guardian's certificate"), max_length=50, blank=True)
    hazard_identification = models.TextField(_("hazard identification"), blank=True)
    briefing_given_by = models.CharField(_("briefing given by"), max_length=50, blank=True)
    briefing_received_by = models.CharField(_("briefing received by"), max_length=200, blank=True)
    briefing_at = models.DateTimeField(_("briefing at"), null=True, blank=True)
    linked = models.ManyToManyField(
        "self", verbose_name=_("linked operations"), blank=True, symmetrical=True
    )
    state = FSMField(
        _("state"), max_length=12, choices=PermitState.choices, default=S.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    accepted_by = models.CharField(_("site accepted by"), max_length=50, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PermitQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("work permit")
        verbose_name_plural = _("work permits")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=~models.Q(number=""),
                name="unique_permit_number_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "state", "planned_start"])]

    def __str__(self) -> str:
        return self.number or f"{self.get_type_display()} #{self.pk}"

    @property
    def level_display(self) -> str:
        from anpai.permits.rules import text

        return text(self.level_rule) if self.level_rule else self.level

    @property
    def gas_required(self) -> bool:
        return bool(self.level_rule.get("gas_analysis"))

    def chain(self) -> list[str]:
        return list(self.level_rule.get("chain", []))

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED)
    def _submit(self) -> None: ...

    @transition(field=state, source=S.SUBMITTED, target=S.APPROVED)
    def _approve(self) -> None: ...

    @transition(field=state, source=S.SUBMITTED, target=S.DRAFT)
    def _reject(self) -> None: ...

    @transition(field=state, source=S.APPROVED, target=S.IN_PROGRESS)
    def _start(self) -> None: ...

    @transition(field=state, source=S.IN_PROGRESS, target=S.PAUSED)
    def _pause(self) -> None: ...

    @transition(field=state, source=S.PAUSED, target=S.IN_PROGRESS)
    def _resume(self) -> None: ...

    @transition(field=state, source=S.IN_PROGRESS, target=S.COMPLETED)
    def _complete(self) -> None: ...

    @transition(
        field=state, source=[S.DRAFT, S.SUBMITTED, S.APPROVED, S.PAUSED], target=S.CANCELLED
    )
    def _cancel(self) -> None: ...

    @transition(field=state, source=[*list(ACTIVE_STATES), S.SUBMITTED], target=S.EXPIRED)
    def _expire(self) -> None: ...


class PermitCounter(models.Model):
    """The last number given per organisation and year (numbers are never reused)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="one_permit_counter_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last}"


class ChildQuerySet(RestrictedQuerySet[Any]):
    resource = "permits.permit"
    org_path = "permit__organization"


class PermitWorker(models.Model):
    """A worker on the permit with the certificate the work needs."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="workers")
    name = models.CharField(_("name"), max_length=50)
    certificate_kind = models.CharField(_("certificate"), max_length=60, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=50)
    certificate_expires = models.DateField(_("certificate valid until"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["permit", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.name


class PermitMeasure(models.Model):
    """A safety measure of the type's checklist, confirmed on site by a named person."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("measure"))
    applicable = models.BooleanField(_("applies"), default=True)
    confirmed_by = models.CharField(_("confirmed by"), max_length=50, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["permit", "position", "id"]
        verbose_name = _("safety measure")
        verbose_name_plural = _("safety measures")

    def __str__(self) -> str:
        return self.text[:60]


class GasAnalysis(models.Model):
    """One gas analysis (气体分析) with its verdict against the limits in force."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="analyses")
    taken_at = models.DateTimeField(_("taken at"))
    point = models.CharField(_("sampling point"), max_length=100)
    combustible_percent = models.DecimalField(
        _("combustible gas (% vol)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    o2_percent = models.DecimalField(
        _("oxygen (% vol)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    toxic = models.JSONField(_("toxic gases (mg/m³)"), default=dict, blank=True)
    analyst = models.CharField(_("analyst"), max_length=50)
    passed = models.BooleanField(_("passed"))
    failures = models.JSONField(_("what failed"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["permit", "-taken_at"]
        verbose_name = _("gas analysis")
        verbose_name_plural = _("gas analyses")

    def __str__(self) -> str:
        return f"{self.permit} {self.taken_at:%H:%M}"


class Approval(models.Model):
    """One signature of the approval chain, in order, with its opinion."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(_("step"), max_length=20)
    position = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=30)
    opinion = models.TextField(_("opinion"))
    at = models.DateTimeField(_("signed at"), default=timezone.now)
    is_current = models.BooleanField(default=True, help_text="False once the permit was sent back.")

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["permit", "at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.permit} {self.step}"


class PermitEvent(models.Model):
    """The permit's history: every step, who, when, with what."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["permit", "at", "id"]
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")

    def __str__(self) -> str:
        return f"{self.permit} {self.kind}"
