"""Demo dual prevention: risk points, assessments and four-colour maps for the key units.

The first copy's key enterprises and places — hazardous chemicals, gas,
explosives, industry and trade with dust, ammonia or confined spaces, crowded
places — get 4–8 risk points each, written for their industry. Points are
identified, assessed and drawn through :mod:`anpai.risks.actions` by the
units' own accounts (the township officer for places), so the audit trail
and access rules apply as in real use: LEC mostly, the matrix for some, so
that the township has points of all four colours and ent1's enterprise a
major (red) one; a few are re-assessed after a change or an accident, some
have a residual assessment, and ent1's confined space waits for re-assessment
because a major hazard was found there. ent1's measures that are checked
regularly go through the action too (they become inspection duties); the other
measures, and areas on blank grids, are inserted in bulk to keep the build fast.

Site plans: ent1's and ent2's enterprises and a few others get a generated
drawing (buildings, roads, fence and gate, or one building with its escape
corridor; north arrow, scale bar; Chinese labels with WenQuanYi Zen Hei when
installed); the others a blank grid. Every point's area lies on its building.
Demo hazards found at a point's place are linked to the point.

Seeded and relative to today (like the hazards), so a rebuild on the same day
is identical. Only the first copy of a scaled demo gets risk points.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from anpai.inspections.choices import Cadence
from anpai.notifications.service import silenced
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.risks import actions
from anpai.risks.choices import AccidentType as A
from anpai.risks.choices import AssessmentReason, MeasureKind, Method, PointKind
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
PLAN_W, PLAN_H = 1000, 700  # plan units; the generated image is drawn at PIXELS per unit
PIXELS = 0.8

M = MeasureKind
Spec = tuple[str, dict[str, str]]


def lec(l: float, e: float, c: float) -> Spec:  # noqa: E741 - the method's own letter
    return Method.LEC, {"l": f"{l:g}", "e": f"{e:g}", "c": f"{c:g}"}


def mx(l: int, s: int) -> Spec:  # noqa: E741 - the method's own letter
    return Method.MATRIX, {"l": str(l), "s": str(s)}


@dataclass(frozen=True)
class Point:
    """One kind of risk point, as an enterprise of its industry would write it up."""

    name: str
    building: str  # its label on the site plan
    kind: str
    location: str
    sources: str
    accidents: tuple[str, ...]
    consequences: str
    emergency: str
    signs: str
    department: str
    # (kind, text, cadence at ent1's enterprise or "")
    measures: tuple[tuple[str, str, str], ...]
    places: tuple[str, ...] = ()  # where demo hazards found here say they were
    shape: str = "building"  # building, tanks or yard on the plan


def P(
    name: str,
    building: str,
    kind: str,
    location: str,
    sources: str,
    accidents: tuple[str, ...],
    consequences: str,
    emergency: str,
    signs: str,
    department: str,
    *measures: tuple[str, str, str] | tuple[str, str],
    places: tuple[str, ...] = (),
    shape: str = "building",
) -> Point:
    rows = tuple((m[0], m[1], m[2] if len(m) > 2 else "") for m in measures)  # type: ignore[misc]
    return Point(
        name,
        building,
        kind,
        location,
        sources,
        accidents,
        consequences,
        emergency,
        signs,
        department,
        rows,
        places,
        shape,
    )


AREA, EQUIP, POST, OPER = PointKind.AREA, PointKind.EQUIPMENT, PointKind.POST, PointKind.OPERATION
DAILY, WEEKLY, MONTHLY = Cadence.DAILY, Cadence.WEEKLY, Cadence.MONTHLY
FIRE_EXIT = "立即报警并拨打119，使用就近灭火器扑救初起火灾，组织人员沿疏散通道撤离，清点人数。"

POINTS: dict[str, Point] = {
    # ------------------------------------------------------------ shared
    "power": P(
        "配电室",
        "配电室",
        EQUIP,
        "综合楼一层东侧配电室",
        "高低压配电柜、变压器、电缆；绝缘老化、带电作业、小动物进入",
        (A.ELECTRIC, A.FIRE),
        "触电伤亡，电气火灾，全厂（场所）停电",
        "立即切断电源，用干粉或二氧化碳灭火器灭火，严禁用水；触电者脱离电源后进行心肺复苏并拨打120。",
        "当心触电、禁止合闸、非工作人员禁止入内",
        "设备动力部",
        (M.ENGINEERING, "设置挡鼠板、封堵电缆沟，铺设绝缘垫，配置二氧化碳灭火器", WEEKLY),
        (M.MANAGEMENT, "执行停送电工作票和配电室巡检制度，每日巡检并记录", DAILY),
        (M.TRAINING, "电工持特种作业操作证上岗，每年开展电气安全培训"),
        (M.PPE, "配备绝缘手套、绝缘靴和验电器，每半年检测一次"),
        places=("配电室",),
    ),
    "exit": P(
        "疏散通道及安全出口",
        "疏散通道",
        AREA,
        "一层大厅至后门及各楼层楼梯间",
        "营业期间人员密集；安全出口锁闭、通道堆放杂物，应急照明和疏散指示失效",
        (A.FIRE, A.OTHER),
        "火灾时人员无法及时疏散，造成群死群伤；拥挤踩踏",
        "立即开启全部安全出口，广播引导人员有序疏散，拨打119，疏散后清点人数。",
        "安全出口、紧急出口、禁止锁闭、禁止堵塞",
        "安保部",
        (M.ENGINEERING, "设置应急照明和灯光疏散指示标志，安全出口安装推闩式逃生门锁"),
        (M.MANAGEMENT, "营业期间安全出口专人值守，每日营业前检查通道畅通", DAILY),
        (M.TRAINING, "每半年组织一次全员疏散演练"),
        (M.EMERGENCY, "制定人员疏散预案，各楼层配备手持扩音器和逃生面罩"),
        places=("后门安全出口", "楼梯间", "一层走廊"),
    ),
    "kitchen": P(
        "厨房燃气灶具区",
        "后厨",
        AREA,
        "一层后厨操作间",
        "燃气管道及灶具、液化石油气钢瓶；燃气泄漏、油锅起火、烟道油垢",
        (A.FIRE, A.OTHER_EXPLOSION, A.BURN, A.POISONING),
        "燃气泄漏爆炸、火灾，人员烧烫伤和中毒",
        "关闭燃气总阀，开窗通风，严禁开关电器和动用明火；油锅起火用锅盖或灭火毯覆盖；撤离后拨打119。",
        "当心火灾、禁止烟火、当心燃气泄漏",
        "餐饮部",
        (M.ENGINEERING, "安装可燃气体报警装置并与燃气紧急切断阀联动，灶台配置灭火毯"),
        (M.MANAGEMENT, "每日营业前后检查燃气管线、阀门和软管，烟道每季度清洗一次", DAILY),
        (M.TRAINING, "厨师和帮厨掌握燃气泄漏、油锅起火的处置方法"),
        (M.EMERGENCY, "制定燃气泄漏现场处置方案，每季度演练一次"),
        places=("后厨", "气瓶间", "充装区"),
    ),
    "boiler": P(
        "锅炉房",
        "锅炉房",
        EQUIP,
        "厂区北侧锅炉房（2 t/h 燃气蒸汽锅炉）",
        "燃气锅炉、压力管道、安全阀；超压、缺水、燃气泄漏",
        (A.BOILER, A.BURN, A.OTHER_EXPLOSION, A.POISONING),
        "锅炉爆炸，蒸汽烫伤，燃气泄漏爆炸",
        "立即停炉，关闭燃气进气阀，开启防爆排风，撤离人员并报告。",
        "当心爆炸、当心烫伤、禁止烟火、必须持证上岗",
        "动力车间",
        (M.ENGINEERING, "安全阀、压力表、水位计定期校验，锅炉房安装燃气泄漏报警和防爆排风", WEEKLY),
        (M.MANAGEMENT, "司炉工持证上岗，每班记录运行参数，锅炉按期年检"),
        (M.EMERGENCY, "配备应急照明和灭火器，制定锅炉事故现场处置方案"),
        places=("锅炉房",),
    ),
    "office": P(
        "综合办公楼",
        "办公楼",
        AREA,
        "厂区入口综合办公楼",
        "电气线路、办公电器，电动自行车入楼充电",
        (A.FIRE, A.ELECTRIC),
        "电气火灾，人员受伤",
        FIRE_EXIT,
        "安全出口、禁止电动车入楼充电",
        "综合办公室",
        (M.MANAGEMENT, "禁止电动自行车入楼充电，下班前逐间检查电源关闭"),
        (M.EMERGENCY, "各楼层配置灭火器和应急照明，张贴疏散示意图"),
        places=("安全管理部", "设备部"),
    ),
    "dorm": P(
        "员工宿舍",
        "宿舍楼",
        AREA,
        "生活区员工宿舍楼",
        "违规使用大功率电器，吸烟，电动自行车充电",
        (A.FIRE, A.ELECTRIC),
        "宿舍火灾，夜间人员疏散困难",
        FIRE_EXIT,
        "禁止吸烟、禁止使用大功率电器、安全出口",
        "行政部",
        (M.ENGINEERING, "宿舍限流供电，设置独立式感烟火灾探测报警器"),
        (M.MANAGEMENT, "宿舍管理员每晚巡查，收缴违规电器"),
        (M.TRAINING, "开展冬季用电和消防安全教育"),
        places=("员工宿舍",),
    ),
    # ------------------------------------------------------------ hazardous chemicals
    "tank": P(
        "甲醇储罐区",
        "甲醇储罐区",
        AREA,
        "厂区东北角罐区（2 × 500 m³ 内浮顶储罐）",
        "甲醇（易燃液体、有毒），储罐、管道、阀门、呼吸阀；泄漏遇点火源、静电、雷击",
        (A.FIRE, A.OTHER_EXPLOSION, A.POISONING, A.VESSEL),
        "储罐泄漏引发池火或蒸气云爆炸，周边人员中毒，可能造成群死群伤和重大财产损失",
        "启动危化品泄漏应急预案：关闭进出料阀门，开启喷淋冷却和泡沫灭火系统，警戒隔离，疏散下风向人员，"
        "拨打119、120并报告应急管理部门。",
        "禁止烟火、当心火灾、当心爆炸、当心中毒、必须穿防静电工作服",
        "储运车间",
        (
            M.ENGINEERING,
            "储罐设液位、温度监测及高低液位报警和紧急切断阀，罐区设防火堤、可燃气体检测报警仪和视频监控",
            DAILY,
        ),
        (
            M.MANAGEMENT,
            "罐区每两小时巡检一次，进入罐区登记并交出火种，落实重大危险源包保责任",
            DAILY,
        ),
        (M.TRAINING, "储运操作工每季度开展泄漏、着火处置演练"),
        (M.PPE, "配备防静电工作服、防毒面具和正压式空气呼吸器", MONTHLY),
        (M.EMERGENCY, "罐区设消防水炮、泡沫站和应急物资柜，事故应急池保持空置", WEEKLY),
        places=("罐区",),
        shape="tanks",
    ),
    "reactor": P(
        "合成反应车间（反应釜）",
        "合成车间",
        EQUIP,
        "一号生产车间二层（3 台 5 m³ 反应釜）",
        "放热反应失控，冷却水中断，超温超压；物料甲醇、甲醛易燃有毒",
        (A.VESSEL, A.FIRE, A.OTHER_EXPLOSION, A.POISONING, A.BURN),
        "反应失控导致釜体超压爆炸、物料喷出着火，人员灼烫、中毒",
        "立即停止进料，开启紧急冷却，必要时泄压至事故槽，撤离现场人员并报告调度。",
        "当心爆炸、当心灼烫、当心中毒、必须戴防护眼镜",
        "生产车间",
        (M.ENGINEERING, "反应釜温度、压力与进料联锁，设紧急冷却和爆破片泄压装置", WEEKLY),
        (M.MANAGEMENT, "严格执行工艺操作规程和工艺卡片，工艺和设备变更履行变更管理"),
        (M.TRAINING, "岗位操作人员经三级安全教育和工艺考核后上岗"),
        (M.PPE, "配备防护眼镜、防化手套和防毒面具"),
        places=("生产车间",),
    ),
    "chem_store": P(
        "危化品仓库（甲类仓库）",
        "甲类仓库",
        AREA,
        "厂区西北角甲类仓库",
        "甲醇、丙酮、乙酸乙酯等桶装易燃液体；超量储存、混存、通风不良、电气不防爆",
        (A.FIRE, A.OTHER_EXPLOSION, A.POISONING),
        "易燃液体泄漏挥发，遇点火源引发火灾爆炸，人员中毒",
        "切断电源，关闭库门，用泡沫灭火器和消防沙扑救，泄漏物用吸附棉收集，警戒并拨打119。",
        "禁止烟火、当心火灾、禁止混放、当心中毒",
        "储运车间",
        (M.ENGINEERING, "仓库采用防爆电气和机械通风，设可燃气体报警器和防静电接地", WEEKLY),
        (M.MANAGEMENT, "分区分类、限量储存，实行双人双锁和出入库登记", DAILY),
        (M.EMERGENCY, "配置泡沫灭火器、消防沙、吸附棉和防泄漏托盘"),
        places=("甲类仓库", "仓库"),
    ),
    "loading": P(
        "槽车装卸作业",
        "装卸区",
        OPER,
        "厂区南侧装卸站台",
        "槽车装卸甲醇、液碱；静电积聚、鹤管连接处泄漏、车辆溜车",
        (A.FIRE, A.OTHER_EXPLOSION, A.VEHICLE, A.BURN),
        "装卸泄漏引发火灾爆炸，车辆伤害，人员灼伤",
        "立即停止装卸，关闭紧急切断阀，驾驶员撤离车辆，用灭火器扑救初起火灾并报告调度。",
        "禁止烟火、熄火装卸、当心车辆、必须静电接地",
        "储运车间",
        (M.ENGINEERING, "装卸台设静电接地报警器、紧急切断阀和鹤管拉断阀", DAILY),
        (M.MANAGEMENT, "执行装卸作业票制度，装卸全程专人监护"),
        (M.PPE, "装卸人员穿防静电工作服、戴防护面罩"),
        (M.EMERGENCY, "装卸区设洗眼器、应急喷淋和应急沙袋"),
        places=("装卸区",),
        shape="yard",
    ),
    "confined": P(
        "有限空间（污水池）",
        "污水池",
        AREA,
        "厂区东南角污水处理站调节池及集水井",
        "硫化氢、一氧化碳等有毒气体积聚，缺氧；清淤和检修作业",
        (A.POISONING, A.DROWNING),
        "作业人员中毒窒息，盲目施救导致伤亡扩大",
        "严禁盲目施救；立即报告，救援人员佩戴正压式空气呼吸器，使用三脚架和安全绳救援，拨打120。",
        "有限空间 未经许可禁止入内、当心中毒、当心缺氧、当心淹溺",
        "安全环保部",
        (M.ENGINEERING, "污水池设防护栏杆和盖板，配置四合一气体检测仪和强制通风机"),
        (M.MANAGEMENT, "有限空间作业审批，先通风、再检测、后作业，全程专人监护", WEEKLY),
        (M.TRAINING, "作业和监护人员接受有限空间专项培训，每年演练一次"),
        (M.PPE, "配备正压式空气呼吸器、全身式安全带和救援三脚架"),
        places=("污水池",),
        shape="pool",
    ),
    "hotwork": P(
        "动火作业（管廊检修）",
        "管廊",
        OPER,
        "二车间管廊及设备检修区域",
        "焊接、切割等明火作业，周边可燃物及管道残留物料",
        (A.FIRE, A.OTHER_EXPLOSION, A.BURN),
        "引燃残留物料发生火灾爆炸，人员烧伤",
        "立即停止动火，关闭相关物料阀门，用灭火器扑救并报告调度。",
        "禁止烟火、动火作业区域、当心火灾",
        "设备部",
        (M.MANAGEMENT, "动火作业执行特殊作业票证审批，动火前分析可燃气体浓度"),
        (M.ENGINEERING, "清除周边可燃物，隔离盲板，铺设防火毯"),
        (M.PPE, "焊工穿阻燃工作服，配备焊接面罩和防护手套"),
        places=("二车间管廊",),
        shape="yard",
    ),
    "lab": P(
        "质检化验室",
        "化验室",
        AREA,
        "综合楼二层化验室",
        "化学试剂、标准气瓶、电加热设备",
        (A.POISONING, A.FIRE, A.BURN),
        "试剂泄漏中毒、灼伤，电加热设备引发火灾",
        "关闭气瓶阀门，开启通风橱，灼伤处用洗眼器或清水冲洗，必要时送医。",
        "当心中毒、当心腐蚀、必须戴防护眼镜",
        "质检部",
        (M.MANAGEMENT, "试剂分类存放，易制毒、易制爆试剂双人双锁"),
        (M.PPE, "配备防护眼镜、防化手套和实验服"),
        (M.EMERGENCY, "设置洗眼器和应急喷淋"),
    ),
    "control": P(
        "中控室操作岗位",
        "中控室",
        POST,
        "综合楼一层中控室",
        "DCS 监控操作，误操作、报警未及时处置、夜班疲劳",
        (A.OTHER, A.FIRE),
        "误操作引发生产异常，报警未处置导致事故扩大",
        "发现异常立即按应急操作卡处置，通知班长和调度。",
        "注意安全、非工作人员禁止入内",
        "生产调度",
        (M.MANAGEMENT, "执行交接班制度，报警分级处置并记录"),
        (M.TRAINING, "操作人员熟练掌握应急操作卡，每月考核"),
    ),
    # ------------------------------------------------------------ fuel and gas
    "fuel_tank": P(
        "埋地油罐区",
        "油罐区",
        AREA,
        "站区西侧（汽油罐 2 × 30 m³、柴油罐 1 × 30 m³）",
        "汽油、柴油及其蒸气；卸油时油气挥发，罐体渗漏，静电",
        (A.FIRE, A.OTHER_EXPLOSION),
        "油气爆炸、火灾，土壤和地下水污染",
        "停止加油和卸油，切断总电源，用推车式灭火器和灭火毯扑救，疏散人员并拨打119。",
        "禁止烟火、当心爆炸、熄火加油",
        "站务",
        (M.ENGINEERING, "油罐设高液位报警和液位仪，卸油油气回收，双层罐渗漏监测"),
        (M.MANAGEMENT, "每日量油，检查人孔井和渗漏监测记录"),
        (M.EMERGENCY, "配置推车式灭火器、灭火毯和消防沙"),
        places=("罐区",),
        shape="tanks",
    ),
    "dispenser": P(
        "加油作业区（加油机）",
        "加油区",
        OPER,
        "站房前罩棚下 4 台加油机",
        "加油时油气逸散，车辆未熄火，使用手机，向塑料桶加注汽油",
        (A.FIRE, A.OTHER_EXPLOSION, A.VEHICLE),
        "加油现场火灾爆炸，车辆伤害",
        "按下紧急停机按钮，用灭火毯和灭火器扑救，引导车辆和人员撤离，拨打119。",
        "禁止烟火、熄火加油、禁止使用手机",
        "站务",
        (M.ENGINEERING, "加油机设紧急切断、拉断阀和静电释放装置"),
        (M.MANAGEMENT, "车辆熄火加油，严禁向塑料桶加注汽油，散装汽油实名登记"),
        (M.TRAINING, "加油员岗前培训，会用灭火毯和灭火器"),
        shape="yard",
    ),
    "fuel_unload": P(
        "油罐车卸油作业",
        "卸油口",
        OPER,
        "站区西侧密闭卸油口",
        "卸油时油气挥发、静电，卸油管连接泄漏",
        (A.FIRE, A.OTHER_EXPLOSION),
        "卸油区火灾爆炸",
        "立即停止卸油，关闭罐车阀门，用灭火器扑救初起火灾并报警。",
        "禁止烟火、静电接地、卸油作业区",
        "站务",
        (M.MANAGEMENT, "卸油前静置 15 分钟并连接静电接地，全程专人监护"),
        (M.EMERGENCY, "卸油口配置灭火毯和推车式灭火器"),
        shape="yard",
    ),
    "shop": P(
        "便利店",
        "便利店",
        AREA,
        "站房一层便利店",
        "货品堆放，电气线路，顾客聚集",
        (A.FIRE, A.ELECTRIC),
        "初起火灾，人员疏散受阻",
        FIRE_EXIT,
        "安全出口、禁止吸烟",
        "站务",
        (M.MANAGEMENT, "货架远离配电箱，通道保持畅通"),
        (M.EMERGENCY, "店内配置灭火器，员工会报警、会疏散"),
    ),
    "lpg_tank": P(
        "液化石油气储罐区",
        "储罐区",
        AREA,
        "站区北侧（2 × 50 m³ 卧式储罐）",
        "液化石油气（甲类可燃气体），储罐、安全阀、液位计；泄漏、超压、静电",
        (A.FIRE, A.OTHER_EXPLOSION, A.VESSEL),
        "储罐泄漏形成爆炸性混合气体，发生火灾爆炸，威胁周边村庄",
        "关闭紧急切断阀，开启喷淋冷却，严禁一切火源，警戒疏散周边人员，拨打119并报告。",
        "禁止烟火、当心爆炸、禁止穿带钉鞋",
        "站务",
        (M.ENGINEERING, "储罐设液位计、压力表、安全阀和紧急切断阀，罐区设可燃气体报警和喷淋冷却"),
        (M.MANAGEMENT, "储罐及安全附件按期检验，每两小时巡检一次"),
        (M.EMERGENCY, "制定储罐泄漏专项预案，配置消防水枪和防爆工具"),
        places=("罐区",),
        shape="tanks",
    ),
    "filling": P(
        "钢瓶充装间",
        "充装间",
        EQUIP,
        "站区中部充装间（4 台充装秤）",
        "充装超装、气瓶超期或报废、软管老化、静电",
        (A.FIRE, A.OTHER_EXPLOSION, A.VESSEL),
        "气瓶超装爆裂，充装间爆炸着火",
        "停止充装，关闭液相和气相阀门，开启通风，疏散人员并报警。",
        "禁止烟火、当心爆炸、必须穿防静电服",
        "充装班",
        (M.ENGINEERING, "充装秤设超装自动切断，充装间采用防爆电气和强制通风"),
        (M.MANAGEMENT, "充装前逐瓶检查，严禁充装超期、报废和非自有产权气瓶"),
        (M.TRAINING, "充装人员持气瓶充装证上岗"),
        (M.PPE, "充装人员穿防静电工作服、戴防冻手套"),
        places=("充装区",),
    ),
    "cylinders": P(
        "液化石油气瓶储存间",
        "瓶库",
        AREA,
        "实瓶、空瓶分区储存间",
        "实瓶泄漏，实瓶空瓶混放，通风不良，超量存放",
        (A.FIRE, A.OTHER_EXPLOSION),
        "泄漏积聚引发爆炸着火",
        "关闭泄漏气瓶角阀，移至室外安全处，开窗通风，严禁开关电器，报警。",
        "禁止烟火、当心爆炸、实瓶区、空瓶区",
        "站务",
        (M.MANAGEMENT, "实瓶、空瓶分区存放，存瓶量不超过核定数量"),
        (M.ENGINEERING, "储存间设防爆排风和可燃气体报警器"),
        (M.EMERGENCY, "配置干粉灭火器和堵漏工具"),
        places=("气瓶间",),
    ),
    "delivery": P(
        "钢瓶配送车辆",
        "车库",
        EQUIP,
        "配送车辆停放区",
        "配送途中气瓶碰撞、泄漏，车辆事故",
        (A.VEHICLE, A.FIRE, A.OTHER_EXPLOSION),
        "交通事故引发气瓶泄漏着火",
        "停车熄火，设置警示，关闭泄漏气瓶，疏散周边人员并报警。",
        "严禁烟火、危险品运输",
        "配送班",
        (M.MANAGEMENT, "配送车辆专车专用，气瓶直立固定，限量装载"),
        (M.TRAINING, "配送人员持道路危险货物运输从业资格证"),
        shape="yard",
    ),
    "regulator": P(
        "燃气调压计量区",
        "调压区",
        EQUIP,
        "站区中部调压计量撬",
        "天然气高中压调压器、过滤器、流量计；超压、泄漏",
        (A.FIRE, A.OTHER_EXPLOSION, A.POISONING),
        "泄漏引发爆炸着火，下游用户超压",
        "关闭进出站阀门，放散泄压，设警戒区，严禁火源，报告调度和119。",
        "禁止烟火、当心爆炸、禁止使用手机",
        "运行班",
        (M.ENGINEERING, "调压器设超压切断和安全放散，站区设可燃气体检测报警和紧急切断"),
        (M.MANAGEMENT, "每日巡检调压器进出口压力和泄漏情况，每年检修一次"),
        (M.EMERGENCY, "配置防爆工具、便携式燃气检测仪和灭火器"),
    ),
    "valves": P(
        "进出站管道及阀门区",
        "阀门区",
        EQUIP,
        "站区南侧进出站管道阀门组",
        "管道腐蚀、阀门内漏外漏、第三方施工破坏",
        (A.FIRE, A.OTHER_EXPLOSION),
        "管道泄漏引发火灾爆炸，供气中断",
        "关闭上游阀门，放散泄压，警戒疏散并报告调度。",
        "禁止烟火、地下燃气管道 禁止开挖",
        "运行班",
        (M.MANAGEMENT, "阀门定期启闭维护，管道沿线巡查"),
        (M.ENGINEERING, "管道阴极保护，定期检测防腐层"),
        shape="yard",
    ),
    "odorant": P(
        "加臭装置",
        "加臭间",
        EQUIP,
        "站区东侧加臭间",
        "四氢噻吩加臭剂，补液和检修时泄漏",
        (A.POISONING, A.FIRE),
        "加臭剂泄漏致人员中毒、引发恐慌",
        "关闭加臭泵，佩戴防毒面具处置泄漏，开窗通风。",
        "当心中毒、禁止烟火",
        "运行班",
        (M.MANAGEMENT, "补液作业两人进行，一人监护"),
        (M.PPE, "配备防毒面具和防护手套"),
    ),
    "vent": P(
        "放散管区域",
        "放散区",
        AREA,
        "站区西北角集中放散管",
        "放散时天然气大量排放，雷击",
        (A.FIRE, A.OTHER_EXPLOSION),
        "放散气体遇火源燃烧",
        "放散期间设警戒区，严禁火源，雷雨天禁止放散。",
        "禁止烟火、当心爆炸",
        "运行班",
        (M.MANAGEMENT, "放散作业审批，设警戒区"),
        (M.ENGINEERING, "放散管设防雷接地并每年检测"),
        shape="yard",
    ),
    # ------------------------------------------------------------ explosives
    "magazine": P(
        "炸药储存库房",
        "炸药库",
        AREA,
        "库区一号库（核定储量 5 t）",
        "工业炸药，撞击、摩擦、静电、雷击、明火",
        (A.EXPLOSIVES, A.FIRE),
        "炸药意外爆炸，库房摧毁，周边人员群死群伤",
        "立即撤离至安全距离以外，设置警戒，报告公安和应急管理部门，严禁人员靠近。",
        "禁止烟火、当心爆炸、禁止携带火种、禁止穿化纤服装",
        "库区",
        (M.ENGINEERING, "库房设防雷接地、视频监控和入侵报警，与公安机关联网"),
        (M.MANAGEMENT, "双人双锁，出入库登记核对，库存不超过核定储量"),
        (M.TRAINING, "保管员、守护员持证上岗，每季度培训"),
        (M.EMERGENCY, "库区设消防水池、灭火器和应急照明，制定爆炸事故应急预案"),
        places=("民爆物品库房",),
    ),
    "detonator": P(
        "雷管储存库房",
        "雷管库",
        AREA,
        "库区二号库",
        "工业雷管，静电、撞击、杂散电流",
        (A.EXPLOSIVES,),
        "雷管殉爆，人员伤亡",
        "立即撤离，设置警戒，报告公安和应急管理部门。",
        "禁止烟火、当心爆炸、禁止携带通讯工具",
        "库区",
        (M.ENGINEERING, "库房设防静电地面和人体静电释放器"),
        (M.MANAGEMENT, "雷管与炸药分库存放，双人双锁"),
        (M.PPE, "保管员穿防静电工作服和导电鞋"),
    ),
    "blast_truck": P(
        "民爆物品运输车辆",
        "车库",
        EQUIP,
        "库区运输车辆停放区",
        "运输途中碰撞、颠簸、车辆火灾",
        (A.VEHICLE, A.EXPLOSIVES, A.FIRE),
        "交通事故引发爆炸，沿途人员伤亡",
        "停车熄火，设置警戒，疏散人员，报告公安和应急管理部门。",
        "爆炸品、严禁烟火",
        "运输队",
        (M.MANAGEMENT, "按公安机关核准路线和时间运输，押运员全程押运"),
        (M.ENGINEERING, "车辆安装卫星定位和防静电拖地带"),
        shape="yard",
    ),
    "guard": P(
        "库区值班室",
        "值班室",
        POST,
        "库区大门值班室",
        "值守人员脱岗、睡岗，电气线路",
        (A.FIRE, A.OTHER),
        "库区失控，外来人员进入",
        "发现异常立即报警并报告公安机关。",
        "禁止烟火、外来人员登记",
        "库区",
        (M.MANAGEMENT, "24 小时双人值守，每两小时巡库一次"),
        (M.TRAINING, "守护员每季度开展防盗防爆演练"),
    ),
    "blasting": P(
        "爆破作业现场",
        "爆破作业区",
        OPER,
        "承接工程爆破作业点",
        "装药、起爆作业，飞石，早爆、拒爆",
        (A.BLASTING, A.STRUCK, A.EXPLOSIVES),
        "飞石伤人，早爆、拒爆处理不当造成伤亡",
        "立即撤离警戒区人员，拒爆按规程处理，受伤人员送医并报告。",
        "爆破警戒区、禁止入内、当心飞石",
        "爆破作业队",
        (M.MANAGEMENT, "爆破设计和安全评估，设置警戒，专人指挥起爆"),
        (M.TRAINING, "爆破员、安全员、保管员持证上岗"),
        (M.PPE, "作业人员配备安全帽和防静电服"),
        shape="yard",
    ),
    "temp_store": P(
        "民爆物品临时存放点",
        "临时存放点",
        AREA,
        "爆破作业现场临时存放点",
        "民爆物品临时存放，看守不力，雷雨",
        (A.EXPLOSIVES, A.FIRE),
        "丢失被盗或意外爆炸",
        "立即撤离，设置警戒，报告公安机关。",
        "禁止烟火、当心爆炸",
        "爆破作业队",
        (M.MANAGEMENT, "专人看守，当日剩余物品退库"),
        (M.EMERGENCY, "配备灭火器和警戒器材"),
    ),
    # ------------------------------------------------------------ industry and trade
    "furnace": P(
        "中频熔炼炉区域",
        "熔炼车间",
        EQUIP,
        "熔炼车间（2 台 3 t 中频感应炉）",
        "高温熔融金属，冷却水泄漏，炉衬烧穿，潮湿炉料",
        (A.BURN, A.OTHER_EXPLOSION, A.ELECTRIC),
        "熔融金属喷溅或遇水爆炸，人员严重灼烫",
        "立即断电停炉，人员撤离至安全区域，严禁用水扑救熔融金属，伤员送医。",
        "当心灼烫、当心爆炸、必须穿防护服",
        "熔炼车间",
        (M.ENGINEERING, "炉体设漏炉报警和冷却水温度、流量报警，设应急水源和事故坑"),
        (M.MANAGEMENT, "炉料入炉前烘干，炉前地面保持干燥，每班检查炉衬"),
        (M.PPE, "炉前工穿隔热防护服、戴防护面罩和隔热手套"),
        (M.EMERGENCY, "制定熔融金属喷溅、漏炉现场处置方案"),
    ),
    "pouring": P(
        "浇注作业",
        "浇注区",
        OPER,
        "浇注区（钢包吊运浇注）",
        "钢包吊运，熔融金属倾倒、喷溅",
        (A.BURN, A.LIFTING),
        "钢包倾覆，人员灼烫",
        "立即撤离，疏散通道保持畅通，伤员冷水冲洗后送医。",
        "当心灼烫、当心吊物",
        "熔炼车间",
        (M.MANAGEMENT, "钢包吊运路线避开人员，浇注前检查钢包和吊具"),
        (M.PPE, "浇注工穿防护服和防护鞋"),
        shape="yard",
    ),
    "crane": P(
        "桥式起重机（行车）",
        "行车跨",
        EQUIP,
        "生产车间 10 t 桥式起重机",
        "吊具、钢丝绳磨损，限位失效，违章吊运",
        (A.LIFTING, A.STRUCK),
        "吊物坠落砸伤人员",
        "立即停止吊运，切断电源，救护伤员并报告。",
        "当心吊物、禁止吊物下站人",
        "设备部",
        (M.ENGINEERING, "起重机按期检验，上升限位和超载限制器完好"),
        (M.MANAGEMENT, "司索、指挥人员持证，作业前检查吊具"),
    ),
    "sand": P(
        "砂处理及清理车间",
        "清理车间",
        AREA,
        "清理车间（抛丸机、砂轮机）",
        "粉尘、噪声，抛丸机和砂轮机转动部件",
        (A.MACHINERY, A.OTHER),
        "机械伤害，尘肺病",
        "停机断电，救护伤员并送医。",
        "当心机械伤人、必须戴防尘口罩",
        "清理车间",
        (M.ENGINEERING, "设备转动部位设防护罩，设除尘系统"),
        (M.PPE, "配备防尘口罩、护目镜和耳塞"),
    ),
    "polishing": P(
        "粉尘爆炸危险区域（抛光车间）",
        "抛光车间",
        AREA,
        "抛光车间（12 个抛光工位）",
        "铝镁金属粉尘，除尘系统积尘，火花、静电",
        (A.OTHER_EXPLOSION, A.FIRE),
        "粉尘爆炸，群死群伤",
        "立即停止作业、切断电源，撤离人员，严禁用水扑救金属粉尘火灾，使用干沙覆盖，报警。",
        "当心粉尘爆炸、禁止烟火、必须戴防尘口罩",
        "抛光车间",
        (M.ENGINEERING, "采用湿式除尘，除尘系统设泄爆、隔爆和火花探测熄灭装置"),
        (M.MANAGEMENT, "每班清扫积尘并记录，作业区严禁明火"),
        (M.TRAINING, "开展粉尘防爆专项培训"),
        (M.PPE, "配备防静电工作服和防尘口罩"),
        places=("原料车间",),
    ),
    "press": P(
        "冲压车间（冲床）",
        "冲压车间",
        EQUIP,
        "冲压车间（8 台冲床）",
        "冲床滑块，双手操作失效，违章送料",
        (A.MACHINERY,),
        "手指、手掌被压伤致残",
        "立即停机，救护伤员，断指冷藏随伤员送医。",
        "当心机械伤人、禁止手伸入模具",
        "冲压车间",
        (M.ENGINEERING, "冲床设双手按钮和光电保护装置"),
        (M.MANAGEMENT, "使用送料工具，禁止手伸入模具区"),
    ),
    "pickling": P(
        "酸洗车间",
        "酸洗车间",
        AREA,
        "酸洗车间（盐酸酸洗槽）",
        "盐酸挥发和飞溅，酸雾",
        (A.BURN, A.POISONING),
        "人员化学灼伤，吸入酸雾中毒",
        "立即用大量清水冲洗灼伤部位，撤离至通风处，送医。",
        "当心腐蚀、必须戴防护手套",
        "酸洗车间",
        (M.ENGINEERING, "酸洗槽设酸雾收集净化装置"),
        (M.PPE, "配备防酸服、防护面罩和耐酸手套"),
        (M.EMERGENCY, "设置洗眼器和应急喷淋"),
    ),
    "flour": P(
        "粉尘爆炸危险区域（制粉车间）",
        "制粉车间",
        AREA,
        "制粉车间（磨粉机、清粉机、筛粉机）",
        "面粉粉尘，设备摩擦火花，积尘",
        (A.OTHER_EXPLOSION, A.FIRE, A.MACHINERY),
        "粉尘爆炸，车间毁损，人员伤亡",
        "立即停机断电，撤离人员，禁止用水直流冲击粉尘，报警。",
        "当心粉尘爆炸、禁止烟火",
        "生产车间",
        (M.ENGINEERING, "设备设除铁器和泄爆装置，电气防爆"),
        (M.MANAGEMENT, "每班清扫积尘，定期检查除尘器"),
        (M.TRAINING, "开展粉尘防爆专项培训"),
        places=("原料车间", "生产车间"),
    ),
    "silo": P(
        "有限空间（粮食筒仓）",
        "筒仓",
        AREA,
        "原粮立筒仓（4 × 500 t）",
        "仓内缺氧、粮食发热产生有毒气体，粮面结块塌陷",
        (A.POISONING, A.OTHER, A.FALL),
        "人员中毒窒息或被粮食埋压",
        "严禁盲目施救，佩戴正压式空气呼吸器救援，拨打120。",
        "有限空间 未经许可禁止入内、当心坠落",
        "仓储部",
        (M.MANAGEMENT, "进仓作业审批，检测合格后进仓，专人监护"),
        (M.PPE, "配备安全带、救生绳和正压式空气呼吸器"),
        (M.TRAINING, "仓储人员接受有限空间专项培训"),
        places=("污水池",),
        shape="tanks",
    ),
    "packing": P(
        "成品包装车间",
        "包装车间",
        AREA,
        "成品包装车间",
        "包装机、输送带转动部件，码垛",
        (A.MACHINERY, A.STRUCK),
        "机械伤害，码垛倒塌砸伤",
        "停机断电，救护伤员。",
        "当心机械伤人",
        "生产车间",
        (M.ENGINEERING, "输送带设急停拉绳和防护罩"),
        (M.MANAGEMENT, "码垛高度不超过规定"),
    ),
    "ammonia": P(
        "液氨制冷机房",
        "液氨机房",
        EQUIP,
        "制冷机房（液氨充装量 6 t）",
        "液氨（有毒、可燃），贮氨器、氨压缩机、管道阀门；泄漏、超压",
        (A.POISONING, A.VESSEL, A.FIRE, A.OTHER_EXPLOSION),
        "液氨泄漏致人员中毒，甚至群死群伤；遇火源爆炸",
        "启动液氨泄漏专项预案：关闭相关阀门，启动事故排风和喷淋，人员向上风向撤离，穿重型防化服堵漏，"
        "拨打119、120。",
        "当心中毒、当心泄漏、必须戴防毒面具",
        "制冷车间",
        (M.ENGINEERING, "机房设氨气浓度报警与事故排风联锁，贮氨器设安全阀和液位计"),
        (M.MANAGEMENT, "每班巡检氨系统压力和泄漏，压力容器和压力管道按期检验"),
        (M.PPE, "配备正压式空气呼吸器和重型防化服"),
        (M.EMERGENCY, "设置喷淋洗眼器，液氨泄漏专项预案每半年演练一次"),
        places=("生产车间",),
    ),
    "cold_store": P(
        "冷库（氨蒸发器及管道）",
        "冷库",
        AREA,
        "1–4 号低温冷库",
        "库内氨管道、蒸发器泄漏，低温，人员被困库内",
        (A.POISONING, A.OTHER),
        "人员中毒、冻伤，被困库内",
        "按下库内呼救按钮，开启库门，撤离人员，关闭供液阀。",
        "当心中毒、当心冻伤",
        "冷库",
        (M.ENGINEERING, "库门设内开门装置和呼救报警"),
        (M.MANAGEMENT, "入库登记，离库清点人数"),
        (M.PPE, "配备防寒服和防寒手套"),
    ),
    "forklift": P(
        "叉车装卸作业",
        "月台",
        OPER,
        "冷库装卸月台",
        "叉车行驶、倒车，地面湿滑结冰",
        (A.VEHICLE, A.STRUCK),
        "叉车撞人，货物坠落",
        "停车救护伤员，报告。",
        "当心叉车、限速5公里",
        "物流部",
        (M.MANAGEMENT, "叉车司机持证，月台人车分流"),
        (M.ENGINEERING, "叉车安装倒车报警和蓝光警示灯"),
        shape="yard",
    ),
    "carding": P(
        "清梳车间（棉尘）",
        "清梳车间",
        AREA,
        "前纺清梳车间",
        "棉尘飞絮，金属异物进入清花机产生火花，设备转动部件",
        (A.FIRE, A.MACHINERY),
        "棉尘火灾迅速蔓延，机械伤害",
        FIRE_EXIT,
        "禁止烟火、当心机械伤人",
        "前纺车间",
        (M.ENGINEERING, "清花机设金属探除和火星探除装置"),
        (M.MANAGEMENT, "每班清扫飞花，禁止带电清理"),
        (M.TRAINING, "新员工三级安全教育"),
    ),
    "weaving": P(
        "织造车间",
        "织造车间",
        AREA,
        "织造车间（喷气织机 120 台）",
        "织机转动部件，噪声，人员密集",
        (A.MACHINERY, A.FIRE),
        "机械伤害，火灾时人员疏散困难",
        FIRE_EXIT,
        "当心机械伤人、安全出口",
        "织造车间",
        (M.MANAGEMENT, "停机处理故障，严禁带电带速清理"),
        (M.PPE, "配备耳塞，长发盘入工作帽"),
    ),
    "cotton": P(
        "原料仓库（棉花）",
        "原料库",
        AREA,
        "原料仓库（棉包堆垛）",
        "棉包自燃，电气线路，火源带入",
        (A.FIRE,),
        "仓库火灾，重大财产损失",
        FIRE_EXIT,
        "禁止烟火、禁止吸烟",
        "仓储部",
        (M.ENGINEERING, "仓库照明采用防护灯具，设火灾自动报警"),
        (M.MANAGEMENT, "堆垛“五距”符合要求，严禁火种入库"),
        places=("仓库", "后院库房"),
    ),
    "pit": P(
        "有限空间（集水井、污泥池）",
        "集水井",
        AREA,
        "进水泵房集水井及污泥浓缩池",
        "硫化氢、沼气积聚，缺氧；清淤和设备检修",
        (A.POISONING, A.DROWNING, A.OTHER_EXPLOSION),
        "作业人员中毒窒息，盲目施救扩大伤亡",
        "严禁盲目施救；佩戴正压式空气呼吸器，用三脚架救援，拨打120。",
        "有限空间 未经许可禁止入内、当心中毒、当心缺氧",
        "运行班",
        (M.ENGINEERING, "集水井设固定式硫化氢检测报警和机械通风"),
        (M.MANAGEMENT, "先通风、再检测、后作业，作业审批并专人监护"),
        (M.PPE, "配备正压式空气呼吸器和救援三脚架"),
        (M.EMERGENCY, "制定有限空间事故专项预案，每年演练"),
        places=("污水池",),
        shape="tanks",
    ),
    "dosing": P(
        "加药间",
        "加药间",
        AREA,
        "加药间（次氯酸钠、PAC）",
        "次氯酸钠遇酸释放氯气，药剂腐蚀",
        (A.POISONING, A.BURN),
        "氯气中毒，化学灼伤",
        "撤离至上风向，开启排风，用清水冲洗灼伤部位，送医。",
        "当心中毒、当心腐蚀",
        "运行班",
        (M.MANAGEMENT, "酸、碱药剂分区存放"),
        (M.PPE, "配备防护面罩和耐酸碱手套"),
    ),
    "blower": P(
        "鼓风机房",
        "鼓风机房",
        EQUIP,
        "鼓风机房（3 台罗茨风机）",
        "风机转动部件，噪声",
        (A.MACHINERY,),
        "机械伤害，听力损伤",
        "停机断电，救护伤员。",
        "当心机械伤人、必须戴护耳器",
        "运行班",
        (M.ENGINEERING, "联轴器设防护罩"),
        (M.PPE, "配备耳罩"),
    ),
    "dewater": P(
        "污泥脱水间",
        "脱水间",
        EQUIP,
        "污泥脱水间（带式压滤机）",
        "压滤机滚筒卷入，硫化氢",
        (A.MACHINERY, A.POISONING),
        "卷入伤害，中毒",
        "急停，救护伤员，开窗通风。",
        "当心卷入、当心中毒",
        "运行班",
        (M.ENGINEERING, "压滤机设急停拉绳"),
        (M.MANAGEMENT, "运行中禁止清理滚筒"),
    ),
    "dryer": P(
        "粮食烘干机（热风炉）",
        "烘干塔",
        EQUIP,
        "烘干塔及燃煤热风炉",
        "热风炉高温，粮食粉尘，烘干机内粮食着火",
        (A.FIRE, A.OTHER_EXPLOSION, A.BURN, A.POISONING),
        "烘干机着火、粉尘爆炸，一氧化碳中毒",
        "停炉停风，关闭进粮，用水枪从观察口灭火，撤离人员并报警。",
        "禁止烟火、当心高温",
        "烘干班",
        (M.ENGINEERING, "烘干机设温度超限报警，热风炉设火星捕集器"),
        (M.MANAGEMENT, "烘干期间专人值守，定期清理机内积尘"),
        (M.EMERGENCY, "配置消防水枪和灭火器"),
    ),
    "conveyor": P(
        "提升输送设备",
        "输送线",
        EQUIP,
        "斗式提升机、刮板输送机",
        "转动部件，清理堵料",
        (A.MACHINERY, A.FALL),
        "卷入伤害，高处坠落",
        "急停，救护伤员。",
        "当心卷入、当心坠落",
        "烘干班",
        (M.ENGINEERING, "转动部位设防护罩和急停开关"),
        (M.MANAGEMENT, "清理堵料先停机挂牌"),
        shape="yard",
    ),
    # ------------------------------------------------------------ crowded places
    "crowd": P(
        "游客密集区（大殿及广场）",
        "大殿广场",
        AREA,
        "景区核心区大殿及前广场",
        "节假日和庙会游客高度聚集，台阶、通道狭窄",
        (A.OTHER, A.FIRE),
        "拥挤踩踏，群死群伤",
        "启动大客流应急预案，暂停入园，广播疏导，开启备用通道分流。",
        "注意安全、单向通行、小心台阶",
        "景区管理处",
        (M.MANAGEMENT, "节假日实行预约和限流，设置单向通道"),
        (M.ENGINEERING, "设置视频监控和客流统计系统"),
        (M.EMERGENCY, "制定大客流应急预案，配置广播和隔离护栏"),
        places=("景区入口",),
        shape="yard",
    ),
    "temple": P(
        "古建筑群（木结构）",
        "古建筑群",
        AREA,
        "则天庙主殿及配殿",
        "木结构建筑，香烛明火，电气线路",
        (A.FIRE,),
        "古建筑火灾，文物损毁",
        FIRE_EXIT,
        "禁止烟火、文物保护单位",
        "景区管理处",
        (M.ENGINEERING, "设置室外消火栓和火灾自动报警系统，电气线路穿金属管"),
        (M.MANAGEMENT, "香烛在指定区域燃放，专人看护"),
        (M.EMERGENCY, "组建微型消防站，每月演练"),
        places=("营业大厅",),
    ),
    "sightseeing": P(
        "景区观光车",
        "观光车站",
        EQUIP,
        "景区观光车停靠站及行驶路线",
        "观光车超速、超载，行人横穿",
        (A.VEHICLE,),
        "车辆伤害",
        "停车救护伤员，报告景区管理处。",
        "注意行人、限速10公里",
        "景区管理处",
        (M.MANAGEMENT, "驾驶员持证，限速限载"),
        (M.ENGINEERING, "观光车按期检验"),
        shape="yard",
    ),
    "visitor": P(
        "游客服务中心",
        "游客中心",
        AREA,
        "景区入口游客服务中心",
        "人员聚集，电气设备",
        (A.FIRE, A.OTHER),
        "火灾，人员拥挤",
        FIRE_EXIT,
        "安全出口",
        "景区管理处",
        (M.MANAGEMENT, "保持出入口畅通"),
        (M.EMERGENCY, "配置灭火器和急救箱"),
    ),
    "rooms": P(
        "客房区域",
        "客房楼",
        AREA,
        "二至四层客房",
        "旅客吸烟，违规使用电器，装修材料",
        (A.FIRE,),
        "夜间火灾，旅客疏散困难",
        FIRE_EXIT,
        "禁止吸烟、安全出口",
        "客房部",
        (M.ENGINEERING, "客房设感烟探测器，配备逃生面罩和手电筒"),
        (M.MANAGEMENT, "夜间每两小时巡查一次"),
        (M.TRAINING, "员工掌握“一懂三会”"),
        places=("营业大厅",),
    ),
    "sales": P(
        "营业区（人员密集）",
        "营业厅",
        AREA,
        "一层营业区",
        "营业时人员密集，商品堆放，电气线路",
        (A.FIRE, A.OTHER),
        "火灾蔓延，拥挤踩踏",
        FIRE_EXIT,
        "安全出口、禁止吸烟",
        "营运部",
        (M.MANAGEMENT, "货架间通道宽度符合要求，禁止在疏散通道摆放商品"),
        (M.ENGINEERING, "设自动喷水灭火系统和火灾自动报警"),
        (M.EMERGENCY, "员工分区负责引导疏散"),
        places=("一层营业区", "营业大厅"),
    ),
    "stock": P(
        "仓库货架堆垛区",
        "库房",
        AREA,
        "后院库房",
        "货物堆垛过高，货架不稳，电气线路",
        (A.STRUCK, A.COLLAPSE, A.FIRE),
        "货物坠落砸伤，货架倒塌，火灾",
        "停止作业，救护伤员，报告。",
        "当心落物、禁止攀爬货架",
        "仓储部",
        (M.MANAGEMENT, "堆垛限高，重货下置"),
        (M.ENGINEERING, "货架固定并定期检查"),
        places=("后院库房", "仓库"),
    ),
    "banquet": P(
        "宴会厅",
        "宴会厅",
        AREA,
        "二层宴会厅（可容纳 400 人）",
        "婚宴等大型活动人员密集，酒精炉、烟花冷焰火，装修材料",
        (A.FIRE, A.OTHER),
        "火灾时群死群伤，拥挤踩踏",
        FIRE_EXIT,
        "安全出口、禁止燃放烟花",
        "餐饮部",
        (M.MANAGEMENT, "大型活动前报备并检查出口，禁止燃放冷焰火"),
        (M.ENGINEERING, "设自动喷水灭火和火灾自动报警系统"),
        (M.TRAINING, "服务员熟悉疏散路线"),
        places=("营业大厅",),
    ),
    "gas_room": P(
        "液化石油气瓶间",
        "气瓶间",
        AREA,
        "后厨外侧专用气瓶间",
        "液化石油气钢瓶、减压阀、软管，泄漏",
        (A.OTHER_EXPLOSION, A.FIRE),
        "燃气爆炸，建筑损毁，人员伤亡",
        "关闭角阀，开窗通风，严禁开关电器，撤离并拨打119。",
        "禁止烟火、当心爆炸",
        "后厨",
        (M.ENGINEERING, "气瓶间设可燃气体报警器和紧急切断阀"),
        (M.MANAGEMENT, "在用和备用气瓶分开放置，备用不超过 1 瓶"),
        places=("气瓶间",),
    ),
    "dining": P(
        "就餐区",
        "大堂",
        AREA,
        "一层大堂就餐区",
        "人员密集，火锅、酒精炉等明火",
        (A.FIRE, A.BURN),
        "火灾，烫伤",
        FIRE_EXIT,
        "安全出口、小心烫伤",
        "前厅",
        (M.MANAGEMENT, "禁止使用酒精炉，用餐高峰保持通道畅通"),
        (M.EMERGENCY, "配置灭火器和灭火毯"),
        places=("一层营业区",),
    ),
    "classroom": P(
        "幼儿活动室及午休室",
        "教学楼",
        AREA,
        "教学楼一至二层",
        "幼儿自我保护能力弱，电气线路，午休时段",
        (A.FIRE, A.OTHER),
        "火灾时幼儿疏散困难",
        "教师立即组织幼儿按预定路线疏散，清点人数，拨打119。",
        "安全出口、小心台阶",
        "园务",
        (M.MANAGEMENT, "午休时段专人值守，每日检查电源"),
        (M.TRAINING, "每月开展一次幼儿疏散演练"),
        (M.EMERGENCY, "每班配备逃生绳和手电筒"),
        places=("消防控制室",),
    ),
    "playground": P(
        "户外游乐设施",
        "游乐场",
        EQUIP,
        "操场大型滑梯、攀爬架",
        "设施松动、地面硬化，拥挤推搡",
        (A.FALL, A.STRUCK, A.OTHER),
        "幼儿摔伤、碰伤",
        "立即救护，严重时拨打120并通知家长。",
        "注意安全、有序游戏",
        "园务",
        (M.MANAGEMENT, "每日活动前检查设施，教师全程看护"),
        (M.ENGINEERING, "游乐区铺设软质地垫"),
        shape="yard",
    ),
    "elderly": P(
        "老人居住区",
        "住养楼",
        AREA,
        "住养楼一至三层",
        "老人行动不便，吸烟、电热毯，夜间值守人员少",
        (A.FIRE,),
        "夜间火灾，老人无法自行疏散，群死群伤",
        "值班人员立即报警，先疏散失能老人，按楼层转移至安全区域。",
        "禁止吸烟、安全出口",
        "院务",
        (M.ENGINEERING, "设自动喷水灭火系统和独立式感烟报警器"),
        (M.MANAGEMENT, "夜间每两小时巡查，收缴违规电器"),
        (M.EMERGENCY, "配备疏散担架和轮椅，每季度演练"),
        places=("员工宿舍",),
    ),
    "bath": P(
        "洗浴间",
        "洗浴间",
        AREA,
        "洗浴间及更衣室",
        "地面湿滑，热水温度过高，电热水器漏电",
        (A.OTHER, A.BURN, A.ELECTRIC),
        "滑倒摔伤，烫伤，触电",
        "立即断电，救护伤员，必要时拨打120。",
        "小心地滑、当心烫伤",
        "院务",
        (M.ENGINEERING, "铺设防滑地砖、安装扶手，热水器加装漏电保护"),
        (M.MANAGEMENT, "老人洗浴时有人陪护"),
    ),
    "ebike": P(
        "电动自行车集中充电区",
        "充电棚",
        AREA,
        "院内电动自行车充电棚",
        "电池热失控，充电线路老化，过充",
        (A.FIRE,),
        "电动车起火，蔓延至建筑",
        "切断充电电源，用灭火器扑救，疏散人员。",
        "禁止入楼充电、禁止私拉电线",
        "后勤",
        (M.ENGINEERING, "充电棚设定时断电智能充电桩"),
        (M.MANAGEMENT, "禁止电动车入楼充电"),
        shape="yard",
    ),
    "oxygen": P(
        "医用氧气瓶库",
        "氧气瓶库",
        AREA,
        "院内氧气瓶库",
        "氧气瓶（助燃），油脂沾染，碰撞",
        (A.VESSEL, A.FIRE),
        "气瓶爆炸，助燃火灾",
        "关闭瓶阀，移开火源，撤离并报警。",
        "禁止烟火、禁止油脂",
        "后勤",
        (M.MANAGEMENT, "空瓶实瓶分开，气瓶防倒固定"),
        (M.ENGINEERING, "库房通风良好，远离火源"),
    ),
    "wards": P(
        "住院病房区",
        "住院楼",
        AREA,
        "住院楼二至三层",
        "病人行动不便，吸氧，电气设备",
        (A.FIRE,),
        "火灾时病人疏散困难",
        "医护人员按预案转移病人，先重症后轻症，拨打119。",
        "禁止吸烟、安全出口",
        "护理部",
        (M.MANAGEMENT, "夜间巡查病房，严禁吸烟"),
        (M.TRAINING, "医护人员每半年疏散演练"),
    ),
    "ktv": P(
        "KTV 包间区",
        "包间区",
        AREA,
        "二层 KTV 包间（22 间）",
        "吸声装修材料，包间密闭，顾客吸烟饮酒，夜间营业",
        (A.FIRE,),
        "火灾烟气迅速蔓延，群死群伤",
        FIRE_EXIT,
        "禁止吸烟、安全出口",
        "营运部",
        (M.ENGINEERING, "装修采用不燃材料，包间设自动喷水和应急广播"),
        (M.MANAGEMENT, "营业期间每小时巡查包间"),
        (M.TRAINING, "服务员熟悉包间疏散路线，会引导疏散"),
        places=("营业大厅",),
    ),
    "bar": P(
        "吧台及操作间",
        "吧台",
        AREA,
        "一层吧台及小吃操作间",
        "电磁炉、电器集中使用，酒类易燃",
        (A.FIRE, A.ELECTRIC),
        "电气火灾",
        FIRE_EXIT,
        "禁止烟火",
        "营运部",
        (M.MANAGEMENT, "下班断电检查"),
        (M.EMERGENCY, "配置灭火器"),
    ),
    "sauna": P(
        "桑拿汗蒸房",
        "汗蒸房",
        AREA,
        "二层汗蒸房",
        "电加热器高温，木质装修，顾客长时间停留",
        (A.FIRE, A.BURN, A.OTHER),
        "火灾，烫伤，顾客晕厥",
        "断电停机，救护顾客，报警。",
        "当心烫伤、限时使用",
        "营运部",
        (M.ENGINEERING, "加热器设温控和超温断电"),
        (M.MANAGEMENT, "服务员定时巡查"),
    ),
    "agro_store": P(
        "农药化肥仓库",
        "农资库",
        AREA,
        "配送站农资仓库",
        "农药（有毒）、硝酸铵类化肥（氧化性），混存，受潮",
        (A.POISONING, A.FIRE, A.OTHER_EXPLOSION),
        "农药泄漏中毒，化肥受热分解爆炸",
        "撤离人员，佩戴防毒面具处置，报告并拨打119。",
        "当心中毒、禁止烟火、禁止混放",
        "仓储",
        (M.MANAGEMENT, "农药和化肥分区存放，限量储存"),
        (M.PPE, "配备防毒口罩和手套"),
        (M.EMERGENCY, "配备吸附材料和灭火器"),
        places=("仓库",),
    ),
    "agro_vehicle": P(
        "农资配送车辆",
        "车库",
        EQUIP,
        "配送车辆停放区",
        "车辆行驶、倒车，超载",
        (A.VEHICLE,),
        "车辆伤害",
        "停车救护伤员，报警。",
        "当心车辆",
        "配送",
        (M.MANAGEMENT, "驾驶员持证，出车前检查车辆"),
        (M.TRAINING, "驾驶员每月安全教育，掌握农药泄漏应急处置"),
        places=("停车场",),
        shape="yard",
    ),
    "handling": P(
        "装卸搬运作业",
        "装卸平台",
        OPER,
        "仓库门前装卸平台",
        "人工搬运、堆码，重物",
        (A.STRUCK, A.OTHER),
        "砸伤、扭伤",
        "停止作业，救护伤员。",
        "当心落物",
        "仓储",
        (M.MANAGEMENT, "堆码限高，使用搬运工具"),
        (M.PPE, "配备防砸鞋和手套"),
        shape="yard",
    ),
    "fence_area": P(
        "站区防护围栏及周边",
        "围栏区",
        AREA,
        "站区围栏及周边 10 m 范围",
        "周边违章建筑、堆放可燃物，外来人员进入",
        (A.FIRE, A.OTHER),
        "第三方破坏引发泄漏",
        "发现异常立即报告燃气公司调度。",
        "燃气设施 严禁破坏",
        "运行班",
        (M.MANAGEMENT, "每周巡查围栏及周边"),
        (M.ENGINEERING, "围栏设“燃气设施 严禁破坏”警示牌和视频监控"),
        shape="yard",
    ),
}


@dataclass(frozen=True)
class Entry:
    """A point of one unit: its kind, today's assessment, and its history."""

    key: str
    now: Spec
    # An earlier assessment; the current one is then a re-assessment for this reason.
    before: Spec | None = None
    reason: str = AssessmentReason.CHANGE
    note: str = ""
    residual: Spec | None = None


