"""Build the demo township deterministically (seeded), optionally scaled up.

``build_demo(password=..., scale=N)`` creates 文水县 → 西槽头乡 with its villages,
government, departments and their industry supervision, ``44 × N`` enterprises
and places with contacts, the fourteen demo accounts and, per unit, its
principal and safety manager as people, and about 60 hazards per copy in every
state of the closed loop (:mod:`anpai.demo.hazards`), a season of inspections
(:mod:`anpai.demo.inspections`), and risk points with their site plans and
four-colour maps for the first copy's key units (:mod:`anpai.demo.risks`), and
hazardous-work permits in every state at five of them (:mod:`anpai.demo.permits`).
Bulk inserts keep large scales fast; the seeding itself is recorded as one
audit record.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from anpai.audit import log as audit_log
from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from anpai.demo import data
from anpai.demo.enforcement import build_enforcement
from anpai.demo.enterprise import build_enterprise
from anpai.demo.hazards import build_hazards
from anpai.demo.inspections import build_inspections
from anpai.demo.ledgers import build_ledgers
from anpai.demo.permits import build_permits
from anpai.demo.responsibility import build_responsibility
from anpai.demo.risks import build_risks
from anpai.orgs.choices import OrgKind, OrgStatus
from anpai.orgs.models import Industry, Organization, Supervision
from anpai.orgs.reference import ensure_industries
from anpai.people.models import Membership, User
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region

# Township centre (西槽头乡, approximate) for generated coordinates.
CENTRE = (37.4510, 112.0170)
BATCH = 2000


@dataclass
class DemoResult:
    organizations: int
    users: int
    seconds: float
    accounts: list[tuple[str, str, str]]  # (username, role label, organisation)
    hazards: int = 0
    risk_points: int = 0
    risk_levels: dict[str, int] = field(default_factory=dict)
    site_plans: int = 0
    permits: int = 0
    permit_states: dict[str, int] = field(default_factory=dict)


def _credit_code(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "91" + "141127" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
        code = body + credit_code_check_char(body)
        if code not in used:
            used.add(code)
            return code


def _person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + "".join(rng.sample(data.GIVEN, rng.choice((1, 2))))


def _mobile(rng: random.Random) -> str:
    return rng.choice(["139", "138", "137", "135", "158", "152", "186", "188"]) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def ensure_reference_data() -> None:
    """The rows the data migrations load (industries, hazard categories, shipped
    standards and checklists), restored where a test flush removed them. Idempotent."""
    from anpai.hazards.reference import ensure_categories
    from anpai.inspections.checklists import load_shipped_checklists
    from anpai.standards.loader import load_standards

    ensure_industries()
    ensure_categories()
    load_standards()
    load_shipped_checklists()


def demo_exists() -> bool:
    return Region.objects.filter(code=data.TOWNSHIP[0]).exists()


@transaction.atomic
def build_demo(*, password: str, scale: int = 1, seed: int = 20231117) -> DemoResult:
    """Create the demo township. Run on an empty database (after migrations).

    Every change is audited as usual; the records are chained in one write at
    the end (``audit.log.batch``) rather than one locked append each.
    """
    with audit_log.batch():
        return _build(password=password, scale=scale, seed=seed)


def _build(*, password: str, scale: int, seed: int) -> DemoResult:
    started = time.perf_counter()
    rng = random.Random(seed)
    ensure_reference_data()  # a flushed test database has lost the migrations' rows
    industries = {i.code: i for i in Industry.objects.all()}

    county = Region.objects.create(
        code=data.COUNTY[0], name=data.COUNTY[1], level=RegionLevel.COUNTY
    )
    township = Region.objects.create(
        code=data.TOWNSHIP[0], name=data.TOWNSHIP[1], level=RegionLevel.TOWNSHIP, parent=county
    )
    villages = Region.objects.bulk_create(
        Region(code=code, name=name, level=RegionLevel.VILLAGE, parent=township)
        for code, name in data.VILLAGES
    )

    def gov(name: str, kind: str, region: Region, **extra) -> Organization:
        return Organization(
            name=name,
            kind=kind,
            region=region,
            status=OrgStatus.OPERATING,
            address=f"{region.name}{rng.choice(data.STREETS)}{rng.randint(1, 99)}号",
            phone=f"0358-{rng.randint(3000000, 3999999)}",
            **extra,
        )

    county_org = gov(data.COUNTY_AUTHORITY, OrgKind.COUNTY, county)
    township_org = gov(data.TOWNSHIP_GOV, OrgKind.TOWNSHIP, township)
    departments = [gov(name, OrgKind.DEPARTMENT, township) for name, _ in data.DEPARTMENTS]
    committees = [gov(f"{v.name}村民委员会", OrgKind.VILLAGE, v) for v in villages]
    Organization.objects.bulk_create([county_org, township_org, *departments, *committees])
    Supervision.objects.bulk_create(
        Supervision(township=township, industry=industries[code], department=dept)
        for dept, (_, codes) in zip(departments, data.DEPARTMENTS, strict=True)
        for code in codes
    )

    used_codes: set[str] = set()
    units: list[Organization] = []
    unit_industries: list[list[str]] = []
    for copy in range(scale):
        for name, kind, codes, flags, village_index, employees in data.UNITS:
            village = villages[(village_index + copy) % len(villages)]
            suffix = "" if copy == 0 else f"（{copy + 1}）"
            status = OrgStatus.OPERATING
            if copy == 0 and name in ("文水县天宇木业有限公司",):
                status = OrgStatus.SUSPENDED
            units.append(
                Organization(
                    name=f"{name}{suffix}",
                    kind=kind,
                    region=village,
                    credit_code=_credit_code(rng, used_codes)
                    if kind == OrgKind.ENTERPRISE
                    else None,
                    is_key="k" in flags,
                    is_crowded="c" in flags,
                    is_sensitive="s" in flags,
                    is_mixed="m" in flags,
                    status=status,
                    address=f"{data.TOWNSHIP[1]}{village.name}{rng.choice(data.STREETS)}"
                    f"{rng.randint(1, 200)}号",
                    latitude=Decimal(f"{CENTRE[0] + rng.uniform(-0.04, 0.04):.6f}"),
                    longitude=Decimal(f"{CENTRE[1] + rng.uniform(-0.05, 0.05):.6f}"),
                    phone=f"0358-{rng.randint(3000000, 3999999)}",
                    principal_name=_person(rng),
                    principal_phone=_mobile(rng),
                    safety_contact_name=_person(rng),
                    safety_contact_phone=_mobile(rng),
                    employee_count=employees,
                )
            )
            unit_industries.append(codes)
    for start in range(0, len(units), BATCH):
        Organization.objects.bulk_create(units[start : start + BATCH])
    through = Organization.industries.through
    links = [
        through(organization_id=unit.pk, industry_id=industries[code].pk)
        for unit, codes in zip(units, unit_industries, strict=True)
        for code in codes
    ]
    through.objects.bulk_create(links, batch_size=BATCH)

    # The demo accounts (the twelve of the contract, ent1's workshop head and team leader).
    targets = {"county": county_org, "township": township_org}
    targets.update({f"dept:{i}": d for i, d in enumerate(departments)})
    targets.update({f"village:{i}": c for i, c in enumerate(committees)})
    targets.update({f"unit:{i}": u for i, u in enumerate(units[: len(data.UNITS)])})
    hashed = make_password(password)
    accounts = []
    users = []
    for username, full_name, _role, _target in data.ACCOUNTS:
        users.append(
            User(
                username=username,
                full_name=full_name,
                password=hashed,
                phone=_mobile(rng),
                email=f"{username}@anpai.example",
            )
        )
    User.objects.bulk_create(users)
    memberships = []
    for user, (username, _, role, target) in zip(users, data.ACCOUNTS, strict=True):
        org = targets[target]
        memberships.append(Membership(user=user, organization=org, role=role))
        accounts.append((username, Membership(role=role).get_role_display(), org.name))
    # The enterprise accounts' names are the units' registered contacts.
    ent1, ent2 = units[0], units[1]
    ent1.principal_name, ent2.principal_name = users[8].full_name, users[9].full_name
    ent1.safety_contact_name = users[10].full_name
    Organization.objects.bulk_update([ent1, ent2], ["principal_name", "safety_contact_name"])

    # Everyone else: each unit's principal and safety manager, without a usable password.
    people: list[User] = []
    roles: list[tuple[int, str]] = []
    for index, unit in enumerate(units):
        if index < 2:
            continue
        for role, name, phone in (
            ("ent_principal", unit.principal_name, unit.principal_phone),
            ("ent_safety", unit.safety_contact_name, unit.safety_contact_phone),
        ):
            people.append(
                User(
                    username=f"u{unit.pk}{role[4]}",
                    full_name=name,
                    phone=phone,
                    password=make_password(None),
                )
            )
            roles.append((unit.pk, role))
    for start in range(0, len(people), BATCH):
        User.objects.bulk_create(people[start : start + BATCH])
    memberships.extend(
        Membership(user=person, organization_id=org_id, role=role)
        for person, (org_id, role) in zip(people, roles, strict=True)
    )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)

    hazards = build_hazards(units, seed=seed)
    build_inspections(units[: len(data.UNITS)], township_org=township_org, seed=seed)
    risks = build_risks(units[: len(data.UNITS)], township_org=township_org, seed=seed)
    permits = build_permits(units[: len(data.UNITS)], seed=seed)
    first = units[: len(data.UNITS)]
    cases = build_enforcement(first, township_org=township_org, committees=committees, seed=seed)
    build_responsibility(first, township_org=township_org, committees=committees, seed=seed)
    build_enterprise(first, township_org=township_org, committees=committees, seed=seed)
    build_ledgers(first, township_org=township_org, committees=committees, seed=seed)

    organizations = 2 + len(departments) + len(committees) + len(units)
    append(
        AuditAction.CREATE,
        object_type="demo",
        object_repr=f"demo township {data.TOWNSHIP[1]} ×{scale}",
        after={
            "organizations": organizations,
            "users": len(users) + len(people) + permits.people,
            "hazards": hazards,
            "risk_points": risks.points,
            "site_plans": risks.site_plans,
            "permits": permits.permits,
            "enforcement_cases": cases,
            "seed": seed,
        },
    )
    return DemoResult(
        organizations=organizations,
        users=len(users) + len(people) + permits.people,
        seconds=time.perf_counter() - started,
        accounts=accounts,
        hazards=hazards,
        risk_points=risks.points,
        risk_levels=risks.by_level,
        site_plans=risks.site_plans,
        permits=permits.permits,
        permit_states=permits.by_state,
    )
