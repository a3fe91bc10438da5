"""The administrative-division tree (行政区划): county → township → village."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from anpai.regions.choices import CODE_DIGITS, RegionLevel

division_code_validator = RegexValidator(
    r"^\d{12}$", _("A division code is 12 digits: 6 for the county, 3 township, 3 village.")
)


def level_of_code(code: str) -> RegionLevel:
    """The level a 12-digit division code denotes, from its trailing zeros."""
    if code[9:] != "000":
        return RegionLevel.VILLAGE
    if code[6:9] != "000":
        return RegionLevel.TOWNSHIP
    return RegionLevel.COUNTY


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, region: Region) -> RegionQuerySet:
        """The region and everything below it."""
        return self.filter(code__startswith=region.prefix)

    def restrict(self, user, action: str = "view") -> RegionQuerySet:
        """Regions a user may see: the township (or county) of each membership, with
        everything below it and its ancestors, so the tree stays whole."""
        from django.db.models import Q

        from anpai.core import access

        if action != "view":
            return self.none()
        q: Q | None = None
        for grant in access.grants(user):
            base = grant.region_prefix[:9]
            ancestors = [base[:6] + "000000", base.ljust(12, "0")]
            part = Q(code__startswith=base) | Q(code__in=ancestors)
            q = part if q is None else q | part
        return self.filter(q) if q is not None else self.none()


class Region(models.Model):
    """One node of the division tree, identified by its 12-digit code.

    The code encodes the tree: a region's descendants are exactly the codes
    that start with its significant digits (:attr:`prefix`), which makes
    "everything in this township" one indexed prefix filter.
    """

    code = models.CharField(
        _("division code"), max_length=12, unique=True, validators=[division_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The significant digits shared by this region and all below it."""
        return self.code[: CODE_DIGITS[RegionLevel(self.level)]]

    @property
    def full_name(self) -> str:
        parts = [self.name]
        node = self.parent
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))

    def clean(self) -> None:
        if not self.code:
            return
        expected = level_of_code(self.code)
        if self.level and self.level != expected:
            raise ValidationError(
                {
                    "level": _("The code %(code)s denotes a %(level)s.")
                    % {"code": self.code, "level": expected.label}
                }
            )
        self.level = expected
        if expected == RegionLevel.COUNTY:
            if self.parent_id:
                raise ValidationError({"parent": _("A county has no parent region.")})
            return
        if self.parent is None:
            raise ValidationError({"parent": _("A township or village needs its parent region.")})
        if self.parent.level != expected - 1 or not self.code.startswith(self.parent.prefix):
            raise ValidationError(
                {
                    "code": _("The code must start with the parent region's digits (%(prefix)s).")
                    % {"prefix": self.parent.prefix}
                }
            )
