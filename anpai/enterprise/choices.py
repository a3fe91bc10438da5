"""Choices for enterprise responsibility (企业主体责任, notice 四(三), 三(四))."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportState(models.TextChoices):
    """A self-inspection report (自查检视报告) on its way to being filed (备案)."""

    DRAFT = "draft", pgettext_lazy("report state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted")  # 已报送
    RETURNED = "returned", pgettext_lazy("report state", "Returned")  # 已退回
    FILED = "filed", pgettext_lazy("report state", "Filed")  # 已备案


class ReportEventKind(models.TextChoices):
    CREATED = "created", _("Drafted")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", pgettext_lazy("report event", "Submitted")  # 报送
    RETURNED = "returned", _("Returned with comments")
    FILED = "filed", _("Filed")


class ExpenseDirection(models.TextChoices):
    PROVISION = "provision", _("Set aside")  # 提取
    USE = "use", _("Spent")  # 使用


class ViolationKind(models.TextChoices):
    """三违."""

    COMMAND = "command", _("Unsafe command")  # 违章指挥
    OPERATION = "operation", _("Unsafe operation")  # 违章作业
    DISCIPLINE = "discipline", _("Breach of labour discipline")  # 违反劳动纪律


class ViolationAction(models.TextChoices):
    """What was done about a 三违 (反三违: education and penalties)."""

    EDUCATION = "education", _("Criticism and education")  # 批评教育
    RETRAINING = "retraining", _("Retraining")  # 停岗培训
    FINE = "fine", _("Fine")  # 经济处罚
    WARNING = "warning", _("Written warning")  # 警告
    REMOVAL = "removal", _("Removed from post")  # 调离岗位
    DISMISSAL = "dismissal", _("Dismissal")  # 解除劳动合同
    OTHER = "other", _("Other")
