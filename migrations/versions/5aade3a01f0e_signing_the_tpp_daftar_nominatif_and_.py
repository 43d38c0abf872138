"""Signing the TPP daftar nominatif and SKP documents: stored documents of an agency or an SKP, superseded signed
versions

Revision ID: 5aade3a01f0e
Revises: b4f1297b5ac2
Create Date: 2026-12-07 01:29:12.948136

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5aade3a01f0e'
down_revision = 'b4f1297b5ac2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('skp_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_key', sa.String(length=12), nullable=True))
        batch_op.alter_column('employee_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_report_document_agency', ['agency_id', 'year', 'month', 'kind'], unique=False)
        batch_op.create_index('ix_report_document_skp', ['skp_id', 'kind'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_report_document_skp_id_skp'), 'skp', ['skp_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_report_document_agency_id_agency'), 'agency', ['agency_id'], ['id'], ondelete='RESTRICT')
    with op.batch_alter_table('signed_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('signed_document', schema=None) as batch_op:
        batch_op.drop_column('superseded_at')

    with op.batch_alter_table('report_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_document_agency_id_agency'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_report_document_skp_id_skp'), type_='foreignkey')
        batch_op.drop_index('ix_report_document_skp')
        batch_op.drop_index('ix_report_document_agency')
        batch_op.alter_column('employee_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('period_key')
        batch_op.drop_column('skp_id')
        batch_op.drop_column('agency_id')

