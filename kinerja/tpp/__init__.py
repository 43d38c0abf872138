"""TPP (Tambahan Penghasilan Pegawai): the month's allowance from kinerja and discipline, by the regency's rules."""

from flask import Blueprint

bp = Blueprint("tpp", __name__)

from kinerja.tpp import tasks, views  # noqa: E402,F401
