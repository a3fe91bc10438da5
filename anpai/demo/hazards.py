"""Demo hazards: about 60 per copy of the demo township, in every state of the closed loop.

Drawn from the notice's focus items (ageing wiring, heaters, overload,
flammable decoration, fire equipment, locked exits, gas-cylinder rooms, gas
alarms and shut-off valves, cracked structure, hot work, confined space, work
at height …). Closed ones were found during the campaign (2023-11-17 …
2024-02-29); open ones recently, relative to today, so that overdue and
due-soon hazards show up on the day the demo is built. Seeded, so the same day
gives the same hazards; bulk inserts keep it fast.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from anpai.demo import data
from anpai.hazards.choices import (
    AttachmentKind,
    EventKind,
    HazardLevel,
    HazardSource,
    HazardState,
)
from anpai.hazards.models import Attachment, Category, Event, Hazard
from anpai.hazards.reference import ensure_categories
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User

CAMPAIGN = (date(2023, 11, 17), date(2024, 2, 29))
BATCH = 2000
S = HazardState


@dataclass(frozen=True)
class Template:
    """One kind of finding: where it occurs, what it is, what fixes it."""

    category: str
    industries: tuple[str, ...]  # empty: found anywhere
    title: str
    description: str
    place: str
    measures: str
    contingency: str
    done: str
    clause: str = ""  # set: may be a major hazard under this determination standard


CROWDED = ("fire_crowded", "culture_tourism")
GAS_USERS = ("gas", "fire_crowded")
WORKS = ("hazchem", "metallurgy_trade", "construction", "explosives")

TEMPLATES = [
    Template(
        "electrical",
        (),
        "电气线路老化",
        "配电箱内电气线路老化，绝缘层龟裂破损，部分接头裸露。",
        "配电室",
        "更换老化线路和破损接头，加装漏电保护器，定期检测线路绝缘。",
        "停用相关回路，设置警示标识，安排电工每日巡查。",
        "已更换老化线路32米，加装漏电保护器2个，经电工检测绝缘合格。",
    ),
    Template(
        "electrical",
        (),
        "违规使用大功率取暖设备",
        "员工宿舍内违规使用电暖器、电热毯等大功率取暖设备，人走未断电。",
        "员工宿舍",
        "收缴违规电器，宿舍改为限流供电，开展冬季用电安全教育。",
        "宿舍管理员每晚巡查，发现违规用电立即断电。",
        "已收缴电暖器4台、电热毯6条，宿舍加装限流装置并组织全员培训。",
    ),
    Template(
        "electrical",
        GAS_USERS,
        "电路过载",
        "后厨插座串接多个大功率电器，线路过载发热，插座有烧焦痕迹。",
        "后厨",
        "增设专用回路，更换烧损插座，禁止串接插排。",
        "高峰时段错开使用大功率电器，配备干粉灭火器。",
        "已增设两路专用回路并更换插座，拆除串接插排。",
    ),
    Template(
        "electrical",
        ("metallurgy_trade", "construction", "other"),
        "私拉乱接临时电线",
        "仓库内私拉乱接临时电线，电线未穿管保护，直接敷设在可燃物上。",
        "仓库",
        "拆除私拉乱接线路，按规范穿管敷设，配置合格的配电箱。",
        "临时断电，清理线路周边可燃物。",
        "已拆除私接线路，重新穿管敷设并验收合格。",
    ),
    Template(
        "fire_facilities",
        CROWDED,
        "装饰装修使用易燃可燃材料",
        "大厅吊顶和包间墙面使用易燃可燃装饰材料，未做阻燃处理。",
        "营业大厅",
        "拆除易燃可燃装饰材料，更换为不燃或难燃材料。",
        "整改期间停止使用相关区域，加强值守和灭火器配置。",
        "已拆除易燃装饰材料约180平方米，更换为A级不燃材料。",
        clause="GB 35181-2017《重大火灾隐患判定方法》：人员密集场所装修材料燃烧性能不符合要求",
    ),
    Template(
        "fire_facilities",
        (),
        "消防设施短缺损坏",
        "部分灭火器压力不足、已过期，室内消火栓箱内无水带水枪。",
        "一层走廊",
        "更换过期灭火器，补齐消火栓水带水枪，建立每月检查记录。",
        "临时调配灭火器至该区域。",
        "已更换灭火器12具，补齐水带水枪4套，建立月检记录表。",
    ),
    Template(
        "fire_facilities",
        ("fire_crowded", "hazchem", "culture_tourism"),
        "火灾自动报警系统故障",
        "火灾报警控制器处于故障状态，多个感烟探测器被遮挡。",
        "消防控制室",
        "委托维保单位维修报警系统，清除探测器遮挡物。",
        "维修期间安排专人24小时巡查。",
        "维保单位已修复控制器和探测器，联动测试正常。",
    ),
    Template(
        "evacuation",
        CROWDED,
        "封闭安全出口",
        "营业期间安全出口被铁链锁闭，疏散通道堆放杂物。",
        "后门安全出口",
        "拆除锁具，清理疏散通道，安全出口保持畅通。",
        "立即开启安全出口，安排专人值守。",
        "已拆除铁链锁具，清理通道杂物，张贴禁止堵塞标识。",
        clause="GB 35181-2017《重大火灾隐患判定方法》：人员密集场所安全出口被封闭",
    ),
    Template(
        "evacuation",
        (),
        "应急照明和疏散指示标志损坏",
        "楼梯间应急照明灯不亮，疏散指示标志缺失。",
        "楼梯间",
        "更换损坏的应急照明灯，补设疏散指示标志。",
        "配备手电筒，夜间安排巡查。",
        "已更换应急照明灯6盏，补设疏散指示标志9处。",
    ),
    Template(
        "gas",
        GAS_USERS,
        "未设置专用气瓶间",
        "液化石油气钢瓶放置在厨房操作间内，未设置专用气瓶间。",
        "后厨",
        "设置独立的专用气瓶间并加强通风，气瓶移出操作间。",
        "减少存放气瓶数量，操作间禁止明火以外的火源。",
        "已砌筑专用气瓶间并安装机械通风，气瓶全部移入。",
    ),
    Template(
        "gas",
        GAS_USERS,
        "在用和备用气瓶未分开放置",
        "在用与备用液化气钢瓶混放在一起，备用气瓶超量存放。",
        "气瓶间",
        "在用与备用气瓶分开放置，备用气瓶不超过规定数量。",
        "多余气瓶退还供气单位。",
        "已分区存放，退还多余气瓶5个。",
    ),
    Template(
        "gas",
        GAS_USERS,
        "未安装可燃气体报警装置及燃气紧急切断阀",
        "使用燃气的厨房未安装可燃气体报警装置和燃气紧急切断阀。",
        "后厨",
        "安装可燃气体报警装置，并与燃气紧急切断阀联动。",
        "每日营业前检查燃气管线和阀门，配备便携式燃气检测仪。",
        "已安装可燃气体报警器2台及紧急切断阀，联动测试正常。",
        clause="《城镇燃气安全排查整治工作方案》：餐饮等场所未安装可燃气体报警装置",
    ),
    Template(
        "gas",
        ("gas",),
        "气瓶和减压阀不合格",
        "部分钢瓶超期未检，减压阀无合格标识，连接软管老化龟裂。",
        "充装区",
        "超期钢瓶停止使用并送检，更换合格减压阀和专用软管。",
        "不合格气瓶单独隔离存放并标识。",
        "已送检钢瓶14个，更换减压阀和软管各8套。",
    ),
    Template(
        "structure",
        ("fire_crowded", "metallurgy_trade", "other"),
        "房屋承重构件裂缝变形",
        "库房承重墙出现多处斜向裂缝，屋面梁有明显下挠变形。",
        "后院库房",
        "委托有资质单位进行房屋安全鉴定，按鉴定意见加固。",
        "停止使用库房，清空物品，设置警戒区域。",
        "经鉴定后完成承重墙和屋面梁加固，复检合格。",
        clause="《房屋安全隐患排查整治》：承重构件出现严重裂缝变形",
    ),
    Template(
        "structure",
        ("fire_crowded",),
        "擅自改变房屋结构",
        "经营者擅自拆除部分承重墙扩大营业面积。",
        "一层营业区",
        "恢复原结构或按设计方案加固，办理相关手续。",
        "停止使用相关区域。",
        "已按设计方案完成加固并通过验收。",
    ),
    Template(
        "hazardous_work",
        WORKS,
        "动火作业未审批",
        "检修管道时进行电焊动火作业，未办理动火作业票，现场无监护人。",
        "二车间管廊",
        "严格执行动火作业审批，作业前分析可燃气体并落实监护。",
        "立即停止作业，清理作业点周边可燃物。",
        "已停止违规作业，补办作业票并组织特殊作业培训。",
        clause="《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准》：特殊作业未执行审批",
    ),
    Template(
        "hazardous_work",
        ("metallurgy_trade", "other", "hazchem"),
        "有限空间作业未检测",
        "清理池体前未进行气体检测，作业人员未佩戴防护用品。",
        "污水池",
        "执行先通风、再检测、后作业，配备气体检测仪和防护装备。",
        "暂停有限空间作业，设置警示标识。",
        "已配备四合一气体检测仪和正压呼吸器，完成专项培训。",
        clause="《工贸企业重大事故隐患判定标准》：有限空间作业未落实审批和检测",
    ),
    Template(
        "hazardous_work",
        ("construction", "metallurgy_trade"),
        "高处作业未系安全带",
        "外墙脚手架上作业人员未系安全带，作业面下方未设安全网。",
        "外墙脚手架",
        "高处作业人员必须系挂安全带，补设安全网和防护栏杆。",
        "停止高处作业，清退未经培训人员。",
        "已补设安全网和防护栏杆，作业人员全部配发安全带。",
    ),
    Template(
        "equipment",
        ("metallurgy_trade", "other", "road_transport"),
        "特种设备超期未检验",
        "叉车和压力容器超期未检验，仍在使用。",
        "生产车间",
        "停止使用超期设备，申请特种设备检验。",
        "临时改用人工搬运，设备挂停用标识。",
        "已完成叉车和压力容器检验，取得合格报告。",
    ),
    Template(
        "equipment",
        ("metallurgy_trade",),
        "设备防护装置缺失",
        "皮带输送机传动部位防护罩缺失，紧急停机拉绳失效。",
        "原料车间",
        "补装防护罩，修复紧急停机装置。",
        "设备停机检修前禁止靠近传动部位。",
        "已补装防护罩3处，修复拉绳开关。",
    ),
    Template(
        "management",
        (),
        "特种作业人员无证上岗",
        "电工、焊工未取得特种作业操作证上岗作业。",
        "设备部",
        "组织相关人员参加培训取证，无证人员调离岗位。",
        "由持证人员负责作业。",
        "3名人员已取得特种作业操作证。",
    ),
    Template(
        "management",
        (),
        "隐患排查治理台账不完善",
        "未建立隐患排查治理台账，日常检查无记录。",
        "安全管理部",
        "建立隐患排查治理台账，落实日查、周查、月查制度。",
        "由安全管理人员每周汇总检查情况。",
        "已建立台账并录入系统，检查记录齐全。",
    ),
    Template(
        "other",
        ("hazchem",),
        "危险化学品超量储存",
        "危险化学品仓库超量储存，禁忌物料混存。",
        "甲类仓库",
        "按储存限量清理超量物料，禁忌物料分区隔离存放。",
        "加强仓库通风和温湿度监测，严禁无关人员进入。",
        "已转移超量物料，按禁忌分区存放并设置标识。",
        clause="《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准》：危险化学品超量储存",
    ),
    Template(
        "equipment",
        ("hazchem", "gas"),
        "可燃气体检测报警器失效",
        "装卸区可燃气体检测报警器未定期标定，部分探头失效。",
        "装卸区",
        "更换失效探头，委托计量机构标定，纳入定期检测计划。",
        "装卸作业时使用便携式检测仪。",
        "已更换探头4个并完成标定。",
    ),
    Template(
        "equipment",
        ("road_transport",),
        "营运车辆动态监控设备故障",
        "部分营运车辆卫星定位装置离线，驾驶员存在超时驾驶。",
        "停车场",
        "维修车载终端，落实动态监控值班制度。",
        "故障车辆暂停营运。",
        "车载终端全部恢复在线，监控记录完整。",
    ),
    Template(
        "equipment",
        ("explosives",),
        "民爆物品库房监控报警系统故障",
        "库房视频监控存在盲区，入侵报警系统故障。",
        "民爆物品库房",
        "维修报警系统，补装监控摄像头，落实双人双锁管理。",
        "增加值守人员，每两小时巡查一次。",
        "报警系统修复，新增摄像头3个，联网测试正常。",
    ),
    Template(
        "management",
        ("culture_tourism",),
        "游客高峰期未落实限流措施",
        "节假日游客高峰期未落实限流措施，主要通道拥挤。",
        "景区入口",
        "制定限流方案，设置预约和分流引导。",
        "高峰时段增派安保人员疏导。",
        "已制定限流方案并在入口设置引导标识。",
    ),
]

SOURCES = [
    HazardSource.SELF_INSPECTION,
    HazardSource.SELF_INSPECTION,
    HazardSource.SELF_INSPECTION,
    HazardSource.GOV_INSPECTION,
    HazardSource.GOV_INSPECTION,
    HazardSource.JOINT_CHECK,
    HazardSource.VILLAGE_PATROL,
    HazardSource.TIP_OFF,
    HazardSource.ACCIDENT_LESSON,
]
VOID_REASONS = ["与已上报隐患重复", "经复核不构成隐患", "误报：该设备已停用拆除", "录入单位错误"]
PLAN = {
    "plan_goals": "消除重大事故隐患，确保整改期间不发生事故。",
    "plan_methods": "委托有资质单位制定专项整改方案，分阶段实施并逐项验收。",
    "plan_resources": "安排专项资金，整改所需设备材料由设备部统一采购。",
    "plan_organization": "主要负责人任组长，安全管理人员和车间主任为成员，责任到人。",
    "plan_schedule": "整改期限内完成，每周向乡应急办报告进度。",
    "plan_safety": "整改期间停止相关区域作业，设置警戒，配备应急器材和监护人员。",
}

# One copy's plan: (unit index within the copy or None for "any other unit",
# state, level, variant). Variants of "assigned": overdue N days, due in N
# days, or later; "supervised" marks listed supervision.
ENT1 = [
    (0, S.REPORTED, "general", ""),
    (0, S.ASSIGNED, "general", "overdue:2"),
    (0, S.ASSIGNED, "general", "due:2"),
    (0, S.ASSIGNED, "major", "later:supervised"),
    (0, S.RECTIFIED, "general", ""),
    (0, S.CLOSED, "general", ""),
    (0, S.CLOSED, "general", ""),
    (0, S.VOIDED, "general", ""),
]
ENT2 = [
    (1, S.REPORTED, "general", ""),
    (1, S.ASSIGNED, "general", "overdue:6"),
    (1, S.CLOSED, "general", ""),
]
OTHERS = [
    *[(None, S.CLOSED, "major", "")] * 2,
    (None, S.ASSIGNED, "major", "overdue:4:supervised"),
    (None, S.RECTIFIED, "major", "supervised"),
    (None, S.REPORTED, "major", ""),
    *[(None, S.CLOSED, "general", "")] * 20,
    (None, S.ASSIGNED, "general", "overdue:1"),
    (None, S.ASSIGNED, "general", "overdue:9"),
    (None, S.ASSIGNED, "general", "overdue:16"),
    (None, S.ASSIGNED, "general", "due:1"),
    (None, S.ASSIGNED, "general", "due:2"),
    (None, S.ASSIGNED, "general", "due:3"),
    *[(None, S.ASSIGNED, "general", "later")] * 4,
    *[(None, S.RECTIFIED, "general", "")] * 5,
    *[(None, S.REPORTED, "general", "")] * 5,
    *[(None, S.VOIDED, "general", "")] * 4,
]
PER_COPY = len(ENT1) + len(ENT2) + len(OTHERS)


@dataclass
class _Staff:
    """The people who act on hazards in the demo."""

    principal: dict[int, User]  # organisation id → principal
    safety: dict[int, User]  # organisation id → safety manager
    village: dict[int, User]  # village region id → grid officer
    township: User
    leader: User
    dept: User

    def principal_of(self, org: Organization) -> User | None:
        return self.principal.get(org.pk)

    def manager_of(self, org: Organization) -> User | None:
        return self.safety.get(org.pk) or self.principal.get(org.pk)


def _staff(units: list[Organization]) -> _Staff:
    principal: dict[int, User] = {}
    safety: dict[int, User] = {}
    village: dict[int, User] = {}
    rows = Membership.objects.filter(
        role__in=[Role.ENT_PRINCIPAL, Role.ENT_SAFETY, Role.VILLAGE_OFFICER]
    ).select_related("user", "organization")
    unit_ids = {u.pk for u in units}
    for m in rows:
        if m.role == Role.VILLAGE_OFFICER:
            village.setdefault(m.organization.region_id, m.user)
        elif m.organization_id in unit_ids:
            (principal if m.role == Role.ENT_PRINCIPAL else safety).setdefault(
                m.organization_id, m.user
            )
    named = {
        u.username: u for u in User.objects.filter(username__in=["township", "leader", "dept"])
    }
    return _Staff(principal, safety, village, named["township"], named["leader"], named["dept"])


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on ``day`` in the local time zone."""
    moment = datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 10, 20, 30, 40, 50))))
    return timezone.make_aware(moment)


