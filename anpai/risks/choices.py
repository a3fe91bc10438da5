"""Choices for risk grading and control (风险分级管控)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskLevel(models.TextChoices):
    """The four levels, most severe first; each has its colour on the four-colour map."""

    MAJOR = "major", _("Major risk")  # 重大风险, red
    SIGNIFICANT = "significant", _("Significant risk")  # 较大风险, orange
    GENERAL = "general", _("General risk")  # 一般风险, yellow
    LOW = "low", _("Low risk")  # 低风险, blue


LEVEL_ORDER = [RiskLevel.MAJOR, RiskLevel.SIGNIFICANT, RiskLevel.GENERAL, RiskLevel.LOW]
RANK = {level: i for i, level in enumerate(LEVEL_ORDER)}


class Colour(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


LEVEL_COLOUR = {
    RiskLevel.MAJOR: Colour.RED,
    RiskLevel.SIGNIFICANT: Colour.ORANGE,
    RiskLevel.GENERAL: Colour.YELLOW,
    RiskLevel.LOW: Colour.BLUE,
}

# The fills of the four-colour map (SVG, PNG and PDF use the same values), and a
# text colour readable on each.
FILL = {
    Colour.RED: "#e60012",
    Colour.ORANGE: "#f39800",
    Colour.YELLOW: "#ffe100",
    Colour.BLUE: "#0068b7",
}
INK = {
    Colour.RED: "#ffffff",
    Colour.ORANGE: "#000000",
    Colour.YELLOW: "#000000",
    Colour.BLUE: "#ffffff",
}


class ControlLevel(models.TextChoices):
    """Who controls the risk; follows the level (重大 → company … 低 → post)."""

    COMPANY = "company", pgettext_lazy("control level", "Company (principal)")
    DEPARTMENT = "department", pgettext_lazy("control level", "Department or workshop")
    TEAM = "team", pgettext_lazy("control level", "Team")
    POST = "post", pgettext_lazy("control level", "Post")


LEVEL_CONTROL = {
    RiskLevel.MAJOR: ControlLevel.COMPANY,
    RiskLevel.SIGNIFICANT: ControlLevel.DEPARTMENT,
    RiskLevel.GENERAL: ControlLevel.TEAM,
    RiskLevel.LOW: ControlLevel.POST,
}


class PointKind(models.TextChoices):
    AREA = "area", _("Area or place")
    EQUIPMENT = "equipment", _("Equipment or facility")
    POST = "post", pgettext_lazy("risk point kind", "Post")
    OPERATION = "operation", _("Operation or activity")


class Method(models.TextChoices):
    LEC = "lec", _("LEC (D = L × E × C)")
    MATRIX = "matrix", _("Risk matrix (R = L × S)")


class MeasureKind(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering")
    MANAGEMENT = "management", _("Management")
    TRAINING = "training", _("Training and education")
    PPE = "ppe", _("Personal protective equipment")
    EMERGENCY = "emergency", _("Emergency")


class AssessmentReason(models.TextChoices):
    INITIAL = "initial", _("First assessment")
    CHANGE = "change", _("After a change (process, equipment, people)")
    ACCIDENT = "accident", _("After an accident or near miss")
    HAZARD = "hazard", _("After a major hazard was found here")
    PERIODIC = "periodic", _("Periodic review")


class AccidentType(models.TextChoices):
    """GB 6441's twenty accident categories (企业职工伤亡事故分类)."""

    STRUCK = "struck", _("Struck by object")  # 物体打击
    VEHICLE = "vehicle", _("Vehicle injury")  # 车辆伤害
    MACHINERY = "machinery", _("Machinery injury")  # 机械伤害
    LIFTING = "lifting", _("Lifting injury")  # 起重伤害
    ELECTRIC = "electric", _("Electric shock")  # 触电
    DROWNING = "drowning", _("Drowning")  # 淹溺
    BURN = "burn", _("Burns and scalds")  # 灼烫
    FIRE = "fire", _("Fire")  # 火灾
    FALL = "fall", _("Fall from height")  # 高处坠落
    COLLAPSE = "collapse", _("Collapse")  # 坍塌
    ROOF_FALL = "roof_fall", _("Roof fall and rib spalling")  # 冒顶片帮
    FLOODING = "flooding", _("Water inrush")  # 透水
    BLASTING = "blasting", _("Blasting")  # 放炮
    EXPLOSIVES = "explosives", _("Explosives explosion")  # 火药爆炸
    GAS_EXPLOSION = "gas_explosion", _("Firedamp explosion")  # 瓦斯爆炸
    BOILER = "boiler", _("Boiler explosion")  # 锅炉爆炸
    VESSEL = "vessel", _("Pressure vessel explosion")  # 容器爆炸
    OTHER_EXPLOSION = "other_explosion", _("Other explosion")  # 其他爆炸
    POISONING = "poisoning", _("Poisoning and asphyxiation")  # 中毒和窒息
    OTHER = "other", _("Other injury")  # 其他伤害
