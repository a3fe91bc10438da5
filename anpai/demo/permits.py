"""Demo hazardous-work permits (特殊作业票) at ent1's and ent2's enterprises and three
other key units, in every state of their life and of all eight types.

Each permit is applied for, signed, prepared (measures, briefing, gas analyses),
started, paused, completed, cancelled or left to expire through
:mod:`anpai.permits.actions` by the units' own people, so numbers, approval
chains, verdicts and history are real. Past steps pass their time (``at=``); the
history rows, gas analyses' recording times and the permits' creation times are
then set to those times in one pass.

ent1's enterprise (文水县鑫源化工有限公司) has one permit in each state at least:
a draft, one sent back to a draft, level-1 hot work at the methanol tank farm
waiting for the safety manager's signature, special hot work waiting for the
principal, work at height and temporary power approved for today, a
confined-space entry at the sewage pit with hot work inside it (linked) both in
progress with a recent passing analysis, a blind-plate job paused, lifting and
hot work completed last week, a road closure cancelled and a job at height
expired. Work going on now is placed around the build time, so the board has
active permits whenever the demo is built; everything that is open ends at
least six hours after it. ent2's hot work in progress has gone without a new
gas analysis for over an hour, so the township's board shows its warning.
Names and texts come from a fixed seed; only the times follow the build.
"""

from __future__ import annotations

import random
import time as clock
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from anpai.notifications.service import silenced
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.permits import actions
from anpai.permits.choices import EventKind, PermitType
from anpai.permits.models import GasAnalysis, Permit, PermitEvent, PermitMeasure
from anpai.risks.models import RiskPoint

T = PermitType

# The other key units with permits, by name (the first copy of the demo's units).
HENGTONG = "文水县恒通液化气供应站"
HONGSHENG = "文水县宏盛铸造有限公司"
BINGCHUAN = "文水县冰川冷链食品有限公司"

CERTIFICATES: dict[str, str] = {
    T.HOT_WORK: "焊接与热切割作业",
    T.CONFINED_SPACE: "有限空间作业安全培训",
    T.BLIND_PLATE: "化工检修（盲板抽堵）安全培训",
    T.HEIGHT: "高处安装、维护、拆除作业",
    T.LIFTING: "起重机司机（Q2）",
    T.TEMP_POWER: "低压电工作业",
    T.EXCAVATION: "挖掘机操作及动土作业安全培训",
    T.ROAD_BREAK: "断路作业安全培训",
}


@dataclass
class PermitsResult:
    permits: int = 0
    people: int = 0  # workshop heads and team leaders added to apply and sign
    by_state: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Unit:
    org: Organization
    principal: User
    safety: User | None
    head: User | None
    team: User

    def signer(self, step: str) -> User:
        if step == "unit":
            return self.head or self.principal
        if step == "safety" and self.safety is not None:
            return self.safety
        return self.principal


