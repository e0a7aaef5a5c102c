"""The appraisal's files for HR (docs/appraisal.md, "Exports"): CSV, XLSX and PDF of a report.

`report` is the JSON dict of GET /api/appraisal (server/appraisal/close.py `live_report`, or
the frozen one of a closed month): month, rules, rule {zh, en}, closed, rows, amendments.

Every file has the same columns, Chinese headers first, in this order:
工号, 姓名, 英文名, 得分, 等级, 系数, 样本不足, 单一审核员, 红线, 未关闭整改, 逾期整改, one column
per rate (its Chinese label), 区域明细, 说明. The CSV and the XLSX have one header row, Chinese
only, so payroll matches its columns by name; the PDF prints the English under each header.
- 样本不足, 单一审核员: 是 / 否; 红线: the number of red-line items in the row's `red_lines`;
  a rate: its `value` (percent, one decimal), blank with none; 区域明细: per zone
  "zone used×share%×days天" (what the person's score takes from it); 说明: note.zh.
- Text is text: a cell starting with = + - @, a tab or a carriage return is written so that no
  spreadsheet runs it as a formula (the CSV prefixes a single quote, as OWASP advises; the
  XLSX stores it as a plain string with Excel's quote prefix, the text itself unchanged), and
  control characters an XLSX cannot hold are dropped. The PDF's template escapes everything.
- The same report gives the same bytes: the XLSX's dates and zip entries are the first day of
  the month, and nothing prints the time of rendering.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import shutil
import unicodedata
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.writer.excel import ExcelWriter

SUMMARY_SHEET = "考核汇总"
AUDITS_SHEET = "审核明细"
DEDUCTIONS_SHEET = "扣分明细"
AMENDMENTS_SHEET = "更正 Amendments"
TEMPLATE = "appraisal_month.html"

SCORE, COEFFICIENT, RATE = "0.0", "0.00", "0.0"  # the XLSX's number formats
# (Chinese header, English, XLSX column width, number format): before and after the rates.
HEAD = [
    ("工号", "Employee no.", 12, None),
    ("姓名", "Name", 12, None),
    ("英文名", "English name", 16, None),
    ("得分", "Score", 8, SCORE),
    ("等级", "Grade", 7, None),
    ("系数", "Coefficient", 7, COEFFICIENT),
    ("样本不足", "Insufficient", 10, None),
    ("单一审核员", "Single officer", 12, None),
    ("红线", "Red lines", 6, None),
    ("未关闭整改", "Open actions", 12, None),
    ("逾期整改", "Overdue actions", 10, None),
]
TAIL = [("区域明细", "Zones: used × share × days", 44, None), ("说明", "Note", 60, None)]
RATE_WIDTH = 14
# The PDF's columns before the rates, in mm, on the 273 mm of an A4 landscape page's table.
PDF_WIDTHS = [13, 13, 16, 9, 10, 10, 11, 13, 7, 13, 11]
PDF_TABLE = 272.0

AUDIT_COLUMNS = [
    ("工号", 12, None),
    ("姓名", 12, None),
    ("区域", 18, None),
    ("日期", 11, None),
    ("检查表", 20, None),
    ("版本", 6, None),
    ("审核员", 12, None),
    ("得分", 8, "0.0"),
    ("审核编号", 38, None),
]
DEDUCTION_COLUMNS = [
    ("工号", 12, None),
    ("姓名", 12, None),
    ("审核编号", 38, None),
    ("区域", 18, None),
    ("日期", 11, None),
    ("检查项编号", 16, None),
    ("检查项", 30, None),
    ("给分", 7, None),
    ("满分", 6, None),
    ("评分标准", 36, None),
    ("备注", 36, None),
    ("照片", 6, None),
    ("红线", 6, None),
]
AMENDMENT_COLUMNS = [
    ("关账月份", 10, None),
    ("工号", 12, None),
    ("姓名", 12, None),
    ("关账得分", 10, SCORE),
    ("关账等级", 9, None),
    ("关账系数", 9, COEFFICIENT),
    ("现得分", 9, SCORE),
    ("现等级", 8, None),
    ("现系数", 8, COEFFICIENT),
    ("新增审核", 40, None),
    ("移除审核", 40, None),
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- the row's figures


def _clean(text: str) -> str:
    """Text without the control characters an XLSX cannot hold (tab, CR and LF stay)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def yes_no(flag) -> str:
    return "是" if flag else "否"


