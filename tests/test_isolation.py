"""Who gets what: every API endpoint and the main pages, for every demo persona.

One table per surface. Each row is a request; each column a persona, plus an
anonymous client. 404 means "outside your scope" (indistinguishable from "does
not exist", whatever the method); 403 means "your role may not do this" on a
collection, or "you may see this object but not change it".

The API table must cover every route the router registers: a new viewset
without rows here fails :func:`test_every_api_route_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai import api_urls
from anpai.api_urls import router
from anpai.core.validators import credit_code_check_char
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization, Supervision
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region
from conftest import PERSONAS

ANON = "anon"
COLUMNS = (*PERSONAS, ANON)

# Columns: admin secadmin auditor township leader dept village1 village2 ent1 ent2 ent1safety
#          county anon
API_MATRIX: list[tuple[str, str, str | None, str]] = [
    # method, route name, target, expected statuses
    ("get", "api-root", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "me", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "organization-list", None,
     "200 200 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "organization-detail", "org:ent1",
     "200 200 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "organization-detail", "org:ent2",
     "200 200 404 200 200 200 404 200 404 200 404 200 401"),
    # A construction company in a third village: not the department's industry.
    ("get", "organization-detail", "org:other",
     "200 200 404 200 200 404 404 404 404 404 404 200 401"),
    # An enterprise in another county: nobody's.
    ("get", "organization-detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("post", "organization-list", None,  # empty body: 400 means the role got past the gate
     "400 403 403 400 403 403 400 400 403 403 403 403 401"),
    ("patch", "organization-detail", "org:ent1",
     "200 403 404 200 403 403 200 404 403 404 403 403 401"),
    ("patch", "organization-detail", "org:ent2",
     "200 403 404 200 403 403 404 200 404 403 404 403 401"),
    ("patch", "organization-detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("get", "supervision-list", None,
     "200 403 403 200 200 200 403 403 403 403 403 200 401"),
    ("get", "supervision-detail", "supervision:dept",
     "200 404 404 200 200 200 404 404 404 404 404 200 401"),
    ("get", "supervision-detail", "supervision:other",
     "200 404 404 200 200 404 404 404 404 404 404 200 401"),
    ("get", "region-list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "region-detail", "region:village2",
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "region-detail", "region:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    # Hazards: hazard:ent1 was reported by ent1safety, hazard:ent2 by ent2 (both general,
    # state "reported"). Administrators hold no role over hazards.
    ("get", "hazard-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "hazard-detail", "hazard:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "hazard-detail", "hazard:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("get", "hazard-history", "hazard:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "hazard-history", "hazard:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("get", "hazard-ledger", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    # Writes with an empty body: 400 (or 409 where the state forbids the step) means
    # the persona got past scope and role; the action's own rules may still say 403.
    ("post", "hazard-list", None,
     "403 403 403 400 400 400 400 400 400 400 400 403 401"),
    ("post", "hazard-attachments", "hazard:ent1",
     "404 404 404 400 403 400 400 404 400 404 400 403 401"),
    ("post", "hazard-attachments", "hazard:ent2",
     "404 404 404 400 403 400 404 400 404 400 404 403 401"),
    # Voiding: township staff or the reporter (ent1safety) only.
    ("post", "hazard-void", "hazard:ent1",
     "404 404 404 400 403 403 403 404 403 404 400 403 401"),
    ("post", "hazard-void", "hazard:ent2",
     "404 404 404 400 403 403 404 403 404 400 404 403 401"),
    ("post", "hazard-grade", "hazard:ent1",
     "404 404 404 400 403 403 403 404 403 404 400 403 401"),
    ("post", "hazard-assign", "hazard:ent1",
     "404 404 404 400 403 400 403 404 400 404 400 403 401"),
    ("post", "hazard-assign", "hazard:ent2",
     "404 404 404 400 403 400 404 403 404 400 404 403 401"),
    ("post", "hazard-rectify", "hazard:ent1",  # not yet assigned
     "404 404 404 409 403 403 409 404 409 404 409 403 401"),
    ("post", "hazard-verify", "hazard:ent1",
     "404 404 404 400 403 400 400 404 400 404 400 403 401"),
    ("post", "hazard-extend", "hazard:ent1",  # not being rectified
     "404 404 404 403 403 403 403 404 409 404 409 403 401"),
    ("post", "hazard-supervise", "hazard:ent1",  # general: "level" among the errors
     "404 404 404 400 400 403 403 404 403 404 403 403 401"),
    # Background jobs belong to whoever started them: job:ent1 is ent1's finished export.
    ("get", "job-list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "job-detail", "job:ent1",
     "404 404 404 404 404 404 404 404 200 404 404 404 401"),
    ("get", "job-download", "job:ent1",
     "404 404 404 404 404 404 404 404 200 404 404 404 401"),
    # Standards and checklists: shipped (national) ones are read by every role holder;
    # a local one only in its own area (standard/checklist:outside is another county's).
    ("get", "standard-list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "standard-detail", "standard:shipped",
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "standard-detail", "standard:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("post", "standard-list", None,  # read-only
     "405 405 405 405 405 405 405 405 405 405 405 405 401"),
    ("get", "checklist-list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "checklist-detail", "checklist:shipped",
     "200 200 200 200 200 200 200 200 200 200 200 200 401"),
    ("get", "checklist-detail", "checklist:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("post", "checklist-list", None,  # read-only
     "405 405 405 405 405 405 405 405 405 405 405 405 401"),
    # Inspection duties (the cadence): read by everyone with a role over them;
    # duty:ent1 is a duty of ent1's enterprise from the demo season.
    ("get", "inspection-duty-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "inspection-duty-detail", "duty:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    # Inspections: inspection:ent1 is the township's draft inspection of ent1's enterprise,
    # inspection:ent2 ent2's own draft self-inspection. Writes with an empty body: 400 means
    # past scope and role; only the inspectors (or their role's colleagues) may answer.
    ("get", "inspection-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "inspection-detail", "inspection:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "inspection-detail", "inspection:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("post", "inspection-list", None,
     "403 403 403 400 403 400 400 400 400 400 400 403 401"),
    ("post", "inspection-answers", "inspection:ent1",
     "404 404 404 400 403 403 403 404 403 404 403 403 401"),
    ("post", "inspection-answers", "inspection:ent2",
     "404 404 404 403 403 403 404 403 404 400 404 403 401"),
    ("post", "inspection-submit", "inspection:ent1",  # not answered yet
     "404 404 404 400 403 403 403 404 403 404 403 403 401"),
    ("post", "inspection-submit", "inspection:ent2",
     "404 404 404 403 403 403 404 403 404 400 404 403 401"),
    # Risk points (双重预防): the enterprise identifies and assesses its own; government
    # staff read them, township officers also add, change and assess. risk:ent1 and
    # risk:ent2 are a point of each enterprise. Administrators hold no role over them.
    ("get", "risk-point-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "risk-point-detail", "risk:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "risk-point-detail", "risk:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("post", "risk-point-list", None,  # empty body: 400 means past the gate
     "403 403 403 400 403 403 403 403 400 400 400 403 401"),
    ("patch", "risk-point-detail", "risk:ent1",
     "404 404 404 200 403 403 403 404 200 404 200 403 401"),
    ("patch", "risk-point-detail", "risk:ent2",
     "404 404 404 200 403 403 404 403 404 200 404 403 401"),
    ("post", "risk-point-assess", "risk:ent1",
     "404 404 404 400 403 403 403 404 400 404 400 403 401"),
    ("post", "risk-point-assess", "risk:ent2",
     "404 404 404 400 403 403 404 403 404 400 404 403 401"),
    ("get", "organization-risk-map", "org:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "organization-risk-map", "org:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("get", "organization-risk-map", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    # Work permits (特殊作业票): the enterprise applies, signs and runs the work; government
    # staff and grid officers read. permit:ent1 is a complete draft of ent1's enterprise
    # (by its team leader), permit:ent2 one of ent2's. Writes with an empty body: 400 means
    # past scope and role (the step needs input); 409 that the draft's state refuses the
    # step; submit and PATCH (nothing to change) succeed. Administrators see no permits.
    ("get", "permit-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("post", "permit-list", None,
     "403 403 403 403 403 403 403 403 400 400 400 403 401"),
    ("get", "permit-detail", "permit:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "permit-detail", "permit:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("patch", "permit-detail", "permit:ent1",
     "404 404 404 403 403 403 403 404 200 404 200 403 401"),
    ("patch", "permit-detail", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 200 404 403 401"),
    ("post", "permit-submit", "permit:ent1",
     "404 404 404 403 403 403 403 404 200 404 200 403 401"),
    ("post", "permit-submit", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 200 404 403 401"),
    ("post", "permit-approve", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-approve", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 400 404 403 401"),
    ("post", "permit-reject", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-measures", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-briefing", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-gas-analysis", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-gas-analysis", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 400 404 403 401"),
    ("post", "permit-start", "permit:ent1",  # a draft does not start
     "404 404 404 403 403 403 403 404 409 404 409 403 401"),
    ("post", "permit-start", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 409 404 403 401"),
    ("post", "permit-pause", "permit:ent1",
     "404 404 404 403 403 403 403 404 409 404 409 403 401"),
    ("post", "permit-resume", "permit:ent1",
     "404 404 404 403 403 403 403 404 409 404 409 403 401"),
    ("post", "permit-complete", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-cancel", "permit:ent1",
     "404 404 404 403 403 403 403 404 400 404 400 403 401"),
    ("post", "permit-cancel", "permit:ent2",
     "404 404 404 403 403 403 404 403 404 400 404 403 401"),
    # --- enterprise: commitments and self-inspection reports (anpai/enterprise) ---
    # The principal signs the yearly commitment (承诺书); everyone over the enterprise reads
    # it. commitment:ent1 is ent1's commitment of this year (demo); ent1 has signed, so a
    # second signing would be 409, but an empty body is refused first (400).
    # Self-inspection reports: the enterprise drafts (principal, safety manager), only the
    # principal submits, township and department officers return or file. Government users
    # never see a draft (404). report:ent1 is ent1's report returned with comments (demo),
    # report:ent2 ent2's submitted one (demo), report:ent1draft a draft by ent1safety.
    ("get", "commitment-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("post", "commitment-list", None,
     "403 403 403 403 403 403 403 403 400 400 403 403 401"),
    ("get", "commitment-detail", "commitment:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "commitment-pdf", "commitment:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "self-inspection-report-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("post", "self-inspection-report-list", None,
     "403 403 403 403 403 403 403 403 400 400 400 403 401"),
    ("get", "self-inspection-report-detail", "report:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "self-inspection-report-detail", "report:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("get", "self-inspection-report-detail", "report:ent1draft",
     "404 404 404 404 404 404 404 404 200 404 200 404 401"),
    ("get", "self-inspection-report-attachment", "report:ent1",  # its signed copy
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "self-inspection-report-attachment", "report:ent1draft",
     "404 404 404 404 404 404 404 404 404 404 404 404 401"),
    ("patch", "self-inspection-report-detail", "report:ent1",
     "404 404 404 403 403 403 403 404 200 404 200 403 401"),
    ("patch", "self-inspection-report-detail", "report:ent2",  # submitted: not editable
     "404 404 404 403 403 403 404 403 404 409 404 403 401"),
    ("post", "self-inspection-report-submit", "report:ent1",
     "404 404 404 403 403 403 403 404 200 404 403 403 401"),
    ("post", "self-inspection-report-submit", "report:ent2",
     "404 404 404 403 403 403 404 403 404 409 404 403 401"),
    ("post", "self-inspection-report-submit", "report:ent1draft",
     "404 404 404 404 404 404 404 404 200 404 403 404 401"),
    ("post", "self-inspection-report-return", "report:ent2",  # the comment is required
     "404 404 404 400 403 400 404 403 404 403 404 403 401"),
    ("post", "self-inspection-report-return", "report:ent1",
     "404 404 404 409 403 409 403 404 403 404 403 403 401"),
    ("post", "self-inspection-report-file", "report:ent2",
     "404 404 404 200 403 200 404 403 404 403 404 403 401"),
    ("post", "self-inspection-report-file", "report:ent1",
     "404 404 404 409 403 409 403 404 403 404 403 403 401"),
    # --- end enterprise: commitments and self-inspection reports ---
    # Enforcement (执法): township and supervising-department officers open cases and take
    # every step; the leader and the county read; village officers read their villages'
    # cases; the enterprise reads its own cases and documents but takes no step.
    # case:ent1 is an open case against ent1's enterprise with a deadline order
    # (document:ent1) and its due review (review:ent1); case:ent2 an open case against
    # ent2's. Writes with an empty body: 400 means past scope and role.
    ("get", "case-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "case-detail", "case:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "case-detail", "case:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 401"),
    ("post", "case-list", None,
     "403 403 403 400 403 400 403 403 403 403 403 403 401"),
    ("patch", "case-detail", "case:ent1",
     "404 404 404 200 403 200 403 404 403 404 403 403 401"),
    ("patch", "case-detail", "case:ent2",
     "404 404 404 200 403 200 404 403 404 403 404 403 401"),
    ("post", "case-order", "case:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("post", "case-order", "case:ent2",
     "404 404 404 400 403 400 404 403 404 403 404 403 401"),
    ("post", "case-suspend", "case:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("post", "case-close-down", "case:ent2",  # no problems listed, none to take over
     "404 404 404 400 403 400 404 403 404 403 404 403 401"),
    ("post", "case-record", "case:ent2",  # no inspection to name the inspectors
     "404 404 404 400 403 400 404 403 404 403 404 403 401"),
    ("post", "case-fine", "case:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("post", "case-refer", "case:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("post", "case-close", "case:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("get", "review-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "review-detail", "review:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("post", "review-record", "review:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    ("get", "document-list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 401"),
    ("get", "document-detail", "document:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "document-pdf", "document:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("get", "document-docx", "document:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 401"),
    ("post", "document-cancel", "document:ent1",
     "404 404 404 400 403 400 403 404 403 404 403 403 401"),
    # Accountability (追责问责): the township records it; the party held to account and
    # the officers over it read. accountability:ent1 is an interview record against
    # ent1's enterprise with an attached file (accountability-file:ent1).
    ("get", "accountability-list", None,
     "403 403 403 200 200 200 200 200 200 200 403 200 401"),
    ("get", "accountability-detail", "accountability:ent1",
     "404 404 404 200 200 200 200 404 200 404 404 200 401"),
    ("get", "accountability-file", "accountability-file:ent1",
     "404 404 404 200 200 200 200 404 200 404 404 200 401"),
    ("post", "accountability-list", None,
     "403 403 403 400 400 403 403 403 403 403 403 403 401"),
    ("get", "accountability-suggestions", None,
     "403 403 403 200 200 403 403 403 403 403 403 403 401"),
]  # fmt: skip

# Routes tested elsewhere, with where.
COVERED_ELSEWHERE = {"token": "tests/test_api_auth.py (anyone may ask for a token)"}

PAGE_MATRIX: list[tuple[str, str | None, str]] = [
    ("home", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("orgs:list", None,
     "200 200 403 200 200 200 200 200 200 200 200 200 302"),
    ("orgs:detail", "org:ent1",
     "200 200 404 200 200 200 200 404 200 404 200 200 302"),
    ("orgs:detail", "org:ent2",
     "200 200 404 200 200 200 404 200 404 200 404 200 302"),
    ("orgs:detail", "org:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("people:list", None,
     "200 200 403 200 200 403 403 403 403 403 403 403 302"),
    ("audit:list", None,
     "403 403 200 403 403 403 403 403 403 403 403 403 302"),
    ("jobs:list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:create", None,
     "403 403 403 200 403 200 200 200 200 200 200 403 302"),
    ("inspections:detail", "inspection:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("inspections:detail", "inspection:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("inspections:record", "inspection:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("inspections:record", "inspection:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    # The standards library and checklists are read by every role holder; only township
    # officers write local standards and checklists.
    ("standards:list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("standards:create", None,
     "403 403 403 200 403 403 403 403 403 403 403 403 302"),
    ("inspections:checklist_list", None,
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:checklist_import", None,
     "403 403 403 200 403 403 403 403 403 403 403 403 302"),
    ("standards:detail", "standard:shipped",
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("standards:detail", "standard:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("standards:edit", "standard:shipped",  # shipped standards are read-only for everyone
     "403 403 403 403 403 403 403 403 403 403 403 403 302"),
    ("standards:edit", "standard:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("standards:clause_add", "standard:shipped",
     "403 403 403 403 403 403 403 403 403 403 403 403 302"),
    ("inspections:checklist_detail", "checklist:shipped",
     "200 200 200 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:checklist_detail", "checklist:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("inspections:checklist_edit", "checklist:shipped",
     "403 403 403 403 403 403 403 403 403 403 403 403 302"),
    ("inspections:checklist_edit", "checklist:outside",
     "404 404 404 404 404 404 404 404 404 404 404 404 302"),
    ("inspections:checklist_export", "checklist:shipped",
     "403 403 403 200 403 403 403 403 403 403 200 403 302"),
    ("jobs:detail", "job:ent1",
     "404 404 404 404 404 404 404 404 200 404 404 404 302"),
    ("jobs:download", "job:ent1",
     "404 404 404 404 404 404 404 404 200 404 404 404 302"),
    # Inspection duties, the compliance table and government rounds. round:township is
    # the demo's random draw, planned by the township government.
    ("inspections:duties", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:duty_create", None,
     "403 403 403 403 403 403 403 403 200 200 200 403 302"),
    ("inspections:duty_edit", "duty:ent1",
     "404 404 404 403 403 403 403 404 200 404 200 403 302"),
    ("inspections:compliance", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("inspections:compliance_export", None,
     "403 403 403 200 200 403 403 403 403 403 403 200 302"),
    ("inspections:rounds", None,
     "403 403 403 200 200 200 403 403 403 403 403 200 302"),
    ("inspections:round_create", None,
     "403 403 403 200 403 200 403 403 403 403 403 403 302"),
    ("inspections:round_detail", "round:township",
     "404 404 404 200 200 404 404 404 404 404 404 200 302"),
    # Risk points, their control list, notification cards, site plans and maps. The plan
    # and map pages name the organisation, not an object: a role without any right over
    # risk points is refused (403) before the organisation is looked up. The public page
    # a card's QR code opens needs no login and shows only the point's facts.
    ("risks:list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("risks:detail", "risk:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("risks:detail", "risk:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("risks:control_list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("risks:card", "risk:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("risks:card", "risk:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("risks:plan", "org:ent1",
     "403 403 403 200 200 200 200 404 200 404 200 200 302"),
    ("risks:plan", "org:ent2",
     "403 403 403 200 200 200 404 200 404 200 404 200 302"),
    ("risks:map_svg", "org:ent1",
     "403 403 403 200 200 200 200 404 200 404 200 200 302"),
    ("risks:map_svg", "org:ent2",
     "403 403 403 200 200 200 404 200 404 200 404 200 302"),
    ("risks:map_svg", "org:outside",
     "403 403 403 404 404 404 404 404 404 404 404 404 302"),
    ("risk_public", "token:ent1",
     "200 200 200 200 200 200 200 200 200 200 200 200 200"),
    # Work permits: the list, today's board, the statistics and the rules are read by
    # every role over permits (the township's officers also set the rules); a permit and
    # its printed PDF only within the scope. Administrators hold no role over permits.
    ("permits:list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("permits:board", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("permits:stats", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("permits:rules", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("permits:detail", "permit:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("permits:detail", "permit:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("permits:pdf", "permit:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("permits:pdf", "permit:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    # Enforcement: every role over cases reads the lists; a case, its step forms and its
    # documents only within scope; steps need "issue" (township and department officers).
    ("enforcement:list", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enforcement:reviews", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enforcement:documents", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enforcement:detail", "case:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enforcement:detail", "case:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("enforcement:order", "case:ent1",
     "404 404 404 200 403 200 403 404 403 404 403 403 302"),
    ("enforcement:document_pdf", "document:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enforcement:settings", None,
     "403 403 403 200 403 403 403 403 403 403 403 403 302"),
    ("enforcement:accountability", None,
     "403 403 403 200 200 200 200 200 200 200 403 200 302"),
    ("enforcement:accountability_detail", "accountability:ent1",
     "404 404 404 200 200 200 200 404 200 404 404 200 302"),
    ("enforcement:accountability_file", "accountability-file:ent1",
     "404 404 404 200 200 200 200 404 200 404 404 200 302"),
    ("enforcement:suggestions", None,
     "403 403 403 200 200 403 403 403 403 403 403 403 302"),
    # Leaders' lists: the township and the village committees, read by the county.
    ("responsibility:lists", None,
     "403 403 403 200 200 403 200 200 403 403 403 200 302"),
    # The enterprise's standing ledgers: read by every role over them, scoped within.
    ("enterprise:posts", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enterprise:expenses", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enterprise:violations", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enterprise:post_create", None,
     "403 403 403 403 403 403 403 403 200 200 200 403 302"),
    # --- enterprise: commitments and self-inspection reports (anpai/enterprise) ---
    ("enterprise:commitments", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enterprise:commitment_sign", None,
     "403 403 403 403 403 403 403 403 200 200 403 403 302"),
    ("enterprise:commitment_export", None,
     "403 403 403 200 200 200 403 403 403 403 403 200 302"),
    ("enterprise:commitment_detail", "commitment:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enterprise:commitment_pdf", "commitment:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enterprise:commitment_signature", "commitment:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enterprise:reports", None,
     "403 403 403 200 200 200 200 200 200 200 200 200 302"),
    ("enterprise:report_create", None,
     "403 403 403 403 403 403 403 403 200 200 200 403 302"),
    ("enterprise:report_detail", "report:ent1",
     "404 404 404 200 200 200 200 404 200 404 200 200 302"),
    ("enterprise:report_detail", "report:ent2",
     "404 404 404 200 200 200 404 200 404 200 404 200 302"),
    ("enterprise:report_detail", "report:ent1draft",
     "404 404 404 404 404 404 404 404 200 404 200 404 302"),
    ("enterprise:report_edit", "report:ent1",
     "404 404 404 403 403 403 403 404 200 404 200 403 302"),
    # --- end enterprise: commitments and self-inspection reports ---
]  # fmt: skip

# Pages whose object is not named ``pk`` in their URL.
PAGE_KWARGS = {"risks:plan": "org", "risks:map_svg": "org", "risk_public": "token"}


def _cases(matrix):
    for row in matrix:
        *request, expected = row
        codes = [int(code) for code in expected.split()]
        assert len(codes) == len(COLUMNS), row
        for persona, code in zip(COLUMNS, codes, strict=True):
            yield pytest.param(
                *request,
                persona,
                code,
                id="-".join([*(str(part) for part in request if part), persona]),
            )


@pytest.fixture
def targets(demo):
    """The objects the matrices point at, by name."""

    def org_of(username: str) -> Organization:
        return demo[username].memberships.get().organization

    dept = org_of("dept")
    village1, village2 = org_of("village1").region, org_of("village2").region
    supervised = set(dept.supervisions.values_list("industry_id", flat=True))
    other = (
        Organization.objects.filter(kind=OrgKind.ENTERPRISE)
        .exclude(region__in=[village1, village2])
        .exclude(industries__in=supervised)
        .order_by("id")
        .first()
    )
    county = Region.objects.create(code="141128000000", name="汾阳市", level=RegionLevel.COUNTY)
    township = Region.objects.create(
        code="141128100000", name="外乡", level=RegionLevel.TOWNSHIP, parent=county
    )
    outside_village = Region.objects.create(
        code="141128100201", name="外村", level=RegionLevel.VILLAGE, parent=township
    )
    body = "91141128MA00UT001"
    outside = Organization.objects.create(
        name="外县化工有限公司",
        kind=OrgKind.ENTERPRISE,
        region=outside_village,
        credit_code=body + credit_code_check_char(body),
    )
    hazards = _hazards(demo, org_of)
    return {
        **hazards,
        **_risk_points(demo, org_of),
        **_permits(demo, org_of),
        **_enterprise_reports(demo, org_of),  # enterprise: commitments and reports
        **_library(township),
        "job:ent1": _job(demo["ent1"]),
        **_inspections(demo, org_of),
        **_inspection_plans(org_of("ent1")),
        **_enforcement(demo, org_of),
        "org:ent1": org_of("ent1").pk,
        "org:ent2": org_of("ent2").pk,
        "org:other": other.pk,
        "org:outside": outside.pk,
        "supervision:dept": Supervision.objects.filter(department=dept).first().pk,
        "supervision:other": Supervision.objects.exclude(department=dept).first().pk,
        "region:village2": village2.pk,
        "region:outside": outside_village.pk,
    }


def _library(outside_township) -> dict[str, int]:
    """A shipped standard and checklist, and a local one of each in another county."""
    from datetime import date

    from anpai.inspections.models import ChecklistTemplate
    from anpai.standards.models import Standard

    standard = Standard.objects.create(
        code="outside-local",
        family="outside",
        name="外县地方标准",
        effective_from=date(2024, 1, 1),
        region=outside_township,
    )
    checklist = ChecklistTemplate.objects.create(
        code="outside-local", name="外县检查表", region=outside_township
    )
    return {
        "standard:shipped": Standard.objects.get(code="gb35181-2025").pk,
        "standard:outside": standard.pk,
        "checklist:shipped": ChecklistTemplate.objects.get(code="campaign-2023").pk,
        "checklist:outside": checklist.pk,
    }


def _inspection_plans(ent1_org) -> dict[str, int]:
    """A duty of ent1's enterprise and the township's random round (both from the demo)."""
    from anpai.inspections.models import InspectionDuty, InspectionRound

    return {
        "duty:ent1": InspectionDuty.objects.filter(organization=ent1_org).first().pk,
        "round:township": InspectionRound.objects.filter(is_random=True).first().pk,
    }


def _inspections(demo, org_of) -> dict[str, int]:
    """Two drafts on the campaign checklist: the township's of ent1's enterprise, and
    ent2's own self-inspection."""
    from anpai.inspections import actions

    township = actions.start(
        by=demo["township"], organization=org_of("ent1"), kind="township",
        template="campaign-2023",
    )  # fmt: skip
    own = actions.start(
        by=demo["ent2"], organization=org_of("ent2"), kind="self", template="campaign-2023"
    )
    return {"inspection:ent1": township.pk, "inspection:ent2": own.pk}


