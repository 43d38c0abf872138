"""GET /tpp: the signed-in employee's TPP of a month, locked or so far, with every line explained.
The same computation and rules as the 'TPP saya' page (kinerja/tpp/services.person_month)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from kinerja import clock
from kinerja.api.common import MonthField, api_blueprint, own_employee_id
from kinerja.tpp.explain import describe
from kinerja.tpp.services import person_month

bp = api_blueprint("tpp_api", "TPP (tambahan penghasilan pegawai) milik sendiri.", "/tpp")


class LineSchema(ma.Schema):
    kind = fields.Function(lambda line: line.kind.value, required=True, metadata={
        "type": "string", "enum": ["pay", "cut", "info"],
        "description": "pay adds to the gross, cut subtracts from it, info explains"})
    code = fields.String(required=True, metadata={"example": "late"})
    amount = fields.Integer(required=True, metadata={"description": "Whole Rupiah; negative for a cut"})
    text = fields.Function(describe, required=True, metadata={"type": "string",
                                                              "description": "The line in the request's language"})
    params = fields.Dict(required=True, metadata={"description": "The figures behind the line"})


class TppSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-11"})
    status = fields.String(required=True, metadata={"enum": ["locked", "preview", "none"]})
    rules = fields.String(allow_none=True, metadata={"description": "The rule set's legal basis"})
    position = fields.String(allow_none=True)
    class_grade = fields.Integer(allow_none=True)
    base = fields.Integer(allow_none=True)
    kinerja_rate = fields.Integer(allow_none=True, metadata={"description": "Basis points (10000 = 100%)"})
    kinerja = fields.Integer(allow_none=True)
    discipline_share = fields.Integer(allow_none=True)
    discipline_cuts = fields.Integer(allow_none=True)
    third = fields.Integer(allow_none=True)
    gross = fields.Integer(allow_none=True)
    penalty = fields.Integer(allow_none=True)
    net = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema), required=True)


class MonthArgs(ma.Schema):
    month = MonthField(load_default=None)


@bp.route("", methods=["GET"])
@bp.arguments(MonthArgs, location="query")
@bp.response(200, TppSchema)
def own_tpp(args):
    """The month's TPP (this month when `month` is left out): the locked figures, or the preview so far."""
    today = clock.today()
    first = args["month"] or today.replace(day=1)
    found = person_month(own_employee_id(), first, today)
    body = {"month": f"{first:%Y-%m}", "rules": found.rule_set.reference if found.rule_set else None, "lines": []}
    if found.row is None or found.rule_set is None:
        return body | {"status": "none"}
    result = found.row.result
    return body | {
        "status": "locked" if found.period else "preview", "position": found.row.person.position,
        "class_grade": found.row.person.class_grade, "base": result.base, "kinerja_rate": result.kinerja_rate,
        "kinerja": result.kinerja, "discipline_share": result.discipline_share,
        "discipline_cuts": result.discipline_cuts, "third": result.third, "gross": result.gross,
        "penalty": result.penalty, "net": result.net, "lines": list(result.lines)}
