"""Checklist content: the shipped checklists, versioning, and xlsx export/import.

A checklist is versioned by ``(code, version)``, with exactly one current
version per code. Changing a checklist never edits a version in place: it
makes version + 1 with a copy of the items (:func:`new_version`), so every
inspection keeps the exact questions it was answered against.

Shipped checklists live in ``anpai/inspections/data/*.json``; items cite
standard clauses as ``"<standard code>#<clause number>"`` and hazard
categories by code. :func:`load_shipped_checklists` creates any missing
``(code, version)`` (idempotent) and is run by the data migration
``inspections/0003_load`` and by ``anpai load-standards``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.xlsx import (
    NO,
    REQUIRED_FILL,
    YES,
    ImportFileError,
    ImportResult,
    RowError,
    cell_text,
    header_cell,
    is_blank,
    norm_header,
    open_sheet,
    read_header,
    safe,
)
from anpai.hazards.reference import CATEGORIES
from anpai.orgs.reference import INDUSTRIES

RESOURCE = "inspections.checklisttemplate"
DATA_DIR = Path(__file__).resolve().parent / "data"
CATEGORY_CODES = frozenset(code for code, _name, _en in CATEGORIES)
INDUSTRY_CODES = frozenset(code for code, _name, _en in INDUSTRIES)
DOC_KEYS = ("code", "version", "name", "description", "industry", "items")
ITEM_KEYS = ("section", "question", "guidance", "clause", "category")
ITEM_FIELDS = (
    "order",
    "section",
    "question",
    "guidance",
    "clause",
    "category",
    "allow_na",
    "photo_required_on_fail",
)


# ---------------------------------------------------------------- shipped data


def validate_document(doc: Mapping[str, Any], where: str = "") -> list[str]:
    """The structural problems of one checklist document (clause refs are resolved on load)."""
    where = where or str(doc.get("code", "?"))
    problems = [f"{where}: missing key {key!r}" for key in DOC_KEYS if key not in doc]
    if problems:
        return problems
    if not isinstance(doc["version"], int) or doc["version"] < 1:
        problems.append(f"{where}: version must be a positive integer")
    if doc["industry"] is not None and doc["industry"] not in INDUSTRY_CODES:
        problems.append(f"{where}: unknown industry {doc['industry']!r}")
    if not doc["items"]:
        problems.append(f"{where}: no items")
    for index, item in enumerate(doc["items"], start=1):
        at = f"{where} item {index}"
        problems += [f"{at}: missing key {key!r}" for key in ITEM_KEYS if key not in item]
        if not str(item.get("question", "")).strip():
            problems.append(f"{at}: empty question")
        if item.get("category") not in CATEGORY_CODES:
            problems.append(f"{at}: unknown category {item.get('category')!r}")
        ref = item.get("clause")
        if ref is not None and "#" not in str(ref):
            problems.append(f"{at}: clause must be '<standard code>#<number>', not {ref!r}")
    return problems


def read_documents(data_dir: Path | str | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every checklist document in ``data_dir`` (sorted by file name), validated."""
    for path in sorted(Path(data_dir or DATA_DIR).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        problems = validate_document(doc, path.name)
        if problems:
            raise ValueError("; ".join(problems))
        yield path, doc


def _registry(apps: Any) -> Any:
    if apps is None:
        from django.apps import apps as registry

        return registry
    return apps


def load_shipped_checklists(
    data_dir: Path | str | None = None, *, apps: Any = None
) -> dict[str, int]:
    """Create each shipped ``(code, version)`` that is missing; returns counts.

    An existing version is never changed (inspections may point at it). A new
    shipped version becomes current only if it is newer than every existing
    version of its code — a township's own later edit stays current. Raises
    ``ValueError`` if an item cites a clause or category that does not exist.
    """
    apps = _registry(apps)
    template_model = apps.get_model("inspections", "ChecklistTemplate")
    item_model = apps.get_model("inspections", "ChecklistItem")
    clause_model = apps.get_model("standards", "Clause")
    category_model = apps.get_model("hazards", "Category")
    industry_model = apps.get_model("orgs", "Industry")
    categories = {c.code: c for c in category_model.objects.all()}
    industries = {i.code: i for i in industry_model.objects.all()}
    counts = {"checklists": 0, "created": 0, "unchanged": 0, "items_created": 0}
    with transaction.atomic():
        for path, doc in read_documents(data_dir):
            counts["checklists"] += 1
            code, version = doc["code"], doc["version"]
            if template_model.objects.filter(code=code, version=version).exists():
                counts["unchanged"] += 1
                continue
            items = []
            for index, data in enumerate(doc["items"], start=1):
                clause = None
                if data.get("clause"):
                    std_code, _sep, number = data["clause"].partition("#")
                    clause = clause_model.objects.filter(
                        standard__code=std_code, number=number
                    ).first()
                    if clause is None:
                        raise ValueError(f"{path.name} item {index}: no clause {data['clause']!r}")
                category = categories.get(data["category"])
                if category is None:
                    raise ValueError(f"{path.name} item {index}: no category {data['category']!r}")
                items.append(
                    {
                        "order": data.get("order", index * 10),
                        "section": data.get("section", ""),
                        "question": data["question"],
                        "guidance": data.get("guidance", ""),
                        "clause": clause,
                        "category": category,
                        "allow_na": data.get("allow_na", True),
                        "photo_required_on_fail": data.get("photo_required_on_fail", True),
                    }
                )
            latest = template_model.objects.filter(code=code).aggregate(v=Max("version"))["v"]
            is_current = latest is None or version > latest
            if is_current:
                template_model.objects.filter(code=code, is_current=True).update(is_current=False)
            template = template_model.objects.create(
                code=code,
                version=version,
                is_current=is_current,
                name=doc["name"],
                description=doc.get("description", ""),
                industry=industries.get(doc["industry"]) if doc["industry"] else None,
                place_kind=doc.get("place_kind", ""),
                is_shipped=True,
                region=None,
            )
            item_model.objects.bulk_create(item_model(template=template, **i) for i in items)
            counts["created"] += 1
            counts["items_created"] += len(items)
    return counts


def clause_ref(clause: Any) -> str:
    """How checklists cite a clause: ``"<standard code>#<clause number>"``."""
    return f"{clause.standard.code}#{clause.number}" if clause is not None else ""


# ---------------------------------------------------------------- versioning


def _check(template: Any, by: Any, action: str) -> None:
    """404 if ``by`` cannot see the template, 403 if they may see but not ``action`` it."""
    from anpai.inspections.models import ChecklistTemplate

    if not ChecklistTemplate.objects.restrict(by, action).filter(pk=template.pk).exists():
        if ChecklistTemplate.objects.restrict(by, access.VIEW).filter(pk=template.pk).exists():
            if template.is_shipped:
                raise Forbidden(
                    _(
                        "Shipped checklists are read-only. Make a copy under a new code "
                        "and change that."
                    )
                )
            raise Forbidden(_("Your role may not change this checklist."))
        raise NotFound(_("No such checklist."))


def home_region(by: Any, action: str = access.ADD) -> Any:
    """Where ``by`` may ``action`` checklists (their township or county): a local one's region."""
    table = access.POLICY.get(RESOURCE, {})
    for membership in access.memberships(by):
        if action in table.get(membership.role, ()) and (
            access.ROLE_SCOPE.get(membership.role) == access.REGION
        ):
            org = membership.organization
            return getattr(org, "township", None) or org.region
    return None


def _clean_items(rows: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Item dicts with clause and category resolved (objects, refs or codes); and problems."""
    from anpai.hazards.models import Category
    from anpai.standards.models import Clause

    categories = {c.code: c for c in Category.objects.all()}
    cleaned, problems = [], []
    for index, row in enumerate(rows, start=1):
        question = str(row.get("question") or "").strip()
        if not question:
            problems.append(_("Item %(n)s: the question is required.") % {"n": index})
        clause = row.get("clause")
        if isinstance(clause, str):
            ref = clause.strip()
            code, sep, number = ref.partition("#")
            clause = (
                Clause.objects.filter(standard__code=code, number=number).first() if sep else None
            )
            if ref and clause is None:
                problems.append(
                    _("Item %(n)s: no clause “%(ref)s” (write <standard code>#<number>).")
                    % {"n": index, "ref": ref}
                )
        category = row.get("category")
        if isinstance(category, str):
            category = categories.get(category) if category else None
            if row.get("category") and category is None:
                problems.append(
                    _("Item %(n)s: unknown hazard category “%(c)s”.")
                    % {"n": index, "c": row.get("category")}
                )
        cleaned.append(
            {
                "order": int(row.get("order") or index * 10),
                "section": str(row.get("section") or "").strip()[:100],
                "question": question,
                "guidance": str(row.get("guidance") or "").strip(),
                "clause": clause or None,
                "category": category or None,
                "allow_na": bool(row.get("allow_na", True)),
                "photo_required_on_fail": bool(row.get("photo_required_on_fail", True)),
            }
        )
    return cleaned, problems


def _item_dict(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


TEMPLATE_FIELDS = ("name", "description", "industry", "place_kind")


def new_version(template: Any, *, by: Any, changes: Mapping[str, Any] | None = None) -> Any:
    """Make version + 1 of ``template`` with ``changes``; it becomes the current version.

    ``changes`` may hold ``name``, ``description``, ``industry`` (an Industry or
    None), ``place_kind``; and for the items either ``items`` (the full new list
    of item dicts) or any of ``remove`` (ids of the template's items),
    ``update`` (item id → fields) and ``add`` (item dicts). An item dict has
    the ``ITEM_FIELDS``; ``clause`` may be a Clause or a ``"code#number"``
    reference, ``category`` a Category or its code.

    Only the current version can be changed (409 otherwise); shipped
    checklists are read-only (403: copy them with :func:`copy`). The old
    version and its items are left untouched, so inspections that used it
    keep their questions.
    """
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate

    changes = dict(changes or {})
    _check(template, by, access.CHANGE)
    with transaction.atomic():
        base = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if not base.is_current:
            raise Conflict(_("A newer version of this checklist exists. Reload it and try again."))
        old_items = list(base.items.select_related("clause__standard", "category"))
        if "items" in changes:
            rows: list[Mapping[str, Any]] = list(changes["items"])
        else:
            by_id = {item.pk: item for item in old_items}
            remove = {int(pk) for pk in changes.get("remove", ())}
            update = {int(pk): fields for pk, fields in dict(changes.get("update", {})).items()}
            unknown = (remove | set(update)) - set(by_id)
            if unknown:
                raise Invalid(
                    fields={
                        "items": [
                            _("These items are not in this version: %(ids)s")
                            % {"ids": ", ".join(str(i) for i in sorted(unknown))}
                        ]
                    }
                )
            rows = []
            for item in old_items:
                if item.pk in remove:
                    continue
                rows.append({**_item_dict(item), **update.get(item.pk, {})})
            start = max((r["order"] for r in rows), default=0)
            for offset, added in enumerate(changes.get("add", ()), start=1):
                rows.append({"order": start + offset * 10, **added})
        items, problems = _clean_items(rows)
        if not items:
            problems.append(_("A checklist needs at least one item."))
        values = {name: getattr(base, name) for name in TEMPLATE_FIELDS}
        values.update({k: v for k, v in changes.items() if k in TEMPLATE_FIELDS})
        values["name"] = str(values["name"] or "").strip()
        if not values["name"]:
            raise Invalid(fields={"name": [_("The checklist needs a name.")]})
        if problems:
            raise Invalid(fields={"items": problems})
        # save(), not update(): the audit trail records which version stopped being current.
        base.is_current = False
        base.save(update_fields=["is_current"])
        try:
            with transaction.atomic():
                new = ChecklistTemplate.objects.create(
                    code=base.code,
                    version=base.version + 1,
                    is_current=True,
                    is_shipped=False,
                    region=base.region,
                    created_by=by,
                    **values,
                )
        except IntegrityError:
            raise Conflict(
                _("Someone else saved a new version of this checklist meanwhile. Reload it.")
            ) from None
        ChecklistItem.objects.bulk_create(ChecklistItem(template=new, **i) for i in items)
    return new


def copy(template: Any, *, by: Any, code: str, name: str = "") -> Any:
    """A local checklist under a new ``code`` (version 1) with ``template``'s items.

    The way to adapt a shipped checklist: it is placed in ``by``'s township.
    """
    from django.core.validators import validate_slug

    from anpai.inspections.models import ChecklistItem, ChecklistTemplate

    if not ChecklistTemplate.objects.restrict(by, access.VIEW).filter(pk=template.pk).exists():
        raise NotFound(_("No such checklist."))
    region = home_region(by, access.ADD)
    if region is None:
        raise Forbidden(_("Your role may not add checklists."))
    code = (code or "").strip()
    try:
        validate_slug(code)
    except Exception:
        raise Invalid(
            fields={"code": [_("Use lower-case letters, digits and hyphens for the code.")]}
        ) from None
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise Invalid(fields={"code": [_("A checklist with this code already exists.")]})
    with transaction.atomic():
        new = ChecklistTemplate.objects.create(
            code=code,
            version=1,
            is_current=True,
            name=(name or template.name).strip()[:200],
            description=template.description,
            industry=template.industry,
            place_kind=template.place_kind,
            is_shipped=False,
            region=region,
            created_by=by,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=new, **_item_dict(item)) for item in template.items.all()
        )
    return new


# ---------------------------------------------------------------- xlsx

# Sheet layout: two rows of checklist details, then the item table.
META_CODE, META_NAME, META_INDUSTRY, META_DESCRIPTION, META_VERSION = (
    "检查表编号",
    "名称",
    "适用行业",
    "说明",
    "版本",
)
COL_ORDER, COL_SECTION, COL_QUESTION, COL_GUIDANCE = "序号", "分类", "检查内容", "检查指引"
COL_CLAUSE, COL_CATEGORY, COL_NA, COL_PHOTO = "判定依据", "隐患类别", "可不适用", "不合格须拍照"
COLUMNS = (
    (COL_ORDER, 6, False, ""),
    (COL_SECTION, 16, False, ""),
    (COL_QUESTION, 50, True, ""),
    (COL_GUIDANCE, 40, False, ""),
    (COL_CLAUSE, 26, False, "（标准编号#条款号，如 gongmao-2023#第三条(二)）"),
    (COL_CATEGORY, 16, False, ""),
    (COL_NA, 10, False, "（是/否）"),
    (COL_PHOTO, 12, False, "（是/否）"),
)


def export_xlsx(template: Any) -> Workbook:
    """The checklist as a workbook that :func:`import_xlsx` reads back."""
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="检查表")
    for index, (_title, width, _req, _hint) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    industry = template.industry
    sheet.append(
        [
            header_cell(sheet, META_CODE),
            safe(sheet, template.code),
            header_cell(sheet, META_NAME),
            safe(sheet, template.name),
            header_cell(sheet, META_VERSION),
            template.version,
        ]
    )
    sheet.append(
        [
            header_cell(sheet, META_INDUSTRY),
            safe(sheet, industry.name if industry else ""),
            header_cell(sheet, META_DESCRIPTION),
            safe(sheet, template.description),
        ]
    )
    sheet.append(
        [
            header_cell(sheet, title + hint, REQUIRED_FILL)
            if required
            else header_cell(sheet, title + hint)
            for title, _w, required, hint in COLUMNS
        ]
    )
    items = template.items.select_related("clause__standard", "category").order_by("order", "id")
    for item in items:
        sheet.append(
            [
                item.order,
                safe(sheet, item.section),
                safe(sheet, item.question),
                safe(sheet, item.guidance),
                safe(sheet, clause_ref(item.clause)),
                safe(sheet, item.category.name if item.category else ""),
                YES if item.allow_na else NO,
                YES if item.photo_required_on_fail else NO,
            ]
        )
    return workbook


def import_template(user: Any = None) -> Workbook:
    """An empty checklist workbook, with yes/no drop-downs (for the template download)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查表"
    sheet.append([META_CODE, "", META_NAME, "", META_VERSION, ""])
    sheet.append([META_INDUSTRY, "", META_DESCRIPTION, ""])
    sheet.append([title + hint for title, _w, _r, hint in COLUMNS])
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    yes_no.add("G4:H500")
    return workbook


def _yes_no(text: str, default: bool) -> bool | None:
    if text == "":
        return default
    lowered = text.lower()
    if lowered in {YES, "y", "yes", "true", "1", "√"}:
        return True
    if lowered in {NO, "n", "no", "false", "0", "×"}:
        return False
    return None


def _read(upload: Any) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]], ImportResult]:
    """The details and item rows of an uploaded checklist workbook, with row problems."""
    from anpai.hazards.models import Category
    from anpai.orgs.models import Industry
    from anpai.standards.models import Clause

    result = ImportResult()
    workbook, sheet = open_sheet(upload)
    try:
        limit = settings.ANPAI_IMPORT_MAX_ROWS
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > limit + 10:
                break
    finally:
        workbook.close()
    header_row, positions, data = read_header(
        iter(rows),
        result,
        key=COL_QUESTION,
        known=[title for title, *_rest in COLUMNS],
        required=[COL_QUESTION],
        not_found=_("No header row with a “%(column)s” column was found in the first rows.")
        % {"column": COL_QUESTION},
    )
    meta: dict[str, str] = {}
    for row in rows[: max(header_row - 1, 0)]:
        cells = list(row)
        for pos in range(0, len(cells) - 1, 2):
            label = norm_header(cells[pos])
            if label in {META_CODE, META_NAME, META_INDUSTRY, META_DESCRIPTION, META_VERSION}:
                meta[label] = cell_text(cells[pos + 1])
    if not result.ok:
        return meta, [], result
    data = rows[header_row:]
    if len(data) > limit:
        result.errors.append(
            RowError(None, "", _("The file has more than %(n)s rows.") % {"n": limit})
        )
        return meta, [], result
    categories: dict[str, Any] = {}
    for known in Category.objects.all():
        categories[known.code] = categories[known.name] = known
        categories[known.name_en.lower()] = known
    industries: dict[str, Any] = {}
    for row in Industry.objects.all():
        industries[row.code] = industries[row.name] = row
    if meta.get(META_INDUSTRY) and meta[META_INDUSTRY] not in industries:
        result.errors.append(
            RowError(1, META_INDUSTRY, _("Unknown industry “%(v)s”.") % {"v": meta[META_INDUSTRY]})
        )
    meta["_industry"] = industries.get(meta.get(META_INDUSTRY, ""))  # type: ignore[assignment]
    items: list[tuple[int, dict[str, Any]]] = []
    for offset, row in enumerate(data, start=header_row + 1):
        if is_blank(row):
            continue
        result.rows += 1

        def get(column: str, row: tuple = row) -> str:
            pos = positions.get(column)
            return cell_text(row[pos]) if pos is not None and pos < len(row) else ""

        errors_before = len(result.errors)
        question = get(COL_QUESTION)
        if not question:
            result.errors.append(RowError(offset, COL_QUESTION, _("This column is required.")))
        order_text = get(COL_ORDER)
        order = None
        if order_text:
            try:
                order = int(float(order_text))
                if order < 0:
                    raise ValueError
            except ValueError:
                result.errors.append(
                    RowError(offset, COL_ORDER, _("Write a whole number, e.g. 10."))
                )
        ref = get(COL_CLAUSE)
        clause = None
        if ref:
            code, sep, number = ref.partition("#")
            clause = (
                Clause.objects.select_related("standard")
                .filter(standard__code=code.strip(), number=number.strip())
                .first()
                if sep
                else None
            )
            if clause is None:
                result.errors.append(
                    RowError(
                        offset,
                        COL_CLAUSE,
                        _(
                            "No clause “%(ref)s”. Write the standard code, #, and the clause "
                            "number as in the standards library, e.g. gongmao-2023#第三条(二)."
                        )
                        % {"ref": ref},
                    )
                )
        category_text = get(COL_CATEGORY)
        category = None
        if category_text:
            category = categories.get(category_text) or categories.get(category_text.lower())
            if category is None:
                result.errors.append(
                    RowError(
                        offset,
                        COL_CATEGORY,
                        _("Unknown hazard category “%(v)s”. Use one of: %(names)s")
                        % {
                            "v": category_text,
                            "names": "、".join(sorted({c.name for c in categories.values()})),
                        },
                    )
                )
        flags = {}
        for column, name in ((COL_NA, "allow_na"), (COL_PHOTO, "photo_required_on_fail")):
            value = _yes_no(get(column), True)
            if value is None:
                result.errors.append(RowError(offset, column, _("Write 是 or 否.")))
            flags[name] = value
        if len(result.errors) == errors_before:
            items.append(
                (
                    offset,
                    {
                        "order": order if order is not None else len(items) * 10 + 10,
                        "section": get(COL_SECTION)[:100],
                        "question": question,
                        "guidance": get(COL_GUIDANCE),
                        "clause": clause,
                        "category": category,
                        **flags,
                    },
                )
            )
    if result.rows == 0 and result.ok:
        result.errors.append(RowError(None, COL_QUESTION, _("The file has no checklist items.")))
    return meta, items, result