def _job(owner) -> int:
    """A finished background job with a result file, owned by ``owner``."""
    from django.core.files.base import ContentFile

    from anpai.jobs.models import Job, JobState

    job = Job.objects.create(kind="hazard_ledger", user=owner, state=JobState.DONE)
    job.result.save("result.xlsx", ContentFile(b"xlsx"), save=False)
    job.result_name = "整改台账.xlsx"
    job.save()
    return job.pk


def _risk_points(demo, org_of) -> dict[str, int | str]:
    """An assessed risk point of ent1's enterprise and of ent2's, each drawn on the plan."""
    from anpai.risks import actions

    made: dict[str, int | str] = {}
    for name, owner in (("ent1", "ent1"), ("ent2", "ent2")):
        point = actions.create_point(
            by=demo[owner], organization=org_of(owner), name="液氨储罐区", kind="area"
        )
        actions.assess(point, by=demo[owner], method="lec", values={"l": 6, "e": 6, "c": 15})
        actions.save_area(point, by=demo[owner], area=[[100, 100], [400, 100], [400, 300]])
        made[f"risk:{name}"] = point.pk
        made[f"token:{name}"] = point.public_token
    return made


def _permits(demo, org_of) -> dict[str, int]:
    """A complete draft work permit of ent1's enterprise (by its team leader, so that the
    principal and safety manager are not its applicant) and one of ent2's (by ent2)."""
    from datetime import timedelta

    from django.utils import timezone

    from anpai.people.models import User
    from anpai.permits import actions

    start = timezone.now() + timedelta(days=1)
    made = {}
    for name, owner, applicant in (
        ("permit:ent1", "ent1", User.objects.get(username="ent1team")),
        ("permit:ent2", "ent2", demo["ent2"]),
    ):
        made[name] = actions.create(
            by=applicant,
            organization=org_of(owner),
            type="height",
            answers={"height_m": "8"},
            content="反应釜顶部保温层检修",
            location="合成车间二层",
            planned_start=start,
            planned_end=start + timedelta(hours=6),
            person_in_charge="郭春生",
            guardian="监护人丁",
            hazard_identification="高处坠落、物体打击",
            workers=[
                {
                    "name": "高处作业工甲",
                    "certificate_no": "T141127000009",
                    "certificate_expires": "2035-01-01",
                }
            ],
        ).pk
    return made


