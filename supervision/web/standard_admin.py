"""Admin screens for the standard: provincial parameters (versioned) and the working-day
calendar (office corrections on top of the statutory calendar)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from supervision import clock, db
from supervision.models import CalendarDay, CalendarYear, ParameterSet
from supervision.permissions import STANDARD_MANAGE, requires
from supervision.services import ValidationError
from supervision.services.checks import (current_parameters, declare_year, load_calendar, remove_calendar_day,
                                         save_parameters, set_calendar_day)
from supervision.standard.parameters import PARAMETER_SPECS, Parameters
from supervision.standard.workdays import UnknownYearError
from supervision.web.forms import ActionForm, int_arg

bp = Blueprint("standard", __name__, url_prefix="/admin")


@bp.route("/parameters", methods=["GET", "POST"])
@requires(STANDARD_MANAGE)
def parameters():
    s = db.session()
    version, current = current_parameters(s)
    errors: dict[str, str] = {}
    values = current.to_dict()
    if request.method == "POST" and ActionForm().validate_on_submit():
        # A field the form did not send keeps its current value (a script may change just one);
        # a field sent empty is an error for the form to show.
        values = {spec.name: request.form[spec.name].strip() if spec.name in request.form else values[spec.name]
                  for spec in PARAMETER_SPECS}
        try:
            row = save_parameters(s, values, request.form.get("note", ""), current_user.username)
        except ValidationError as e:
            s.rollback()
            errors = e.errors
        else:
            s.commit()
            flash(f"已保存为第 {row.version} 版参数，此后的检查按新参数执行；已有检查结果仍记录其所用版本。", "success")
            return redirect(url_for("standard.parameters"))
    history = s.scalars(select(ParameterSet).order_by(ParameterSet.version.desc())).all()
    return render_template("standard/parameters.html", specs=PARAMETER_SPECS, values=values, errors=errors,
                           version=version, history=[(h, Parameters.from_json(h.values)) for h in history],
                           form=ActionForm())


@bp.route("/calendar")
@requires(STANDARD_MANAGE)
def calendar():
    s = db.session()
    year = int_arg("year", clock.now().year, 1900, 2999)
    cal = load_calendar(s)
    special, unknown = [], None
    try:
        special = cal.special_days(year)
    except UnknownYearError as e:
        unknown = str(e)
    overrides = s.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()
    declared = s.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
    return render_template("standard/calendar.html", year=year, special=special, unknown=unknown,
                           overrides=overrides, declared=declared, version=cal.version, form=ActionForm())


def _parse_day(raw: str) -> date | None:
    try:
        return datetime.strptime((raw or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.route("/calendar/day", methods=["POST"])
@requires(STANDARD_MANAGE)
def calendar_day():
    s = db.session()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("standard.calendar"))
    day = _parse_day(request.form.get("day"))
    if day is None:
        flash(f"日期“{request.form.get('day', '')}”不是 YYYY-MM-DD 格式。", "error")
        return redirect(url_for("standard.calendar"))
    if request.form.get("action") == "remove":
        remove_calendar_day(s, day)
        flash(f"已删除 {day} 的更正，恢复为法定日历。", "success")
    else:
        is_workday = request.form.get("is_workday") == "1"
        set_calendar_day(s, day, is_workday, request.form.get("note", "").strip(), current_user.username)
        flash(f"已将 {day} 设为{'工作日' if is_workday else '休息日'}。", "success")
    s.commit()
    return redirect(url_for("standard.calendar", year=day.year))


@bp.route("/calendar/year", methods=["POST"])
@requires(STANDARD_MANAGE)
def calendar_year():
    s = db.session()
    if ActionForm().validate_on_submit():
        try:
            year = int(request.form.get("year", ""))
            declare_year(s, year, current_user.username)
        except ValueError:
            flash("请填写年份，如 2027。", "error")
            return redirect(url_for("standard.calendar"))
        except ValidationError as e:
            flash(e.errors["year"], "error")
            return redirect(url_for("standard.calendar"))
        s.commit()
        flash(f"已确认 {year} 年日历：未单独录入的日期按周一至周五工作计算。请确保该年全部节假日和调休已录入。", "success")
        return redirect(url_for("standard.calendar", year=year))
    return redirect(url_for("standard.calendar"))
