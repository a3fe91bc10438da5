"""Demo enforcement (执法) for the demo township: document settings, eight cases over
the first copy's units in every state, and four accountability records.

Every step goes through :mod:`anpai.enforcement.actions` as the township's safety
officer (赵安平, ``township``), so case and document numbers come from the real
counters — consecutive per kind and year, none skipped — and the organisations'
status follows the suspension and the closure. Steps in the past pass their date
(documents may be dated back, never ahead); the history rows, document times and
the cases' escalation and closing times are then set to those days.

- 金鼎大酒店: an order, a passed review (整改复查意见书), closed;
- 文水县鑫旺建材有限公司: an order whose review falls due in three days;
- 西槽头加油站: an order whose review is fifteen days overdue;
- 文水县天宇木业有限公司: an order found not carried out on review, escalated, and
  suspended (停产整顿) — the unit the demo shows as suspended;
- 南武涝村前店后厂加工点: an on-site record and a closure decision (关闭取缔), closed;
- 西槽头液化石油气瓶储存点: a fine and a referral to the police, closed by hand;
- 欢乐时光KTV: an order cancelled (it keeps its number) and issued again;
- ent1's enterprise: from the township's inspection of it when the season has one
  with failed items (otherwise opened directly), with a 现场检查记录 and an order.

Accountability: the suspended unit exposed (曝光), the filling station's slow
rectification circulated (通报), the hotel's principal interviewed (约谈), and the
南武涝村 committee's head referred to the discipline commission (移送纪委监委).
No record names an overdue major hazard: those stay on the suggestions list.
Notifications are silenced. Dates follow today; everything else is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from anpai.enforcement import actions
from anpai.enforcement.models import Case, CaseEvent, Document, Measure, Review
from anpai.notifications.service import silenced
from anpai.orgs.models import Organization
from anpai.people.models import User

PREFIX = "西安监"
AUTHORITY = "西槽头乡人民政府"
CONTACT = "0358-3052110"
ADDRESS = "文水县西槽头乡人民政府院内"
INSPECTORS = "赵安平、孙海军"

HOTEL = "金鼎大酒店"
BUILDING = "文水县鑫旺建材有限公司"
STATION = "西槽头加油站"
TIMBER = "文水县天宇木业有限公司"
WORKSHOP = "南武涝村前店后厂加工点"
LPG = "西槽头液化石油气瓶储存点"
KTV = "欢乐时光KTV"
COMMITTEE = "南武涝村村民委员会"


def _moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Clerk:
    """Takes each step as the township officer and dates its history on the step's day."""

    def __init__(self, officer: User, today: date):
        self.officer = officer
        self.today = today
        self.hour = 9

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def step(self, case: Case, offset: int, call: Callable[..., Any], **values: Any) -> Any:
        day = self.day(offset)
        started = timezone.now()
        made = call(case, by=self.officer, **values)
        self.hour = 9 if self.hour >= 16 else self.hour + 1
        CaseEvent.objects.filter(case=case, at__gte=started).update(at=_moment(day, self.hour))
        return made

    def open(self, org: Organization, offset: int, **values: Any) -> Case:
        case = actions.open_case(
            by=self.officer, organization=org, opened_on=self.day(offset), **values
        )
        CaseEvent.objects.filter(case=case).update(at=_moment(self.day(offset), 9))
        return case


def build_enforcement(
    units: list[Organization],
    *,
    township_org: Organization,
    committees: list[Organization],
    seed: int,
) -> int:
    """Create the demo's cases and records; returns how many cases were opened."""
    officer = User.objects.filter(username="township").first()
    named = {unit.name: unit for unit in units}
    if officer is None or not units or township_org.region is None:
        return 0
    with silenced():  # demo data: nobody is messaged about it
        actions.save_settings(
            by=officer,
            region=township_org.region,
            prefix=PREFIX,
            authority=AUTHORITY,
            contact=CONTACT,
            address=ADDRESS,
            review_days=10,
        )
        clerk = _Clerk(officer, timezone.localdate())
        cases: dict[str, Case] = {}
        for name, build in (
            (HOTEL, _passed),
            (BUILDING, _due_soon),
            (STATION, _overdue),
            (TIMBER, _suspended),
            (WORKSHOP, _closed_down),
            (LPG, _fined_and_referred),
            (KTV, _cancelled),
        ):
            if name in named:
                cases[name] = build(clerk, named[name])
        cases[units[0].name] = _from_inspection(clerk, units[0])
        _accountability(clerk, named, cases, committees)
        _date_times(cases.values())
    return len(cases)


