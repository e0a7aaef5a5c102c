"""`genba import`: sites, zones, staff and owners from a workbook (.xlsx) or YAML, all or nothing.

The workbook has a sheet per kind of row, named in Chinese or English: 场所 sites, 区域 zones,
员工 staff, 责任人 owners (sheets whose names start with 说明 or notes are skipped). Each sheet's
first row names its columns by the API's field names, each with an optional label around it:
`employee_no`, `employee_no (工号)` or `工号 (employee_no)`. Owner rows are
`zone_id, from, staff_id, share`, one row per owner; rows with one zone and date form a period.
YAML holds the same as lists under `sites`, `zones`, `staff`, `owners`.

Rows create or update by id: on an update an empty cell keeps what is stored. The whole file is
applied in one write transaction through the same functions the admin API uses (server/people/
setup.py), so it meets every check the screens do; any error rolls all of it back, and each is
named by sheet, Excel row and column (`区域!D4`). A dry run does the same and always rolls back.
Importing the same file again changes nothing.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

import msgspec

from server.core.db import Store
from server.core.errors import DomainError, Invalid
from server.people import setup
from server.people.owners import OwnerShare, OwnersIn
from server.people.users import User

# entity -> (sheet names it is read from, its fields in template order)
SHEETS = {
    "sites": (("场所", "sites"), ["id", "name", "name_en", "active"]),
    "staff": (
        ("员工", "staff"),
        ["id", "employee_no", "name", "name_en", "site_id", "position", "active"],
    ),
    "zones": (
        ("区域", "zones"),
        ["id", "site_id", "name", "name_en", "kind", "checklist_ids", "active"],
    ),
    "owners": (("责任人", "owners"), ["zone_id", "from", "staff_id", "share"]),
}
SKIPPED = ("说明", "notes")
REQUIRED = {
    "sites": {"id", "name"},
    "staff": {"id", "name"},
    "zones": {"id", "site_id", "name", "kind"},
    "owners": {"zone_id", "from", "staff_id"},
}
YES = {"1", "true", "yes", "y", "是", "启用", "在职"}
NO = {"0", "false", "no", "n", "否", "停用", "离职", "退役"}


class Cell(msgspec.Struct):
    value: Any
    where: str  # 区域!D4, or zones[3].kind for YAML


class Line(msgspec.Struct):
    """One row of a sheet: its non-empty cells by field, and where the row is."""

    sheet: str
    row: int
    where: str
    cells: dict[str, Cell]


class Change(msgspec.Struct):
    sheet: str
    row: int
    entity: str
    id: str
    action: str  # create, update, unchanged
    fields: list[str]


class ImportReport(msgspec.Struct):
    dry_run: bool
    applied: bool
    changes: list[Change]
    counts: dict[str, int]


# --------------------------------------------------------------------------- reading files


def read(data: bytes) -> dict[str, list[Line]]:
    """The file's rows by entity: a workbook when it is a zip (xlsx), YAML otherwise."""
    if data[:4] == b"PK\x03\x04":
        return _workbook(data)
    return _yaml(data)


def _field_of(header: Any, fields: list[str]) -> str | None:
    text = str(header or "").strip()
    if text in fields:
        return text
    found = [w for w in re.findall(r"[a-z_]+", text) if w in fields]
    return found[0] if len(found) == 1 else None


def _workbook(data: bytes) -> dict[str, list[Line]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise Invalid(f"not a readable .xlsx workbook: {type(exc).__name__}") from None
    lines: dict[str, list[Line]] = {}
    errors: list[dict] = []
    for sheet in book.worksheets:
        entity = _entity_of(sheet.title, errors)
        if entity is None:
            continue
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ())
        columns = _columns(sheet.title, entity, header, errors, get_column_letter)
        for number, values in enumerate(rows, start=2):
            cells = {
                name: Cell(value, f"{sheet.title}!{letter}{number}")
                for i, (name, letter) in columns.items()
                if i < len(values) and not _empty(values[i])
                for value in [values[i]]
            }
            if cells:
                where = f"{sheet.title}!{number}"
                lines.setdefault(entity, []).append(Line(sheet.title, number, where, cells))
    if errors:
        raise Invalid(f"{len(errors)} problems in the workbook's sheets or columns", errors=errors)
    return lines


