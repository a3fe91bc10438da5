"""Roles a person can hold in an organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the notice's organisations, plus the three separated administrators."""

    TOWNSHIP_LEADER = "township_leader", _("Township leader")
    TOWNSHIP_OFFICER = "township_officer", _("Township safety officer")
    DEPT_OFFICER = "dept_officer", _("Department officer")
    VILLAGE_OFFICER = "village_officer", _("Village grid officer")
    ENT_PRINCIPAL = "ent_principal", _("Enterprise principal")
    ENT_SAFETY = "ent_safety", _("Enterprise safety manager")
    ENT_DEPT_HEAD = "ent_dept_head", _("Workshop/department head")
    ENT_TEAM_LEADER = "ent_team_leader", _("Team leader")
    ENT_EMPLOYEE = "ent_employee", _("Employee")
    COUNTY_VIEWER = "county_viewer", _("County viewer")
    SYS_ADMIN = "sys_admin", _("System administrator")
    SEC_ADMIN = "sec_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


ENTERPRISE_ROLES = frozenset(
    {
        Role.ENT_PRINCIPAL,
        Role.ENT_SAFETY,
        Role.ENT_DEPT_HEAD,
        Role.ENT_TEAM_LEADER,
        Role.ENT_EMPLOYEE,
    }
)
TOWNSHIP_ROLES = frozenset({Role.TOWNSHIP_LEADER, Role.TOWNSHIP_OFFICER})
ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