@dataclass
class _Builder:
    """Runs each permit's story through the actions and remembers when each step was."""

    rng: random.Random
    base: datetime  # the build time, to ten minutes
    today: date
    times: dict[int, list[datetime]] = field(default_factory=dict)
    analyses: list[tuple[int, datetime]] = field(default_factory=list)
    permits: list[Permit] = field(default_factory=list)

    # ------------------------------------------------------------ time

    def ago(self, minutes: int) -> datetime:
        return self.base - timedelta(minutes=minutes)

    def day(self, offset: int, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.today + timedelta(days=offset), time(hour, minute))
        )

    def _note(self, permit: Permit, at: datetime) -> None:
        self.times.setdefault(permit.pk, []).append(at)

    # ------------------------------------------------------------ people

    def name(self) -> str:
        from anpai.demo import data

        return self.rng.choice(data.SURNAMES) + "".join(
            self.rng.sample(data.GIVEN, self.rng.choice((1, 2)))
        )

    def workers(self, type_code: str, count: int, guardian: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        names: set[str] = {guardian}
        while len(rows) < count:
            name = self.name()
            if name in names:
                continue
            names.add(name)
            years = self.rng.randint(1, 5)
            rows.append(
                {
                    "name": name,
                    "certificate_kind": CERTIFICATES[type_code],
                    "certificate_no": f"T141127{self.rng.randint(10**9, 10**10 - 1)}",
                    "certificate_expires": self.today.replace(day=1)
                    + timedelta(days=365 * years + self.rng.randint(30, 300)),
                }
            )
        return rows

    # ------------------------------------------------------------ steps

    def apply(
        self,
        unit: _Unit,
        type_code: str,
        answers: dict[str, Any],
        *,
        at: datetime,
        start: datetime,
        hours: float,
        content: str,
        location: str,
        hazards: str,
        team: str,
        workers: int = 2,
        medium: str = "",
        lel: str | None = None,
        risk_point: RiskPoint | None = None,
        linked: Sequence[Permit] = (),
    ) -> Permit:
        guardian = self.name()
        charge = (unit.head or unit.principal).full_name
        permit = actions.create(
            by=unit.team,
            organization=unit.org,
            type=type_code,
            answers=answers,
            workers=self.workers(type_code, workers, guardian),
            linked=[p.pk for p in linked],
            unit=team,
            content=content,
            location=location,
            risk_point=risk_point,
            medium=medium,
            medium_lel=lel,
            planned_start=start,
            planned_end=start + timedelta(hours=hours),
            person_in_charge=charge,
            guardian=guardian,
            guardian_certificate=f"JH-{self.today.year}-{self.rng.randint(100, 999)}",
            hazard_identification=hazards,
        )
        self._note(permit, at)
        self.permits.append(permit)
        return permit

    def submit(self, permit: Permit, at: datetime) -> Permit:
        permit = actions.submit(permit, by=permit.applicant, at=at)
        self._note(permit, at)
        return permit

    def sign(self, unit: _Unit, permit: Permit, at: datetime, steps: int | None = None) -> Permit:
        """Sign the next ``steps`` of the chain (all by default), ten minutes apart."""
        chain = permit.chain()
        done = permit.approvals.filter(is_current=True).count()
        todo = chain[done:] if steps is None else chain[done : done + steps]
        for i, step in enumerate(todo):
            when = at + timedelta(minutes=10 * i)
            opinion = {
                "unit": "措施落实，同意作业。",
                "safety": "已核查气体分析及安全措施，同意。",
                "principal": "同意，严格执行监护和应急措施。",
            }[step]
            permit = actions.approve(permit, by=unit.signer(step), opinion=opinion, at=when)
            self._note(permit, when)
        return permit

    def reject(self, unit: _Unit, permit: Permit, at: datetime, opinion: str) -> Permit:
        step = permit.chain()[permit.approvals.filter(is_current=True).count()]
        permit = actions.reject(permit, by=unit.signer(step), opinion=opinion, at=at)
        self._note(permit, at)
        return permit

    def prepare(self, permit: Permit, at: datetime, skip: Sequence[int] = ()) -> Permit:
        """Confirm the measures (those in ``skip`` do not apply) and give the briefing.

        The confirmations are written in one update rather than through
        ``actions.confirm_measures`` (one save and audit record per measure): they are
        not part of the permit's history, and this keeps the build fast."""
        measures = list(permit.measures.all())
        for m in measures:
            m.applicable = m.position not in skip
            m.confirmed_by, m.confirmed_at = permit.guardian, at
        PermitMeasure.objects.bulk_update(measures, ["applicable", "confirmed_by", "confirmed_at"])
        received = "、".join(w.name for w in permit.workers.all())
        return actions.record_briefing(
            permit,
            by=permit.applicant,
            given_by=permit.person_in_charge,
            received_by=received,
            at=at + timedelta(minutes=5),
        )

    def gas(
        self,
        permit: Permit,
        taken: datetime,
        point: str,
        *,
        lel: str = "0.05",
        o2: str | None = "20.9",
        toxic: dict[str, str] | None = None,
        analyst: str = "",
    ) -> None:
        analysis = actions.gas_analysis(
            permit,
            by=permit.applicant,
            taken_at=taken,
            point=point,
            lel_percent=lel,
            o2_percent=o2,
            toxic=toxic or {},
            analyst=analyst or self.name(),
            at=taken + timedelta(minutes=3),
        )
        self._note(permit, taken + timedelta(minutes=3))
        self.analyses.append((analysis.pk, taken + timedelta(minutes=3)))

    def start(self, permit: Permit, at: datetime) -> Permit:
        permit = actions.start(permit, by=permit.applicant, at=at)
        self._note(permit, at)
        return permit

    def pause(self, permit: Permit, at: datetime, reason: str) -> Permit:
        permit = actions.pause(permit, by=permit.applicant, reason=reason, at=at)
        self._note(permit, at)
        return permit

    def complete(self, unit: _Unit, permit: Permit, at: datetime, note: str) -> Permit:
        by = unit.head or unit.principal
        permit = actions.complete(permit, by=by, accepted_by=by.full_name, note=note, at=at)
        self._note(permit, at)
        return permit

    def cancel(self, unit: _Unit, permit: Permit, at: datetime, reason: str) -> Permit:
        permit = actions.cancel(permit, by=unit.head or unit.principal, reason=reason, at=at)
        self._note(permit, at)
        return permit


# ---------------------------------------------------------------- people


def _units(units: list[Organization], rng: random.Random) -> tuple[dict[str, _Unit], int]:
    """ent1's, ent2's and the other units' people who apply for and sign permits; ent2's
    workshop head and team leader, and the others' team leaders, are added here
    (without a usable password, like the other generated people)."""
    by_name = {u.name: u for u in units}
    wanted = {"ent1": units[0], "ent2": units[1] if len(units) > 1 else None}
    for key, name in (("hengtong", HENGTONG), ("hongsheng", HONGSHENG), ("bingchuan", BINGCHUAN)):
        wanted[key] = by_name.get(name)
    orgs = {key: org for key, org in wanted.items() if org is not None}
    members: dict[tuple[int, str], User] = {}
    for m in (
        Membership.objects.filter(organization__in=orgs.values())
        .select_related("user")
        .order_by("pk")
    ):
        members.setdefault((m.organization_id, m.role), m.user)

    from anpai.demo import data

    def person() -> str:
        return rng.choice(data.SURNAMES) + "".join(rng.sample(data.GIVEN, 2))

    new: list[tuple[User, Organization, str]] = []
    for key, org in orgs.items():
        roles = [Role.ENT_TEAM_LEADER] + ([Role.ENT_DEPT_HEAD] if key == "ent2" else [])
        for role in roles:
            full_name = person()  # drawn either way, so the names that follow do not shift
            if (org.pk, role) in members:
                continue
            short = "team" if role == Role.ENT_TEAM_LEADER else "workshop"
            username = f"ent2{short}" if key == "ent2" else f"u{org.pk}{short[0]}"
            user = User(username=username, full_name=full_name, password=make_password(None))
            new.append((user, org, role))
            members[(org.pk, role)] = user
    if new:
        User.objects.bulk_create([u for u, _, _ in new])
        Membership.objects.bulk_create(
            Membership(user=u, organization=org, role=role) for u, org, role in new
        )
    result: dict[str, _Unit] = {}
    for key, org in orgs.items():
        principal = members.get((org.pk, Role.ENT_PRINCIPAL))
        if principal is None:
            continue
        result[key] = _Unit(
            org=org,
            principal=User.objects.get(pk=principal.pk),
            safety=_fresh(members.get((org.pk, Role.ENT_SAFETY))),
            head=_fresh(members.get((org.pk, Role.ENT_DEPT_HEAD))),
            team=User.objects.get(pk=members[(org.pk, Role.ENT_TEAM_LEADER)].pk),
        )
    return result, len(new)


def _fresh(user: User | None) -> User | None:
    # A fresh object: access caches a user's grants, which the new memberships changed.
    return User.objects.get(pk=user.pk) if user is not None else None


def _point(org: Organization, name: str) -> RiskPoint | None:
    return (
        RiskPoint.objects.filter(organization=org, name=name, is_active=True).order_by("pk").first()
    )


# ---------------------------------------------------------------- the build


def build_permits(
    units: list[Organization],
    *,
    seed: int = 20231117,
    now: datetime | None = None,
) -> PermitsResult:
    """About two dozen permits for the first copy of the demo's units (``units[0]`` is
    ent1's enterprise, ``units[1]`` ent2's)."""
    started = clock.perf_counter()
    result = PermitsResult()
    if not units:
        return result
    rng = random.Random(seed + 6)
    now = now or timezone.now()
    local = timezone.localtime(now)
    base = local.replace(minute=local.minute - local.minute % 10, second=0, microsecond=0)
    b = _Builder(rng=rng, base=base, today=local.date())
    with silenced():  # demo data: nobody is messaged about it
        people, result.people = _units(units, rng)
        if "ent1" in people:
            _ent1(b, people["ent1"])
        if "ent2" in people:
            _ent2(b, people["ent2"])
        if "hengtong" in people:
            _hengtong(b, people["hengtong"])
        if "hongsheng" in people:
            _hongsheng(b, people["hongsheng"])
        if "bingchuan" in people:
            _bingchuan(b, people["bingchuan"])
        actions.expire_overdue(now)
        _backdate(b)
    states = Permit.objects.filter(pk__in=[p.pk for p in b.permits])
    result.permits = len(b.permits)
    result.by_state = dict(Counter(states.values_list("state", flat=True)))
    result.by_type = dict(Counter(states.values_list("type", flat=True)))
    result.seconds = clock.perf_counter() - started
    return result


HOT_HAZARDS = "甲醇蒸气泄漏引发火灾爆炸；焊渣飞溅引燃周边可燃物；灼烫；触电；高处坠物"
CONFINED_HAZARDS = "硫化氢、甲烷等有毒可燃气体积聚导致中毒窒息；缺氧；淹溺；坠落；照明触电"


def _ent1(b: _Builder, u: _Unit) -> None:
    """ent1's enterprise, 文水县鑫源化工有限公司: every state and all eight types."""
    tank = _point(u.org, "甲醇储罐区")
    pit = _point(u.org, "有限空间（污水池）")
    team = "合成车间检修班"

    # A draft for the day after tomorrow: trenching for the fire main.
    b.apply(
        u, T.EXCAVATION, {}, at=b.ago(90), start=b.day(2, 8), hours=9,
        content="厂区南侧消防管网改造，开挖管沟长约 30 m、宽 1.2 m、深 1.6 m",
        location="厂区南侧装卸站台东侧道路", team="设备科 / 文水县宏达建筑工程有限公司",
        hazards="挖断地下电缆及工艺管线；沟槽坍塌；机械伤害；车辆伤害", workers=3,
    )  # fmt: skip

    # Sent back by the workshop head yesterday: a draft with history.
    sent_back = b.apply(
        u, T.HOT_WORK, {"area": "other"}, at=b.day(-1, 9, 20), start=b.day(1, 9), hours=8,
        content="机修车间焊接操作台及工具架焊接加固", location="机修车间西侧作业区",
        team="机修班", hazards="焊渣飞溅引燃油污棉纱；灼烫；触电；弧光伤眼", workers=1,
    )  # fmt: skip
    sent_back = b.submit(sent_back, b.day(-1, 9, 30))
    b.reject(
        u, sent_back, b.day(-1, 10, 15),
        "动火点 5 m 内有油污棉纱和废机油桶，清理并补充灭火器后重新提交。",
    )  # fmt: skip

    # Level-1 hot work at the methanol tanks: the workshop head signed, safety signs next.
    waiting = b.apply(
        u, T.HOT_WORK, {"area": "hazardous_area"}, at=b.ago(150), start=b.day(1, 8, 30),
        hours=8, content="2# 甲醇储罐进料管线 DN80 法兰更换及管托焊接",
        location="厂区东北角甲醇储罐区 2# 罐进料管线", team=team, medium="甲醇", lel="6.0",
        hazards=HOT_HAZARDS, risk_point=tank,
    )  # fmt: skip
    waiting = b.submit(waiting, b.ago(140))
    b.sign(u, waiting, b.ago(100), steps=1)

    # Special hot work on a live line (带压不置换): unit and safety signed, the principal next.
    special = b.apply(
        u, T.HOT_WORK, {"area": "live_equipment"}, at=b.ago(240), start=b.day(1, 9), hours=6,
        content="蒸汽总管 DN150 带压堵漏（焊接夹具）", location="合成车间东侧管廊 3 号管架",
        team=team, medium="饱和蒸汽（0.6 MPa）",
        hazards="高温蒸汽喷出烫伤；焊接灼烫；高处坠落；触电",
    )  # fmt: skip
    special = b.submit(special, b.ago(230))
    b.sign(u, special, b.ago(200), steps=2)

    # Approved for today, ready to start: height and temporary power.
    height = b.apply(
        u, T.HEIGHT, {"height_m": "8.5"}, at=b.day(-1, 15), start=b.ago(30), hours=8,
        content="合成车间二层 1# 反应釜顶部保温层拆除及更换",
        location="一号生产车间二层反应釜操作平台上方", team=team,
        hazards="高处坠落；物体打击；保温材料粉尘；脚手架坍塌", workers=3,
    )  # fmt: skip
    b.submit(height, b.day(-1, 15, 20))
    b.sign(u, height, b.day(-1, 16))
    b.prepare(height, b.ago(60))
    power = b.apply(
        u, T.TEMP_POWER, {}, at=b.day(-1, 14), start=b.ago(40), hours=24 * 5,
        content="合成车间检修临时用电：从 2# 配电柜引出 380 V 检修电源箱 2 台",
        location="一号生产车间一层检修区", team="电工班", workers=1,
        hazards="触电；电气火灾；线缆破损漏电；防爆区域使用非防爆电器",
    )  # fmt: skip
    b.submit(power, b.day(-1, 14, 10))
    b.sign(u, power, b.day(-1, 15, 40))
    b.prepare(power, b.ago(70))

    # In progress now: confined-space entry at the sewage pit, hot work inside it (linked).
    confined = b.apply(
        u, T.CONFINED_SPACE, {}, at=b.day(-1, 10), start=b.ago(130), hours=20,
        content="污水处理站 1# 集水井清淤及潜污泵支架更换",
        location="厂区东南角污水处理站 1# 集水井",
        team="环保班", medium="沼气（甲烷）、硫化氢", lel="5.0", hazards=CONFINED_HAZARDS,
        risk_point=pit, workers=3,
    )  # fmt: skip
    b.submit(confined, b.day(-1, 10, 30))
    confined = b.sign(u, confined, b.day(-1, 14))
    hot = b.apply(
        u, T.HOT_WORK, {"area": "hazardous_area"}, at=b.day(-1, 10, 20), start=b.ago(60),
        hours=8, content="1# 集水井内潜污泵旧支架气割拆除及新支架焊接",
        location="厂区东南角污水处理站 1# 集水井井下", team="环保班", medium="沼气（甲烷）",
        lel="5.0", hazards="井下可燃气体积聚遇明火爆炸；中毒窒息；焊接灼烫；触电",
        risk_point=pit, linked=[confined], workers=1,
    )  # fmt: skip
    b.submit(hot, b.day(-1, 10, 40))
    hot = b.sign(u, hot, b.day(-1, 14, 30))
    b.prepare(confined, b.ago(170))
    b.prepare(hot, b.ago(80), skip=(3, 4))
    toxic = {"H2S": "1.2", "CO": "3"}
    point = "1# 集水井井下 1.5 m 处"
    b.gas(confined, b.ago(160), point, lel="0.12", o2="19.2", toxic={"H2S": "8.5", "CO": "6"})
    b.gas(confined, b.ago(140), point, lel="0.04", o2="20.6", toxic=toxic)
    b.start(confined, b.ago(130))
    b.gas(hot, b.ago(70), "1# 集水井井下泵座处", lel="0.03", o2="20.7", toxic=toxic)
    b.start(hot, b.ago(60))
    b.gas(confined, b.ago(20), point, lel="0.02", o2="20.8", toxic={"H2S": "0.8", "CO": "2"})
    b.gas(hot, b.ago(15), "1# 集水井井下泵座处", lel="0.02", o2="20.8")

    # Paused: a blind plate on the methanol feed line, waiting for a gasket.
    plate = b.apply(
        u, T.BLIND_PLATE, {}, at=b.day(-1, 16), start=b.ago(180), hours=20,
        content="甲醇进料总管 DN100 法兰处加装盲板（配合 2# 罐检修）",
        location="甲醇储罐区至合成车间管廊 2 号管架", team=team, medium="甲醇", lel="6.0",
        hazards="管内残液喷出中毒灼伤；甲醇蒸气遇火源燃爆；高处坠落", workers=2,
    )  # fmt: skip
    b.submit(plate, b.day(-1, 16, 10))
    plate = b.sign(u, plate, b.day(-1, 17))
    b.prepare(plate, b.ago(200))
    b.start(plate, b.ago(180))
    b.pause(plate, b.ago(50), "缠绕垫片规格不符，等待库房调拨，暂停作业，现场已设警戒。")

    # Completed last week: lifting a cooling-tower motor, and hot work in the boiler house.
    lift = b.apply(
        u, T.LIFTING, {"mass_t": "12"}, at=b.day(-8, 15), start=b.day(-6, 8), hours=9,
        content="合成车间屋顶冷却塔风机电机更换吊装（约 12 t，25 t 汽车吊）",
        location="一号生产车间北侧冷却塔", team="设备科 / 吕梁市起重吊装服务部",
        hazards="吊物坠落；起重机倾覆；碰撞架空管线；高处坠落", workers=2,
    )  # fmt: skip
    b.submit(lift, b.day(-8, 15, 30))
    b.sign(u, lift, b.day(-7, 9))
    b.prepare(lift, b.day(-6, 7, 30))
    b.start(lift, b.day(-6, 8, 10))
    b.complete(u, lift, b.day(-6, 14, 40), "电机就位，吊具撤离，现场清理完毕。")
    boiler = b.apply(
        u, T.HOT_WORK, {"area": "hazardous_area"}, at=b.day(-6, 16), start=b.day(-5, 8),
        hours=8, content="锅炉房蒸汽管线支架焊接修补", location="锅炉房二层蒸汽分汽缸西侧",
        team="机修班", medium="天然气", lel="5.0",
        hazards="天然气泄漏遇明火燃爆；焊接灼烫；触电；高处坠落", workers=2,
    )  # fmt: skip
    b.submit(boiler, b.day(-6, 16, 20))
    b.sign(u, boiler, b.day(-6, 17))
    b.prepare(boiler, b.day(-5, 7, 20), skip=(3,))
    b.gas(boiler, b.day(-5, 7, 45), "分汽缸西侧支架处", lel="0.04", o2="20.9")
    b.start(boiler, b.day(-5, 8, 5))
    b.complete(u, boiler, b.day(-5, 11, 30), "焊口检查合格，无遗留火种，监护 30 分钟后撤离。")

    # Cancelled: a road closure, re-planned for nights.
    road = b.apply(
        u, T.ROAD_BREAK, {}, at=b.day(-3, 9), start=b.day(-1, 8), hours=48,
        content="厂区南门至装卸站台道路断路（槽车通道下穿管沟施工）",
        location="厂区南门至装卸站台主干道", team="设备科", workers=2,
        hazards="车辆误入施工区；消防通道受阻；夜间照明不足碰撞",
    )  # fmt: skip
    b.submit(road, b.day(-3, 9, 20))
    road = b.sign(u, road, b.day(-3, 11))
    b.cancel(u, road, b.day(-2, 16), "施工方案调整为夜间分段施工，保留消防通道，重新申请。")

    # Expired: approved for three days ago, never started.
    eaves = b.apply(
        u, T.HEIGHT, {"height_m": "3.5"}, at=b.day(-4, 10), start=b.day(-3, 9), hours=8,
        content="甲类仓库门口雨棚彩钢板更换", location="厂区西北角甲类仓库南门",
        team="维修班", hazards="高处坠落；物体打击；彩钢板划伤", workers=2,
    )  # fmt: skip
    b.submit(eaves, b.day(-4, 10, 20))
    b.sign(u, eaves, b.day(-4, 14))


def _ent2(b: _Builder, u: _Unit) -> None:
    """ent2's enterprise, 文水县晋丰化工有限公司 (only chains its workshop head signs)."""
    team = "机修车间"
    hot = b.apply(
        u, T.HOT_WORK, {"area": "other"}, at=b.day(-1, 16), start=b.ago(90), hours=10,
        content="机修车间外检修平台护栏焊接", location="机修车间北侧室外检修平台",
        team=team, hazards="焊渣飞溅引燃周边杂物；灼烫；触电；高处坠物", workers=2,
    )  # fmt: skip
    b.submit(hot, b.day(-1, 16, 20))
    hot = b.sign(u, hot, b.day(-1, 17))
    b.prepare(hot, b.ago(120), skip=(0, 1, 3))
    b.gas(hot, b.ago(100), "护栏焊接点周边 1 m", lel="0.00", o2="20.9")
    b.start(hot, b.ago(90))

    vessel = b.apply(
        u, T.CONFINED_SPACE, {}, at=b.ago(200), start=b.day(1, 8), hours=10,
        content="1# 反应釜内部检查及釜壁结垢清理", location="一号车间二层 1# 反应釜",
        team="一号车间检修班", medium="甲苯", lel="1.2", hazards=CONFINED_HAZARDS, workers=2,
    )  # fmt: skip
    b.submit(vessel, b.ago(190))

    frame = b.apply(
        u, T.HEIGHT, {"height_m": "12"}, at=b.day(-9, 10), start=b.day(-7, 8), hours=9,
        content="成品库房顶排风机检修", location="成品库房屋面",
        team=team, hazards="高处坠落；物体打击；触电", workers=2,
    )  # fmt: skip
    b.submit(frame, b.day(-9, 10, 20))
    b.sign(u, frame, b.day(-8, 9))
    b.prepare(frame, b.day(-7, 7, 30))
    b.start(frame, b.day(-7, 8, 10))
    b.complete(u, frame, b.day(-7, 15), "风机试运行正常，屋面工具材料已清理。")

    power = b.apply(
        u, T.TEMP_POWER, {}, at=b.day(-4, 9), start=b.day(-2, 8), hours=72,
        content="仓库照明改造临时用电", location="原料仓库", team="电工班", workers=1,
        hazards="触电；电气火灾",
    )  # fmt: skip
    b.submit(power, b.day(-4, 9, 10))
    b.cancel(u, power, b.day(-3, 10), "改造工程延期至下月，取消本次申请。")


def _hengtong(b: _Builder, u: _Unit) -> None:
    """文水县恒通液化气供应站: level-1 hot work approved for today, a blind plate done."""
    lpg, lel = "液化石油气", "1.5"
    hot = b.apply(
        u, T.HOT_WORK, {"area": "hazardous_area"}, at=b.day(-1, 9), start=b.ago(20), hours=8,
        content="储罐区喷淋管道锈蚀段切割更换并焊接", location="储罐区 2# 卧罐东侧喷淋管道",
        team="站内维修组", medium=lpg, lel=lel,
        hazards="液化石油气泄漏遇明火燃爆；焊接灼烫；触电", workers=2,
    )  # fmt: skip
    b.submit(hot, b.day(-1, 9, 20))
    hot = b.sign(u, hot, b.day(-1, 14))
    b.prepare(hot, b.ago(40), skip=(3,))

    plate = b.apply(
        u, T.BLIND_PLATE, {}, at=b.day(-6, 9), start=b.day(-5, 8), hours=8,
        content="装卸台气相管线加盲板隔离（配合安全阀校验）", location="装卸台气相返回管线",
        team="站内维修组", medium=lpg, lel=lel, workers=2,
        hazards="残余液化气泄漏燃爆；冻伤；中毒窒息",
    )  # fmt: skip
    b.submit(plate, b.day(-6, 9, 20))
    b.sign(u, plate, b.day(-6, 11))
    b.prepare(plate, b.day(-5, 7, 40))
    b.start(plate, b.day(-5, 8))
    b.complete(u, plate, b.day(-5, 10, 20), "盲板已按图加装挂牌，专人确认。")


def _hongsheng(b: _Builder, u: _Unit) -> None:
    """文水县宏盛铸造有限公司: level-2 lifting in progress, work at height in a draft."""
    lift = b.apply(
        u, T.LIFTING, {"mass_t": "45"}, at=b.day(-1, 10), start=b.ago(60), hours=9,
        content="熔炼车间 3# 中频炉炉体吊装更换（约 45 t）", location="熔炼车间 3# 中频炉",
        team="设备部 / 吕梁市起重吊装服务部", workers=3,
        hazards="吊物坠落；起重机倾覆；高温炉体烫伤；挤压",
    )  # fmt: skip
    b.submit(lift, b.day(-1, 10, 30))
    lift = b.sign(u, lift, b.day(-1, 15))
    b.prepare(lift, b.ago(80))
    b.start(lift, b.ago(60))

    b.apply(
        u, T.HEIGHT, {"height_m": "18"}, at=b.ago(30), start=b.day(3, 8), hours=10,
        content="熔炼车间屋面除尘管道检修", location="熔炼车间屋面",
        team="设备部", hazards="高处坠落；物体打击；粉尘", workers=2,
    )  # fmt: skip


def _bingchuan(b: _Builder, u: _Unit) -> None:
    """文水县冰川冷链食品有限公司: a confined space waiting for approval, hot work done."""
    pit = b.apply(
        u, T.CONFINED_SPACE, {}, at=b.ago(120), start=b.day(1, 9), hours=8,
        content="液氨储罐区事故集液池清理", location="制冷机房北侧事故集液池",
        team="制冷班", medium="氨", lel="15.0", hazards="氨气中毒窒息；缺氧；滑跌", workers=2,
    )  # fmt: skip
    b.submit(pit, b.ago(110))

    weld = b.apply(
        u, T.HOT_WORK, {"area": "other"}, at=b.day(-10, 15), start=b.day(-9, 8), hours=9,
        content="冷库月台钢结构雨棚焊接加固", location="冷库南侧装卸月台",
        team="维修班", hazards="焊渣飞溅引燃保温材料；灼烫；触电", workers=1,
    )  # fmt: skip
    b.submit(weld, b.day(-10, 15, 20))
    b.sign(u, weld, b.day(-10, 16))
    b.prepare(weld, b.day(-9, 7, 30), skip=(0, 1, 3))
    b.gas(weld, b.day(-9, 7, 50), "月台焊接点", lel="0.00", o2=None)
    b.start(weld, b.day(-9, 8, 5))
    b.complete(u, weld, b.day(-9, 16, 10), "焊口合格，现场无火种，保温层未受损。")


def _backdate(b: _Builder) -> None:
    """The history, analyses and creation times as the steps happened, not as built."""
    ids = [p.pk for p in b.permits]
    events = list(PermitEvent.objects.filter(permit_id__in=ids).order_by("permit_id", "id"))
    by_permit: dict[int, list[PermitEvent]] = {}
    for event in events:
        by_permit.setdefault(event.permit_id, []).append(event)
    ends = dict(Permit.objects.filter(pk__in=ids).values_list("pk", "planned_end"))
    changed: list[PermitEvent] = []
    for pk, rows in by_permit.items():
        times = b.times.get(pk, [])
        for i, event in enumerate(rows):
            if i < len(times):
                event.at = times[i]
            elif event.kind == EventKind.EXPIRE:
                event.at = ends[pk] + timedelta(minutes=3)  # the next run of the expiry job
            else:
                continue
            changed.append(event)
    PermitEvent.objects.bulk_update(changed, ["at"], batch_size=500)
    analyses = [GasAnalysis(pk=pk, recorded_at=when) for pk, when in b.analyses]
    GasAnalysis.objects.bulk_update(analyses, ["recorded_at"], batch_size=500)
    permits = []
    for permit in b.permits:
        rows = by_permit.get(permit.pk, [])
        if rows:
            permits.append(Permit(pk=permit.pk, created_at=rows[0].at, updated_at=rows[-1].at))
    Permit.objects.bulk_update(permits, ["created_at", "updated_at"], batch_size=500)
