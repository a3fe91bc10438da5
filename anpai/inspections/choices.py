"""Choices for checklists, inspections and the inspection cadence."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF = "self", _("Enterprise self-inspection")
    TOWNSHIP = "township", _("Township inspection")
    DEPARTMENT = "department", _("Department inspection")
    JOINT = "joint", _("Joint inspection")
    UNANNOUNCED = "unannounced", _("Unannounced check")
    VILLAGE_PATROL = "village_patrol", _("Village patrol")


# The hazard source each kind of inspection records.
KIND_SOURCE = {
    InspectionKind.SELF: "self_inspection",
    InspectionKind.TOWNSHIP: "gov_inspection",
    InspectionKind.DEPARTMENT: "gov_inspection",
    InspectionKind.JOINT: "joint_check",
    InspectionKind.UNANNOUNCED: "joint_check",
    InspectionKind.VILLAGE_PATROL: "village_patrol",
}


class Cadence(models.TextChoices):
    """The notice's 季查/月查/旬查/周查/日查, from group company down to team."""

    QUARTERLY = "quarterly", _("Quarterly (group company)")
    MONTHLY = "monthly", _("Monthly (principal)")
    TEN_DAY = "ten_day", _("Every ten days (deputy)")
    WEEKLY = "weekly", _("Weekly (safety office and workshop)")
    DAILY = "daily", _("Daily (team)")


class InspectionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class AnswerResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class PeriodState(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
