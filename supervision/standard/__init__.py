"""The standard as pure Python (no Flask, no database).

- ``workdays``: the working-day calendar and ``deadline(t, n)``
- ``parameters``: the provincial parameters of rules.md
- ``rules``: the rule catalogue ``RULES`` and ``run_rules``
- ``explain``: one-line Chinese explanations of findings
- ``export``: the findings export (``report_id,rule_code``)

Import the submodules directly; this package imports nothing heavy on its own.
"""