def _enforcement(demo, org_of) -> dict[str, int]:
    """An open case against ent1's enterprise with a deadline order and its due review, an
    open case against ent2's, and an interview record against ent1's with a file."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from anpai.enforcement import actions
    from anpai.enforcement.models import AccountabilityFile

    township = demo["township"]
    made: dict[str, int] = {}
    for name in ("ent1", "ent2"):
        made[f"case:{name}"] = actions.open_case(
            by=township,
            organization=org_of(name),
            title="可燃气体报警装置未投用",
            facts="检查发现罐区可燃气体报警装置处于关闭状态。",
            grounds=["equipment"],
        ).pk
    deadline = timezone.localdate() + timedelta(days=10)
    order = actions.issue_order(
        made["case:ent1"], by=township, deadline=deadline, items=["报警装置关闭"]
    )
    made["document:ent1"] = order.pk
    made["review:ent1"] = order.measures.get().reviews.get().pk
    record = actions.record_accountability(
        by=township,
        organization=org_of("ent1"),
        kind="interview",
        reason="重大事故隐患整改不力",
        person_name="陈永刚",
        cases=[made["case:ent1"]],
    )
    made["accountability:ent1"] = record.pk
    attached = AccountabilityFile(
        record=record, content_type="application/pdf", sha256="0" * 64, original_name="约谈.pdf"
    )
    attached.file.save("interview.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    made["accountability-file:ent1"] = attached.pk
    return made


# --- enterprise: commitments and self-inspection reports (anpai/enterprise) ---
def _enterprise_reports(demo, org_of) -> dict[str, int]:
    """ent1's commitment of this year, ent1's returned and ent2's submitted report (all
    from the demo), and a fresh draft of ent1's (by its safety manager)."""
    from django.core.files.base import ContentFile

    from anpai.enterprise import actions
    from anpai.enterprise.models import Commitment, SelfInspectionReport

    reports = SelfInspectionReport.objects
    draft = actions.create_report(
        by=demo["ent1safety"], title="自查检视报告（草稿）", overview="逐项检视。"
    )
    returned = reports.filter(organization=org_of("ent1"), state="returned").order_by("id")[0]
    returned.attachment.save("signed.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {
        "commitment:ent1": Commitment.objects.get(
            organization=org_of("ent1"), year=actions.this_year()
        ).pk,
        "report:ent1": returned.pk,
        "report:ent2": reports.filter(organization=org_of("ent2"), state="submitted")
        .order_by("id")
        .first()
        .pk,
        "report:ent1draft": draft.pk,
    }


