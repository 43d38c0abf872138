"""The staff import workbook: the data sheet with the SIMPEG-style columns (identity numbers formatted as text,
drop-down lists for the coded columns), instructions, and reference sheets with the agencies, units and
positions the importer may use. The demo sample is the same workbook with rows filled in. Names from the
database go through `exports.safe_value`, so a unit or position name never becomes a formula."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from kinerja.admin.staff_import_rows import COLUMNS, MAX_ROWS, SHEET_NAME, TEMPLATE_KIND_NAMES, TEXT_COLUMNS
from kinerja.exports import safe_text, safe_value
from kinerja.extensions import db
from kinerja.identity import PNS_RANKS, PPPK_GRADES
from kinerja.models import Agency, Position, Unit, User
from kinerja.permissions import admin_agency_ids, is_global_admin

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
LISTS = {
    "gender": ["L", "P"],
    "employment_type": ["PNS", "CPNS", "PPPK", "Non-ASN"],
    "position_kind": list(TEMPLATE_KIND_NAMES.values()),
}
VALIDATED_ROWS = 5000  # drop-down lists on the first rows; longer files are usually exports, not typed


def instructions() -> list[tuple[str, str]]:
    return [
        (_("Satu baris = satu pegawai"), _("Isi lembar \"%(sheet)s\" mulai baris 2; jangan ubah baris judul. Paling "
                                           "banyak %(n)d baris per berkas.", sheet=SHEET_NAME, n=MAX_ROWS)),
        (_("Periksa dulu, lalu simpan"), _("Unggahan pertama hanya memeriksa: semua kesalahan per baris "
                                           "ditampilkan dan tidak ada yang disimpan. Jika tidak ada kesalahan, "
                                           "tekan Simpan impor. Satu kesalahan saja membatalkan seluruh berkas.")),
        ("NIP", _("NIP 18 angka untuk PNS/CPNS, NI PPPK 18 angka untuk PPPK, NIK 16 angka untuk Non-ASN. Kolom "
                  "ini berformat Teks: jangan ubah menjadi angka (Excel membulatkan angka lebih dari 15 digit). "
                  "NIP yang sudah ada diperbarui, NIP baru ditambahkan.")),
        ("Nama / Gelar", _("Nama tanpa gelar; gelar depan (dr., Drs.) dan gelar belakang (S.Kom., M.Si.) di "
                           "kolomnya sendiri.")),
        ("Jenis kelamin", _("L atau P; harus sesuai dengan digit jenis kelamin pada NIP.")),
        ("Status kepegawaian", _("PNS, CPNS, PPPK atau Non-ASN.")),
        ("Pangkat/Golongan", _("PNS/CPNS: golongan ruang, misalnya III/a atau \"Penata Muda, III/a\". PPPK: "
                               "golongan I sampai XVII. Non-ASN: kosongkan.")),
        ("Jabatan / Jenis jabatan", _("Nama jabatan persis seperti di lembar \"Jabatan\". Jabatan yang belum ada "
                                      "di katalog ditolak: tambahkan dulu ke katalog jabatan. Jenis jabatan boleh "
                                      "kosong; jika diisi harus sama dengan katalog.")),
        ("Unit kerja / OPD", _("Kode atau nama seperti di lembar \"OPD dan unit\"; unit kerja harus milik OPD "
                               "tersebut.")),
        ("NIP atasan", _("NIP pejabat penilai: pegawai yang sudah ada di Kinerja atau ada di berkas ini. Rantai "
                         "atasan tidak boleh berputar. Kosongkan untuk pimpinan tertinggi.")),
        ("Email / No HP", _("Opsional. No HP diawali 0 atau +62. Jika kosong, data yang sudah ada tidak diubah.")),
        ("Nama bank / No rekening", _("Opsional, rekening pembayaran TPP: isi keduanya. No rekening berformat "
                                      "Teks, 6–34 angka (spasi dan tanda hubung boleh). Jika kosong, data yang "
                                      "sudah ada tidak diubah.")),
        (_("Tanggal efektif"), _("Pindah unit, jabatan, OPD atau atasan berlaku mulai tanggal efektif yang dipilih "
                                 "saat mengunggah; penugasan lama ditutup sehari sebelumnya.")),
        (_("Akun baru"), _("Pegawai baru mendapat akun dengan NIP sebagai nama pengguna dan satu kata sandi awal "
                           "yang ditampilkan sekali setelah impor; kata sandi wajib diganti saat pertama masuk.")),
    ]


def list_validation(values: list[str], column: int) -> DataValidation:
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1='"{}"'.format(",".join(values)), allow_blank=True,
                                showErrorMessage=True, errorTitle=_("Nilai tidak valid"),
                                error=_("Pilih salah satu nilai dari daftar."))
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
    return validation


def bold_header(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    sheet.freeze_panes = "A2"


def data_sheet(workbook: Workbook, rows: list[list]) -> None:
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append([column.header for column in COLUMNS])
    keys = [column.key for column in COLUMNS]
    text_letters = [get_column_letter(keys.index(key) + 1) for key in TEXT_COLUMNS]
    for values in rows:
        sheet.append([safe_value(value) for value in values])
    for letter in text_letters:  # the cells typed later are text too
        for row_number in range(2, max(len(rows), VALIDATED_ROWS) + 2):
            sheet[f"{letter}{row_number}"].number_format = "@"
    bold_header(sheet, [column.width for column in COLUMNS])
    for key, values in LISTS.items():
        sheet.add_data_validation(list_validation(values, keys.index(key) + 1))


def guide_sheet(workbook: Workbook) -> None:
    guide = workbook.create_sheet(_("Petunjuk"))
    guide.append([_("Petunjuk impor pegawai")])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([])
    for topic, text in instructions():
        guide.append([topic, text])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 100
    for cell in guide["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in guide["A"][2:]:
        cell.alignment, cell.font = Alignment(vertical="top"), Font(bold=True)


def reference_sheets(workbook: Workbook, actor: User) -> None:
    """The agencies and units in the actor's scope, the position catalogue and the grades."""
    query = (select(Agency.code, Agency.name, Unit.code, Unit.name).join(Unit, Unit.agency_id == Agency.id)
             .order_by(Agency.name, Unit.code))
    if not is_global_admin(actor):
        query = query.where(Agency.id.in_(admin_agency_ids(actor)))
    units = workbook.create_sheet(_("OPD dan unit"))
    units.append([_("Kode OPD"), "OPD", _("Kode unit"), "Unit kerja"])
    for row in db.session.execute(query):
        units.append([safe_value(value) for value in row])
    bold_header(units, [16, 50, 12, 50])

    positions = workbook.create_sheet(_("Jabatan"))
    positions.append(["Jabatan", "Jenis jabatan", _("Kelas jabatan")])
    for name, kind, grade in db.session.execute(
            select(Position.name, Position.kind, Position.class_grade).order_by(Position.name)):
        positions.append([safe_text(name), TEMPLATE_KIND_NAMES[kind], grade])
    bold_header(positions, [55, 16, 14])

    grades = workbook.create_sheet(_("Golongan"))
    grades.append(["Status kepegawaian", "Pangkat/Golongan", _("Pangkat")])
    for grade, rank in PNS_RANKS.items():
        grades.append(["PNS / CPNS", grade, rank])
    for grade in PPPK_GRADES:
        grades.append(["PPPK", grade, ""])
    bold_header(grades, [20, 18, 28])


def build_workbook(actor: User, rows: list[list] | None = None) -> bytes:
    """The template as .xlsx bytes; with `rows`, those rows on the data sheet."""
    workbook = Workbook()
    data_sheet(workbook, rows or [])
    guide_sheet(workbook)
    reference_sheets(workbook, actor)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
