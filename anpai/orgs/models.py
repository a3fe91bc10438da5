"""Organisations of a township: government, departments, villages, enterprises, places."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anpai.core.querysets import RestrictedQuerySet
from anpai.core.validators import validate_credit_code, validate_mobile, validate_phone
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.regions.choices import RegionLevel


class Industry(models.Model):
    """An industry or field (行业领域); an extensible list, seeded with the notice's."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(RestrictedQuerySet["Organization"]):
    resource = "orgs.organization"
    org_path = ""  # the organisation itself

    def with_list_related(self) -> OrganizationQuerySet:
        """What list pages, exports and the API show, in a constant number of queries."""
        return self.select_related("region", "region__parent").prefetch_related("industries")


class Organization(models.Model):
    """A unit in the township: who is supervised, who supervises, and where it is."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, checked with its check character. Required for enterprises."),
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township or village"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    industries = models.ManyToManyField(
        Industry, verbose_name=_("industries"), blank=True, related_name="organizations"
    )
    is_key = models.BooleanField(_("key enterprise"), default=False, db_index=True)
    is_crowded = models.BooleanField(_("crowded place"), default=False)
    is_sensitive = models.BooleanField(_("sensitive or special place"), default=False)
    is_mixed = models.BooleanField(_("mixed production/business/residence place"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrgStatus.choices,
        default=OrgStatus.OPERATING,
        db_index=True,
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phone = models.CharField(
        _("unit phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    principal_name = models.CharField(_("principal"), max_length=50, blank=True)
    principal_phone = models.CharField(
        _("principal's mobile"), max_length=11, blank=True, validators=[validate_mobile]
    )
    safety_contact_name = models.CharField(_("safety manager"), max_length=50, blank=True)
    safety_contact_phone = models.CharField(
        _("safety manager's mobile"), max_length=11, blank=True, validators=[validate_mobile]
    )
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.kind == OrgKind.ENTERPRISE and not self.credit_code:
            errors["credit_code"] = _("An enterprise must have its unified social credit code.")
        region = self.region if self.region_id else None
        if region is not None:
            levels: dict[str, tuple[RegionLevel, ...]] = {
                OrgKind.COUNTY: (RegionLevel.COUNTY,),
                OrgKind.TOWNSHIP: (RegionLevel.TOWNSHIP,),
                OrgKind.DEPARTMENT: (RegionLevel.TOWNSHIP, RegionLevel.COUNTY),
                OrgKind.VILLAGE: (RegionLevel.VILLAGE,),
            }
            wanted = levels.get(self.kind, (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE))
            if region.level not in wanted:
                errors["region"] = _("A %(kind)s must be placed in a %(levels)s.") % {
                    "kind": OrgKind(self.kind).label if self.kind else "",
                    "levels": " / ".join(str(RegionLevel(lv).label) for lv in wanted),
                }
        if errors:
            raise ValidationError(errors)

    @property
    def township(self):
        """The township region this organisation belongs to (None for county bodies)."""
        region = self.region
        if region.level == RegionLevel.VILLAGE:
            return region.parent
        if region.level == RegionLevel.TOWNSHIP:
            return region
        return None

    @property
    def village(self):
        return self.region if self.region.level == RegionLevel.VILLAGE else None

    def flag_labels(self) -> list[str]:
        from anpai.orgs.choices import FLAGS

        return [str(label) for field, label in FLAGS if getattr(self, field)]


class SupervisionQuerySet(RestrictedQuerySet["Supervision"]):
    resource = "orgs.supervision"
    org_path = "department"


class Supervision(models.Model):
    """行业监管: which department supervises which industry in a township."""

    township = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        on_delete=models.CASCADE,
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
        related_name="supervisions",
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.CASCADE, related_name="supervisions"
    )
    department = models.ForeignKey(
        Organization,
        verbose_name=_("supervising department"),
        on_delete=models.CASCADE,
        limit_choices_to={"kind": OrgKind.DEPARTMENT},
        related_name="supervisions",
    )

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        ordering = ["township__code", "industry__sort_order"]
        verbose_name = _("industry supervision")
        verbose_name_plural = _("industry supervision")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "industry", "department"], name="unique_supervision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.township} · {self.industry} → {self.department}"

    def clean(self) -> None:
        if self.department_id and self.department.kind != OrgKind.DEPARTMENT:
            raise ValidationError({"department": _("Only a department or station supervises.")})
