"""Deterministic hazard values for row ``i``: pure Python, no Django.

The data generator stores these values; the bare openpyxl baseline writes the
very same values, so the two exports write the same cells.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

TITLES = [
    "配电箱线路老化",
    "违规使用大功率电暖器",
    "插座串接过载使用",
    "易燃材料装修未作阻燃处理",
    "灭火器过期失效",
    "安全出口被锁闭",
    "气瓶间未安装可燃气体报警器",
    "燃气管道未设紧急切断阀",
    "承重墙体出现裂缝",
    "动火作业未办理作业票",
    "受限空间作业未检测气体",
    "高处作业未系安全带",
]
PLACES = ["一车间", "二车间", "仓库", "锅炉房", "厨房", "配电室", "办公楼", "宿舍"]
MEASURES = "立即停用并更换老化线路，加装漏电保护装置，落实专人每日巡查"
CONTINGENCY = "整改期间停用该区域，设置警示标识，配备灭火器材，专人看护"
SOURCES = [
    "self_inspection",
    "gov_inspection",
    "joint_check",
    "village_patrol",
    "tip_off",
    "accident_lesson",
]
# reported 20%, rectifying 35%, awaiting acceptance 10%, closed 30%, voided 5%
STATES = ["reported"] * 4 + ["assigned"] * 7 + ["rectified"] * 2 + ["closed"] * 6 + ["voided"]
START = date(2023, 11, 17)


def hazard(i: int, today: date) -> dict:
    """The values of hazard number ``i`` (0-based) as of ``today``."""
    state = STATES[i % len(STATES)]
    found = START + timedelta(days=i % max(1, (today - START).days))
    title = TITLES[i % len(TITLES)]
    values = {
        "number": f"BH{i:08d}",
        "title": f"{title}（{i}）",
        "description": f"{PLACES[i % len(PLACES)]}发现{title}，现场拍照取证，需限期整改。编号{i}",
        "place": PLACES[i % len(PLACES)],
        "level": "major" if i % 25 == 0 else "general",
        "source": SOURCES[i % len(SOURCES)],
        "state": state,
        "found": found,
        "responsible_name": "",
        "measures": "",
        "funds": None,
        "deadline": None,
        "contingency": "",
        "rectified": None,
        "verified": None,
    }
    if state not in ("reported", "voided"):
        deadline = found + timedelta(days=10 + i % 30)
        values.update(
            responsible_name=f"责任人{i % 97}",
            measures=MEASURES,
            funds=Decimal(500 + (i % 50) * 100),
            deadline=deadline,
            contingency=CONTINGENCY,
        )
        if state in ("rectified", "closed"):
            values["rectified"] = max(found, min(today, deadline + timedelta(days=i % 7 - 3)))
        if state == "closed":
            values["verified"] = values["rectified"]
    return values


# The ledger's Chinese names (anpai.hazards.ledger); bench.run checks they still match.
LEVEL_NAMES = {"general": "一般隐患", "major": "重大隐患"}
SOURCE_NAMES = {
    "self_inspection": "企业自查",
    "gov_inspection": "政府检查",
    "joint_check": "联合执法/暗查暗访",
    "village_patrol": "村级巡查",
    "tip_off": "群众举报",
    "accident_lesson": "事故举一反三",
    "other": "其他",
}
STATE_NAMES = {
    "reported": "已上报",
    "assigned": "整改中",
    "rectified": "待验收",
    "closed": "已销号",
    "voided": "已作废",
}


def ledger_row(i: int, today: date, orgs: list[list[str]], verifier: str) -> list:
    """The ledger row the export writes for hazard ``i`` (for the bare baseline)."""
    v = hazard(i, today)
    org_name, village, industry = orgs[i % len(orgs)]
    overdue = 0
    if v["deadline"] is not None:
        if v["state"] == "assigned":
            overdue = (today - v["deadline"]).days
        elif v["rectified"] is not None:
            overdue = (v["rectified"] - v["deadline"]).days
    return [
        i + 1,
        v["number"],
        org_name,
        village,
        industry,
        v["found"],
        SOURCE_NAMES[v["source"]],
        f"{v['title']}（{v['place']}）：{v['description']}",
        LEVEL_NAMES[v["level"]],
        v["responsible_name"],
        v["measures"],
        v["funds"],
        v["deadline"],
        v["contingency"],
        STATE_NAMES[v["state"]],
        v["rectified"],
        verifier if v["verified"] else "",
        v["verified"],
        overdue if overdue > 0 else None,
    ]