def _photo(kind: str, seed: int) -> tuple[bytes, bytes]:
    """A small generated JPEG and its thumbnail: red warning marks before, green after."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randint(90, 140),) * 3)
    draw = ImageDraw.Draw(image)
    for _shape in range(6):
        x, y = rng.randint(0, 560), rng.randint(0, 400)
        draw.rectangle((x, y, x + rng.randint(40, 120), y + rng.randint(30, 90)), fill=(70,) * 3)
    if kind == AttachmentKind.BEFORE:
        draw.ellipse((240, 160, 400, 320), outline=(210, 30, 30), width=10)
    else:
        draw.line((250, 250, 310, 310, 420, 170), fill=(30, 160, 60), width=16)
    full, small = io.BytesIO(), io.BytesIO()
    image.save(full, format="JPEG", quality=80)
    image.thumbnail((480, 480))
    image.save(small, format="JPEG", quality=75)
    return full.getvalue(), small.getvalue()


def build_hazards(
    units: list[Organization], *, seed: int = 20231117, today: date | None = None
) -> int:
    """Create the demo hazards for ``units`` (the demo's enterprises and places, 44 per copy).

    Returns how many were created. ``units[0]`` is ent1's enterprise and
    ``units[1]`` ent2's; ent1's gets a hazard in every state.
    """
    rng = random.Random(seed + 3)
    today = today or timezone.localdate()
    ensure_categories()  # a flushed test database has lost the migration's rows
    categories = {c.code: c for c in Category.objects.all()}
    through = Organization.industries.through
    industries: dict[int, list[Any]] = {}
    for link in through.objects.filter(organization__in=units).select_related("industry"):
        industries.setdefault(link.organization_id, []).append(link.industry)
    for values in industries.values():
        values.sort(key=lambda i: i.pk)
    staff = _staff(units)
    per_copy = len(data.UNITS)
    hazards: list[Hazard] = []
    plans: list[tuple[Organization, str, str, str, Template]] = []
    state: str

    for copy in range(max(1, len(units) // per_copy)):
        batch = units[copy * per_copy : (copy + 1) * per_copy]
        others = batch[2:]
        order = others[:]
        rng.shuffle(order)
        used: dict[int, set[str]] = {}
        slots = [*ENT1, *ENT2, *OTHERS]
        for position, (index, state, level, variant) in enumerate(slots):
            if index is not None:
                unit = batch[index]
                template = _template(rng, unit, industries, used, major=level == "major")
            elif level == "major":
                # Pick a finding that can be major, then a unit where it occurs.
                unit, template = _major(rng, others, industries, used)
            else:
                unit = order[position % len(order)]
                template = _template(rng, unit, industries, used, major=False)
            plans.append((unit, state, level, variant, template))

    for unit, state, level, variant, template in plans:
        hazards.append(
            _hazard(
                rng, today, unit, state, level, variant, template, categories, industries, staff
            )
        )
    for start in range(0, len(hazards), BATCH):
        Hazard.objects.bulk_create(hazards[start : start + BATCH])
    events: list[Event] = []
    for h in hazards:
        h.number = f"YH{timezone.localtime(h.found_at):%Y}-{h.pk:06d}"  # as actions.report
        events.extend(_events(h, staff))  # also sets the version
    Hazard.objects.bulk_update(hazards, ["number", "version"], batch_size=BATCH)
    Event.objects.bulk_create(events, batch_size=BATCH)
    _attachments([h for h, plan in zip(hazards, plans, strict=True) if plan[0].pk == units[0].pk])
    _notifications(hazards, staff, today)
    return len(hazards)


def _fits(template: Template, unit: Organization, industries: dict[int, list[Any]]) -> bool:
    codes = {i.code for i in industries.get(unit.pk, [])}
    return not template.industries or bool(codes & set(template.industries))


def _template(
    rng: random.Random,
    unit: Organization,
    industries: dict[int, list[Any]],
    used: dict[int, set[str]],
    *,
    major: bool,
) -> Template:
    candidates = [t for t in TEMPLATES if _fits(t, unit, industries) and (t.clause or not major)]
    fresh = [t for t in candidates if t.title not in used.get(unit.pk, set())]
    choice = rng.choice(fresh or candidates)
    used.setdefault(unit.pk, set()).add(choice.title)
    return choice


def _major(
    rng: random.Random,
    units: list[Organization],
    industries: dict[int, list[Any]],
    used: dict[int, set[str]],
) -> tuple[Organization, Template]:
    while True:
        template = rng.choice([t for t in TEMPLATES if t.clause])
        fitting = [u for u in units if template.industries and _fits(template, u, industries)]
        if fitting:
            unit = rng.choice(fitting)
            used.setdefault(unit.pk, set()).add(template.title)
            return unit, template


def _hazard(
    rng: random.Random,
    today: date,
    unit: Organization,
    state: str,
    level: str,
    variant: str,
    template: Template,
    categories: dict[str, Category],
    industries: dict[int, list[Any]],
    staff: _Staff,
) -> Hazard:
    parts = variant.split(":")
    supervised = "supervised" in parts
    source = rng.choice(SOURCES)
    if level == "major" and source == HazardSource.SELF_INSPECTION:
        source = HazardSource.GOV_INSPECTION
    reporter = _reporter(source, unit, staff)
    responsible = staff.manager_of(unit) or staff.township
    principal = staff.principal_of(unit)
    major = level == HazardLevel.MAJOR
    funds = Decimal(
        rng.randrange(50_000, 400_000, 1000) if major else rng.randrange(300, 30_000, 100)
    )

    # The timeline, backwards from what the state needs to show today.
    deadline: date | None = None
    assigned_day = rectified_day = verified_day = today
    if state == S.CLOSED:
        found_day = CAMPAIGN[0] + timedelta(days=rng.randint(0, 75))
        assigned_day = found_day + timedelta(days=rng.randint(0, 3))
        deadline = min(assigned_day + timedelta(days=rng.randint(7, 30)), CAMPAIGN[1])
        rectified_day = min(deadline, assigned_day + timedelta(days=rng.randint(3, 25)))
        verified_day = rectified_day + timedelta(days=rng.randint(1, 4))
    elif state == S.ASSIGNED:
        kind, days = parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if kind == "overdue":
            deadline = today - timedelta(days=days)
        elif kind == "due":
            deadline = today + timedelta(days=days)
        else:
            deadline = today + timedelta(days=rng.randint(8, 40))
        assigned_day = min(today - timedelta(days=1), deadline - timedelta(days=rng.randint(7, 25)))
        found_day = assigned_day - timedelta(days=rng.randint(0, 3))
    elif state == S.RECTIFIED:
        rectified_day = today - timedelta(days=rng.randint(1, 4))
        assigned_day = rectified_day - timedelta(days=rng.randint(5, 20))
        found_day = assigned_day - timedelta(days=rng.randint(0, 3))
        deadline = rectified_day + timedelta(days=rng.randint(0, 10))
    else:  # reported, voided
        found_day = today - timedelta(days=rng.randint(1, 12 if state == S.REPORTED else 30))

    h = Hazard(
        organization=unit,
        place=template.place,
        title=template.title,
        description=template.description,
        category=categories[template.category],
        industry=_industry(rng, template, unit, industries),
        level=level,
        source=source,
        finder=reporter.full_name,
        found_at=_at(found_day, rng),
        clause=template.clause if major else "",
        reported_by=reporter,
        state=state,
    )
    if major:
        h.reported_up_at = h.found_at
    assigned_at = rectified_at = h.found_at
    if state in (S.ASSIGNED, S.RECTIFIED, S.CLOSED):
        h.responsible_user = responsible
        h.responsible_name = responsible.full_name
        h.measures, h.contingency = template.measures, template.contingency
        h.funds, h.deadline, h.original_deadline = funds, deadline, deadline
        assigned_at = max(h.found_at + timedelta(hours=2), _at(assigned_day, rng))
        h.assigned_at = assigned_at
        if major:
            for name, text in PLAN.items():
                setattr(h, name, text)
    if state in (S.RECTIFIED, S.CLOSED):
        h.rectification = template.done
        h.actual_cost = (funds * Decimal(rng.randint(80, 110)) / 100).quantize(Decimal("1"))
        rectified_at = max(assigned_at + timedelta(hours=3), _at(rectified_day, rng))
        h.rectified_at = rectified_at
        h.rectified_by = responsible
    if state == S.CLOSED:
        h.verified_by = (
            staff.township
            if major or principal is None or principal.pk == responsible.pk
            else principal
        )
        h.verified_at = max(rectified_at + timedelta(hours=2), _at(verified_day, rng))
    if state == S.VOIDED:
        h.void_reason = rng.choice(VOID_REASONS)
    if supervised:
        h.is_supervised = True
        h.supervisor = staff.leader
        h.supervise_deadline = max(today + timedelta(days=rng.randint(10, 30)), deadline or today)
        h.supervise_note = "乡安委会挂牌督办，按期完成整改并报送整改报告。"
    return h


def _reporter(source: str, unit: Organization, staff: _Staff) -> User:
    if source == HazardSource.SELF_INSPECTION:
        return staff.manager_of(unit) or staff.township
    if source == HazardSource.VILLAGE_PATROL:
        return staff.village.get(unit.region_id, staff.township)
    if source == HazardSource.JOINT_CHECK:
        return staff.dept
    return staff.township


def _industry(
    rng: random.Random, template: Template, unit: Organization, industries: dict[int, list[Any]]
) -> Any:
    own = industries.get(unit.pk, [])
    matching = [i for i in own if i.code in template.industries] or own
    return rng.choice(matching) if matching else None


def _events(h: Hazard, staff: _Staff) -> list[Event]:
    """The history the action functions would have written, with plausible actors."""
    out = [
        Event(
            hazard=h,
            kind=EventKind.REPORT,
            from_state="",
            to_state=S.REPORTED,
            actor=h.reported_by,
            at=h.found_at,
        )
    ]
    if h.level == HazardLevel.MAJOR:
        out.append(
            Event(
                hazard=h,
                kind=EventKind.REPORT_UP,
                from_state=S.REPORTED,
                to_state=S.REPORTED,
                actor=h.reported_by,
                at=h.found_at,
            )
        )
    if h.state == S.VOIDED:
        voider = h.reported_by if h.reported_by_id != staff.township.pk else staff.township
        out.append(
            Event(
                hazard=h,
                kind=EventKind.VOID,
                from_state=S.REPORTED,
                to_state=S.VOIDED,
                actor=voider,
                at=h.found_at + timedelta(days=1),
                comment=h.void_reason,
            )
        )
    if h.assigned_at:
        assigner = (
            (staff.principal.get(h.organization_id) if h.level == HazardLevel.MAJOR else None)
            or staff.manager_of(h.organization)
            or staff.township
        )
        out.append(
            Event(
                hazard=h,
                kind=EventKind.ASSIGN,
                from_state=S.REPORTED,
                to_state=S.ASSIGNED,
                actor=assigner,
                at=h.assigned_at,
                data={
                    "deadline": str(h.deadline),
                    "funds": str(h.funds),
                    "responsible": h.responsible_name,
                },
            )
        )
    if h.is_supervised:
        out.append(
            Event(
                hazard=h,
                kind=EventKind.SUPERVISE,
                from_state=S.ASSIGNED,
                to_state=S.ASSIGNED,
                actor=staff.leader,
                at=h.assigned_at + timedelta(days=1) if h.assigned_at else h.found_at,
                comment=h.supervise_note,
                data={"supervisor": str(h.supervisor), "deadline": str(h.supervise_deadline)},
            )
        )
    if h.rectified_at:
        out.append(
            Event(
                hazard=h,
                kind=EventKind.RECTIFY,
                from_state=S.ASSIGNED,
                to_state=S.RECTIFIED,
                actor=h.rectified_by,
                at=h.rectified_at,
                comment=h.rectification,
                data={"actual_cost": str(h.actual_cost)},
            )
        )
    if h.verified_at:
        out.append(
            Event(
                hazard=h,
                kind=EventKind.ACCEPT,
                from_state=S.RECTIFIED,
                to_state=S.CLOSED,
                actor=h.verified_by,
                at=h.verified_at,
                comment="经现场验收，整改到位，同意销号。",
            )
        )
    out.sort(key=lambda e: e.at)
    # Every step after the report bumped the version (report_up rides on another step).
    h.version = 1 + sum(e.kind not in (EventKind.REPORT, EventKind.REPORT_UP) for e in out)
    return out


def _attachments(hazards: list[Hazard]) -> None:
    """Before and after photos for ent1's hazards, so the detail page shows evidence."""
    rows: list[Attachment] = []
    for h in hazards:
        kinds = [AttachmentKind.BEFORE]
        if h.rectified_at:
            kinds.append(AttachmentKind.AFTER)
        for kind in kinds:
            full, small = _photo(kind, h.pk * 10 + len(rows))
            folder = f"hazards/demo/{h.pk}"
            rows.append(
                Attachment(
                    hazard=h,
                    kind=kind,
                    file=default_storage.save(f"{folder}/{kind}.jpg", ContentFile(full)),
                    thumbnail=default_storage.save(
                        f"{folder}/{kind}-thumb.jpg", ContentFile(small)
                    ),
                    content_type="image/jpeg",
                    size=len(full),
                    sha256=hashlib.sha256(full).hexdigest(),
                    original_name=f"IMG_{h.pk:04d}_{kind}.jpg",
                    uploaded_by=h.rectified_by if kind == AttachmentKind.AFTER else h.reported_by,
                    uploaded_at=(h.rectified_at if kind == AttachmentKind.AFTER else None)
                    or h.found_at,
                )
            )
    Attachment.objects.bulk_create(rows)


def _notifications(hazards: list[Hazard], staff: _Staff, today: date) -> None:
    """The in-app notifications the open hazards' steps sent to the demo accounts.

    Only to accounts that can sign in (they have an email address); in-app
    only, so building the demo sends no mail. The last week's are unread, so
    the navbar bell has something to show.
    """
    from anpai.notifications.models import Notification

    township = staff.township
    rows: list[Notification] = []
    recent = timezone.make_aware(datetime.combine(today - timedelta(days=7), time()))
    with translation.override(settings.LANGUAGE_CODE):
        for h in hazards:
            if h.state not in (S.REPORTED, S.ASSIGNED, S.RECTIFIED):
                continue
            sent: list[tuple[User | None, str, str, datetime]] = []
            if h.is_major:
                title = _("Major hazard reported: %(org)s") % {"org": h.organization.name}
                sent.append((township, title, h.title, h.found_at))
            if h.assigned_at:
                title = _("Hazard to rectify by %(date)s") % {"date": h.deadline}
                body = f"{h.organization.name} · {h.title}"
                sent.append((h.responsible_user, title, body, h.assigned_at))
            if h.state == S.RECTIFIED and h.rectified_at:
                title = _("Rectification to accept: %(title)s") % {"title": h.title}
                accepter = township if h.is_major else staff.principal_of(h.organization)
                if accepter is not None and accepter.pk != h.rectified_by_id:
                    sent.append((accepter, title, h.organization.name, h.rectified_at))
            for user, title, body, at in sent:
                if user is None or not user.email:
                    continue
                rows.append(
                    Notification(
                        recipient=user,
                        title=title,
                        body=body,
                        url=reverse("hazards:detail", args=[h.pk]),
                        created_at=at,
                        read_at=None if at >= recent else at + timedelta(hours=3),
                    )
                )
    Notification.objects.bulk_create(rows, batch_size=BATCH)
