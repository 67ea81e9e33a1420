"""Audits: planning, starting (checks, problem ledger, samples), reviewing, results, the
problem ledger, and the sample-size command."""
import io

import pytest
from sqlalchemy import func, select

from supervision.models import Audit, AuditSample, FindingReview, Problem, SampleItem
from supervision.standard import sampling
from tests.conftest import login
from tests.ledger_samples import ledger_frame
from tests.test_checks import _import


@pytest.mark.parametrize("args, expected", [
    (["0"], "59"), (["1"], "93"), (["0", "--population", "100"], "45"),
])
def test_sample_size_command(runner, args, expected):
    r = runner.invoke(args=["audit", "sample-size", "--confidence", "0.95", "--tolerable-rate", "0.05",
                            "--expected-deviations", *args])
    assert r.exit_code == 0 and r.output.strip() == expected


def test_sample_size_command_refuses_bad_input(runner):
    r = runner.invoke(args=["audit", "sample-size", "--confidence", "1.2", "--tolerable-rate", "0.05",
                            "--expected-deviations", "0"])
    assert r.exit_code == 2 and "置信水平" in r.output


@pytest.fixture
def quarter(runner, make_platform, make_user, tmp_path):
    """Two local platforms with three months of ledgers, one inspector assigned, one not."""
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    for code, seed in (("pa", 1), ("pb", 2)):
        for month in ("2026-07", "2026-08", "2026-09"):
            _import(runner, tmp_path, ledger_frame(150, month, seed=seed * 10 + int(month[-1])), month,
                    name=f"{code}-{month}.csv", platform=code)
    ids = {"insp": make_user("insp", "inspector"), "other": make_user("other", "inspector")}
    make_user("user_a", "platform", "pa")
    return ids


def _create_and_start(client, ids):
    r = client.post("/audits/new", data={
        "title": "2026年第三季度全面检查", "kind": "full", "period_from": "2026-07", "period_to": "2026-09",
        "focus": "", "due_date": "2026-12-31", "confidence": "0.95", "tolerable_rate": "0.05",
        "expected_deviations": "0", "inspectors": [str(ids["insp"])]})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    audit_url = r.headers["Location"]
    audit_id = int(audit_url.rstrip("/").split("/")[-1])
    r = client.post(f"/audits/{audit_id}/start")
    assert r.status_code == 302
    assert "检查已开始：2 个平台" in client.get(audit_url).get_data(as_text=True)
    return audit_id


def test_full_audit_draws_reproducible_stratified_samples(client, quarter, session):
    login(client, "insp")
    audit_id = _create_and_start(client, quarter)
    audit = session.get(Audit, audit_id)
    assert audit.status == "running"
    for smp in session.scalars(select(AuditSample).where(AuditSample.audit_id == audit_id)):
        assert smp.population_size == 450
        assert smp.sample_size == sampling.sample_size(0.95, 0.05, 0, population=450)
        items = session.scalars(select(SampleItem).where(SampleItem.sample_id == smp.id)).all()
        from supervision.models import Report

        pop = session.execute(select(Report.report_id, Report.category).where(
            Report.platform_id == smp.platform_id)).all()
        again = sampling.plan_sample([p[0] for p in pop], {p[0]: p[1] for p in pop}, smp.sample_size, smp.seed)
        assert again.population_hash == smp.population_hash
        assert sorted(i.report_id for i in items if not i.judgmental) == sorted(again.statistical)
        assert len({i.stratum for i in items}) == len({p[1] for p in pop})  # every category represented
    assert session.scalar(select(func.count()).select_from(Problem).where(Problem.audit_id == audit_id)) > 0


