"""Fixed material for the demo regency: names, positions, agencies with their units and offices."""

from __future__ import annotations

from kinerja.models import PositionKind

REGENCY = {"name": "Pemerintah Kota Cimahi", "signature_city": "Cimahi", "timezone": "Asia/Jakarta"}

MALE_NAMES = [
    "Asep", "Dedi", "Agus", "Budi", "Cecep", "Dadang", "Endang", "Hendra", "Iwan", "Jajang", "Ujang", "Yayan",
    "Rudi", "Ade", "Nandang", "Deden", "Wawan", "Tatang", "Rahmat", "Fajar", "Rizki", "Dimas", "Arif", "Bayu",
    "Gilang", "Ilham", "Yusuf", "Hadi", "Taufik", "Eko",
]
FEMALE_NAMES = [
    "Siti", "Euis", "Neneng", "Dewi", "Rina", "Yanti", "Lilis", "Nining", "Tuti", "Eka", "Ratna", "Sri", "Wulan",
    "Fitri", "Nurul", "Intan", "Rika", "Anisa", "Dian", "Ayu", "Nia", "Putri", "Rini", "Sari", "Lina",
]
# Second names that fit either gender, then ones that are only given to men or to women.
SURNAMES = [
    "Permana", "Hidayat", "Saputra", "Gunawan", "Suryana", "Kurniawan", "Setiawan", "Supriatna", "Sudrajat",
    "Mulyana", "Hermawan", "Firmansyah", "Maulana", "Kusumah", "Sumarna", "Wijaya", "Purnama", "Nugraha",
    "Ramdani", "Iskandar", "Sulaeman", "Hamdani", "Sopian",
]
FEMALE_SURNAMES = [
    "Rahmawati", "Nurhayati", "Rosdiana", "Komalasari", "Fauziah", "Lestari", "Anggraeni", "Kartika", "Susanti",
    "Handayani", "Marlina", "Puspitasari",
]

# name, kind, class (kelas jabatan)
POSITIONS = {
    "sekda": ("Sekretaris Daerah", PositionKind.JPT, 15),
    "kepala_dinas": ("Kepala Dinas", PositionKind.JPT, 14),
    "kepala_badan": ("Kepala Badan", PositionKind.JPT, 14),
    "direktur_rsud": ("Direktur Rumah Sakit Umum Daerah", PositionKind.JPT, 14),
    "camat": ("Camat", PositionKind.ADMINISTRATOR, 12),
    "sekretaris": ("Sekretaris", PositionKind.ADMINISTRATOR, 12),
    "kabid": ("Kepala Bidang", PositionKind.ADMINISTRATOR, 12),
    "kabag": ("Kepala Bagian", PositionKind.ADMINISTRATOR, 12),
    "sekcam": ("Sekretaris Kecamatan", PositionKind.PENGAWAS, 9),
    "kasi": ("Kepala Seksi", PositionKind.PENGAWAS, 9),
    "kasubbag": ("Kepala Subbagian", PositionKind.PENGAWAS, 9),
    "analis_kepegawaian": ("Analis Sumber Daya Manusia Aparatur Ahli Pertama", PositionKind.FUNGSIONAL, 8),
    "pranata_komputer": ("Pranata Komputer Ahli Pertama", PositionKind.FUNGSIONAL, 8),
    "administrator_kependudukan": ("Administrator Database Kependudukan Ahli Pertama", PositionKind.FUNGSIONAL, 8),
    "perawat": ("Perawat Terampil", PositionKind.FUNGSIONAL, 7),
    "dokter": ("Dokter Ahli Pertama", PositionKind.FUNGSIONAL, 9),
    "bidan": ("Bidan Terampil", PositionKind.FUNGSIONAL, 7),
    "analis_kebijakan": ("Analis Kebijakan Ahli Pertama", PositionKind.FUNGSIONAL, 8),
    "penata_layanan": ("Penata Layanan Operasional", PositionKind.PELAKSANA, 7),
    "pengadministrasi": ("Pengadministrasi Perkantoran", PositionKind.PELAKSANA, 6),
    "operator_layanan": ("Operator Layanan Operasional", PositionKind.PELAKSANA, 5),
}