def run_import(upload: Any, *, user: Any, file_name: str = "", code: str = "") -> ImportResult:
    """Import a checklist workbook: every row checked, nothing saved unless all are valid.

    The code (from the file, or ``code``) decides what is made: an existing
    local checklist gets a new version; a new code makes a local checklist,
    version 1, in the user's township. ``result.created`` holds the template.
    """
    from django.core.validators import validate_slug

    from anpai.inspections.models import ChecklistTemplate

    meta, items, result = _read(upload)
    code = (code or meta.get(META_CODE, "")).strip()
    name = meta.get(META_NAME, "").strip()
    if not code:
        result.errors.append(RowError(1, META_CODE, _("Write the checklist's code.")))
    else:
        try:
            validate_slug(code)
        except Exception:
            result.errors.append(
                RowError(1, META_CODE, _("Use lower-case letters, digits and hyphens."))
            )
    if not result.ok:
        return result
    rows = [data for _offset, data in items]
    current = ChecklistTemplate.objects.filter(code=code, is_current=True).first()
    changes: dict[str, Any] = {"items": rows}
    if name:
        changes["name"] = name[:200]
    if meta.get(META_DESCRIPTION):
        changes["description"] = meta[META_DESCRIPTION]
    if meta.get("_industry") is not None:
        changes["industry"] = meta["_industry"]
    try:
        if current is not None:
            if (
                not ChecklistTemplate.objects.restrict(user, access.VIEW)
                .filter(pk=current.pk)
                .exists()
            ):
                # Another township's checklist holds the code: say so without showing it.
                raise Invalid(fields={META_CODE: [_("This code is taken. Choose another.")]})
            template = new_version(current, by=user, changes=changes)
        else:
            region = home_region(user, access.IMPORT)
            if region is None:
                raise Forbidden(_("Your role may not import checklists."))
            if not name:
                raise Invalid(fields={META_NAME: [_("Write the checklist's name.")]})
            template = _create_local(code, region, user, changes)
    except (Invalid, Forbidden, Conflict, NotFound) as exc:
        messages = exc.fields or {META_CODE: [exc.message]}
        for column, texts in messages.items():
            for text in texts:
                result.errors.append(RowError(1 if column != "items" else None, column, str(text)))
        return result
    result.created.append(template)
    from anpai.audit.log import append
    from anpai.audit.models import AuditAction

    append(
        AuditAction.IMPORT,
        obj=template,
        after={"file": file_name, "items": len(rows), "version": template.version},
    )
    return result


