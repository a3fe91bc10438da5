"""Choices for leaders' responsibility lists (领导责任, notice 四(一))."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ListKind(models.TextChoices):
    DUTY = "duty", _("Duty list")  # 职责清单
    TASK = "task", _("Yearly task list")  # 年度重点工作任务清单
    MATTERS = "matters", _("Practical matters list")  # 办实事解难题清单


class MatterCategory(models.TextChoices):
    """What a practical matter is about (the notice's list for the regulator)."""

    LEADERSHIP = "leadership", _("Leadership team")  # 领导班子
    STAFFING = "staffing", _("Staffing")  # 干部队伍
    DUTIES = "duties", _("Supervisory duties")  # 监管职责
    ENFORCEMENT = "enforcement", _("Enforcement power")  # 执法力量
    FUNDING = "funding", _("Funding")  # 经费保障
    EQUIPMENT = "equipment", _("Equipment")  # 执法装备
    INFORMATION = "information", _("Information systems")  # 信息化建设
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("list item", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("list item", "In progress")
    DONE = "done", pgettext_lazy("list item", "Done")


class Assessment(models.TextChoices):
    """A leader's own verdict on one item in a self-review (检视履职)."""

    FULFILLED = "fulfilled", _("Fulfilled")  # 已履职
    PARTLY = "partly", _("Partly fulfilled")  # 部分履职
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")  # 未履职
