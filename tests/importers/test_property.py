"""Property: whatever text the cells hold, reading never raises; it returns errors instead."""
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers import build_error_workbook, read_ledger
from importers.columns import COLUMNS
from importers.reader import match_header

INTERESTING = st.sampled_from(
    ["", " ", "是", "否", "Y", "涉企", "涉个人", "受理", "已办结", "删除；无需处置", "2026-10-08 14:03",
     "2026年10月8日", "2026/2/30", "46303.5", "=1+1", "\u3000", "\n", "\"", ",", "；", "NaN", "None", "null"]
)
CELL = st.one_of(INTERESTING, st.text(max_size=30), st.text(alphabet=string.printable, max_size=10))
HEADERS = [c.header for c in COLUMNS]


def csv_of(rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=40, max_size=40), min_size=1, max_size=4))
def test_arbitrary_cell_text_never_raises(rows):
    try:
        data = csv_of(rows)
    except UnicodeEncodeError:
        return  # lone surrogates cannot be written to a file at all
    result = read_ledger(data, "fuzz.csv", "2026-10")
    assert result.ok == (result.frame is not None)
    for issue in result.errors:
        assert isinstance(issue.message, str) and issue.message
        assert issue.row is None or issue.row >= 1
    if not result.ok:
        assert build_error_workbook(result)[:2] == b"PK"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx"]))
def test_arbitrary_bytes_never_raise(data, name):
    result = read_ledger(data, name, "2026-10")
    assert result.ok or result.errors


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=6), st.lists(CELL, min_size=6, max_size=6))
def test_arbitrary_headers_never_raise(headers, cells):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, cells[: len(headers)]])
    try:
        data = buffer.getvalue().encode("utf-8")
    except UnicodeEncodeError:
        return
    result = read_ledger(data, "h.csv", "2026-10")
    assert result.rows_read <= 1
    file_level = [e for e in result.errors if e.row is None]
    if not file_level and not any(match_header(h) for h in headers):
        assert any(e.row == 1 and "表头" in e.message for e in result.errors)


XLSX_CELL = st.one_of(
    CELL.map(lambda t: "".join(ch for ch in t if ch.isprintable() or ch in "\n\t")),
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.datetimes(min_value=__import__("datetime").datetime(1900, 3, 1)),
    st.dates(min_value=__import__("datetime").date(1900, 3, 1)),
    st.times(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(XLSX_CELL, min_size=40, max_size=40), min_size=1, max_size=3))
def test_arbitrary_xlsx_values_never_raise(rows):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_ledger(buffer.getvalue(), "fuzz.xlsx", "2026-10")
    assert result.ok == (result.frame is not None)
    assert all(e.row is None or 1 <= e.row <= len(rows) + 1 for e in result.errors)
    if not result.ok:
        assert build_error_workbook(result)[:2] == b"PK"
