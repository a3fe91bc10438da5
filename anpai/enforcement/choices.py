"""Choices for enforcement (执法): the notice's 三(二) grounds, measures, official
documents, reviews and accountability (追责问责)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Ground(models.TextChoices):
    """What the case is about: the illegal conduct the notice lists in 三(二)."""

    LICENCE = "licence", _("Licences or permits missing")  # 证照手续不齐
    QUALIFICATION = "qualification", _("Staff qualifications missing")  # 人员资质不符
    EQUIPMENT = "equipment", _("Safety equipment shut off or destroyed")  # 关闭、破坏设备设施
    DATA = "data", _("Safety data altered, hidden or destroyed")  # 篡改、隐瞒、销毁数据
    MAJOR_UNREPORTED = "major_unreported", _("Major hazard not reported")  # 重大隐患不报告
    MAJOR_NOT_ACTED = (
        "major_not_acted",
        _("Major hazard not acted on, production continued"),
    )  # 不采取措施仍冒险组织生产
    ORDER_IGNORED = "order_ignored", _("Rectification order ignored")  # 拒不执行整改指令
    ILLEGAL_OPERATION = (
        "illegal_operation",
        _("Illegal production or construction"),
    )  # 违法组织生产、建设
    OTHER = "other", _("Other violation")


class CaseState(models.TextChoices):
    OPEN = "open", pgettext_lazy("case state", "Open")  # 办理中
    ESCALATED = "escalated", pgettext_lazy("case state", "Escalated")  # 已升级
    CLOSED = "closed", pgettext_lazy("case state", "Closed")  # 已结案


class MeasureKind(models.TextChoices):
    DEADLINE = "deadline", _("Rectification within a deadline")  # 责令限期整改
    SUSPENSION = "suspension", _("Suspension of production")  # 停产整顿
    CLOSURE = "closure", _("Closure")  # 关闭取缔
    FINE = "fine", _("Fine")  # 罚款
    REFERRAL = "referral", _("Referral")  # 移送


class ReferralTo(models.TextChoices):
    DISCIPLINE = "discipline", _("Discipline inspection and supervision commission")  # 纪委监委
    ORGANISATION = "organisation", _("Party organisation department")  # 组织部门
    POLICE = "police", _("Public security")  # 公安机关
    OTHER = "other", _("Other authority")  # 其他部门


class DocumentKind(models.TextChoices):
    """The official documents (执法文书) a case produces, each numbered in its own series."""

    RECORD = "record", _("On-site inspection record")  # 现场检查记录
    ORDER = "order", _("Rectification order")  # 责令限期整改指令书
    REVIEW = "review", _("Rectification review opinion")  # 整改复查意见书
    SUSPENSION = "suspension", _("Suspension decision")  # 停产整顿决定书
    CLOSURE = "closure", _("Closure decision")  # 关闭取缔决定书


class ReviewState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("review state", "Due")  # 待复查
    PASSED = "passed", pgettext_lazy("review state", "Rectified")  # 整改合格
    FAILED = "failed", pgettext_lazy("review state", "Not rectified")  # 整改不合格


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    CHANGED = "changed", _("Case edited")
    DOCUMENT = "document", _("Document issued")
    CANCELLED = "cancelled", _("Document cancelled")
    MEASURE = "measure", _("Measure taken")
    REVIEWED = "reviewed", _("Review recorded")
    ESCALATED = "escalated", _("Escalated")
    LIFTED = "lifted", _("Suspension lifted")
    CLOSED = "closed", _("Case closed")


class AccountabilityKind(models.TextChoices):
    EXPOSURE = "exposure", _("Public exposure")  # 曝光
    NOTICE = "notice", _("Circulated notice")  # 通报
    INTERVIEW = "interview", _("Interview")  # 约谈
    REFERRAL = "referral", _("Referral for accountability")  # 移送追责


# Which document a measure issues (fines and referrals have their own paperwork).
MEASURE_DOCUMENT = {
    MeasureKind.DEADLINE: DocumentKind.ORDER,
    MeasureKind.SUSPENSION: DocumentKind.SUSPENSION,
    MeasureKind.CLOSURE: DocumentKind.CLOSURE,
}
OPEN_STATES = (CaseState.OPEN, CaseState.ESCALATED)
