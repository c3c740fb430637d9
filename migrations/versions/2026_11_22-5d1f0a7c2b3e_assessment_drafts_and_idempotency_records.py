"""assessment drafts and idempotency records

Revision ID: 5d1f0a7c2b3e
Revises: 74478ffe84d7
Create Date: 2026-11-22 03:51:52.460684
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.common

revision: str = '5d1f0a7c2b3e'
down_revision: str | None = '74478ffe84d7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_record',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_idempotency_record_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('tenant_id', 'key', name='uq_idempotency_record_tenant_key')
    )
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_record_expires_at', ['expires_at'], unique=False)

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        # every stored assessment so far was submitted when it was created, at revision 1
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('submitted_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('result',
               existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
               nullable=True)
        batch_op.alter_column('decision',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)
        batch_op.alter_column('score',
               existing_type=sa.FLOAT(),
               nullable=True)
    op.execute("UPDATE assessment SET submitted_at = created_at")
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.alter_column('revision', existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    # the older schema has no place for a draft, which has no result
    op.execute("DELETE FROM assessment WHERE status = 'draft'")
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.alter_column('score',
               existing_type=sa.FLOAT(),
               nullable=False)
        batch_op.alter_column('decision',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.alter_column('result',
               existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
               nullable=False)
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('revision')

    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_record_expires_at')

    op.drop_table('idempotency_record')
