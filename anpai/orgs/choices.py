"""Choices for organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COUNTY = "county", _("County authority")
    TOWNSHIP = "township", _("Township government")
    DEPARTMENT = "department", _("Department/station")
    VILLAGE = "village", _("Village committee")
    ENTERPRISE = "enterprise", _("Enterprise")
    PLACE = "place", _("Place")


class OrgStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# Kinds that are supervised (the registry proper) rather than supervising.
SUPERVISED_KINDS = (OrgKind.ENTERPRISE, OrgKind.PLACE)
GOVERNMENT_KINDS = (OrgKind.COUNTY, OrgKind.TOWNSHIP, OrgKind.DEPARTMENT, OrgKind.VILLAGE)

# The notice's flags, as (field name, label).
FLAGS = (
    ("is_key", _("Key enterprise")),
    ("is_crowded", _("Crowded place")),
    ("is_sensitive", _("Sensitive or special place")),
    ("is_mixed", _("Mixed production/business/residence place")),
)