def _entity_of(title: str, errors: list[dict]) -> str | None:
    if title.strip().lower().startswith(SKIPPED):
        return None
    for entity, (names, _) in SHEETS.items():
        if title.strip().lower() in {n.lower() for n in names} or title.strip() in names:
            return entity
        if any(name in title for name in names[:1]):
            return entity
    known = ", ".join(f"{zh} ({en})" for zh, en in (names for names, _ in SHEETS.values()))
    errors.append({"path": title, "message": f"unknown sheet {title!r}: the sheets are {known}"})
    return None


def _columns(title, entity, header, errors, letter) -> dict[int, tuple[str, str]]:
    """Column index -> (field, column letter); extra or missing columns are errors."""
    fields = SHEETS[entity][1]
    columns: dict[int, tuple[str, str]] = {}
    for i, cell in enumerate(header):
        if _empty(cell):
            continue
        name = _field_of(cell, fields)
        where = f"{title}!{letter(i + 1)}1"
        if name is None:
            message = f"unknown column {str(cell)!r}: the columns are {', '.join(fields)}"
            errors.append({"path": where, "message": message})
        elif name in {n for n, _ in columns.values()}:
            errors.append({"path": where, "message": f"column {name} appears twice"})
        else:
            columns[i] = (name, letter(i + 1))
    for name in sorted(REQUIRED[entity] - {n for n, _ in columns.values()}):
        errors.append({"path": f"{title}!1", "message": f"missing column {name}"})
    return columns


def _yaml(data: bytes) -> dict[str, list[Line]]:
    from server.checklists.loader import ChecklistFileError, parse_yaml

    try:
        document = parse_yaml(data, "import")
    except ChecklistFileError as exc:
        raise Invalid(f"neither a workbook nor valid YAML: {exc.message}") from None
    if not isinstance(document, dict):
        raise Invalid("a YAML import is a mapping of sites, zones, staff and owners")
    lines: dict[str, list[Line]] = {}
    errors: list[dict] = []
    for key, items in document.items():
        entity = _entity_of(str(key), errors)
        if entity is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            errors.append({"path": str(key), "message": "a list of mappings, one per row"})
            continue
        fields = SHEETS[entity][1]
        for n, item in enumerate(items):
            for name in item:
                if name not in fields:
                    errors.append({"path": f"{key}[{n}].{name}", "message": "unknown field"})
            cells = {
                name: Cell(value, f"{key}[{n}].{name}")
                for name, value in item.items()
                if name in fields and not _empty(value)
            }
            lines.setdefault(entity, []).append(Line(str(key), n + 1, f"{key}[{n}]", cells))
    if errors:
        raise Invalid(f"{len(errors)} problems in the YAML", errors=errors)
    return lines


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- cells to values


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 工号 1001 typed as a number
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def _value(name: str, value: Any) -> Any:
    """A cell as the API field wants it."""
    if name == "active":
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        return True if text in YES else False if text in NO else text
    if name == "checklist_ids":
        if isinstance(value, list):
            return [_text(v) for v in value]
        return [part for part in re.split(r"[,，;；\s]+", _text(value)) if part]
    if name == "share":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        text = _text(value).rstrip("%")
        try:
            return float(text)
        except ValueError:
            return text
    return _text(value)


# --------------------------------------------------------------------------- applying


ROWS = {"sites": setup.SiteRow, "staff": setup.StaffRow, "zones": setup.ZoneRow}
PATCHES = {"sites": setup.SitePatch, "staff": setup.StaffPatch, "zones": setup.ZonePatch}


def run(store: Store, user: User, data: bytes, today: str, dry_run: bool) -> ImportReport:
    """Apply the file (or try it, and roll back); Invalid listing every bad cell, or a report."""
    lines = read(data)
    known = setup.catalog(store)
    with store.trial() if dry_run else store.write() as db:
        changes, errors = [], []
        for entity in ("sites", "staff", "zones"):
            for line in lines.get(entity, []):
                _one(db, user, entity, line, known, today, changes, errors)
        for group in _periods(lines.get("owners", []), errors):
            _owners(db, user, group, changes, errors)
        if errors:
            raise Invalid(f"{len(errors)} problems: nothing was imported", errors=errors)
    counts = {action: 0 for action in ("create", "update", "unchanged")}
    for change in changes:
        counts[change.action] += 1
    return ImportReport(dry_run=dry_run, applied=not dry_run, changes=changes, counts=counts)


