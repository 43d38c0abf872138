"""Run every benchmark: python -m bench (make bench)."""

from bench import (
    activities,
    foundation,
    page_weight,
    pages,
    reports_pack,
    reports_pdf,
    reports_xlsx,
    review,
    staff_import,
    tpp,
)

if __name__ == "__main__":
    foundation.main()
    activities.main()
    review.main()
    pages.main()
    reports_pdf.main()
    reports_xlsx.main()
    reports_pack.main()
    staff_import.main()
    tpp.main()
    page_weight.main()