def one(value) -> str:
    """A score or percent with its one decimal; blank with none."""
    return "" if value is None else f"{float(value):.1f}"


def two(value) -> str:
    """A coefficient with two decimals; blank with none."""
    return "" if value is None else f"{float(value):.2f}"


def rate_columns(report: dict) -> list[dict]:
    """The rates of the report's rows, each once ({id, label, label_en}), in the order the
    rules list them (the order of the first row that has each)."""
    found: dict[str, dict] = {}
    for row in report["rows"]:
        for rate in row.get("rates") or ():
            found.setdefault(
                rate["id"],
                {"id": rate["id"], "label": rate["label"], "label_en": rate.get("label_en")},
            )
    return list(found.values())


def red_line_count(row: dict) -> int:
    return sum(len(red.get("items") or ()) for red in row.get("red_lines") or ())


def part_pieces(part: dict) -> tuple[str, str]:
    """One zone of 区域明细: (its name, the figure the person's score takes × share % × days
    owned, with 沿用 the month carried from, or 不计 when left out)."""
    used = part.get("used")
    figure = f"{one(used) or '—'}×{float(part['share']):g}%×{part['days']}天"
    if part.get("carried_from"):
        figure += f"（沿用{part['carried_from']}）"
    elif used is None:
        figure += "（不计）"
    return part["zone"], figure


def part_text(part: dict) -> str:
    return " ".join(part_pieces(part))


def zones_text(row: dict) -> str:
    return "；".join(part_text(p) for p in row.get("parts") or ())


def _rate_values(row: dict, rates: list[dict]) -> list[float | None]:
    mine = {r["id"]: r.get("value") for r in row.get("rates") or ()}
    return [mine.get(rate["id"]) for rate in rates]


def headers(report: dict) -> list[str]:
    """The Chinese header row, as the CSV and the XLSX print it."""
    return (
        [zh for zh, *_ in HEAD]
        + [rate["label"] for rate in rate_columns(report)]
        + [zh for zh, *_ in TAIL]
    )


def row_values(row: dict, rates: list[dict]) -> list:
    """A row's cells in header order: text as str, figures as numbers (None: blank)."""
    return [
        row.get("employee_no") or "",
        row.get("name") or "",
        row.get("name_en") or "",
        row.get("score"),
        row.get("grade") or "",
        row.get("coefficient"),
        yes_no(row.get("insufficient")),
        yes_no(row.get("single_officer")),
        red_line_count(row),
        row.get("actions_open") or 0,
        row.get("actions_overdue") or 0,
        *_rate_values(row, rates),
        zones_text(row),
        (row.get("note") or {}).get("zh") or "",
    ]


# --------------------------------------------------------------------------- CSV


def csv_text(value: str) -> str:
    """A text cell for the CSV: a leading = + - @ tab or CR gets a single quote before it."""
    value = _clean(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(report: dict) -> bytes:
    """One header row (Chinese) and one row per person, UTF-8 with a BOM (so Excel reads the
    Chinese as UTF-8). Score and rates with one decimal, the coefficient with two."""
    rates = rate_columns(report)
    formats = [None] * len(HEAD) + [one] * len(rates) + [None] * len(TAIL)
    formats[3], formats[5] = one, two
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_text(name) for name in headers(report)])
    for row in report["rows"]:
        cells = []
        for value, shape in zip(row_values(row, rates), formats, strict=True):
            if shape is not None:
                cells.append(shape(value))
            elif isinstance(value, str):
                cells.append(csv_text(value))
            else:
                cells.append("" if value is None else value)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- XLSX


def _month_start(month: str) -> datetime:
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1)