CHANGE, ACCIDENT = AssessmentReason.CHANGE, AssessmentReason.ACCIDENT

# The key units (first copy) and their points. ent1's enterprise first, ent2's second.
UNITS: dict[str, list[Entry]] = {
    "文水县鑫源化工有限公司": [
        Entry("tank", lec(3, 6, 40), residual=lec(1, 6, 40)),
        Entry(
            "reactor",
            lec(3, 6, 15),
            before=lec(1, 6, 15),
            note="新增 2 台反应釜并提高投料量，工艺变更后重新评估。",
        ),
        Entry("chem_store", lec(1, 6, 40)),
        Entry(
            "loading",
            lec(6, 3, 15),
            before=lec(3, 3, 7),
            reason=ACCIDENT,
            note="装卸时鹤管连接处泄漏并静电打火（未遂），事故后重新评估。",
            residual=lec(1, 3, 15),
        ),
        Entry("confined", lec(3, 2, 15)),
        Entry("power", lec(3, 6, 7), residual=lec(1, 6, 7)),
        Entry("boiler", mx(2, 4)),
        Entry("control", lec(1, 6, 3)),
    ],
    "文水县晋丰化工有限公司": [
        Entry("tank", lec(1, 6, 40)),
        Entry("reactor", lec(1, 6, 15)),
        Entry("chem_store", lec(3, 3, 15)),
        Entry("loading", mx(2, 4)),
        Entry("hotwork", lec(3, 3, 15)),
        Entry("lab", mx(1, 3)),
    ],
    "西槽头加油站": [
        Entry("fuel_tank", lec(1, 6, 40)),
        Entry("dispenser", lec(3, 6, 7)),
        Entry("fuel_unload", mx(3, 4)),
        Entry("power", lec(1, 6, 7)),
        Entry("shop", mx(1, 3)),
    ],
    "文水县恒通液化气供应站": [
        Entry("lpg_tank", lec(3, 6, 40), residual=lec(1, 6, 40)),
        Entry("filling", lec(3, 6, 15)),
        Entry("cylinders", lec(1, 6, 15)),
        Entry("delivery", mx(2, 4)),
    ],
    "文水县华润燃气西槽头门站": [
        Entry("regulator", lec(1, 6, 40)),
        Entry("valves", lec(1, 6, 40)),
        Entry("odorant", mx(2, 3)),
        Entry("vent", lec(1, 3, 15)),
    ],
    "西槽头农资配送站": [
        Entry("agro_store", lec(1, 6, 15)),
        Entry("agro_vehicle", mx(2, 4)),
        Entry("handling", mx(2, 2)),
        Entry("power", lec(1, 3, 7)),
    ],
    "吕梁市汾安民爆器材有限公司文水分公司": [
        Entry("magazine", lec(1, 6, 100)),
        Entry("detonator", lec(1, 3, 100)),
        Entry("blast_truck", lec(1, 3, 40)),
        Entry("guard", mx(1, 3)),
    ],
    "文水县开元爆破工程有限公司": [
        Entry("blasting", lec(3, 3, 40)),
        Entry("temp_store", lec(1, 3, 40)),
        Entry("blast_truck", lec(1, 3, 40)),
        Entry("office", mx(1, 3)),
    ],
    "则天庙景区": [
        Entry("crowd", mx(3, 5)),
        Entry("temple", lec(1, 6, 15)),
        Entry("sightseeing", mx(2, 3)),
        Entry("visitor", mx(1, 3)),
    ],
    "文水县福源宾馆": [
        Entry("rooms", lec(3, 6, 7)),
        Entry("exit", lec(1, 6, 40)),
        Entry("kitchen", lec(1, 6, 15)),
        Entry("power", lec(1, 6, 7)),
    ],
    "西槽头鑫鑫超市": [
        Entry("sales", mx(2, 4)),
        Entry("exit", lec(1, 6, 40)),
        Entry("stock", mx(2, 2)),
        Entry("power", lec(1, 6, 7)),
    ],
    "金鼎大酒店": [
        Entry("kitchen", lec(3, 6, 15), residual=lec(1, 6, 15)),
        Entry(
            "banquet",
            lec(3, 3, 40),
            before=lec(1, 3, 40),
            note="宴会厅扩建至 400 人，变更后重新评估。",
        ),
        Entry("exit", lec(1, 6, 15)),
        Entry("boiler", mx(2, 4)),
        Entry("power", lec(1, 6, 7)),
        Entry("office", mx(1, 2)),
    ],
    "老西门饭店": [
        Entry("kitchen", lec(1, 6, 15)),
        Entry("gas_room", lec(3, 6, 15)),
        Entry("dining", mx(2, 3)),
        Entry("power", lec(1, 3, 7)),
    ],
    "西槽头中心幼儿园": [
        Entry("classroom", lec(1, 10, 15)),
        Entry("exit", lec(1, 6, 40)),
        Entry("kitchen", lec(1, 6, 7)),
        Entry("playground", mx(2, 2)),
    ],
    "西槽头乡敬老院": [
        Entry("elderly", lec(1, 10, 40)),
        Entry("kitchen", lec(1, 6, 15)),
        Entry("bath", mx(2, 3)),
        Entry("ebike", lec(1, 6, 7)),
    ],
    "西槽头卫生院": [
        Entry("wards", lec(1, 10, 15)),
        Entry("oxygen", lec(1, 6, 15)),
        Entry("exit", lec(1, 6, 7)),
        Entry("power", mx(1, 3)),
    ],
    "欢乐时光KTV": [
        Entry("ktv", lec(3, 6, 15)),
        Entry("exit", lec(1, 6, 40)),
        Entry("bar", mx(2, 3)),
        Entry("power", lec(1, 6, 7)),
    ],
    "西槽头浴池": [
        Entry("boiler", lec(3, 6, 15)),
        Entry("bath", mx(2, 3)),
        Entry("sauna", lec(1, 6, 15)),
        Entry("power", lec(1, 6, 7)),
    ],
    "文水县宏盛铸造有限公司": [
        Entry("furnace", lec(3, 6, 40), residual=lec(1, 6, 40)),
        Entry("pouring", lec(3, 6, 15)),
        Entry("crane", mx(3, 4)),
        Entry("sand", lec(3, 6, 3)),
    ],
    "文水县金泰钢铁制品有限公司": [
        Entry("polishing", lec(3, 6, 15)),
        Entry("press", lec(3, 6, 7)),
        Entry("pickling", mx(3, 3)),
        Entry("crane", mx(2, 4)),
    ],
    "文水县晋粮面粉加工厂": [
        Entry(
            "flour",
            lec(3, 6, 40),
            before=lec(1, 6, 40),
            reason=ACCIDENT,
            note="磨粉机轴承过热引燃积尘（未遂），事故后重新评估。",
            residual=lec(1, 6, 15),
        ),
        Entry("silo", lec(1, 3, 40)),
        Entry("packing", mx(2, 3)),
        Entry("power", lec(1, 6, 7)),
    ],
    "文水县冰川冷链食品有限公司": [
        Entry("ammonia", lec(3, 6, 40), residual=lec(1, 6, 40)),
        Entry("cold_store", lec(1, 6, 15)),
        Entry("forklift", lec(3, 6, 7)),
        Entry("power", lec(1, 6, 7)),
        Entry("office", mx(1, 2)),
    ],
    "文水县绿源纺织有限公司": [
        Entry("carding", lec(3, 6, 15)),
        Entry("cotton", lec(1, 6, 40)),
        Entry("weaving", lec(3, 6, 7)),
        Entry("dorm", lec(1, 10, 7)),
    ],
    "西槽头乡污水处理站": [
        Entry("pit", lec(3, 3, 40)),
        Entry("dosing", mx(2, 3)),
        Entry("dewater", lec(1, 6, 7)),
        Entry("blower", mx(1, 2)),
    ],
    "西槽头液化石油气瓶储存点": [
        Entry("cylinders", lec(3, 6, 15)),
        Entry("handling", mx(2, 3)),
        Entry("power", lec(1, 3, 7)),
        Entry("fence_area", mx(1, 3)),
    ],
    "王家堡村燃气调压站": [
        Entry("regulator", lec(1, 6, 40)),
        Entry("valves", lec(1, 3, 40)),
        Entry("vent", lec(1, 3, 15)),
        Entry("fence_area", mx(1, 3)),
    ],
    "新堡村粮食烘干点": [
        Entry("dryer", lec(3, 6, 15)),
        Entry("silo", lec(1, 3, 40)),
        Entry("conveyor", mx(2, 3)),
        Entry("power", lec(1, 3, 7)),
    ],
}

