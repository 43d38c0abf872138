"""Electronic signatures: the regency's signing setup and the signed versions of stored reports

Revision ID: b4f1297b5ac2
Revises: e7db2e8b48c8
Create Date: 2026-12-06 23:13:04.208992

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4f1297b5ac2'
down_revision = 'e7db2e8b48c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signing_setup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('pkcs12_path', sa.String(length=255), nullable=True),
    sa.Column('trust_roots_path', sa.String(length=255), nullable=True),
    sa.Column('bsre_base_url', sa.String(length=255), nullable=True),
    sa.Column('bsre_client_id_env', sa.String(length=60), nullable=True),
    sa.Column('bsre_client_secret_env', sa.String(length=60), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('box_x', sa.Integer(), nullable=False),
    sa.Column('box_y', sa.Integer(), nullable=False),
    sa.Column('box_width', sa.Integer(), nullable=False),
    sa.Column('box_height', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_signing_setup_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_setup'))
    )
    op.create_table('signed_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('signer_user_id', sa.Integer(), nullable=True),
    sa.Column('signer_employee_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=150), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_document_id'], ['report_document.id'], name=op.f('fk_signed_document_report_document_id_report_document'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signer_employee_id'], ['employee.id'], name=op.f('fk_signed_document_signer_employee_id_employee'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signer_user_id'], ['user_account.id'], name=op.f('fk_signed_document_signer_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_document')),
    sa.UniqueConstraint('report_document_id', 'version', name=op.f('uq_signed_document_report_document_id_version'))
    )
    with op.batch_alter_table('signed_document', schema=None) as batch_op:
        batch_op.create_index('ix_signed_document_report_document_id', ['report_document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('signed_document', schema=None) as batch_op:
        batch_op.drop_index('ix_signed_document_report_document_id')
    op.drop_table('signed_document')
    op.drop_table('signing_setup')
