"""report share links

Revision ID: 7b137528a0e3
Revises: ccf7cc8951e9
Create Date: 2026-11-22 07:32:36.096978
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.common

revision: str = '7b137528a0e3'
down_revision: str | None = 'ccf7cc8951e9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_share',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_report_share_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_report_share_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_share')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_report_share_token_hash'))
    )
    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_share_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_share_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_share_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_report_share_assessment_id'))

    op.drop_table('report_share')