class _StampedZip(zipfile.ZipFile):
    """A zip whose every entry carries one fixed time, so equal content gives equal bytes;
    the rows of each `_Rows` sheet are streamed into that sheet's XML as it is stored."""

    stamp = (1980, 1, 1, 0, 0, 0)
    fills: tuple[_Rows, ...] = ()

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each write-only sheet from a temporary file (its `path` is set then).
        name = arcname or str(filename)
        fill = next((f for f in self.fills if f.sheet.path.lstrip("/") == name), None)
        with (
            open(filename, "rb") as source,
            self.open(self._info(name), "w", force_zip64=True) as target,
        ):
            if fill is None:
                shutil.copyfileobj(source, target, 1 << 20)
                return
            head, end, tail = source.read().rpartition(b"</sheetData>")
            if not end:
                raise RuntimeError(f"no </sheetData> in openpyxl's {name}")
            target.write(head)
            for chunk in fill.xml():
                target.write(chunk)
            target.write(end + tail)


class _Sheet:
    """A write-only worksheet: header row, widths and frozen panes first, then rows whose
    text cells are made safe and whose numbers get their formats."""

    def __init__(self, book, title: str, columns: list[tuple[str, float, str | None]],
                 freeze: str = "A2"):  # fmt: skip
        self.sheet = book.create_sheet(title)
        self.formats = [fmt for _, _, fmt in columns]
        for n, (_, width, _) in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(n)].width = width
        self.sheet.freeze_panes = freeze
        self.rows = 0
        self.header([name for name, _, _ in columns])

    def header(self, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = self.cell(name, wrap=True)  # a rate's label is text too, whatever it says
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            cells.append(cell)
        self.append(cells)

    def cell(self, value, number_format: str | None = None, wrap: bool = False):
        if isinstance(value, str):
            value = _clean(value)[:32767]
            if value.startswith(FORMULA_START) or wrap:
                cell = WriteOnlyCell(self.sheet)
                cell.value = value
                cell.data_type = "s"  # a string, even "=1+1": never a formula
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # and Excel keeps it text when it is edited
                if wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                return cell
            return value
        if number_format and isinstance(value, int | float) and not isinstance(value, bool):
            cell = WriteOnlyCell(self.sheet, value)
            cell.number_format = number_format
            return cell
        return value

    def append(self, cells: list) -> None:
        self.sheet.append(cells)
        self.rows += 1

    def line(self, values: list, wraps: frozenset[int] = frozenset()) -> None:
        self.append(
            [
                self.cell(value, fmt, n in wraps)
                for n, (value, fmt) in enumerate(zip(values, self.formats, strict=True))
            ]
        )

    def note(self, text: str, span: int, across: float) -> None:
        """A line of text under the table, merged across its `span` columns (`across` width
        units wide), grey and wrapped, the row tall enough for it."""
        row = self.rows + 1
        lines = sum(max(1, math.ceil(_width(part) / (across * 0.9))) for part in text.split("\n"))
        self.sheet.row_dimensions[row].height = 14 * lines + 3
        self.sheet.merged_cells.add(CellRange(f"A{row}:{get_column_letter(span)}{row}"))
        cell = self.cell(text, wrap=True)
        cell.font = Font(color="444444", size=9)
        self.append([cell])


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_SPECIAL = re.compile("[&<>\r]")
FORMULA_CHARS = "=+-@\t\r"
SPACES = " \t\n\r"


class _Rows(_Sheet):
    """A sheet of many rows (the audits and deductions behind a month: tens of thousands):
    openpyxl writes its header row, widths and frozen panes, and the rows are written as
    XML straight into the sheet when the zip stores it (`_StampedZip.write`). openpyxl takes
    some 20 µs a cell to write one; this a tenth of that. The cells are what openpyxl would
    write: text as inline strings (a formula start with Excel's quote prefix), numbers with
    their column's number format, None and "" left empty."""

    def __init__(self, book, title: str, columns: list[tuple[str, float, str | None]]):
        super().__init__(book, title, columns)
        self.values: list[list] = []
        self.styles = [self._style(number_format=fmt) if fmt else 0 for fmt in self.formats]
        self.quoted = self._style(quotePrefix=True)

    def _style(self, **style) -> int:
        """The workbook's style id of a cell styled so (registered for styles.xml)."""
        cell = WriteOnlyCell(self.sheet)
        for key, value in style.items():
            setattr(cell, key, value)
        return cell.style_id

    def line(self, values: list, wraps: frozenset[int] = frozenset()) -> None:
        self.values.append(values)

    def xml(self, size: int = 2000):
        """The rows' XML, in chunks of `size` rows, numbered from 2 (after the header)."""
        letters = [get_column_letter(n) for n in range(1, len(self.formats) + 1)]
        columns = list(zip(letters, self.styles, strict=True))
        cell = self._xml_cell
        for start in range(0, len(self.values), size):
            out = []
            for number, values in enumerate(self.values[start : start + size], start + 2):
                out.append(f'<row r="{number}">')
                out += [
                    cell(f"{letter}{number}", value, style)
                    for (letter, style), value in zip(columns, values, strict=True)
                    if value is not None
                ]
                out.append("</row>")
            yield "".join(out).encode("utf-8", "replace")

    def _xml_cell(self, ref: str, value, style: int) -> str:
        if value.__class__ is str:
            if not value.isprintable():
                value = _clean(value)
            if not value:
                return ""
            value = value[:32767]
            start = (
                f'<c r="{ref}" s="{self.quoted}"' if value[0] in FORMULA_CHARS else f'<c r="{ref}"'
            )
            t = '<t xml:space="preserve">' if value[0] in SPACES or value[-1] in SPACES else "<t>"
            if _XML_SPECIAL.search(value):
                value = value.translate(_XML_TEXT)
            return f'{start} t="inlineStr"><is>{t}{value}</t></is></c>'
        if isinstance(value, str | bool) or not math.isfinite(value):
            return self._xml_cell(ref, str(value), style)  # a str subclass, a bool, a NaN
        if style:
            return f'<c r="{ref}" s="{style}" t="n"><v>{value!r}</v></c>'
        return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'


def _width(text: str) -> float:
    """About how many Excel width units `text` takes (a Chinese character two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)


def _summary(book, report: dict) -> None:
    rates = rate_columns(report)
    columns = (
        [(zh, width, fmt) for zh, _, width, fmt in HEAD]
        + [(rate["label"], RATE_WIDTH, RATE) for rate in rates]
        + [(zh, width, fmt) for zh, _, width, fmt in TAIL]
    )
    sheet = _Sheet(book, SUMMARY_SHEET, columns, freeze="C2")
    wraps = frozenset({len(columns) - 2, len(columns) - 1})
    for row in report["rows"]:
        sheet.line(row_values(row, rates), wraps)

    # Under the table: the rule (both languages), the columns in English, the close and the
    # amendments, each across the table's width.
    english = [en for _, en, _, _ in HEAD] + [r["label_en"] or r["label"] for r in rates]
    english += [en for _, en, _, _ in TAIL]
    rule = report.get("rule") or {}
    notes = [
        f"考核规则：{rule.get('zh') or ''}",
        f"Rule: {rule.get('en') or ''}",
        "列 Columns: "
        + " · ".join(f"{zh} {en}" for zh, en in zip(headers(report), english, strict=True)),
        closed_text(report),
    ]
    if report.get("amendments"):
        count = len(report["amendments"])
        notes.append(
            f"更正：本月列出已关账月份的{count}项更正，见“{AMENDMENTS_SHEET}”工作表。"
            f" Amendments: {count} changes to closed months, on the sheet {AMENDMENTS_SHEET}."
        )
    sheet.append([])
    for text in notes:
        sheet.note(text, len(columns), sum(width for _, width, _ in columns))


def _people(report: dict) -> dict[str, dict]:
    return {row["staff_id"]: row for row in report["rows"]}


def _who(people: dict[str, dict], line: dict) -> list[str]:
    row = people.get(line.get("staff_id")) or {}
    return [row.get("employee_no") or "", row.get("name") or line.get("name") or ""]


def _deduction_value(value):
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def _photo_count(photos) -> int:
    return photos if isinstance(photos, int) else len(photos or ())


def to_xlsx(report: dict, audits: list[dict], deductions: list[dict]) -> bytes:
    """The workbook HR takes: sheet 考核汇总 (one row per person, the rule under the table),
    审核明细 (the audits behind each row), 扣分明细 (every deduction in them) and
    更正 Amendments (changes to closed months listed this month; header only with none).

    `audits`: one dict per (person, audit), in the order to print:
      {audit_id, staff_id, zone_id, zone, day, checklist_id, checklist_version, officer,
       percent} — `zone` the zone's name, `day` "YYYY-MM-DD", `officer` the officer's name,
      `percent` the audit's score (None: not scored); 工号 and 姓名 come from the report's row
      of `staff_id` (else a `name` key of the line).
    `deductions`: one dict per (person, deducted item):
      {audit_id, staff_id, zone, day, item_id, item_label, value, max, anchor, note, photos,
       red_line} — `value` the answer given (a number, or text such as "fail"), `max` a score
      item's top level (else None), `anchor` the text of the level given (else None),
      `photos` a count or the list of the photos' sha256, `red_line` a bool. Without `zone`
      the zone comes from the audit's line in `audits` (else its `zone_id`).
    server/appraisal/close.py `render_files` builds both from server/appraisal/evidence.py.
    """
    book = Workbook(write_only=True)
    start = _month_start(report["month"])
    book.properties.created = book.properties.modified = start
    book.properties.creator = book.properties.lastModifiedBy = "Genba"
    book.properties.title = f"{report['month']} 月度考核 Monthly appraisal"

    _summary(book, report)
    people = _people(report)

    audit_rows = sheet = _Rows(book, AUDITS_SHEET, AUDIT_COLUMNS)
    zones: dict[str, str] = {}
    for line in audits:
        zones.setdefault(line["audit_id"], line.get("zone") or line.get("zone_id") or "")
        sheet.line(
            [
                *_who(people, line),
                line.get("zone") or line.get("zone_id") or "",
                line.get("day") or "",
                line.get("checklist_id") or "",
                line.get("checklist_version"),
                line.get("officer") or "",
                line.get("percent"),
                line["audit_id"],
            ]
        )

    deduction_rows = sheet = _Rows(book, DEDUCTIONS_SHEET, DEDUCTION_COLUMNS)
    for line in deductions:
        zone = line.get("zone") or zones.get(line["audit_id"]) or line.get("zone_id") or ""
        sheet.line(
            [
                *_who(people, line),
                line["audit_id"],
                zone,
                line.get("day") or "",
                line.get("item_id") or "",
                line.get("item_label") or "",
                _deduction_value(line.get("value")),
                line.get("max"),
                line.get("anchor") or "",
                line.get("note") or "",
                _photo_count(line.get("photos")),
                yes_no(line.get("red_line")),
            ]
        )

    sheet = _Sheet(book, AMENDMENTS_SHEET, AMENDMENT_COLUMNS, freeze="A2")
    for change in report.get("amendments") or ():
        closed, now = change.get("closed") or {}, change.get("now") or {}
        row = people.get(change.get("staff_id")) or {}
        sheet.line(
            [
                change.get("month") or "",
                change.get("employee_no") or row.get("employee_no") or "",
                change.get("name") or "",
                closed.get("score"),
                closed.get("grade") or "",
                closed.get("coefficient"),
                now.get("score"),
                now.get("grade") or "",
                now.get("coefficient"),
                " ".join(change.get("audits_added") or ()),
                " ".join(change.get("audits_removed") or ()),
            ]
        )

    out = io.BytesIO()
    archive = _StampedZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = (start.year, start.month, 1, 0, 0, 0)
    archive.fills = (audit_rows, deduction_rows)
    # ExcelWriter itself, not openpyxl's save_workbook: that stamps `modified` with now.
    ExcelWriter(book, archive).save()
    return out.getvalue()


# --------------------------------------------------------------------------- PDF


def closed_text(report: dict) -> str:
    """The close, one line: when, by whom and the sha256 of the report's JSON; or that the
    figures are live."""
    closed = report.get("closed")
    if not closed:
        return "未关账：实时数据，关账前仍可能变化。 Not closed: live figures, they may change."
    at = str(closed.get("at") or "")
    with contextlib.suppress(ValueError):  # not an ISO instant: printed as it is
        at = datetime.fromisoformat(at.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")
    text = f"已关账 Closed: {at} · {closed.get('by') or ''}"
    digest = (closed.get("sha256") or {}).get("json")
    return text + (f" · sha256(json) {digest}" if digest else "")


def pdf_context(report: dict) -> dict:
    """What appraisal_month.html prints: every cell already a display string."""
    from server.reports.scorecard import FONT_FACES, FONTS

    rates = rate_columns(report)
    rows = []
    for row in report["rows"]:
        mine = {r["id"]: r for r in row.get("rates") or ()}
        rows.append(
            {
                "employee_no": _clean(row.get("employee_no") or ""),
                "name": _clean(row.get("name") or ""),
                "name_en": _clean(row.get("name_en") or ""),
                "score": one(row.get("score")) or "—",
                "grade": _clean(row.get("grade") or "—"),
                "grade_en": _clean(row.get("grade_en") or ""),
                "coefficient": two(row.get("coefficient")),
                "insufficient": yes_no(row.get("insufficient")),
                "single_officer": yes_no(row.get("single_officer")),
                "red_lines": red_line_count(row),
                "actions_open": row.get("actions_open") or 0,
                "actions_overdue": row.get("actions_overdue") or 0,
                "rates": [_rate_cell(mine.get(rate["id"])) for rate in rates],
                "zones": [
                    [_clean(piece) for piece in part_pieces(p)] for p in row.get("parts") or ()
                ],
                "note": _clean((row.get("note") or {}).get("zh") or ""),
            }
        )
    amendments = [
        {
            "month": a.get("month") or "",
            "employee_no": _clean(a.get("employee_no") or ""),
            "name": _clean(a.get("name") or ""),
            "closed": _figures(a.get("closed") or {}),
            "now": _figures(a.get("now") or {}),
            "added": len(a.get("audits_added") or ()),
            "removed": len(a.get("audits_removed") or ()),
        }
        for a in report.get("amendments") or ()
    ]
    rule = report.get("rule") or {}
    rate_width = min(10.5, 72.0 / len(rates)) if rates else 0.0
    rest = PDF_TABLE - sum(PDF_WIDTHS) - rate_width * len(rates)
    return {
        "month": report["month"],
        "rules": report.get("rules") or {},
        "head": [(zh, en) for zh, en, *_ in HEAD],
        "tail": [(zh, en) for zh, en, *_ in TAIL],
        "numeric": {3, 5, 8, 9, 10},
        "head_widths": PDF_WIDTHS,
        "rates": rates,
        "rate_width": rate_width,
        "tail_widths": [round(rest * 0.5, 1), round(rest * 0.5, 1)],
        "rows": rows,
        "rule": {"zh": _clean(rule.get("zh") or ""), "en": _clean(rule.get("en") or "")},
        "amendments": amendments,
        "closed": bool(report.get("closed")),
        "closed_text": _clean(closed_text(report)),
        "font_faces": FONT_FACES,
        "fonts": FONTS,
    }


def _rate_cell(rate: dict | None) -> dict:
    if rate is None or rate.get("value") is None:
        return {"value": "—", "detail": ""}
    of = rate.get("of")
    detail = f"{rate.get('count', '')}/{float(of):g}" if of is not None else f"n={rate['count']}"
    return {"value": one(rate["value"]), "detail": detail}


def _figures(figures: dict) -> str:
    coefficient = figures.get("coefficient")
    return " ".join(
        [
            one(figures.get("score")) or "—",
            _clean(figures.get("grade") or "—"),
            "" if coefficient is None else f"×{two(coefficient)}",
        ]
    ).strip()


def to_pdf(report: dict) -> bytes:
    """A4 landscape: the table with the same columns, the rule, the amendments, the close and
    lines for 制表 / 审核 / 批准 to sign. Loads nothing from outside (the emoji font at most)."""
    from weasyprint import HTML

    from server.reports.scorecard import PhotoFetcher, jinja

    html = jinja.get_template(TEMPLATE).render(**pdf_context(report))
    return HTML(string=html, url_fetcher=PhotoFetcher(None)).write_pdf()


# (media type, render) per format, as the old server/reports/appraisal.py had them; the xlsx
# render also takes the audits and deductions behind the rows (see `to_xlsx`).
FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "pdf": ("application/pdf", to_pdf),
    "json": ("application/json", lambda report: json.dumps(report, ensure_ascii=False).encode()),
}
