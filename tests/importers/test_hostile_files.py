"""Hostile and broken .xlsx files are refused at once, before parsing, with a Chinese message."""
import io
import resource
import time
import zipfile

import pytest

from importers import read_ledger
from importers.zipguard import OLE_SIGNATURE
from tests.ledger_samples import ledger_frame, to_xlsx_bytes


def _bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                f.write(chunk)
    return buf.getvalue()


def test_zip_bomb_is_refused_quickly_without_memory_growth():
    data = _bomb(1 << 30)  # 1 GiB of zeros, about 1 MB compressed
    assert len(data) < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = read_ledger(data, "bomb.xlsx", "2026-10")
    elapsed = time.perf_counter() - t0
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert not result.ok and "压缩炸弹" in result.errors[0].message
    assert elapsed < 2 and grown_mib < 50


def test_encrypted_workbook_gets_its_own_message():
    result = read_ledger(OLE_SIGNATURE + b"\0" * 4096, "secret.xlsx", "2026-10")
    assert "密码" in result.errors[0].message


@pytest.mark.parametrize("data, name, words", [
    (b"%PDF-1.7 not a spreadsheet", "renamed.xlsx", "不是 .xlsx"),
    (b"", "empty.xlsx", "文件为空"),
])
def test_broken_files(data, name, words):
    result = read_ledger(data, name, "2026-10")
    assert not result.ok and words in result.errors[0].message and result.errors[0].row is None


def test_wrong_dimension_does_not_hide_rows():
    """A workbook whose <dimension> claims 2 rows but holds 12 is read in full."""
    data = to_xlsx_bytes(ledger_frame(11))
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                import re

                body = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:AN2"/>', body)
            dst.writestr(item, body)
    result = read_ledger(out.getvalue(), "dim.xlsx", "2026-10")
    assert result.ok and result.rows_read == 11


def test_formula_cells_are_read_as_cached_values_not_evaluated():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx_bytes(ledger_frame(2))))
    ws = wb.worksheets[0]
    ws["AN2"] = '=CONCATENATE("a","b")'  # 备注 column: a formula without a cached value
    buf = io.BytesIO()
    wb.save(buf)
    result = read_ledger(buf.getvalue(), "formula.xlsx", "2026-10")
    assert result.ok
    assert result.frame.loc[0, "note"] in (None, "")  # never evaluated to "ab"
