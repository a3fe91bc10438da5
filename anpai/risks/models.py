"""Risk points (风险点), their assessments and control measures, the assessment
schemes a township configures, and the site plan the four-colour map is drawn on."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anpai.core.querysets import RestrictedQuerySet
from anpai.inspections.choices import Cadence
from anpai.risks.choices import (
    LEVEL_COLOUR,
    AssessmentReason,
    ControlLevel,
    MeasureKind,
    Method,
    PointKind,
    RiskLevel,
)


def _public_token() -> str:
    return secrets.token_urlsafe(12)


class RiskSchemeQuerySet(models.QuerySet["RiskScheme"]):
    def current(self) -> RiskSchemeQuerySet:
        return self.filter(is_current=True)


class RiskScheme(models.Model):
    """One version of an assessment method's factor tables and level bands.

    The shipped default has no region; a township's own is a row with its
    region. Editing makes a new version: assessments keep the version (and a
    copy of the bands) they were computed with, so history never changes.
    """

    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_schemes",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    factors = models.JSONField(_("factor tables"))
    bands = models.JSONField(_("level bands"))
    source = models.TextField(_("source"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = RiskSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["method", "region", "-version"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "region", "version"], name="unique_scheme_version"
            ),
            models.UniqueConstraint(
                fields=["method", "region"],
                condition=models.Q(is_current=True),
                name="one_current_scheme_per_region",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region is not None else _("default")
        return f"{self.get_method_display()} · {where} · v{self.version}"

    @property
    def data(self) -> dict[str, Any]:
        return {"factors": self.factors, "bands": self.bands}


class RiskPointQuerySet(RestrictedQuerySet["RiskPoint"]):
    resource = "risks.riskpoint"
    org_path = "organization"

    def active(self) -> RiskPointQuerySet:
        return self.filter(is_active=True)


class RiskPoint(models.Model):
    """A risk point or analysis unit (风险点/风险分析单元) of one organisation."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    code = models.CharField(_("code"), max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=PointKind.choices)
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where on the site, e.g. workshop 2, east side."),
    )
    hazard_sources = models.TextField(
        _("hazard sources"),
        blank=True,
        help_text=_("What can cause harm here: substances, energy, equipment, conditions."),
    )
    accident_types = models.JSONField(
        _("accident types"),
        default=list,
        blank=True,
        help_text=_("GB 6441 categories that could happen here."),
    )
    consequences = models.TextField(_("possible consequences"), blank=True)
    emergency_actions = models.TextField(_("emergency actions"), blank=True)
    emergency_phone = models.CharField(_("emergency phone"), max_length=50, blank=True)
    warning_signs = models.CharField(_("warning signs"), max_length=200, blank=True)
    department = models.CharField(_("responsible department"), max_length=100, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person (account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)

    # The latest assessment's outcome (denormalised for lists, maps and counts).
    level = models.CharField(
        _("risk level"), max_length=12, choices=RiskLevel.choices, blank=True, db_index=True
    )
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=2, null=True, blank=True)
    control_level = models.CharField(
        _("control level"), max_length=12, choices=ControlLevel.choices, blank=True
    )
    residual_level = models.CharField(
        _("residual risk level"), max_length=12, choices=RiskLevel.choices, blank=True
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    needs_reassessment = models.BooleanField(_("re-assessment due"), default=False)
    reassessment_reason = models.CharField(_("why re-assess"), max_length=200, blank=True)

    # The area on the organisation's site plan: [[x, y], ...] in plan units (0–1000).
    area = models.JSONField(_("area on the site plan"), default=list, blank=True)

    public_token = models.CharField(max_length=32, unique=True, default=_public_token)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RiskPointQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "code", "id"]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        indexes = [models.Index(fields=["organization", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return str(LEVEL_COLOUR[RiskLevel(self.level)]) if self.level else ""

    def accident_type_labels(self) -> list[str]:
        from anpai.risks.choices import AccidentType

        labels = dict(AccidentType.choices)
        return [str(labels.get(t, t)) for t in self.accident_types]


class AssessmentQuerySet(RestrictedQuerySet["Assessment"]):
    resource = "risks.riskpoint"
    org_path = "point__organization"


class Assessment(models.Model):
    """One assessment of a risk point; kept for ever (re-assessment adds a row)."""

    point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("risk point"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    factors = models.JSONField(_("factors"))
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=2)
    level = models.CharField(_("risk level"), max_length=12, choices=RiskLevel.choices)
    scheme = models.ForeignKey(
        RiskScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+"
    )
    bands = models.JSONField(_("level bands used"))
    residual = models.BooleanField(
        _("residual risk"),
        default=False,
        help_text=_("Assessed with the control measures in place."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=12,
        choices=AssessmentReason.choices,
        default=AssessmentReason.INITIAL,
    )
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.point} · {self.get_method_display()} {self.score}"

    @property
    def colour(self) -> str:
        return str(LEVEL_COLOUR[RiskLevel(self.level)])


class MeasureQuerySet(RestrictedQuerySet["ControlMeasure"]):
    resource = "risks.riskpoint"
    org_path = "point__organization"


class ControlMeasure(models.Model):
    """A control measure of a risk point, with who answers for it and how often it is checked."""

    point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    text = models.TextField(_("measure"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person (account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    check_cadence = models.CharField(
        _("checked"),
        max_length=12,
        choices=Cadence.choices,
        blank=True,
        help_text=_("How often the measure is checked; each cadence becomes an inspection duty."),
    )
    check_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["point", "position", "id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def responsible(self) -> str:
        if self.responsible_user_id and self.responsible_user:
            return self.responsible_user.full_name or self.responsible_user.get_username()
        return self.responsible_name


class SitePlanQuerySet(RestrictedQuerySet["SitePlan"]):
    resource = "risks.riskpoint"
    org_path = "organization"


def _plan_path(instance: SitePlan, filename: str) -> str:
    return f"siteplans/{instance.organization_id}/{secrets.token_hex(8)}.png"


class SitePlan(models.Model):
    """The organisation's site plan (平面图) the risk areas are drawn on.

    Coordinates of areas are in plan units: the plan is ``width`` × ``height``
    units (the longer side 1000), whatever the image's pixels, so a new image
    of the same site keeps the drawing. Without an image the map is a grid.
    """

    organization = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="site_plan",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    image = models.ImageField(_("site plan image"), upload_to=_plan_path, blank=True)
    width = models.PositiveIntegerField(_("width"), default=1000)
    height = models.PositiveIntegerField(_("height"), default=700)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SitePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("site plan")
        verbose_name_plural = _("site plans")

    def __str__(self) -> str:
        return self.title or str(self.organization)
