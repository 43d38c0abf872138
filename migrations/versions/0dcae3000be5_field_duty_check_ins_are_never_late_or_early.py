"""Field duty check-ins are never late or early

Check-ins and check-outs in DL (dinas luar, under a surat tugas) were given late and early minutes against the
office's hours; field duty is not held to them (kinerja.attendance.hours.lateness). The minutes already stored
for DL records are cleared, so no page, export or summary counts them.

Revision ID: 0dcae3000be5
Revises: 1500547fd447
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0dcae3000be5'
down_revision = '1500547fd447'
branch_labels = None
depends_on = None


def upgrade():
    record = sa.table('attendance_record', sa.column('mode', sa.String(3)), sa.column('late_minutes', sa.Integer()),
                      sa.column('early_minutes', sa.Integer()))
    op.execute(record.update().where(record.c.mode == 'DL').values(late_minutes=0, early_minutes=0))


def downgrade():
    pass  # the minutes cleared were wrong; there is nothing to restore
