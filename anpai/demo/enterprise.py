"""Demo data for enterprise responsibility: the principals' commitments of this year
and self-inspection reports in every state.

Most units have signed this year's commitment (ent1's has; ent2's has not, so ent2
can sign it); a few others have not, so the township's list shows both. Reports:
ent1's enterprise has one filed (last year's) and one returned with the township's
comment; ent2's has one submitted and waiting; other units have drafts, submitted,
returned and filed ones. Rows are bulk-created from a seeded generator: fast and
the same on every build.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from anpai.enterprise import actions
from anpai.enterprise.choices import ReportEventKind, ReportState
from anpai.enterprise.models import Commitment, ReportEvent, SelfInspectionReport
from anpai.orgs.models import Organization
from anpai.people.models import Membership, User

R = ReportState
K = ReportEventKind

EXTRA = (
    "",
    "",
    "每月至少组织一次由主要负责人带队的安全检查，重大事故隐患由本人领衔整治。",
    "安全生产费用足额提取、专户核算，优先用于重大事故隐患整改。",
)

OVERVIEW = (
    "按照西政发〔2023〕32号通知“四(三)严格落实企业主体责任”的要求，由主要负责人带队，"
    "对照《安全生产法》第二十一条主要负责人七项职责，逐项检视全员安全生产责任制、"
    "安全生产规章制度和操作规程、教育培训计划、安全生产投入、双重预防机制、"
    "应急救援预案及事故报告制度的落实情况，并检查了生产车间、仓库和配电室现场管理。"
)
PROBLEMS = (
    "1. 全员安全生产责任制未在车间公示，部分岗位职责与实际不符；\n"
    "2. 年度安全教育培训计划未覆盖新入职员工；\n"
    "3. 风险“四色图”未按最新工艺更新；\n"
    "4. 应急救援预案近一年未组织演练。"
)
RECTIFICATION = (
    "1. 已修订各岗位安全生产职责并在车间、班组公示，员工逐人签字确认；\n"
    "2. 补充新员工三级安全教育，考核合格后上岗；\n"
    "3. 重新开展风险辨识评估，更新风险四色分布图和告知卡；\n"
    "4. 已制定演练计划，本月内组织一次综合应急演练。"
)
NEXT_STEPS = (
    "将全员安全生产责任制落实情况纳入月度考核；主要负责人每月带队检查一次，"
    "建立隐患整改台账，做到整改措施、责任、资金、时限和预案“五落实”。"
)
RETURN_COMMENT = (
    "报告未写明安全生产费用提取和使用情况，问题清单缺少整改时限和责任人，请补充后重新报送。"
)
FILE_COMMENT = "材料齐全，予以备案。"


def _signature(rng: random.Random) -> bytes:
    """A simple pen stroke on white, like a name signed with a finger."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    x, y = 20, 70
    points = [(x, y)]
    for _step in range(14):
        x += rng.randint(14, 26)
        y = max(20, min(100, y + rng.randint(-28, 28)))
        points.append((x, y))
    draw.line(points, fill=(17, 17, 17), width=4, joint="curve")
    draw.line([(40, 95), (x - 10, 90)], fill=(17, 17, 17), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _principals(units: list[Organization]) -> dict[int, User]:
    found: dict[int, User] = {}
    for m in Membership.objects.filter(organization__in=units, role="ent_principal").select_related(
        "user"
    ):
        found.setdefault(m.organization_id, m.user)
    return found


def build_enterprise(
    units: list[Organization],
    *,
    township_org: Organization,
    committees: list[Organization],
    seed: int,
) -> int:
    """Create the demo's rows; returns how many top-level rows were made."""
    rng = random.Random(seed * 7919 + 21)
    today = timezone.localdate()
    year = today.year
    tz = timezone.get_current_timezone()

    def at(days_ago: int, hour: int = 10) -> datetime:
        return datetime.combine(
            today - timedelta(days=days_ago), time(hour, rng.randint(0, 59)), tz
        )

    principals = _principals(units)
    officer = User.objects.filter(username="township").first()
    safety = User.objects.filter(username="ent1safety").first()

    # ------------------------------------------------------------ commitments
    names = []
    for index in range(4):
        # Same seed, same strokes: a file already there from an earlier build is reused.
        name = f"commitments/{year}/demo-{seed}-{index}.png"
        data = _signature(rng)
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(data))
        names.append(name)
    codes = [d["code"] for d in actions.duties()]
    pledge = actions.pledge_text()
    commitments = []
    for index, unit in enumerate(units):
        # ent2's (index 1) is left for ent2 to sign; so is every seventh unit's.
        if index == 1 or (index > 1 and index % 7 == 3):
            continue
        signer = principals.get(unit.pk)
        commitment = Commitment(
            organization=unit,
            year=year,
            duties=codes,
            pledge=pledge,
            extra=EXTRA[index % len(EXTRA)],
            signer_name=(signer.full_name if signer else unit.principal_name) or "负责人",
            signer=signer,
            signed_at=at(min(300, max(1, (today - today.replace(month=1, day=1)).days - index))),
        )
        commitment.signature.name = names[index % len(names)]
        commitments.append(commitment)
    Commitment.objects.bulk_create(commitments)

    # ------------------------------------------------------------ reports
    reports: list[tuple[SelfInspectionReport, list[tuple[str, str, str, User | None, int, str]]]]
    reports = []

    def report(unit, state, *, days, title_year, author, filing=""):
        r = SelfInspectionReport(
            organization=unit,
            year=title_year,
            title=f"{unit.name}{title_year}年度安全生产自查检视报告",
            overview=OVERVIEW,
            problems=PROBLEMS,
            rectification=RECTIFICATION,
            next_steps=NEXT_STEPS,
            state=state,
            created_by=author,
            filing_number=filing,
        )
        principal = principals.get(unit.pk) or author
        steps: list[tuple[str, str, str, User | None, int, str]] = [
            (K.CREATED, "", R.DRAFT, author, days, "")
        ]
        if state in (R.SUBMITTED, R.RETURNED, R.FILED):
            steps.append((K.SUBMITTED, R.DRAFT, R.SUBMITTED, principal, days - 2, ""))
            r.submitted_at = at(days - 2, 9)
        if state == R.RETURNED:
            steps.append((K.RETURNED, R.SUBMITTED, R.RETURNED, officer, days - 4, RETURN_COMMENT))
        if state == R.FILED:
            steps.append((K.FILED, R.SUBMITTED, R.FILED, officer, days - 5, FILE_COMMENT))
            r.filed_at = at(days - 5, 15)
            r.filed_by = officer
        r.version = len(steps)
        reports.append((r, steps))

    from anpai.core.counters import next_serial
    from anpai.enforcement.actions import config
    from anpai.enforcement.models import DocumentCounter

    township = units[0].township if units else None
    prefix = config(township)["prefix"] if township is not None else "监"

    def filing(for_year: int) -> str:
        serial = next_serial(
            DocumentCounter, region=township, kind=actions.FILING_SERIES, year=for_year
        )
        return f"{prefix}备〔{for_year}〕{serial}号"

    ent1_principal = principals.get(units[0].pk) if units else None
    if units:
        report(units[0], R.FILED, days=330, title_year=year - 1, author=safety,
               filing=filing(year - 1))  # fmt: skip
        report(units[0], R.RETURNED, days=20, title_year=year, author=safety or ent1_principal)
    if len(units) > 1:
        report(units[1], R.SUBMITTED, days=6, title_year=year, author=principals.get(units[1].pk))
    cycle = (R.FILED, R.SUBMITTED, R.DRAFT, R.FILED, R.RETURNED, R.FILED)
    for index, unit in enumerate(units[2:26], start=2):
        state = cycle[index % len(cycle)]
        days = 10 + (index * 5) % 40
        report(
            unit,
            state,
            days=days,
            title_year=year,
            author=principals.get(unit.pk),
            filing=filing(year) if state == R.FILED else "",
        )
    SelfInspectionReport.objects.bulk_create([r for r, _steps in reports])
    events: list[ReportEvent] = []
    for r, steps in reports:
        for kind, before, after, actor, days, comment in steps:
            events.append(
                ReportEvent(
                    report=r,
                    kind=kind,
                    from_state=before,
                    to_state=after,
                    actor=actor,
                    at=at(max(days, 0), 9 + len(events) % 8),
                    comment=comment,
                )
            )
    ReportEvent.objects.bulk_create(events)
    # The list orders by the last change: make it the last step's time, not the build's.
    for r, steps in reports:
        SelfInspectionReport.objects.filter(pk=r.pk).update(
            updated_at=at(max(steps[-1][4], 0), 17), created_at=at(steps[0][4], 8)
        )
    return len(commitments) + len(reports)