# Each agency: head position, units (code, name, head position, staff positions, staff count), offices.
# Level-1 units are led by administrators, level-2 units by supervisors; staff sit in the deepest units.
AGENCIES = [
    {
        "code": "SETDA",
        "name": "Sekretariat Daerah Kota Cimahi",
        "short_name": "Setda",
        "head": "sekda",
        "units": [
            ("01", "Bagian Tata Pemerintahan", "kabag", [], 0),
            ("01.01", "Subbagian Administrasi Kewilayahan", "kasubbag", ["penata_layanan", "pengadministrasi"], 4),
            ("02", "Bagian Hukum", "kabag", [], 0),
            ("02.01", "Subbagian Perundang-undangan", "kasubbag", ["analis_kebijakan", "pengadministrasi"], 4),
            ("03", "Bagian Umum", "kabag", [], 0),
            ("03.01", "Subbagian Tata Usaha Pimpinan", "kasubbag", ["pengadministrasi", "operator_layanan"], 5),
            ("03.02", "Subbagian Rumah Tangga", "kasubbag", ["operator_layanan", "penata_layanan"], 4),
        ],
        "offices": [
            ("Kompleks Perkantoran Pemkot Cimahi", "Jl. Rd. Demang Hardjakusumah, Cibabat, Cimahi Utara",
             -6.872249, 107.542441, 150),
        ],
    },
    {
        "code": "DISDUKCAPIL",
        "name": "Dinas Kependudukan dan Pencatatan Sipil",
        "short_name": "Disdukcapil",
        "head": "kepala_dinas",
        "units": [
            ("01", "Sekretariat", "sekretaris", [], 0),
            ("01.01", "Subbagian Umum dan Kepegawaian", "kasubbag", ["pengadministrasi", "penata_layanan"], 4),
            ("02", "Bidang Pelayanan Pendaftaran Penduduk", "kabid", [], 0),
            ("02.01", "Seksi Identitas Penduduk", "kasi", ["operator_layanan", "administrator_kependudukan"], 6),
            ("02.02", "Seksi Pindah Datang Penduduk", "kasi", ["operator_layanan", "penata_layanan"], 5),
            ("03", "Bidang Pelayanan Pencatatan Sipil", "kabid", [], 0),
            ("03.01", "Seksi Kelahiran dan Kematian", "kasi", ["operator_layanan", "penata_layanan"], 5),
            ("04", "Bidang Pengelolaan Informasi Administrasi Kependudukan", "kabid", [], 0),
            ("04.01", "Seksi Sistem Informasi", "kasi", ["pranata_komputer", "administrator_kependudukan"], 4),
        ],
        "offices": [
            ("Kantor Disdukcapil (Gedung B Pemkot)", "Jl. Rd. Demang Hardjakusumah, Cibabat, Cimahi Utara",
             -6.871830, 107.543270, 100),
            ("Mal Pelayanan Publik Cimahi", "Jl. Jend. Sudirman, Cimahi Tengah", -6.870610, 107.541060, 80),
        ],
    },
    {
        "code": "BKPSDMD",
        "name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Daerah",
        "short_name": "BKPSDMD",
        "head": "kepala_badan",
        "units": [
            ("01", "Sekretariat", "sekretaris", [], 0),
            ("01.01", "Subbagian Umum", "kasubbag", ["pengadministrasi", "operator_layanan"], 3),
            ("02", "Bidang Pengadaan, Pemberhentian dan Informasi", "kabid", [], 0),
            ("02.01", "Subbidang Data dan Informasi Kepegawaian", "kasi", ["pranata_komputer", "analis_kepegawaian"], 4),
            ("03", "Bidang Penilaian Kinerja dan Pengembangan Karier", "kabid", [], 0),
            ("03.01", "Subbidang Penilaian Kinerja", "kasi", ["analis_kepegawaian", "penata_layanan"], 4),
        ],
        "offices": [
            ("Kantor BKPSDMD", "Jl. Rd. Demang Hardjakusumah, Cibabat, Cimahi Utara", -6.872690, 107.541780, 100),
        ],
    },
    {
        "code": "KEC-CMT",
        "name": "Kecamatan Cimahi Tengah",
        "short_name": "Kec. Cimahi Tengah",
        "head": "camat",
        "units": [
            ("01", "Sekretariat Kecamatan", "sekcam", ["pengadministrasi", "operator_layanan"], 4),
            ("02", "Seksi Pemerintahan", "kasi", ["penata_layanan", "pengadministrasi"], 3),
            ("03", "Seksi Pelayanan Umum", "kasi", ["operator_layanan", "penata_layanan"], 4),
            ("04", "Seksi Ketenteraman dan Ketertiban Umum", "kasi", ["operator_layanan"], 3),
        ],
        "offices": [
            ("Kantor Kecamatan Cimahi Tengah", "Jl. Ria No. 1, Cimahi Tengah", -6.881120, 107.540080, 100),
        ],
    },
    {
        "code": "RSUD",
        "name": "Rumah Sakit Umum Daerah Cibabat",
        "short_name": "RSUD Cibabat",
        "head": "direktur_rsud",
        "units": [
            ("01", "Bagian Tata Usaha", "kabag", [], 0),
            ("01.01", "Subbagian Umum dan Kepegawaian", "kasubbag", ["pengadministrasi", "operator_layanan"], 3),
            ("02", "Bidang Pelayanan Medis", "kabid", [], 0),
            ("02.01", "Seksi Pelayanan Rawat Jalan", "kasi", ["dokter", "perawat", "perawat"], 6),
            ("02.02", "Seksi Pelayanan Rawat Inap", "kasi", ["perawat", "bidan", "perawat"], 6),
        ],
        "offices": [
            ("RSUD Cibabat", "Jl. Jend. H. Amir Machmud No. 140, Cibabat, Cimahi Utara", -6.885710, 107.554880, 150),
        ],
    },
]

