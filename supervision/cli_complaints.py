"""``flask --app app complaints …``: the complaint window's commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from supervision import db

complaints_group = AppGroup("complaints", help="Complaints (投诉窗口).")


@complaints_group.command("erase-pii")
def erase_pii():
    """Erase complainants' personal data complaint_pii_retention_months after closing (idempotent)."""
    from supervision.services.complaints import erase_expired_pii

    s = db.session()
    n = erase_expired_pii(s, current_app.config["UPLOAD_DIR"])
    s.commit()
    click.echo(f"已删除到期投诉的投诉人个人信息：{n} 件。")
