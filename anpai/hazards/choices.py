"""Choices for hazards (隐患)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HazardState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Rectifying")
    RECTIFIED = "rectified", _("Awaiting acceptance")
    CLOSED = "closed", pgettext_lazy("hazard state", "Closed")  # 已销号, not an org's 关闭
    VOIDED = "voided", _("Voided")


OPEN_STATES = (HazardState.REPORTED, HazardState.ASSIGNED, HazardState.RECTIFIED)


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class HazardSource(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("Self-inspection")
    GOV_INSPECTION = "gov_inspection", _("Government inspection")
    JOINT_CHECK = "joint_check", _("Joint or unannounced check")
    VILLAGE_PATROL = "village_patrol", _("Village patrol")
    TIP_OFF = "tip_off", _("Public tip-off")
    ACCIDENT_LESSON = "accident_lesson", _("Lesson from an accident")
    OTHER = "other", _("Other")


class AttachmentKind(models.TextChoices):
    BEFORE = "before", _("Before rectification")
    AFTER = "after", _("After rectification")
    DOCUMENT = "document", _("Document")


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class EventKind(models.TextChoices):
    REPORT = "report", _("Reported")
    GRADE = "grade", _("Graded")
    ASSIGN = "assign", _("Rectification assigned")
    RECTIFY = "rectify", _("Rectified")
    ACCEPT = "accept", _("Accepted and closed")
    REJECT = "reject", _("Acceptance failed")
    VOID = "void", _("Voided")
    EXTEND_REQUEST = "extend_request", _("Extension requested")
    EXTEND_APPROVE = "extend_approve", _("Extension approved")
    EXTEND_REFUSE = "extend_refuse", _("Extension refused")
    SUPERVISE = "supervise", _("Placed under listed supervision")
    ATTACH = "attach", _("Evidence added")
    REPORT_UP = "report_up", _("Reported to the township")