# --- end enterprise ---


def _hazards(demo, org_of) -> dict[str, int]:
    """A reported general hazard in ent1's enterprise (by ent1safety) and one in ent2's."""
    from anpai.hazards import actions
    from anpai.hazards.models import Category

    category = Category.objects.get(code="electrical")
    made = {}
    for name, reporter in (("hazard:ent1", "ent1safety"), ("hazard:ent2", "ent2")):
        made[name] = actions.report(
            by=demo[reporter],
            organization=org_of(reporter),
            title="配电箱线路老化",
            description="电线绝缘层破损",
            category=category,
        ).pk
    return made


def _payload(method: str) -> dict:
    return {"notes": "checked"} if method == "patch" else {}


@pytest.mark.parametrize(
    ("method", "route", "target", "persona", "expected"), list(_cases(API_MATRIX))
)
def test_api(api, targets, method, route, target, persona, expected):
    kwargs = {"pk": targets[target]} if target else {}
    url = reverse(f"api:{route}", kwargs=kwargs)
    client = api(None if persona == ANON else persona)
    response = (
        getattr(client, method)(url, _payload(method), format="json")
        if method != "get"
        else client.get(url)
    )
    assert response.status_code == expected, (method, url, persona, response.content[:300])


@pytest.mark.parametrize(("route", "target", "persona", "expected"), list(_cases(PAGE_MATRIX)))
def test_page(client, login, targets, route, target, persona, expected):
    kwargs = {PAGE_KWARGS.get(route, "pk"): targets[target]} if target else {}
    url = reverse(route, kwargs=kwargs)
    browser = client if persona == ANON else login(persona)
    response = browser.get(url)
    assert response.status_code == expected, (url, persona)


def test_every_api_route_is_in_the_matrix():
    covered = {route for _, route, _, _ in API_MATRIX} | set(COVERED_ELSEWHERE)
    registered = {p.name for p in api_urls.urlpatterns if getattr(p, "name", None)}
    for _prefix, viewset, basename in router.registry:
        registered.add(f"{basename}-list")
        if hasattr(viewset, "retrieve"):
            registered.add(f"{basename}-detail")
        # Extra actions (a hazard's steps, its history …) are routes of their own.
        registered.update(f"{basename}-{extra.url_name}" for extra in viewset.get_extra_actions())
    missing = registered - covered
    assert not missing, f"API routes without rows in the isolation matrix: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_are_exactly_the_restricted_rows(api, demo, persona):
    """What a list answers is what ``restrict`` allows, no more and no less."""
    client = api(persona)
    for url, model in (
        ("/api/v1/organizations/", Organization),
        ("/api/v1/supervisions/", Supervision),
    ):
        response = client.get(url, {"page_size": 500})
        if response.status_code == 403:
            continue
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == set(model.objects.restrict(demo[persona]).values_list("id", flat=True))
