"""Reference data: the hazard categories every installation starts with."""

from __future__ import annotations

CATEGORIES = [
    ("electrical", "电气线路与设备", "Electrical"),
    ("gas", "燃气使用", "Gas"),
    ("fire_facilities", "消防设施器材", "Fire facilities"),
    ("evacuation", "疏散通道与安全出口", "Evacuation and exits"),
    ("structure", "建筑结构", "Building structure"),
    ("hazardous_work", "危险作业", "Hazardous work"),
    ("work_without_permit", "无票特殊作业", "Special work without a permit"),
    ("equipment", "设备设施", "Equipment"),
    ("management", "安全管理与证照", "Management and licences"),
    ("other", "其他", "Other"),
]


def ensure_categories(category_model=None) -> None:
    """Create the seeded categories that are missing (idempotent)."""
    if category_model is None:
        from anpai.hazards.models import Category as category_model
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        category_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order * 10}
        )