def _create_local(code: str, region: Any, user: Any, changes: Mapping[str, Any]) -> Any:
    from anpai.inspections.models import ChecklistItem, ChecklistTemplate

    with transaction.atomic():
        try:
            with transaction.atomic():
                template = ChecklistTemplate.objects.create(
                    code=code,
                    version=1,
                    is_current=True,
                    name=changes["name"],
                    description=changes.get("description", ""),
                    industry=changes.get("industry"),
                    is_shipped=False,
                    region=region,
                    created_by=user,
                )
        except IntegrityError:
            raise Conflict(_("A checklist with this code was just created. Reload.")) from None
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, **item) for item in changes["items"]
        )
    return template


def import_xlsx(upload: Any, *, by: Any, code: str = "") -> Any:
    """Import a checklist workbook; the new template (or :class:`Invalid` listing every problem).

    Raises :class:`ImportFileError` (as Invalid) when the file is not a workbook.
    """
    try:
        result = run_import(upload, user=by, code=code)
    except ImportFileError as exc:
        raise Invalid(fields={"file": [str(exc)]}) from None
    if not result.ok:
        fields: dict[str, list[str]] = {}
        for error in result.errors:
            where = f"{error.row}: " if error.row else ""
            fields.setdefault(error.column or "file", []).append(f"{where}{error.message}")
        raise Invalid(fields=fields)
    return result.created[0]
