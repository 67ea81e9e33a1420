"""The findings export of rules.md (a contract):

    report_id,rule_code

one line per finding, UTF-8 with a header line, sorted by report_id then rule_code; LED
findings carry the month (YYYY-MM) in place of report_id.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pandas as pd

EXPORT_COLUMNS = ("report_id", "rule_code")


def findings_csv(findings: pd.DataFrame | Iterable[tuple[str, str]]) -> bytes:
    """The export as bytes: header, then the distinct (report_id, rule_code) pairs sorted by
    report_id then rule_code (plain string order), '\\n' line ends, no BOM."""
    if isinstance(findings, pd.DataFrame):
        pairs = zip(findings["report_id"], findings["rule_code"]) if len(findings) else ()
    else:
        pairs = findings
    rows = sorted({(str(r), str(c)) for r, c in pairs})
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