# Units whose site plan is a generated drawing; the others start from a blank grid.
DRAWN = (
    "文水县鑫源化工有限公司",
    "文水县晋丰化工有限公司",
    "西槽头加油站",
    "金鼎大酒店",
    "文水县冰川冷链食品有限公司",
    "文水县晋粮面粉加工厂",
)


@dataclass
class RisksResult:
    points: int = 0
    assessments: int = 0
    measures: int = 0
    site_plans: int = 0
    drawn_plans: int = 0
    linked_hazards: int = 0
    seconds: float = 0.0
    by_level: dict[str, int] = field(default_factory=dict)


@dataclass
class _People:
    principal: dict[int, User]
    safety: dict[int, User]
    township: User | None


def _people(units: list[Organization], township_org: Organization) -> _People:
    principal: dict[int, User] = {}
    safety: dict[int, User] = {}
    rows = (
        Membership.objects.filter(
            organization__in=units, role__in=[Role.ENT_PRINCIPAL, Role.ENT_SAFETY]
        )
        .select_related("user")
        .order_by("pk")
    )
    for m in rows:
        (principal if m.role == Role.ENT_PRINCIPAL else safety).setdefault(
            m.organization_id, m.user
        )
    officer = (
        Membership.objects.filter(organization=township_org, role=Role.TOWNSHIP_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return _People(principal, safety, officer.user if officer else None)


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60))))