def test_review_overturn_code_verdicts_and_results(client, quarter, session):
    login(client, "insp")
    audit_id = _create_and_start(client, quarter)
    items = session.scalars(select(SampleItem).where(SampleItem.audit_id == audit_id)
                            .order_by(SampleItem.platform_id, SampleItem.position)).all()
    from supervision.models import Finding

    with_finding = next(i for i in items if session.scalar(select(Finding).where(
        Finding.report_id == i.report_id, Finding.platform_id == i.platform_id, Finding.status == "open")))
    finding = session.scalar(select(Finding).where(Finding.report_id == with_finding.report_id,
                                                   Finding.platform_id == with_finding.platform_id,
                                                   Finding.status == "open"))
    base = f"/audits/{audit_id}/items/{with_finding.id}"
    page = client.get(base).get_data(as_text=True)
    assert with_finding.report_id in page and finding.rule_code in page
    r = client.post(f"{base}/findings/{finding.id}", data={"decision": "overturned", "reason": ""})
    assert "推翻自动检查结论须写明理由" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(f"{base}/findings/{finding.id}", data={"decision": "overturned", "reason": "原始材料显示已按时处置"})
    problem = session.scalar(select(Problem).where(Problem.audit_id == audit_id, Problem.finding_id == finding.id))
    assert problem.excluded and problem.excluded_reason == "原始材料显示已按时处置"
    assert session.scalar(select(FindingReview)).decision == "overturned"
    ledger_page = client.get(f"/problems/?audit={audit_id}").get_data(as_text=True)
    assert f"<td>{problem.id}</td>" not in ledger_page  # excluded from the problem ledger, but kept
    client.post(f"{base}/codes", data={"code": "REC-01", "note": "截图与台账不符"})
    assert session.scalar(select(Problem).where(Problem.source == "review")).rule_code == "REC-01"
    # verdicts: everything 合规 except two of the first platform's random items
    first_platform = items[0].platform_id
    bad = [i.id for i in items if i.platform_id == first_platform and not i.judgmental][:2]
    for it in items:
        client.post(f"/audits/{audit_id}/items/{it.id}/verdict",
                    data={"verdict": "不合规" if it.id in bad else "合规", "note": ""})
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    n = sum(1 for i in items if i.platform_id == first_platform and not i.judgmental)
    upper = sampling.hypergeometric_upper(2, n, 450)
    cp = sampling.clopper_pearson_upper(2, n)
    # the platform with 2 deviations fails; the one with none passes (its sample was sized for that)
    assert f"单侧上限为 {upper:.1%}" in page and f"Clopper–Pearson 二项上限为 {cp:.1%}" in page
    assert "结论：控制无效" in page and "结论：控制有效" in page
    r = client.post(f"/audits/{audit_id}/complete")
    assert session.get(Audit, audit_id).status == "done"
    book = client.get(f"/audits/{audit_id}/export.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book.data))
    assert wb.sheetnames == ["抽样复核", "结论"] and wb["抽样复核"].max_row == len(items) + 1


def test_an_inspector_cannot_review_outside_their_audit(client, app, quarter, session):
    login(client, "insp")
    audit_id = _create_and_start(client, quarter)
    item = session.scalar(select(SampleItem).where(SampleItem.audit_id == audit_id))
    other = app.test_client()
    login(other, "other")
    assert other.get(f"/audits/{audit_id}/items/{item.id}").status_code == 200  # may read
    r = other.post(f"/audits/{audit_id}/items/{item.id}/verdict", data={"verdict": "合规"})
    assert r.status_code == 403
    assert session.get(SampleItem, item.id).verdict is None
    assert other.post(f"/audits/{audit_id}/complete").status_code == 403


def test_evidence_is_checked_by_content(client, quarter, session):
    login(client, "insp")
    audit_id = _create_and_start(client, quarter)
    item = session.scalar(select(SampleItem).where(SampleItem.audit_id == audit_id))
    url = f"/audits/{audit_id}/items/{item.id}/evidence"
    r = client.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00 not an image"), "photo.png")},
                    content_type="multipart/form-data")
    assert "只接受图片" in client.get(r.headers["Location"]).get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    client.post(url, data={"file": (io.BytesIO(png), "截图.png")}, content_type="multipart/form-data")
    page = client.get(f"/audits/{audit_id}/items/{item.id}").get_data(as_text=True)
    assert "截图.png" in page
    from supervision.models import ItemEvidence

    ev = session.scalar(select(ItemEvidence))
    r = client.get(f"/audits/evidence/{ev.id}")
    assert r.status_code == 200 and r.data == png and r.headers["Content-Disposition"].startswith("attachment")


def test_a_platform_sees_only_its_own_problem_ledger(client, app, quarter, session):
    login(client, "insp")
    audit_id = _create_and_start(client, quarter)
    platform_client = app.test_client()
    login(platform_client, "user_a")
    page = platform_client.get("/problems/?platform=pb").get_data(as_text=True)
    mine = session.scalar(select(func.count()).select_from(Problem).join(
        __import__("supervision.models", fromlist=["Platform"]).Platform).where(
        Problem.audit_id == audit_id, Problem.excluded.is_(False),
        __import__("supervision.models", fromlist=["Platform"]).Platform.code == "pa"))
    assert f"共 {mine} 条" in page and "乙平台" not in page
    assert platform_client.get(f"/audits/{audit_id}").status_code == 403
