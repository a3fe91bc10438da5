"""The standards library: determination standards and their clauses, versioned by date."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StandardQuerySet(models.QuerySet["Standard"]):
    def in_force(self, on: date | None = None) -> StandardQuerySet:
        """The versions in force on a date: effective by then and not yet repealed."""
        on = on or timezone.localdate()
        return self.filter(effective_from__lte=on).filter(
            Q(repealed_on__isnull=True) | Q(repealed_on__gt=on)
        )

    def restrict(self, user, action: str = "view") -> StandardQuerySet:
        """Shipped national standards are public to every role; a local standard is
        seen within its region, and changed by those who may change standards there."""
        from anpai.core import access

        if not access.grants(user):
            return self.none()
        if action == "view":
            prefixes = {g.region_prefix[:9] for g in access.grants(user)}
            q = Q(region__isnull=True)
            for prefix in prefixes:
                q |= Q(region__code__startswith=prefix[:9]) | Q(region__code=prefix[:6] + "000000")
            return self.filter(q)
        table = access.POLICY.get("standards.standard", {})
        q = Q(pk__in=[])
        for grant in access.grants(user):
            if action in table.get(grant.role, ()) and grant.scope == access.REGION:
                q |= Q(region__code__startswith=grant.region_prefix)
        return self.filter(is_shipped=False).filter(q)


class Standard(models.Model):
    """One version of a standard (e.g. GB 35181-2025), with when it is in force.

    A new version is a new row with the same ``family``; checks made on a date
    use the version in force on that date.
    """

    family = models.SlugField(
        _("standard family"),
        max_length=60,
        help_text=_("Identifies the standard across its versions, e.g. gb35181."),
    )
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=40, blank=True)
    effective_from = models.DateField(_("in force from"))
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    industry = models.ForeignKey(
        "orgs.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("local to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
        help_text=_("Empty for a national standard; a township or county for a local one."),
    )
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_shipped = models.BooleanField(
        _("shipped with anpai"), default=False, help_text=_("Shipped standards are read-only.")
    )
    is_verified = models.BooleanField(_("verified"), default=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["family", "-effective_from"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）" if self.version else self.name

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.repealed_on is None or self.repealed_on > on)


class Clause(models.Model):
    """A clause of a standard, in our own short paraphrase, with its source reference."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="clauses"
    )
    number = models.CharField(_("clause number"), max_length=40)
    text = models.TextField(_("paraphrase"))
    makes_major = models.BooleanField(
        _("makes a hazard major"),
        default=False,
        help_text=_("Meeting this clause means the hazard is a major accident hazard."),
    )
    source_ref = models.CharField(_("source reference"), max_length=255, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Unverified clauses come from secondary sources and are marked on screen."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard", "sort_order", "id"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="unique_clause_number"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.name} {self.number}"

    def in_force_on(self, on: date) -> Clause:
        """This clause as the version of its standard in force on ``on`` words it.

        A checklist item cites a clause of one version; a check made on a date
        follows the version in force then: the same-numbered clause of that
        version when it has one, else this clause unchanged.
        """
        if self.standard.in_force_on(on):
            return self
        same_family = Standard.objects.in_force(on).filter(family=self.standard.family)
        region_id = self.standard.region_id
        if region_id is None:
            same_family = same_family.filter(region__isnull=True)
        else:
            same_family = same_family.filter(region_id=region_id)
        current = same_family.first()
        if current is None:
            return self
        return current.clauses.filter(number=self.number).first() or self