# ---------------------------------------------------------------- site plans


Rect = tuple[float, float, float, float]

# A works ("yard"): a fenced site, a cross of roads, buildings in the four quarters.
FENCE: Rect = (20, 50, 880, 662)
ROAD_H: Rect = (20, 325, 880, 365)  # east–west road
ROAD_V: Rect = (430, 50, 470, 662)  # north–south road to the gate
QUADRANTS: tuple[Rect, ...] = (
    (35, 65, 415, 312),
    (485, 65, 865, 312),
    (35, 378, 415, 588),
    (485, 378, 865, 588),
)
YARD_EXTRAS = ("综合楼", "绿地", "库房", "绿地")
# Small rooms and plants are drawn smaller than workshops and stores.
SMALL = frozenset(
    {"配电室", "锅炉房", "中控室", "化验室", "值班室", "加臭间", "卸油口", "放散区", "气瓶间"}
    | {"氧气瓶库", "鼓风机房", "加药间", "吧台", "空压站", "脱水间", "便利店", "瓶库"}
)
# A crowded place ("floor"): one building, rooms either side of the escape corridor.
BUILDING: Rect = (50, 90, 800, 560)
CORRIDOR: Rect = (50, 300, 800, 350)
FLOOR_EXTRAS = ("大堂", "楼梯间", "卫生间", "库房", "办公室", "员工通道")
CORRIDOR_LABEL = "疏散通道"
# Crowded places are drawn as one building; the other units as a fenced works.
FLOOR_UNITS = frozenset(
    {
        "文水县福源宾馆",
        "西槽头鑫鑫超市",
        "金鼎大酒店",
        "老西门饭店",
        "西槽头中心幼儿园",
        "西槽头乡敬老院",
        "西槽头卫生院",
        "欢乐时光KTV",
        "西槽头浴池",
    }
)


