"""Scheduled jobs (workflows.md Scheduled jobs).

- ``schedule``: when each job is due — pure functions of the time, the working-day calendar and
  the ledger due day (no Flask, no database);
- ``registry``: the jobs, each a plain function of (session, now[, period]);
- ``runner``: runs a job for a period exactly once (the ``job_runs`` unique key), records every
  attempt, retries failures with backoff and flags those that keep failing;
- ``scheduler``: the APScheduler process with its single-process lock.
"""
