"""Messages beside e-mail: gateways per channel, each person's opt-in and number, the outbox and delivery log

Revision ID: e7db2e8b48c8
Revises: 329c792d71a9
Create Date: 2026-12-06 23:12:28.297952

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7db2e8b48c8'
down_revision = '329c792d71a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_gateway',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('whatsapp', 'telegram', name='channel', native_enum=False, length=12), nullable=False),
    sa.Column('kind', sa.Enum('cloud_api', 'http', 'telegram', name='gatewaykind', native_enum=False, length=12), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('base_url', sa.String(length=255), nullable=False),
    sa.Column('sender_id', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=6), nullable=False),
    sa.Column('body_format', sa.String(length=8), nullable=False),
    sa.Column('body_template', sa.Text(), nullable=False),
    sa.Column('token_header', sa.String(length=64), nullable=False),
    sa.Column('token_env', sa.String(length=64), nullable=False),
    sa.Column('template_prefix', sa.String(length=40), nullable=False),
    sa.Column('kinds', sa.String(length=255), nullable=False),
    sa.Column('per_minute', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_message_gateway_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_gateway')),
    sa.UniqueConstraint('channel', name=op.f('uq_message_gateway_channel'))
    )
    op.create_table('message_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('whatsapp', 'telegram', name='channel', native_enum=False, length=12), nullable=False),
    sa.Column('address', sa.String(length=20), nullable=False),
    sa.Column('opted_in', sa.Boolean(), nullable=False),
    sa.Column('opted_in_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_contact_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_contact')),
    sa.UniqueConstraint('user_id', 'channel', name=op.f('uq_message_contact_user_id_channel'))
    )
    op.create_table('message_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('whatsapp', 'telegram', name='channel', native_enum=False, length=12), nullable=False),
    sa.Column('address', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'cancelled', name='messagestatus', native_enum=False, length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.Column('provider_id', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_message_outbox_notification_id_notification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_outbox_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_message_outbox_key'))
    )
    with op.batch_alter_table('message_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_message_outbox_channel_attempt', ['channel', 'last_attempt_at'], unique=False)
        batch_op.create_index('ix_message_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_message_outbox_notification', ['notification_id', 'channel'], unique=False)
        batch_op.create_index('ix_message_outbox_user_sent', ['user_id', 'channel', 'sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('message_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_message_outbox_user_sent')
        batch_op.drop_index('ix_message_outbox_notification')
        batch_op.drop_index('ix_message_outbox_due')
        batch_op.drop_index('ix_message_outbox_channel_attempt')

    op.drop_table('message_outbox')
    op.drop_table('message_contact')
    op.drop_table('message_gateway')