@dataclass
class Layout:
    """Where each point's building (or room) is on the plan, in plan units."""

    style: str  # "yard" or "floor"
    rects: list[Rect]  # one per point, in order
    extras: list[tuple[str, Rect]]  # other buildings or rooms, not risk points


def layout(labels: list[str], rng: random.Random, style: str = "yard") -> Layout:
    """Rectangles for up to eight points (one per label) placed in seeded slots, and the
    extra buildings or rooms that fill the slots left over."""
    return _floor(labels, rng) if style == "floor" else _yard(labels, rng)


def _yard(labels: list[str], rng: random.Random) -> Layout:
    slots = []
    for x0, y0, x1, y1 in QUADRANTS:
        mid = (x0 + x1) / 2
        slots += [(x0, y0, mid - 8, y1), (mid + 8, y0, x1, y1)]
    order = list(range(len(slots)))
    rng.shuffle(order)
    rects: list[Rect] = []
    for index, label in enumerate(labels):
        x0, y0, x1, y1 = slots[order[index % len(slots)]]
        w, h = x1 - x0, y1 - y0
        if label in SMALL:
            bw, bh = w * rng.uniform(0.5, 0.65), h * rng.uniform(0.4, 0.55)
        else:
            bw, bh = w * rng.uniform(0.75, 0.95), h * rng.uniform(0.6, 0.9)
        bx, by = x0 + rng.uniform(0, w - bw), y0 + rng.uniform(0, h - bh)
        rects.append((round(bx), round(by), round(bx + bw), round(by + bh)))
    extras: list[tuple[str, Rect]] = []
    for n, index in enumerate(order[len(labels) :]):
        x0, y0, x1, y1 = slots[index]
        w, h = x1 - x0, y1 - y0
        rect: Rect = (
            round(x0 + w * 0.1),
            round(y0 + h * 0.15),
            round(x1 - w * 0.1),
            round(y1 - h * 0.1),
        )
        extras.append((YARD_EXTRAS[n % len(YARD_EXTRAS)], rect))
    return Layout("yard", rects, extras)


