"""Read-only master data: agencies, units, positions, units of output, and the holidays of a year."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import select

from kinerja.api.common import PageArgs, api_blueprint, page_of, paginate
from kinerja.models import Agency, OutputUnit, Position, Unit
from kinerja.workcalendar import holidays_between

bp = api_blueprint("master", "Data induk (hanya baca).")


class AgencySchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    timezone = fields.String(required=True)
    work_week = fields.Integer(required=True)


class UnitSchema(ma.Schema):
    id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class PositionSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, attribute="kind.value")
    class_grade = fields.Integer(required=True)


class OutputUnitSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class UnitArgs(PageArgs):
    agency_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class YearArgs(ma.Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class HolidaySchema(ma.Schema):
    day = fields.Date(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


@bp.route("/agencies", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(AgencySchema, "AgencyPage"))
def agencies(args):
    """Agencies (OPD), by code."""
    return paginate(select(Agency).order_by(Agency.code, Agency.id), args)


@bp.route("/units", methods=["GET"])
@bp.arguments(UnitArgs, location="query")
@bp.response(200, page_of(UnitSchema, "UnitPage"))
def units(args):
    """Work units, optionally of one agency."""
    query = select(Unit).order_by(Unit.agency_id, Unit.code, Unit.id)
    if args.get("agency_id"):
        query = query.where(Unit.agency_id == args["agency_id"])
    return paginate(query, args)


@bp.route("/positions", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(PositionSchema, "PositionPage"))
def positions(args):
    """Positions (jabatan), by name."""
    return paginate(select(Position).order_by(Position.name, Position.id), args)


@bp.route("/output-units", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(OutputUnitSchema, "OutputUnitPage"))
def output_units(args):
    """Units of output in use (dokumen, laporan, berkas...)."""
    return paginate(select(OutputUnit).where(OutputUnit.active.is_(True)).order_by(OutputUnit.name), args)


@bp.route("/holidays", methods=["GET"])
@bp.arguments(YearArgs, location="query")
@bp.response(200, HolidaySchema(many=True))
def holidays(args):
    """Days off of a year: national holidays and cuti bersama, corrected by BKD's regional entries."""
    year = args["year"]
    days = holidays_between(date(year, 1, 1), date(year, 12, 31))
    return [{"day": day, "name": holiday.name, "kind": holiday.kind.value} for day, holiday in sorted(days.items())]
