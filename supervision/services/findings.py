"""Reading findings for people: filtered lists, counts, explanations and the .xlsx export."""
from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from supervision.models import Finding, Platform, Report
from supervision.standard.explain import explain
from supervision.standard.rules import RULES

SEVERITIES = ("严重", "较重", "一般")


@dataclass
class FindingFilter:
    platform_id: int | None = None
    period: str = ""
    rule_code: str = ""
    severity: str = ""
    status: str = "open"

    def apply(self, q):
        if self.platform_id is not None:
            q = q.where(Finding.platform_id == self.platform_id)
        if self.period:
            q = q.where(Finding.period == self.period)
        if self.rule_code:
            q = q.where(Finding.rule_code == self.rule_code)
        if self.severity in SEVERITIES:
            q = q.where(Finding.severity == self.severity)
        if self.status in ("open", "closed"):
            q = q.where(Finding.status == self.status)
        return q

    def cacheable(self) -> bool:
        """Whether every field is a value the lists offer (only those get a stored count)."""
        from supervision.services.ledger_import import PERIOD_RE

        return ((not self.period or bool(PERIOD_RE.match(self.period))) and (not self.rule_code or self.rule_code in RULES)
                and (not self.severity or self.severity in SEVERITIES) and self.status in ("", "open", "closed", "all"))


def period_rule_counts(session: Session, flt: FindingFilter) -> list[list]:
    """[period, rule code, severity, count] of the findings matching the filter, stored with the
    data version (services/derived.py): a count over a million findings took half a second."""
    def compute():
        q = flt.apply(select(Finding.period, Finding.rule_code, Finding.severity, func.count())
                      .group_by(Finding.period, Finding.rule_code, Finding.severity))
        return [[period, code, severity, int(n)] for period, code, severity, n in session.execute(q)]

    if not flt.cacheable():
        return compute()
    from supervision.services import derived

    key = "findings|" + json.dumps([flt.platform_id, flt.period, flt.rule_code, flt.severity, flt.status],
                                   ensure_ascii=False)
    return derived.cached(session, key, derived.version_of(session, flt.platform_id), compute)


def counts_by_rule(session: Session, flt: FindingFilter) -> list[dict]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for _period, code, severity, n in period_rule_counts(session, flt):
        totals[(code, severity)] += n
    rows = [{"code": c, "severity": sev, "count": n, "name": RULES[c].name if c in RULES else c}
            for (c, sev), n in totals.items()]
    return sorted(rows, key=lambda r: (SEVERITIES.index(r["severity"]) if r["severity"] in SEVERITIES else 9,
                                       r["code"]))


def page(session: Session, flt: FindingFilter, page_no: int, size: int = 50):
    """The total and one page of the findings, newest month first. The page is read from the
    months that hold it only (the counts per month say which), so a page of a million-finding
    month is not a sort of every finding."""
    per_period: dict[str, int] = defaultdict(int)
    for period, _code, _severity, n in period_rule_counts(session, flt):
        per_period[period] += n
    total = sum(per_period.values())
    offset = (page_no - 1) * size
    chosen, before, covered = [], 0, 0
    for period in sorted(per_period, reverse=True):
        if not chosen and before + per_period[period] <= offset:
            before += per_period[period]
            continue
        chosen.append(period)
        covered += per_period[period]
        if before + covered >= offset + size:
            break
    if not chosen:
        return total, []
    # one month at a time, each read in index order (ix_findings_period_order, or the key's
    # order for one platform) and stopped at the page's end; "period IN (...)" sorted every
    # finding of those months instead. The platform breaks ties, so pages never overlap.
    rows: list[Finding] = []
    skip = offset - before
    for period in chosen:
        q = flt.apply(select(Finding)).where(Finding.period == period)
        rows += session.scalars(q.order_by(Finding.report_id, Finding.rule_code, Finding.platform_id)
                                .offset(skip).limit(size - len(rows))).all()
        skip = 0
        if len(rows) >= size:
            break
    return total, rows


def explanation(finding: Finding) -> str:
    return explain(finding.as_finding())


def report_pks(session: Session, findings: list[Finding]) -> dict[tuple[int, str], int]:
    """(platform_id, 举报编号) -> reports.id for the findings shown (for links)."""
    keys = {(f.platform_id, f.report_id) for f in findings if not f.rule_code.startswith("LED")}
    if not keys:
        return {}
    q = select(Report.platform_id, Report.report_id, Report.id).where(
        Report.report_id.in_({k[1] for k in keys}), Report.platform_id.in_({k[0] for k in keys}))
    return {(p, r): i for p, r, i in session.execute(q)}


EXPORT_HEADER = ("平台", "月份", "举报编号", "规则代码", "规则名称", "严重程度", "状态", "受理时间", "应完成时间",
                 "实际时间", "超期工作日", "说明")


def export_xlsx(session: Session, flt: FindingFilter) -> bytes:
    """All findings matching the filter as .xlsx; text cells neutralised against formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from importers.safe_export import xlsx_cell

    names = {p.id: p.name for p in session.scalars(select(Platform))}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题清单")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([xlsx_cell(sheet, h, font=bold) for h in EXPORT_HEADER])
    q = flt.apply(select(Finding)).order_by(Finding.platform_id, Finding.period, Finding.report_id,
                                           Finding.rule_code).execution_options(yield_per=2000)
    for f in session.scalars(q):
        rule = RULES.get(f.rule_code)
        values = (names.get(f.platform_id, ""), f.period, f.report_id, f.rule_code, rule.name if rule else "",
                  f.severity, "未关闭" if f.status == "open" else "已关闭", f.received_at, f.deadline, f.observed_at,
                  f.overdue_working_days, explanation(f))
        sheet.append([xlsx_cell(sheet, v) for v in values])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