def _where(line: Line, path: str) -> str:
    """The cell an error's `$.field[...]` path points at, else the row."""
    match = re.match(r"^\$\.([a-z_]+)", path or "")
    cell = line.cells.get(match.group(1)) if match else None
    return cell.where if cell else line.where


def _refused(line: Line, exc: Exception, errors: list[dict]) -> None:
    if isinstance(exc, msgspec.ValidationError):
        message, _, path = str(exc).rpartition(" - at ")
        errors.append({"path": _where(line, path.strip("`")), "message": message or str(exc)})
    elif exc.errors:
        errors += [{"path": _where(line, e["path"]), "message": e["message"]} for e in exc.errors]
    else:
        errors.append({"path": line.where, "message": exc.message})


def _one(db, user, entity, line, known, today, changes, errors) -> None:
    values = {name: _value(name, cell.value) for name, cell in line.cells.items()}
    entity_id = values.get("id")
    if not entity_id:
        errors.append({"path": line.where, "message": "the row has no id"})
        return
    current = setup.stored(db, entity, entity_id)
    try:
        if current is None:
            row = msgspec.convert(values, ROWS[entity])
            _create(db, user, entity, row, known)
            changes.append(Change(line.sheet, line.row, entity, entity_id, "create", list(values)))
            return
        before = setup.READERS[entity](current)
        patch = msgspec.convert({k: v for k, v in values.items() if k != "id"}, PATCHES[entity])
        after = _change(db, user, entity, entity_id, patch, known, today)
    except (DomainError, msgspec.ValidationError) as exc:
        _refused(line, exc, errors)
        return
    changed = [k for k in values if getattr(before, k) != getattr(after, k)]
    action = "update" if changed else "unchanged"
    changes.append(Change(line.sheet, line.row, entity, entity_id, action, changed))


def _create(db, user, entity, row, known) -> None:
    if entity == "zones":
        setup.add_zone(db, user, row, known)
    elif entity == "sites":
        setup.add_site(db, user, row)
    else:
        setup.add_staff(db, user, row)


def _change(db, user, entity, entity_id, patch, known, today):
    if entity == "zones":
        return setup.change_zone(db, user, entity_id, patch, known)
    if entity == "sites":
        return setup.change_site(db, user, entity_id, patch)
    return setup.change_staff(db, user, entity_id, patch, today)


def _periods(lines: list[Line], errors: list[dict]) -> list[list[Line]]:
    """Owner rows grouped by zone and start date, in the order they first appear."""
    groups: dict[tuple[str, str], list[Line]] = {}
    for line in lines:
        missing = [n for n in ("zone_id", "from", "staff_id") if n not in line.cells]
        if missing:
            errors.append({"path": line.where, "message": f"missing {', '.join(missing)}"})
            continue
        key = (
            _value("zone_id", line.cells["zone_id"].value),
            _value("from", line.cells["from"].value),
        )
        groups.setdefault(key, []).append(line)
    return list(groups.values())


def _owners(db, user, group: list[Line], changes: list, errors: list) -> None:
    first = group[0]
    zone_id, starts = (
        _value("zone_id", first.cells["zone_id"].value),
        _value("from", first.cells["from"].value),
    )
    try:
        owners = [
            OwnerShare(
                staff_id=_value("staff_id", line.cells["staff_id"].value),
                share=_value("share", line.cells["share"].value)
                if "share" in line.cells
                else 100.0,
            )
            for line in group
        ]
        body = msgspec.convert({"from": starts, "owners": msgspec.to_builtins(owners)}, OwnersIn)
        existing = {p.starts: p.owners for p in setup.zone_periods(db, user, zone_id)}
        if existing.get(starts) == body.owners:
            action = "unchanged"
        else:
            action = "update" if starts in existing else "create"
            setup.set_zone_owners(db, user, zone_id, body)
    except (DomainError, msgspec.ValidationError) as exc:
        _owner_refused(group, exc, errors)
        return
    changes.append(
        Change(first.sheet, first.row, "owners", f"{zone_id}@{starts}", action, ["owners"])
    )


