"""Choices for the administrative-division tree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    """Depth in the national 12-digit division code: 6 + 3 + 3 digits."""

    COUNTY = 1, _("County")
    TOWNSHIP = 2, _("Township")
    VILLAGE = 3, _("Village")


# Significant digits of the code at each level; the rest are zeros.
CODE_DIGITS = {RegionLevel.COUNTY: 6, RegionLevel.TOWNSHIP: 9, RegionLevel.VILLAGE: 12}