def _floor(labels: list[str], rng: random.Random) -> Layout:
    rooms: list[Rect] = []
    for y0, y1 in ((BUILDING[1], CORRIDOR[1]), (CORRIDOR[3], BUILDING[3])):
        cuts = sorted(rng.uniform(0.18, 0.32) + i * 0.25 for i in range(3))
        xs = [BUILDING[0], *(BUILDING[0] + c * (BUILDING[2] - BUILDING[0]) for c in cuts)]
        xs.append(BUILDING[2])
        rooms += [(round(a), y0, round(b), y1) for a, b in itertools.pairwise(xs)]
    order = list(range(len(rooms)))
    rng.shuffle(order)
    rects: list[Rect] = []
    used: set[int] = set()
    narrow = sorted(order, key=lambda i: rooms[i][2] - rooms[i][0])
    for label in labels:
        if label == CORRIDOR_LABEL:
            rects.append(CORRIDOR)
            continue
        # Small rooms (switch room, boiler room) take the narrowest rooms left.
        slot = next(i for i in (narrow if label in SMALL else order) if i not in used)
        used.add(slot)
        rects.append(rooms[slot])
    free = [i for i in range(len(rooms)) if i not in used]
    extras = [(FLOOR_EXTRAS[n % len(FLOOR_EXTRAS)], rooms[i]) for n, i in enumerate(free)]
    return Layout("floor", rects, extras)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | None:
    if not os.path.exists(FONT):
        return None
    return ImageFont.truetype(FONT, size)


