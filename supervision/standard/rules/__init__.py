"""The rule catalogue of rules.md and its vectorised evaluation.

    from supervision.standard.rules import RULES, run_rules
    findings = run_rules(frame, "2026-09", calendar, params, now, submissions=[...], disclosures=[...])

`RULES` maps every code (automatic report and ledger rules, the inspectors' REC codes and the
complaint codes CMP of workflows.md) to its `Rule` (name, severity, kind, scope, description,
requirement, source, reference), in the order of rules.md.
"""
from __future__ import annotations

from types import MappingProxyType

from . import timeliness, acceptance, disposal, process, ledger  # noqa: F401  (registration order)
from .catalogue import (COMPLAINT, LEDGER, MANUAL, REGISTRY, REPORT, SEVERITIES, SEVERITY_RANK,
                        SOURCE_TITLES, Rule, declare_people_codes)
from .engine import (FINDING_COLUMNS, accepted_submissions, as_of_time, evaluate_ledger,
                     evaluate_reports, finding_keys, latest_cutoff, normalise_month, reconcile,
                     retention_window, run_ledger_rules, run_rules)

declare_people_codes()

RULES = MappingProxyType(dict(REGISTRY))
REPORT_RULE_CODES = tuple(c for c, r in RULES.items() if r.kind == REPORT)
LEDGER_RULE_CODES = tuple(c for c, r in RULES.items() if r.kind == LEDGER)
AUTOMATIC_CODES = REPORT_RULE_CODES + LEDGER_RULE_CODES
MANUAL_CODES = tuple(c for c, r in RULES.items() if r.kind == MANUAL)
COMPLAINT_CODES = tuple(c for c, r in RULES.items() if r.kind == COMPLAINT)


def catalogue(params=None) -> list[dict]:
    """The catalogue as plain dicts (descriptions filled with the given parameters)."""
    return [r.as_dict(params) for r in RULES.values()]


__all__ = [
    "RULES", "Rule", "SEVERITIES", "SEVERITY_RANK", "SOURCE_TITLES", "REPORT_RULE_CODES",
    "LEDGER_RULE_CODES", "AUTOMATIC_CODES", "MANUAL_CODES", "COMPLAINT_CODES", "FINDING_COLUMNS",
    "run_rules", "run_ledger_rules", "evaluate_reports", "evaluate_ledger", "catalogue",
    "as_of_time", "latest_cutoff", "accepted_submissions", "normalise_month", "retention_window",
    "reconcile", "finding_keys",
]
