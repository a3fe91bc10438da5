"""Demo data for leaders' responsibility lists (notice 四(一)): for the current year,
the duty, task and practical-matters lists of the township leader (李志刚), the
township safety officer (赵安平) and the two village officers (王建国, 刘秀英), with
progress in various states; 王建国 has submitted his self-review, the others not.
Bulk-created, deterministic (the same rows for the same seed and day)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.responsibility.choices import Assessment, ItemStatus, ListKind, MatterCategory
from anpai.responsibility.models import LeaderList, ListItem, SelfReview, SelfReviewLine

K = ListKind
C = MatterCategory

TOWNSHIP_DUTIES = [
    "组织学习研讨习近平总书记关于安全生产的重要论述，每季度召开一次安全生产专题会议",
    "落实“党政同责、一岗双责、齐抓共管、失职追责”，将安全生产纳入全乡重点工作统筹部署",
    "督促各村委会开展重大事故隐患排查整治，对排查不力的约谈提醒",
    "带队开展安全生产检查，每月不少于两次深入企业和重点场所",
    "研究解决安全生产工作中的重大问题，保障安全监管工作经费",
]
TOWNSHIP_TASKS = [
    "部署开展安全生产治本攻坚三年行动和重大事故隐患专项排查整治行动（动员部署阶段）",
    "组织企业全面自查自改，建立重大事故隐患整改台账（自查自改阶段）",
    "组织乡安监站联合行业部门开展精准执法检查（精准执法阶段）",
    "对重大事故隐患挂牌督办，逐项跟踪销号（督导检查阶段）",
    "总结专项行动经验做法，建立隐患排查整治长效机制（巩固提升阶段）",
]
TOWNSHIP_MATTERS = [
    (C.STAFFING, "充实乡安监站执法人员，新增专职安全监管人员2名"),
    (C.EQUIPMENT, "为乡安监站配备执法记录仪4台、便携式气体检测仪2台"),
    (C.FUNDING, "将安全生产工作经费列入乡财政预算，落实专项经费15万元"),
    (C.INFORMATION, "建设隐患排查治理信息系统，实现隐患上报、整改、销号闭环管理"),
    (C.LEADERSHIP, "调整充实乡安全生产委员会，明确班子成员安全生产分工"),
    (C.ENFORCEMENT, "组织执法人员参加县级执法业务培训，持证上岗率达到100%"),
]
OFFICER_DUTIES = [
    "负责全乡安全生产日常监督管理，制定年度监督检查计划",
    "建立全乡企业和经营场所安全生产监管台账，做到底数清、情况明",
    "对检查发现的问题隐患下达责令限期整改指令书，跟踪复查",
    "组织开展安全生产宣传教育和“安全生产月”活动",
]
OFFICER_TASKS = [
    "完成辖区内危险化学品、工贸企业全覆盖检查",
    "督促企业主要负责人签订安全生产承诺书",
    "组织企业开展应急演练不少于1次",
    "汇总上报专项行动进展情况，每月5日前报县应急管理局",
]
OFFICER_MATTERS = [
    (C.DUTIES, "厘清乡安监站与行业部门监管职责，形成监管责任清单"),
    (C.INFORMATION, "完成企业安全生产基础信息录入，建立电子档案"),
]
VILLAGE_DUTIES = [
    "落实村级安全生产网格化管理责任，明确网格员巡查职责",
    "督促本村企业、小作坊、经营场所开展隐患自查",
    "组织村民开展安全生产和消防安全宣传教育",
    "发现重大事故隐患和非法违法行为及时报告乡政府",
]
VILLAGE_TASKS = [
    "排查本村“三合一”场所和出租房屋消防安全隐患",
    "配合乡安监站开展专项行动各阶段检查",
    "组织本村应急演练1次",
]
VILLAGE_MATTERS = [
    (C.EQUIPMENT, "为村网格员配备巡查记录本和手持终端"),
    (C.FUNDING, "落实村级安全巡查补助经费"),
]

# (username, organisation key, post, {kind: items})
PLAN: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "leader",
        "township",
        "分管安全副乡长",
        {K.DUTY: TOWNSHIP_DUTIES, K.TASK: TOWNSHIP_TASKS, K.MATTERS: TOWNSHIP_MATTERS},
    ),
    (
        "township",
        "township",
        "乡安监站站长",
        {K.DUTY: OFFICER_DUTIES, K.TASK: OFFICER_TASKS, K.MATTERS: OFFICER_MATTERS},
    ),
    (
        "village1",
        "village:0",
        "村委会主任",
        {K.DUTY: VILLAGE_DUTIES, K.TASK: VILLAGE_TASKS, K.MATTERS: VILLAGE_MATTERS},
    ),
    (
        "village2",
        "village:1",
        "村委会副主任",
        {K.DUTY: VILLAGE_DUTIES, K.TASK: VILLAGE_TASKS},
    ),
]

NOTES = {
    ItemStatus.DONE: ["已完成，资料已归档", "已按要求落实", "已完成并报乡政府备案"],
    ItemStatus.IN_PROGRESS: [
        "正在推进，已完成大部分工作",
        "已启动，按计划推进",
        "部分落实，待验收",
    ],
}


def build_responsibility(
    units: list[Organization],
    *,
    township_org: Organization,
    committees: list[Organization],
    seed: int,
) -> int:
    """Create the demo's rows; returns how many top-level rows (lists) were made."""
    rng = random.Random(seed + 4)
    today = timezone.localdate()
    year = today.year
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PLAN])}
    orgs = {"township": township_org}
    orgs.update({f"village:{i}": c for i, c in enumerate(committees)})
    creator = users.get("township")
    lists: list[LeaderList] = []
    pending: list[tuple[LeaderList, list[tuple[str, str]]]] = []
    for username, org_key, post, by_kind in PLAN:
        user, org = users.get(username), orgs.get(org_key)
        if user is None or org is None:
            continue
        for kind, entries in by_kind.items():
            the_list = LeaderList(
                organization=org,
                leader=user,
                post=post,
                year=year,
                kind=kind,
                created_by=creator,
                created_at=timezone.make_aware(datetime.combine(date(year, 1, 15), time(9))),
            )
            lists.append(the_list)
            rows = [(e[0], e[1]) if isinstance(e, tuple) else ("", e) for e in entries]
            pending.append((the_list, rows))
    LeaderList.objects.bulk_create(lists)

    items: list[ListItem] = []
    for index, (the_list, rows) in enumerate(pending):
        for order, (category, text) in enumerate(rows, start=1):
            # Progress by position, varied per list: the first items done, then under
            # way, the last not started (some lists further along than others).
            ahead = (index % 3) + rng.randint(0, 1)
            if order <= ahead:
                status, percent = ItemStatus.DONE, 100
            elif order <= ahead + 2:
                status, percent = ItemStatus.IN_PROGRESS, rng.choice([20, 40, 50, 60, 80])
            else:
                status, percent = ItemStatus.NOT_STARTED, 0
            due = (
                date(year, 12, 31)
                if the_list.kind == K.DUTY
                else date(year, min(12, 3 + 2 * order), 28)
            )
            items.append(
                ListItem(
                    list=the_list,
                    order=order,
                    text=text,
                    category=category,
                    due_on=due,
                    status=status,
                    progress=percent,
                    progress_note=rng.choice(NOTES[status]) if status in NOTES else "",
                    updated_by=the_list.leader,
                )
            )
    ListItem.objects.bulk_create(items)

    # 王建国 (village1) submitted his half-year self-review; nobody else has one yet.
    village1 = users.get("village1")
    if village1 is not None and committees:
        review = SelfReview.objects.create(
            organization=committees[0],
            leader=village1,
            year=year,
            period="上半年",
            summary="对照职责清单和任务清单，组织本村网格员开展隐患巡查，督促村内企业和经营场所开展自查，"
            "配合乡安监站完成专项行动检查，总体履职情况较好。",
            gaps="出租房屋消防安全排查覆盖不全；网格员巡查记录不够规范。",
            next_steps="下半年完成出租房屋排查全覆盖，组织网格员业务培训，规范巡查记录。",
            submitted_at=timezone.now() - timedelta(days=3),
        )
        lines = []
        for item in items:
            if item.list.leader_id != village1.pk:
                continue
            by_status: dict[str, str] = {
                ItemStatus.DONE: Assessment.FULFILLED,
                ItemStatus.IN_PROGRESS: Assessment.PARTLY,
            }
            assessment = by_status.get(item.status, Assessment.NOT_FULFILLED)
            remarks: dict[str, str] = {
                Assessment.FULFILLED: "已按要求完成",
                Assessment.PARTLY: "正在推进，下半年完成",
            }
            remark = remarks.get(assessment, "尚未启动，已列入下半年计划")
            lines.append(
                SelfReviewLine(review=review, item=item, assessment=assessment, remark=remark)
            )
        SelfReviewLine.objects.bulk_create(lines)
    return len(lists)