PALETTE = [
    (255, 255, 255),  # 0 paper
    (235, 235, 228),  # 1 ground inside the fence
    (205, 205, 205),  # 2 road
    (120, 120, 120),  # 3 outline
    (60, 60, 60),  # 4 ink
    (222, 228, 236),  # 5 building
    (214, 232, 205),  # 6 green
    (245, 240, 220),  # 7 yard
    (200, 214, 232),  # 8 tank
    (196, 226, 236),  # 9 water
    (0, 150, 70),  # 10 exit green
]


def draw_plan(title: str, labels: list[str], shapes: list[str], plan: Layout) -> bytes:
    """A plausible site plan as PNG bytes: the site (fence, roads and gate, or the building
    with its corridor and exits), labelled buildings or rooms, a north arrow, a scale bar."""
    k = PIXELS
    img = Image.new("P", (round(PLAN_W * k), round(PLAN_H * k)), 0)
    img.putpalette([c for rgb in PALETTE for c in rgb])
    d = ImageDraw.Draw(img)

    def box(r: Rect) -> list[float]:
        return [r[0] * k, r[1] * k, r[2] * k, r[3] * k]

    def text(xy: tuple[float, float], value: str, size: int, anchor: str = "mm", fill=4) -> None:
        font = _font(round(size * k))
        if font is not None:
            d.text((xy[0] * k, xy[1] * k), value, font=font, fill=fill, anchor=anchor)

    def centre(r: Rect) -> tuple[float, float]:
        return (r[0] + r[2]) / 2, (r[1] + r[3]) / 2

    def top(r: Rect, down: float = 18) -> tuple[float, float]:
        # Names near the top: the four-colour map puts its own labels in the middle.
        return (r[0] + r[2]) / 2, r[1] + down

    if plan.style == "floor":
        _floor_chrome(d, box, text)
    else:
        _yard_chrome(d, box, text, k)
    for label, rect in plan.extras:
        green = label == "绿地"
        d.rectangle(box(rect), fill=6 if green else 5, outline=3, width=1)
        text(centre(rect), label, 16)
    for label, shape, rect in zip(labels, shapes, plan.rects, strict=True):
        x0, y0, x1, y1 = rect
        if plan.style == "floor":
            fill = 1 if label == CORRIDOR_LABEL else 5
            d.rectangle(box(rect), fill=fill, outline=4, width=2)
            name = label[:-1] + "区" if label.endswith("楼") else label
            text(top(rect) if label != CORRIDOR_LABEL else (x0 + 160, (y0 + y1) / 2), name, 17)
        elif shape == "tanks":
            d.rectangle(box(rect), fill=7, outline=3, width=2)  # the bund
            count = 2 if x1 - x0 < 240 else 3
            r = min((x1 - x0) / (2 * count) - 8, (y1 - y0) / 2 - 22)
            for i in range(count):
                cx, cy = x0 + (x1 - x0) * (i + 0.5) / count, (y0 + y1) / 2 - 6
                d.ellipse(box((cx - r, cy - r, cx + r, cy + r)), fill=8, outline=3, width=2)
            text(((x0 + x1) / 2, y1 - 12), label, 16)
        elif shape == "pool":
            d.rectangle(box(rect), fill=9, outline=3, width=2)
            d.rectangle(box((x0 + 10, y0 + 10, x1 - 10, y1 - 10)), outline=3, width=1)
            text(top(rect, 26), label, 17)
        else:
            d.rectangle(box(rect), fill=7 if shape == "yard" else 5, outline=3, width=2)
            text(top(rect), label, 17)
    if plan.style == "floor":  # over the corridor, whether or not it is a risk point
        middle = (CORRIDOR[1] + CORRIDOR[3]) / 2
        text((CORRIDOR[0] + 12, middle), "安全出口", 13, anchor="lm", fill=10)
        text((CORRIDOR[2] - 12, middle), "安全出口", 13, anchor="rm", fill=10)
    # North arrow and scale bar, right of the site.
    nx, ny = 940, 120
    tip, left, right, notch = (nx, ny - 45), (nx - 18, ny + 20), (nx + 18, ny + 20), (nx, ny + 8)
    d.polygon([(x * k, y * k) for x, y in (tip, left, notch)], fill=4)
    d.polygon([(x * k, y * k) for x, y in (tip, right, notch)], fill=0, outline=4)
    if _font(10) is not None:
        text((nx, ny - 62), "北", 20)
    else:
        d.text((nx * k - 3, (ny - 68) * k), "N", fill=4)
    d.line([(900 * k, 640 * k), (980 * k, 640 * k)], fill=4, width=2)
    for x in (900, 940, 980):
        d.line([(x * k, 634 * k), (x * k, 640 * k)], fill=4, width=2)
    text((940, 620), "0   20   40 m", 12)
    text((20, 24), f"{title} 总平面布置示意图", 20, anchor="lm")
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def _yard_chrome(d: ImageDraw.ImageDraw, box, text, k: float) -> None:
    d.rectangle(box(FENCE), fill=1, outline=4, width=3)
    d.rectangle(box(ROAD_H), fill=2)
    d.rectangle(box(ROAD_V), fill=2)
    for x in range(30, 880, 40):  # centre lines
        if not ROAD_V[0] - 10 < x < ROAD_V[2]:
            d.line([(x * k, 345 * k), ((x + 20) * k, 345 * k)], fill=0, width=1)
    for y in range(60, 662, 40):
        if not ROAD_H[1] - 10 < y < ROAD_H[3]:
            d.line([(450 * k, y * k), (450 * k, (y + 20) * k)], fill=0, width=1)
    # The gate: a gap in the south fence, and the gatehouse beside it.
    d.rectangle(box((ROAD_V[0], FENCE[3] - 4, ROAD_V[2], FENCE[3] + 4)), fill=0)
    d.rectangle(box((ROAD_V[0], FENCE[3] - 4, ROAD_V[2], FENCE[3] + 1)), fill=2)
    d.rectangle(box((480, 600, 540, 650)), fill=5, outline=3, width=2)
    text((510, 625), "门卫", 14)
    d.rectangle(box((560, 600, 865, 650)), fill=7, outline=3)
    text((712, 625), "停车场", 15)
    d.rectangle(box((35, 600, 415, 650)), fill=6)
    text((225, 625), "绿化带", 15)
    text((450, 680), "大门", 15)


