"""Choices for hazardous-work permits (特殊作业票, GB 30871-2022)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PermitType(models.TextChoices):
    """The eight special operations of GB 30871-2022."""

    HOT_WORK = "hot_work", _("Hot work")  # 动火作业
    CONFINED_SPACE = "confined_space", _("Confined space entry")  # 受限空间作业
    BLIND_PLATE = "blind_plate", _("Blind plate insertion and removal")  # 盲板抽堵作业
    HEIGHT = "height", _("Work at height")  # 高处作业
    LIFTING = "lifting", _("Lifting")  # 吊装作业
    TEMP_POWER = "temp_power", _("Temporary power")  # 临时用电作业
    EXCAVATION = "excavation", _("Excavation")  # 动土作业
    ROAD_BREAK = "road_break", _("Road closure")  # 断路作业


class PermitState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("permit state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("permit state", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("permit state", "Approved")
    IN_PROGRESS = "in_progress", pgettext_lazy("permit state", "In progress")
    PAUSED = "paused", pgettext_lazy("permit state", "Paused")
    COMPLETED = "completed", pgettext_lazy("permit state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("permit state", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("permit state", "Expired")


# Permits whose work is going on or may go on: the board shows them.
ACTIVE_STATES = (PermitState.APPROVED, PermitState.IN_PROGRESS, PermitState.PAUSED)
OPEN_STATES = (PermitState.DRAFT, PermitState.SUBMITTED, *ACTIVE_STATES)


class EventKind(models.TextChoices):
    CREATE = "create", _("Drafted")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted for approval")
    APPROVE = "approve", _("Approved a step")
    REJECT = "reject", _("Sent back")
    GAS = "gas", _("Gas analysis")
    START = "start", _("Work started")
    PAUSE = "pause", _("Work paused")
    RESUME = "resume", _("Work resumed")
    COMPLETE = "complete", _("Completed and accepted")
    CANCEL = "cancel", _("Cancelled")
    EXPIRE = "expire", _("Expired")