def _owner_refused(group: list[Line], exc: Exception, errors: list[dict]) -> None:
    """Point `$.owners[i].staff_id` at the i-th row of the period, `$.owners` at its shares."""
    found = exc.errors if isinstance(exc, DomainError) and exc.errors else None
    if found is None:
        _refused(group[0], exc, errors)
        return
    for error in found:
        match = re.match(r"^\$\.owners\[(\d+)\]\.(\w+)", error["path"])
        if match and int(match.group(1)) < len(group):
            line = group[int(match.group(1))]
            errors.append(
                {"path": _where(line, f"$.{match.group(2)}"), "message": error["message"]}
            )
        elif error["path"] == "$.owners":
            where = group[0].cells.get("share", group[0].cells["staff_id"]).where
            errors.append({"path": where, "message": error["message"]})
        else:
            errors.append({"path": _where(group[0], error["path"]), "message": error["message"]})


# --------------------------------------------------------------------------- the template

LABELS = {
    "id": "编号",
    "name": "名称",
    "name_en": "英文名称",
    "active": "启用",
    "employee_no": "工号",
    "site_id": "场所编号",
    "position": "岗位",
    "kind": "区域类型",
    "checklist_ids": "检查表",
    "zone_id": "区域编号",
    "from": "起始日期",
    "staff_id": "员工编号",
    "share": "份额%",
}
EXAMPLES = {
    "sites": ["hq", "鸿达汽车4S店", "Hongda Motors 4S dealership", "是"],
    "staff": ["s-wang", "HD0001", "王建国", "Wang Jianguo", "hq", "车间主管", "是"],
    "zones": [
        "hq-workshop",
        "hq",
        "机电维修车间",
        "Mechanical workshop",
        "workshop",
        "6s-zone, facility-daily",
        "是",
    ],
    "owners": ["hq-workshop", "2026-01-01", "s-wang", 100],
}
NOTES = [
    ("填写说明", "How to fill it in"),
    (
        "每张表的第一行是列名，请勿修改；从第二行起每行一条。",
        "Row 1 names the columns: keep it. One row each from row 2.",
    ),
    (
        "编号相同的行会更新已有数据，空白单元格保留原值。",
        "A row whose id exists updates it; empty cells keep what is stored.",
    ),
    (
        "检查表用逗号分隔；启用填 是/否；日期填 YYYY-MM-DD。",
        "Checklists comma-separated; active 是/否 (yes/no); dates YYYY-MM-DD.",
    ),
    (
        "责任人：同一区域、同一起始日期的各行组成一个时期，份额合计 100。",
        "Owners: rows with one zone and date form a period; shares add up to 100.",
    ),
    (
        "先用 genba import --dry-run 或网页上的“预览”检查，再导入。",
        "Check with genba import --dry-run, or Preview on the screen, first.",
    ),
]


def template(kinds: dict, checklists: dict) -> bytes:
    """An empty workbook: the notes, then each sheet with its headers and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    notes = book.active
    notes.title = "说明 notes"
    for zh, en in NOTES:
        notes.append([zh, en])
    notes.append([])
    notes.append(["区域类型 kinds", *[f"{k} {v.name.zh}" for k, v in kinds.items()]])
    notes.append(["检查表 checklists", *[f"{c} {v.title.zh}" for c, v in checklists.items()]])
    notes.column_dimensions["A"].width = 60
    notes.column_dimensions["B"].width = 70
    for entity in ("sites", "zones", "staff", "owners"):
        (zh, _), fields = SHEETS[entity]
        sheet = book.create_sheet(zh)
        sheet.append([f"{LABELS[f]} ({f})" for f in fields])
        sheet.append(EXAMPLES[entity])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column, _field in zip("ABCDEFG", fields, strict=False):
            sheet.column_dimensions[column].width = 24
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