DEGREES_BY_POSITION = {
    "dokter": ("dr.", "M.Kes."),
    "perawat": ("", "A.Md.Kep."),
    "bidan": ("", "A.Md.Keb."),
    "pranata_komputer": ("", "S.Kom."),
    "administrator_kependudukan": ("", "S.Kom."),
    "analis_kepegawaian": ("", "S.Psi."),
    "analis_kebijakan": ("", "S.H."),
}
SENIOR_DEGREES = [("", "S.Sos., M.Si."), ("Drs.", "M.M."), ("", "S.E., M.M."), ("Dr.", "S.IP., M.Si."),
                  ("", "S.T., M.T."), ("", "S.H., M.H.")]
JUNIOR_DEGREES = [("", ""), ("", ""), ("", "S.E."), ("", "A.Md."), ("", "S.Sos."), ("", "S.AP.")]

GRADES = {
    PositionKind.JPT: ["IV/c", "IV/d"],
    PositionKind.ADMINISTRATOR: ["IV/a", "IV/b"],
    PositionKind.PENGAWAS: ["III/c", "III/d"],
    PositionKind.FUNGSIONAL: ["III/a", "III/b", "III/c"],
    PositionKind.PELAKSANA: ["II/b", "II/c", "II/d", "III/a"],
}

# The regency-wide output units (the migration inserts the same list; databases built with create_all do not).
DEFAULT_OUTPUT_UNITS = [
    "berkas", "dokumen", "kegiatan", "laporan", "orang", "paket", "surat", "konsep", "data", "layanan",
    "rekomendasi", "notulen",
]