def _hazard_of(org: Organization, today: date) -> list[Any]:
    """A hazard of ``org`` to link, never an overdue major one (that stays suggested)."""
    from anpai.hazards.models import Hazard

    overdue = Hazard.objects.overdue(today).filter(level="major").values("pk")
    found = Hazard.objects.filter(organization=org).exclude(pk__in=overdue).order_by("pk").first()
    return [found] if found is not None else []


def _review_of(document: Document) -> Review:
    return Review.objects.get(measure__document=document)


def _review(clerk: _Clerk, order: Document, offset: int, *, passed: bool, findings: str) -> Any:
    """Record the review of ``order`` on its day; a lifted measure is lifted that day."""
    review = _review_of(order)
    day = clerk.day(offset)
    opinion = clerk.step(
        order.case,
        offset,
        lambda _case, **kw: actions.record_review(review, **kw),
        passed=passed,
        findings=findings,
        reviewed_on=day,
    )
    Measure.objects.filter(pk=review.measure_id, lifted_at__isnull=False).update(
        lifted_at=_moment(day, 15)
    )
    return opinion


def _passed(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -30,
        title="后厨可燃气体报警装置被人为关闭",
        facts="检查发现后厨燃气灶具区域可燃气体报警装置电源被拔除，报警功能失效；"
        "燃气管道紧急切断阀未与报警装置联锁。",
        grounds=["equipment"],
        hazards=_hazard_of(org, clerk.today),
    )
    order = clerk.step(
        case,
        -30,
        actions.issue_order,
        issued_on=clerk.day(-30),
        deadline=clerk.day(-20),
        items=[
            "后厨可燃气体报警装置电源被拔除，报警功能失效",
            "燃气管道紧急切断阀未与可燃气体报警装置联锁",
        ],
    )
    _review(
        clerk,
        order,
        -12,
        passed=True,
        findings="报警装置已恢复供电并投入使用，紧急切断阀联锁测试正常。",
    )
    return case


def _due_soon(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -12,
        title="特种作业人员无证上岗",
        facts="检查发现生产车间两名电焊作业人员未取得特种作业操作证，正在从事焊接作业。",
        grounds=["qualification"],
    )
    clerk.step(
        case,
        -12,
        actions.issue_order,
        issued_on=clerk.day(-12),
        deadline=clerk.day(-7),
        items=[
            "两名电焊作业人员未取得特种作业操作证从事焊接作业",
            "未建立特种作业人员持证上岗管理台账",
        ],
    )
    return case


def _overdue(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -40,
        title="油罐区静电接地失效仍组织卸油作业",
        facts="检查发现地下油罐区卸油口静电接地报警仪损坏，静电接地失效，"
        "现场仍在组织油罐车卸油作业。",
        grounds=["major_not_acted"],
        hazards=_hazard_of(org, clerk.today),
    )
    clerk.step(
        case,
        -40,
        actions.issue_order,
        issued_on=clerk.day(-40),
        deadline=clerk.day(-25),
        items=[
            "卸油口静电接地报警仪损坏，静电接地失效",
            "静电接地失效期间仍组织卸油作业",
        ],
    )
    return case


def _suspended(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -50,
        title="粉尘涉爆车间除尘系统停用仍组织生产",
        facts="检查发现砂光车间除尘系统停用，车间内木粉尘大量积聚，未按规定清扫，仍在组织生产。",
        grounds=["major_not_acted"],
        hazards=_hazard_of(org, clerk.today),
    )
    order = clerk.step(
        case,
        -50,
        actions.issue_order,
        issued_on=clerk.day(-50),
        deadline=clerk.day(-35),
        items=[
            "砂光车间除尘系统停用，木粉尘大量积聚",
            "未建立粉尘清扫制度，清扫记录缺失",
        ],
    )
    _review(
        clerk,
        order,
        -22,
        passed=False,
        findings="复查发现除尘系统仍未修复，车间粉尘积聚未清理，企业仍在组织生产。",
    )
    clerk.step(
        case,
        -20,
        actions.issue_suspension,
        issued_on=clerk.day(-20),
        deadline=clerk.day(10),
        items=[
            "拒不执行责令限期整改指令，除尘系统仍未修复",
            "粉尘涉爆车间存在重大事故隐患仍组织生产",
        ],
    )
    return case


