"""Demo data for the enterprise's standing ledgers: each post's safety duties with
employees' acknowledgements (全员安全生产责任制), the safety-expense ledger
(安全生产费用) and the 三违 record.

ent1's enterprise (``units[0]``) is the richest: eight posts (one revised, so its
first version keeps its acknowledgements and the team leader has the new one to
acknowledge), acknowledgements by the demo accounts and by employees without an
account, a ledger over this year and last (set aside monthly, spent across the
categories), and about twenty 三违 records over the last months. The next few units
get fewer of each. Everything is bulk-created from a seeded generator: fast and the
same on every build.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.ledgers import expense_categories
from anpai.enterprise.models import Acknowledgement, PostDuty, SafetyExpense, Violation
from anpai.orgs.models import Organization
from anpai.people.models import Membership, User

UNITS_WITH_LEDGERS = 5

POSTS: list[tuple[str, str]] = [
    (
        "主要负责人",
        "1. 建立健全并落实本单位全员安全生产责任制，加强安全生产标准化建设；\n"
        "2. 组织制定并实施本单位安全生产规章制度和操作规程；\n"
        "3. 组织制定并实施本单位安全生产教育和培训计划；\n"
        "4. 保证本单位安全生产投入的有效实施，安全生产费用足额提取、专户核算；\n"
        "5. 组织建立并落实安全风险分级管控和隐患排查治理双重预防工作机制，每月带队检查，"
        "重大事故隐患领衔整治；\n"
        "6. 组织制定并实施本单位的生产安全事故应急救援预案；\n"
        "7. 及时、如实报告生产安全事故。",
    ),
    (
        "安全管理人员",
        "1. 组织或者参与拟订本单位安全生产规章制度、操作规程和生产安全事故应急救援预案；\n"
        "2. 组织或者参与本单位安全生产教育和培训，如实记录培训情况；\n"
        "3. 组织开展危险源辨识和评估，督促落实重大危险源的安全管理措施；\n"
        "4. 组织或者参与本单位应急救援演练；\n"
        "5. 每周检查本单位的安全生产状况，及时排查生产安全事故隐患，提出改进安全生产管理的建议；\n"
        "6. 制止和纠正违章指挥、强令冒险作业、违反操作规程的行为；\n"
        "7. 督促落实本单位安全生产整改措施，建立“三违”台账。",
    ),
    (
        "车间主任",
        "1. 对本车间的安全生产工作全面负责，落实车间周查制度；\n"
        "2. 组织本车间员工的岗位安全培训和班前安全教育；\n"
        "3. 审核本车间动火、受限空间、高处等危险作业，落实作业现场监护；\n"
        "4. 组织整改本车间排查出的事故隐患，不能整改的及时上报；\n"
        "5. 保证本车间安全设施、消防器材和个体防护用品完好有效；\n"
        "6. 发生事故时立即组织抢救并报告，保护现场。",
    ),
    (
        "班组长",
        "1. 落实班组日查，开好班前会、班后会，交代当班安全注意事项；\n"
        "2. 检查本班组人员劳动防护用品穿戴和持证上岗情况；\n"
        "3. 严格执行操作规程，不违章指挥，及时制止“三违”行为；\n"
        "4. 发现事故隐患立即处理，处理不了的及时报告车间；\n"
        "5. 组织本班组开展岗位应急处置演练。",
    ),
    (
        "操作工",
        "1. 严格遵守安全生产规章制度和操作规程，服从管理，正确佩戴和使用劳动防护用品；\n"
        "2. 接受安全生产教育和培训，掌握本岗位所需的安全知识和应急处置技能；\n"
        "3. 按时巡回检查，如实填写运行记录，不擅离岗位；\n"
        "4. 发现事故隐患或者其他不安全因素，立即向现场安全管理人员或者本单位负责人报告；\n"
        "5. 有权拒绝违章指挥和强令冒险作业，发现直接危及人身安全的紧急情况时有权停止作业撤离。",
    ),
    (
        "电工",
        "1. 持特种作业操作证上岗，严格执行电气安全工作规程和工作票制度；\n"
        "2. 定期检查电气设备、线路、接地和防雷防静电设施，做好记录；\n"
        "3. 停送电严格执行挂牌上锁，临时用电按规定办理作业票；\n"
        "4. 防爆区域电气设备保持防爆完好，不得擅自改装；\n"
        "5. 发现电气隐患及时处理并报告。",
    ),
    (
        "焊工",
        "1. 持特种作业操作证上岗；\n"
        "2. 动火作业必须办理动火作业票，作业前确认动火分析合格、监护人到位；\n"
        "3. 清除作业点周围可燃物，配备灭火器材，高处动火采取防止火花飞溅措施；\n"
        "4. 作业结束后清理现场、确认无遗留火种；\n"
        "5. 正确使用焊接防护用品，气瓶间距、存放符合规定。",
    ),
    (
        "仓库保管员",
        "1. 危险化学品按类别分区、分库储存，严禁混存禁忌物料；\n"
        "2. 执行出入库核查登记和双人双锁制度；\n"
        "3. 每日检查库房通风、温湿度、泄漏和消防器材情况；\n"
        "4. 库区内严禁烟火，无关人员不得进入。",
    ),
]

# The post revised once in ent1's enterprise (its first version shorter).
REVISED_POST = "班组长"
REVISED_V1 = (
    "1. 落实班组日查，开好班前会；\n"
    "2. 检查本班组人员劳动防护用品穿戴情况；\n"
    "3. 严格执行操作规程，及时制止“三违”行为。"
)

# Employees of ent1's enterprise without an account, by post.
ENT1_STAFF: dict[str, list[str]] = {
    "操作工": ["张国庆", "李红梅", "赵晓军", "王强"],
    "电工": ["韩志勇"],
    "焊工": ["冯建华", "高鹏"],
    "仓库保管员": ["宋丽娜"],
}
ACCOUNT_POSTS = {
    "ent1": "主要负责人",
    "ent1safety": "安全管理人员",
    "ent1workshop": "车间主任",
    "ent1team": REVISED_POST,
}
OTHER_NAMES = ["刘建军", "孙丽", "周海波", "吴桂兰", "郑伟", "钱志强", "陈立", "杨帆"]

USES: list[tuple[str, str, int, int]] = [
    # category, description, low, high (yuan)
    ("ppe", "采购防静电工作服、防护手套和护目镜", 3000, 9000),
    ("ppe", "更换正压式空气呼吸器气瓶", 4000, 8000),
    ("emergency", "购置应急救援器材（担架、堵漏工具）", 5000, 15000),
    ("emergency", "组织危化品泄漏应急演练", 2000, 6000),
    ("facilities", "储罐区可燃气体报警器维修更换", 8000, 26000),
    ("facilities", "防雷防静电接地设施整改", 6000, 18000),
    ("hazards", "重大危险源在线监测系统维护", 5000, 12000),
    ("hazards", "隐患整改：管廊腐蚀段更换", 10000, 30000),
    ("training", "全员安全生产责任制培训及考核", 1500, 5000),
    ("training", "特种作业人员取证复审培训", 2000, 6000),
    ("testing", "压力容器、安全阀年度检验", 6000, 15000),
    ("evaluation", "安全现状评价及标准化自评", 15000, 40000),
    ("insurance", "安全生产责任保险保费", 8000, 20000),
    ("information", "视频监控及人员定位系统运维", 3000, 9000),
]

VIOLATIONS: list[tuple[str, str, str]] = [
    # kind, post, what happened
    (ViolationKind.OPERATION, "操作工", "进入储罐区未穿防静电工作服"),
    (ViolationKind.OPERATION, "焊工", "未办理动火作业票在管廊附近动火"),
    (ViolationKind.OPERATION, "操作工", "高处作业未系安全带"),
    (ViolationKind.OPERATION, "电工", "检修时未挂牌上锁即进行接线"),
    (ViolationKind.OPERATION, "操作工", "装卸车时未连接静电接地夹"),
    (ViolationKind.DISCIPLINE, "操作工", "当班期间睡岗"),
    (ViolationKind.DISCIPLINE, "仓库保管员", "在库区内使用手机"),
    (ViolationKind.DISCIPLINE, "操作工", "擅自离岗，巡检记录代签"),
    (ViolationKind.DISCIPLINE, "焊工", "班前饮酒后上岗"),
    (ViolationKind.COMMAND, "班组长", "安排未取证人员从事电焊作业"),
    (ViolationKind.COMMAND, "车间主任", "气体检测未合格即要求人员进入受限空间"),
    (ViolationKind.COMMAND, "班组长", "为赶工期指挥跳过盲板抽堵确认步骤"),
]

ACTIONS: dict[str, list[str]] = {
    ViolationKind.OPERATION: [
        ViolationAction.EDUCATION,
        ViolationAction.FINE,
        ViolationAction.RETRAINING,
        ViolationAction.FINE,
    ],
    ViolationKind.DISCIPLINE: [
        ViolationAction.FINE,
        ViolationAction.WARNING,
        ViolationAction.EDUCATION,
    ],
    ViolationKind.COMMAND: [
        ViolationAction.FINE,
        ViolationAction.WARNING,
        ViolationAction.REMOVAL,
    ],
}


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _users() -> dict[str, User]:
    return {
        u.username: u
        for u in User.objects.filter(username__in=[*ACCOUNT_POSTS, "township", "ent2"])
    }


def _staff_of(unit: Organization) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organization=unit).select_related("user").order_by("id")
    ]


def _posts(unit: Organization, index: int, rnd: random.Random, today: date, by: User | None):
    """The unit's post duties: all eight for ent1's enterprise, fewer for the others."""
    chosen = POSTS if index == 0 else POSTS[: 4 + (index % 3)]
    published = _aware(today - timedelta(days=200 + index * 7))
    rows: list[PostDuty] = []
    for post, duties in chosen:
        if index == 0 and post == REVISED_POST:
            rows.append(
                PostDuty(
                    organization=unit,
                    post=post,
                    duties=REVISED_V1,
                    version=1,
                    is_current=False,
                    published_at=published,
                    published_by=by,
                    created_at=published,
                )
            )
            revised = _aware(today - timedelta(days=30))
            rows.append(
                PostDuty(
                    organization=unit,
                    post=post,
                    duties=duties,
                    version=2,
                    is_current=True,
                    published_at=revised,
                    published_by=by,
                    created_at=revised,
                )
            )
            continue
        rows.append(
            PostDuty(
                organization=unit,
                post=post,
                duties=duties,
                version=1,
                is_current=True,
                published_at=published,
                published_by=by,
                created_at=published,
            )
        )
    return rows


def _acknowledgements(
    duties: list[PostDuty], index: int, rnd: random.Random, users: dict[str, User], today: date
) -> list[Acknowledgement]:
    acks: list[Acknowledgement] = []
    recorder = users.get("ent1safety") if index == 0 else None
    for duty in duties:
        assert duty.published_at is not None  # the demo publishes every post's duties
        when = duty.published_at + timedelta(days=rnd.randint(1, 12))
        if when.date() > today:
            when = _aware(today)
        if index == 0:
            for username, post in ACCOUNT_POSTS.items():
                user = users.get(username)
                if user is None or post != duty.post:
                    continue
                # The team leader acknowledged the first version; the revision is his to read.
                if post == REVISED_POST and duty.is_current:
                    continue
                acks.append(
                    Acknowledgement(
                        post_duty=duty,
                        user=user,
                        person_name=user.get_full_name(),
                        acknowledged_at=when,
                        recorded_by=user,
                    )
                )
            names = ENT1_STAFF.get(duty.post, [])
            if duty.post in ("操作工",):
                names = names[:3]  # one operator has not acknowledged yet
            for name in names:
                acks.append(
                    Acknowledgement(
                        post_duty=duty,
                        person_name=name,
                        acknowledged_at=when + timedelta(hours=rnd.randint(1, 48)),
                        recorded_by=recorder,
                    )
                )
        elif rnd.random() < 0.7:
            for name in rnd.sample(OTHER_NAMES, rnd.randint(1, 3)):
                acks.append(Acknowledgement(post_duty=duty, person_name=name, acknowledged_at=when))
    return acks


def _expenses(
    unit: Organization, index: int, rnd: random.Random, today: date, by: User | None
) -> list[SafetyExpense]:
    """Set aside monthly over last year and this one; spent across the categories."""
    names = expense_categories()
    scale = Decimal(1) if index == 0 else Decimal("0.4") + Decimal(index % 3) / 10
    monthly = (Decimal(rnd.randrange(18000, 30000, 500)) * scale).quantize(Decimal("1"))
    rows: list[SafetyExpense] = []
    for year in (today.year - 1, today.year):
        for month in range(1, 13):
            day = date(year, month, 25)
            if day > today:
                break
            rows.append(
                SafetyExpense(
                    organization=unit,
                    date=day,
                    year=year,
                    direction=ExpenseDirection.PROVISION,
                    amount=monthly,
                    description=f"{year}年{month}月按营业收入计提安全生产费用",
                    voucher=f"记-{year % 100:02d}{month:02d}-{rnd.randint(1, 80):03d}",
                    recorded_by=by,
                    created_at=_aware(day, 17),
                )
            )
        uses = USES if index == 0 else rnd.sample(USES, 6)
        for category, description, low, high in uses:
            last = 12 if year < today.year else today.month
            month = rnd.randint(1, last)
            day = date(year, month, rnd.randint(1, 28))
            if day > today:
                day = today
            amount = (Decimal(rnd.randrange(low, high, 100)) * scale).quantize(Decimal("0.01"))
            assert category in names
            rows.append(
                SafetyExpense(
                    organization=unit,
                    date=day,
                    year=year,
                    direction=ExpenseDirection.USE,
                    category=category,
                    amount=amount,
                    description=description,
                    voucher=f"记-{year % 100:02d}{month:02d}-{rnd.randint(81, 200):03d}",
                    recorded_by=by,
                    created_at=_aware(day, 16),
                )
            )
    return rows


def _violations(
    unit: Organization,
    index: int,
    rnd: random.Random,
    today: date,
    by: User | None,
    township: User | None,
) -> list[Violation]:
    count = 20 if index == 0 else rnd.randint(2, 5)
    people = (
        [(name, post) for post, names in ENT1_STAFF.items() for name in names]
        + [("马俊杰", "班组长"), ("郭春生", "车间主任")]
        if index == 0
        else [(n, "") for n in OTHER_NAMES]
    )
    rows: list[Violation] = []
    for i in range(count):
        kind, post, what = VIOLATIONS[rnd.randrange(len(VIOLATIONS))]
        fits = [p for p in people if p[1] == post] or people
        # 王强 (an operator) is a repeat offender in ent1's enterprise: his history shows it.
        name, person_post = ("王强", "操作工") if index == 0 and i % 6 == 0 else rnd.choice(fits)
        if name == "王强":
            kind, post, what = VIOLATIONS[(i // 6) % 2 * 5]  # 未穿防静电服 / 睡岗
        action = rnd.choice(ACTIONS[kind])
        fine = None
        if action == ViolationAction.FINE:
            fine = Decimal(rnd.choice([100, 200, 200, 300, 500, 1000]))
        day = today - timedelta(days=rnd.randint(0, 180))
        recorder = township if index == 0 and i == 3 else by
        rows.append(
            Violation(
                organization=unit,
                date=day,
                kind=kind,
                person_name=name,
                post=person_post or post,
                description=what,
                action=action,
                fine=fine,
                recorded_by=recorder,
                created_at=_aware(day, 15),
            )
        )
    return rows


def build_ledgers(
    units: list[Organization],
    *,
    township_org: Organization,
    committees: list[Organization],
    seed: int,
) -> int:
    """Create the demo's rows; returns how many top-level rows were made."""
    rnd = random.Random(seed * 7919 + 17)
    today = timezone.localdate()
    users = _users()
    township = User.objects.filter(username="township").first()
    duties: list[PostDuty] = []
    expenses: list[SafetyExpense] = []
    violations: list[Violation] = []
    per_unit: list[tuple[int, list[PostDuty]]] = []
    for index, unit in enumerate(units[:UNITS_WITH_LEDGERS]):
        staff = _staff_of(unit) if index else []
        by = users.get("ent1safety") if index == 0 else (staff[0] if staff else None)
        unit_duties = _posts(unit, index, rnd, today, by)
        duties.extend(unit_duties)
        per_unit.append((index, unit_duties))
        expenses.extend(_expenses(unit, index, rnd, today, by))
        violations.extend(_violations(unit, index, rnd, today, by, township))
    PostDuty.objects.bulk_create(duties)
    acks: list[Acknowledgement] = []
    for index, unit_duties in per_unit:
        acks.extend(_acknowledgements(unit_duties, index, rnd, users, today))
    Acknowledgement.objects.bulk_create(acks)
    SafetyExpense.objects.bulk_create(expenses, batch_size=500)
    Violation.objects.bulk_create(violations, batch_size=500)
    return len(duties) + len(expenses) + len(violations)
