"""The rectification notice (整改通知书) and its escalation documents as HTML and PDF.

Plain data in, HTML or PDF bytes out: no Flask, no database. The same Jinja template
(``templates/documents/notice.html`` with ``static/documents/notice.css``) gives the browser
preview and the PDF, so the preview shows the document as it will print. Jinja escapes every
value, and the PDF is rendered through ``reports.pdf`` whose URL fetcher only reads the
application's own files: nothing typed into a notice can make the server fetch an address.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2

from reports import pdf
from supervision.standard import notices as std

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
CSS_PATH = "documents/notice.css"  # relative to STATIC_DIR
NOTICE_TEMPLATE = "documents/notice.html"
ESCALATION_TEMPLATE = "notices/escalation_document.html"


@dataclass(frozen=True)
class DocItem:
    ordinal: str  # 一, 二, … for （一）
    rule_code: str
    rule_name: str
    count: int
    facts: str  # 共3件，如A、B、C等
    requirement: str


@dataclass(frozen=True)
class FindingRow:
    report_id: str
    period: str
    rule_code: str
    rule_name: str
    severity: str


@dataclass
class _Document:
    authority: str  # 发文机关 (署名), e.g. 浙江省互联网信息办公室
    title: str
    addressee: str  # 主送机关

    @property
    def mark(self) -> str:
        """发文机关标志: the authority's name followed by 文件."""
        return f"{self.authority}文件"

    @property
    def title_lines(self) -> list[str]:
        return std.title_lines(self.title)


@dataclass
class NoticeDocument(_Document):
    preamble: list[str]  # paragraphs
    items: list[DocItem]
    deadline_text: str  # "2026年12月11日前" once issued; "签发后15个工作日内" in a draft
    contact_name: str
    contact_phone: str
    findings: list[FindingRow] = field(default_factory=list)
    number: str | None = None  # 发文字号; None in a draft
    date_text: str | None = None  # 成文日期; None in a draft
    draft: bool = False
    number_placeholder: str = "〔　　〕号（签发时编号）"
    date_placeholder: str = "（签发日期）"

    @property
    def has_month_rows(self) -> bool:
        """Whether the findings table holds monthly-ledger rows (month in place of a report)."""
        return any(f.rule_code.startswith("LED") for f in self.findings)


@dataclass
class EscalationDocument(_Document):
    kind: str  # 约谈 | 通报批评 | 移送处罚建议
    paragraphs: list[str]
    date_text: str
    number: str = ""
    draft: bool = False
    number_placeholder: str = ""
    date_placeholder: str = ""
    findings: list = field(default_factory=list)


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=False)


def render_html(doc: NoticeDocument | EscalationDocument, *, css_href: str = CSS_PATH,
                templates_dir: str | Path = TEMPLATES_DIR) -> str:
    """The document as HTML; ``css_href`` is where the page finds notice.css (a path relative
    to the static folder for the PDF, the static URL for the browser)."""
    template = ESCALATION_TEMPLATE if isinstance(doc, EscalationDocument) else NOTICE_TEMPLATE
    env = _environment(str(Path(templates_dir).resolve()))
    return env.get_template(template).render(doc=doc, css_href=css_href, mark_class=std.mark_size_class(doc.mark))


def render_document_pdf(doc: NoticeDocument | EscalationDocument, *, templates_dir: str | Path = TEMPLATES_DIR,
                        static_dir: str | Path = STATIC_DIR, fetcher: pdf.LocalOnlyFetcher | None = None) -> bytes:
    """The document as PDF (A4, GB/T 9704 layout, CJK fonts embedded). Only files under the
    static folder can be read while rendering."""
    html = render_html(doc, css_href=CSS_PATH, templates_dir=templates_dir)
    return pdf.render_pdf(html, base_dir=static_dir, fetcher=fetcher)