def _closed_down(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -18,
        title="无证照“三合一”场所非法加工生产",
        facts="检查发现该加工点未取得营业执照，生产、储存、住宿场所设在同一建筑内，"
        "使用明火加工，不具备安全生产条件。",
        grounds=["licence", "illegal_operation"],
        is_joint=True,
    )
    clerk.step(
        case,
        -18,
        actions.issue_record,
        issued_on=clerk.day(-18),
        inspected_on=clerk.day(-18),
        inspectors=INSPECTORS,
        present=org.principal_name,
        items=[
            "未取得营业执照从事加工生产",
            "生产、储存、住宿场所设在同一建筑内",
            "加工区使用明火，未配置灭火器材",
        ],
    )
    clerk.step(
        case,
        -15,
        actions.issue_closure,
        issued_on=clerk.day(-15),
        items=[
            "未取得营业执照从事加工生产，不具备安全生产条件",
            "生产、储存、住宿“三合一”，存在重大火灾隐患",
        ],
    )
    return case


def _fined_and_referred(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -25,
        title="无经营许可储存销售液化石油气",
        facts="检查发现该储存点未取得燃气经营许可证，存放液化石油气钢瓶42只，其中超期未检钢瓶9只。",
        grounds=["licence"],
        is_unannounced=True,
    )
    year = clerk.day(-20).year
    clerk.step(
        case,
        -20,
        actions.record_fine,
        amount="50000",
        decision_number=f"{PREFIX}罚〔{year}〕1号",
        taken_on=clerk.day(-20),
        note="罚款已于当日缴纳。",
    )
    clerk.step(
        case,
        -19,
        actions.refer,
        referral_to="police",
        body="文水县公安局西槽头派出所",
        taken_on=clerk.day(-19),
        note="涉嫌非法经营，移送公安机关依法处理。",
    )
    clerk.step(
        case,
        -10,
        actions.close_case,
        conclusion="罚款已缴纳，案件已移送公安机关，超期钢瓶已由供气企业收回。",
    )
    return case


def _cancelled(clerk: _Clerk, org: Organization) -> Case:
    case = clerk.open(
        org,
        -8,
        title="消防设施关闭、安全出口锁闭",
        facts="检查发现包厢区域火灾自动报警系统主机处于关闭状态，二层一处安全出口被锁闭。",
        grounds=["equipment"],
    )
    items = ["火灾自动报警系统主机处于关闭状态", "二层安全出口被锁闭"]
    first = clerk.step(
        case,
        -8,
        actions.issue_order,
        issued_on=clerk.day(-8),
        deadline=clerk.day(7),
        items=items,
    )
    clerk.step(
        case,
        -7,
        lambda _case, **kw: actions.cancel_document(first, **kw),
        reason="指令书送达单位名称有误，作废后重新制发。",
    )
    Document.objects.filter(pk=first.pk).update(cancelled_at=_moment(clerk.day(-7), 11))
    Measure.objects.filter(document=first).update(lifted_at=_moment(clerk.day(-7), 11))
    clerk.step(
        case,
        -7,
        actions.issue_order,
        issued_on=clerk.day(-7),
        deadline=clerk.day(8),
        items=items,
    )
    return case