def _floor_chrome(d: ImageDraw.ImageDraw, box, text) -> None:
    d.rectangle(box((0, 600, 1000, 660)), fill=2)  # the street in front
    text((500, 630), "村 中 街", 16)
    d.rectangle(box((830, 250, 900, 560)), fill=7, outline=3)
    text((865, 405), "停车", 15)
    d.rectangle(box((BUILDING[0] - 6, BUILDING[1] - 6, BUILDING[2] + 6, BUILDING[3] + 6)), fill=4)
    d.rectangle(box(BUILDING), fill=1)
    # Safety exits at both ends of the corridor and the main entrance to the street.
    y0, y1 = CORRIDOR[1] + 6, CORRIDOR[3] - 6
    for x0, x1 in ((BUILDING[0] - 8, BUILDING[0] + 2), (BUILDING[2] - 2, BUILDING[2] + 8)):
        d.rectangle(box((x0, y0, x1, y1)), fill=10)
    d.rectangle(box((380, BUILDING[3] - 2, 470, BUILDING[3] + 8)), fill=10)
    text((425, 580), "主入口", 13, fill=10)


def _polygon(rect: Rect) -> list[list[float]]:
    x0, y0, x1, y1 = rect
    return [[x0 + 4, y0 + 4], [x1 - 4, y0 + 4], [x1 - 4, y1 - 4], [x0 + 4, y1 - 4]]


# ---------------------------------------------------------------- the build


def build_risks(
    units: list[Organization],
    *,
    township_org: Organization,
    seed: int = 20231117,
    today: date | None = None,
) -> RisksResult:
    """Risk points, assessments, measures, site plans and areas for the key units among
    ``units`` (the first copy of the demo's enterprises and places; ``units[0]`` is
    ent1's enterprise, ``units[1]`` ent2's)."""
    started = clock.perf_counter()
    rng = random.Random(seed + 5)
    today = today or timezone.localdate()
    result = RisksResult()
    by_name = {u.name: u for u in units}
    chosen = [(by_name[name], entries) for name, entries in UNITS.items() if name in by_name]
    if not chosen:
        return result
    people = _people([org for org, _ in chosen], township_org)
    ent1_org = units[0]
    dated: list[tuple[Assessment, datetime]] = []
    # Measures that are checked regularly (ent1's) go through the action, so that their
    # checks become inspection duties, and so do the areas on drawn plans; the rest is
    # inserted in bulk, which keeps the build fast.
    checked: list[ControlMeasure] = []
    bulk: list[ControlMeasure] = []
    areas: list[RiskPoint] = []
    points_by_org: dict[int, list[tuple[RiskPoint, Point]]] = {}

    with silenced():  # demo data: nobody is messaged about it
        for org, entries in chosen:
            principal = people.principal.get(org.pk)
            safety = people.safety.get(org.pk)
            actor = safety or principal
            if actor is None or org.kind == OrgKind.PLACE:
                actor = people.township or actor
            if actor is None:
                continue
            assessor = principal if org.pk == ent1_org.pk and principal else actor
            labels = [POINTS[e.key].building for e in entries]
            plan = layout(labels, rng, "floor" if org.name in FLOOR_UNITS else "yard")
            if org.name in DRAWN:
                shapes = [POINTS[e.key].shape for e in entries]
                png = draw_plan(org.name, labels, shapes, plan)
                upload = SimpleUploadedFile("site-plan.png", png, content_type="image/png")
                actions.save_site_plan(org, by=principal or actor, image=upload, title=org.name)
                result.drawn_plans += 1
            else:
                actions.save_site_plan(org, by=actor, blank=True, title=org.name)
            result.site_plans += 1

            phone = f"{org.phone} / 119 / 120" if org.phone else "119 / 120"
            for number, (entry, rect) in enumerate(zip(entries, plan.rects, strict=True), start=1):
                spec = POINTS[entry.key]
                initial, current = entry.before or entry.now, entry.now
                level_guess = _level(current)
                owner = principal if level_guess in ("major", "significant") else actor
                if owner is not None and not _member(owner, org, people):
                    owner = principal or safety
                point = actions.create_point(
                    by=actor,
                    organization=org,
                    code=f"FX-{number:02d}",
                    name=spec.name,
                    kind=spec.kind,
                    location=spec.location,
                    hazard_sources=spec.sources,
                    accident_types=list(spec.accidents),
                    consequences=spec.consequences,
                    emergency_actions=spec.emergency,
                    emergency_phone=phone[:50],
                    warning_signs=spec.signs,
                    department=spec.department,
                    responsible_user=owner,
                    responsible_name=owner.full_name if owner else org.principal_name,
                    responsible_phone=(owner.phone if owner else org.principal_phone) or "",
                )
                first_day = today - timedelta(days=rng.randint(160, 320))
                a = actions.assess(point, by=assessor, method=initial[0], values=initial[1])
                dated.append((a, _at(first_day, rng)))
                last_day = first_day
                if entry.before is not None:
                    last_day = today - timedelta(days=rng.randint(20, 120))
                    a = actions.assess(
                        point,
                        by=assessor,
                        method=current[0],
                        values=current[1],
                        reason=entry.reason,
                        note=entry.note,
                    )
                    dated.append((a, _at(last_day, rng)))
                if entry.residual is not None:
                    day = min(
                        today - timedelta(days=1), last_day + timedelta(days=rng.randint(5, 15))
                    )
                    a = actions.assess(
                        point,
                        by=assessor,
                        method=entry.residual[0],
                        values=entry.residual[1],
                        residual=True,
                        note="落实管控措施后的剩余风险。",
                    )
                    dated.append((a, _at(day, rng)))
                for position, (kind, text, cadence) in enumerate(spec.measures):
                    values = _measure(org, kind, text, cadence, org.pk == ent1_org.pk, people, rng)
                    if values.get("check_cadence"):
                        measure = actions.save_measure(point, by=actor, **values)
                        measure.position = position
                        checked.append(measure)
                    else:
                        bulk.append(ControlMeasure(point=point, position=position, **values))
                    result.measures += 1
                if org.name in DRAWN:
                    actions.save_area(point, by=actor, area=_polygon(rect))
                else:
                    point.area = _polygon(rect)
                    areas.append(point)
                points_by_org.setdefault(org.pk, []).append((point, spec))
                result.points += 1

        ControlMeasure.objects.bulk_create(bulk)
        ControlMeasure.objects.bulk_update(checked, ["position"])  # in the table's order
        RiskPoint.objects.bulk_update(areas, ["area"])
        _backdate(dated)
        result.assessments = len(dated)
        result.linked_hazards = _link_hazards(points_by_org)
        _flag_reassessment(points_by_org.get(ent1_org.pk, []))

    result.by_level = _count_levels([p.pk for pts in points_by_org.values() for p, _ in pts])
    result.seconds = clock.perf_counter() - started
    return result


def _level(spec: Spec) -> str:
    from anpai.risks import scoring

    data = scoring.defaults()[spec[0]]
    return scoring.compute(spec[0], spec[1], data).level


def _member(user: User, org: Organization, people: _People) -> bool:
    return people.principal.get(org.pk) == user or people.safety.get(org.pk) == user


def _measure(
    org: Organization,
    kind: str,
    text: str,
    cadence: str,
    at_ent1: bool,
    people: _People,
    rng: random.Random,
) -> dict[str, Any]:
    """A measure's values: who answers for it, and at ent1's enterprise who checks it how often."""
    principal, safety = people.principal.get(org.pk), people.safety.get(org.pk)
    responsible: User | None = None
    name = ""
    if kind in (M.MANAGEMENT, M.TRAINING):
        responsible = safety or principal
    elif kind == M.EMERGENCY:
        responsible = principal
    else:  # engineering and PPE: the workshop's own people, named
        name = _name(rng)
    values: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "responsible_user": responsible,
        "responsible_name": (responsible.full_name if responsible else name),
    }
    if at_ent1 and cadence:
        checker = principal if cadence == MONTHLY else (safety or principal)
        values.update(check_cadence=cadence, check_user=checker)
    return values


def _name(rng: random.Random) -> str:
    from anpai.demo import data

    return rng.choice(data.SURNAMES) + "".join(rng.sample(data.GIVEN, 2))


def _backdate(dated: list[tuple[Assessment, datetime]]) -> None:
    """Assessments happened over the last months, not all at build time; a point shows
    the date of its latest (inherent) assessment."""
    latest: dict[int, datetime] = {}
    for assessment, when in dated:
        if not assessment.residual:
            latest[assessment.point_id] = max(when, latest.get(assessment.point_id, when))
    field = Assessment._meta.get_field("assessed_at")

    def value(when: datetime) -> Any:
        return field.get_db_prep_value(when, connection)

    # Plain executemany: the ORM's bulk_update builds a CASE per row.
    with connection.cursor() as cursor:
        for model, rows in (
            (Assessment, [(value(when), a.pk) for a, when in dated]),
            (RiskPoint, [(value(when), pk) for pk, when in latest.items()]),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.executemany(
                f"UPDATE {table} SET assessed_at = %s WHERE id = %s",  # noqa: S608 - model table, values as parameters
                rows,
            )


def _link_hazards(points_by_org: dict[int, list[tuple[RiskPoint, Point]]]) -> int:
    """Demo hazards found at a point's place reference the point (as if reported there)."""
    from anpai.hazards.models import Hazard

    links: dict[int, list[int]] = {}
    rows = Hazard.objects.filter(organization_id__in=points_by_org).exclude(place="")
    for pk, org_id, place in rows.order_by("pk").values_list("pk", "organization_id", "place"):
        for point, spec in points_by_org[org_id]:
            if place in spec.places:
                links.setdefault(point.pk, []).append(pk)
                break
    for point_id, hazard_ids in links.items():
        Hazard.objects.filter(pk__in=hazard_ids).update(risk_point_id=point_id)
    return sum(len(v) for v in links.values())


def _flag_reassessment(points: list[tuple[RiskPoint, Point]]) -> None:
    """A major hazard is open at one of ent1's points: it is due for re-assessment."""
    from anpai.hazards.choices import OPEN_STATES
    from anpai.hazards.models import Hazard

    if not points:
        return
    found = (
        Hazard.objects.filter(
            risk_point__in=[p for p, _ in points], level="major", state__in=OPEN_STATES
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        point = next(p for p, _ in points if p.pk == found.risk_point_id)
        reason = (
            f"发现重大事故隐患“{found.title}”（{found.number}），管控措施可能失效，需重新评估。"
        )
    else:
        point = next((p for p, s in points if s.places == ("污水池",)), points[0][0])
        reason = "现场检查发现重大事故隐患，管控措施可能失效，需重新评估。"
    try:
        url = reverse("risks:detail", args=[point.pk])
    except NoReverseMatch:
        url = f"/risks/{point.pk}/"
    actions.request_reassessment(point, reason=reason, url=url)


def _count_levels(point_ids: list[int]) -> dict[str, int]:
    levels = RiskPoint.objects.filter(pk__in=point_ids).values_list("level", flat=True)
    return dict(Counter(levels))