def _from_inspection(clerk: _Clerk, org: Organization) -> Case:
    """ent1's enterprise: from the township's inspection with failed items, when there is one."""
    from anpai.inspections.choices import AnswerResult, InspectionKind, InspectionState
    from anpai.inspections.models import Answer, Inspection

    inspection = (
        Inspection.objects.filter(organization=org, state=InspectionState.SUBMITTED)
        .exclude(kind=InspectionKind.SELF)
        .filter(answers__result=AnswerResult.FAIL, date__lte=clerk.today)
        .order_by("-date", "-pk")
        .first()
    )
    offset = -5
    hazards: list[Any] = []
    if inspection is not None:
        offset = max((inspection.date - clerk.today).days, -60)
        hazards = list(
            {
                a.hazard
                for a in Answer.objects.filter(
                    inspection=inspection, result=AnswerResult.FAIL, hazard__isnull=False
                ).select_related("hazard")
            }
        )
    case = clerk.open(
        org,
        offset,
        title="专项排查整治检查发现问题",
        facts="乡政府安全生产检查组对该企业开展重大事故隐患专项排查整治检查，"
        "发现问题如下，需限期整改。",
        grounds=["other"],
        inspection=inspection,
        hazards=sorted(hazards, key=lambda h: h.pk),
    )
    extra: dict[str, Any] = {}
    if inspection is None:
        extra = {
            "inspectors": INSPECTORS,
            "items": ["甲醇储罐区可燃气体报警器未定期检定", "危险化学品仓库未设置防火防爆标志"],
        }
    clerk.step(case, offset, actions.issue_record, issued_on=clerk.day(offset), **extra)
    clerk.step(
        case,
        offset,
        actions.issue_order,
        issued_on=clerk.day(offset),
        deadline=clerk.day(offset + 15),
        items=None if inspection is not None else extra["items"],
    )
    return case


def _accountability(
    clerk: _Clerk,
    named: dict[str, Organization],
    cases: dict[str, Case],
    committees: list[Organization],
) -> None:
    def record(org: Organization | None, offset: int, **values: Any) -> None:
        if org is None:
            return
        actions.record_accountability(
            by=clerk.officer, organization=org, date=clerk.day(offset), **values
        )

    def linked(name: str) -> list[Case]:
        return [cases[name]] if name in cases else []

    timber, station, hotel = named.get(TIMBER), named.get(STATION), named.get(HOTEL)
    record(
        timber,
        -19,
        kind="exposure",
        reason="拒不执行责令限期整改指令，经复查除尘系统仍未修复，被责令停产整顿。",
        outcome="已在乡政府公示栏和乡政务公众号曝光。",
        cases=linked(TIMBER),
    )
    record(
        station,
        -10,
        kind="notice",
        reason="油罐区静电接地失效仍组织卸油作业，整改进展迟缓。",
        outcome="在全乡安全生产工作会议上通报批评。",
        cases=linked(STATION),
        hazards=_hazard_of(station, clerk.today) if station else [],
    )
    record(
        hotel,
        -28,
        kind="interview",
        person_name=hotel.principal_name if hotel else "",
        person_title="主要负责人",
        reason="后厨可燃气体报警装置被人为关闭，主要负责人安全生产责任落实不到位。",
        outcome="已约谈，企业作出书面整改承诺。",
        cases=linked(HOTEL),
    )
    committee = next((c for c in committees if c.name == COMMITTEE), None)
    closure = (
        Document.objects.filter(case=cases[WORKSHOP], kind="closure").first()
        if WORKSHOP in cases
        else None
    )
    record(
        committee,
        -14,
        kind="referral",
        referral_to="discipline",
        person_name="王海军",
        person_title="村民委员会主任",
        reason="对辖区内“三合一”加工点无证非法生产长期失管失察"
        + (f"（见{closure.number}）" if closure else "")
        + "。",
        outcome="已移送县纪委监委驻乡纪检监察组。",
    )


def _date_times(cases: Any) -> None:
    """Escalation and closing times, and documents' creation, on the days they happened."""
    for case in cases:
        events = {e.kind: e.at for e in CaseEvent.objects.filter(case=case).order_by("at", "pk")}
        Case.objects.filter(pk=case.pk).update(
            escalated_at=events.get("escalated"),
            closed_at=events.get("closed"),
        )
    documents = list(Document.objects.filter(case__in=[c.pk for c in cases]).only("issued_on"))
    for document in documents:
        document.created_at = _moment(document.issued_on)
    Document.objects.bulk_update(documents, ["created_at"])
