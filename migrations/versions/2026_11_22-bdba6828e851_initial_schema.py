"""initial schema

Revision ID: bdba6828e851
Revises: 
Create Date: 2026-11-22 00:39:21.398436
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.common

revision: str = 'bdba6828e851'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('bank_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_version')),
    sa.UniqueConstraint('slug', 'version', name='uq_bank_version_slug_version')
    )
    op.create_table('tenant',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant')),
    sa.UniqueConstraint('name', name=op.f('uq_tenant_name'))
    )
    op.create_table('api_key',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.models.common.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_api_key_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('bank_version_id', sa.Uuid(), nullable=False),
    sa.Column('bank_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('bank_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('created_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.common.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_version_id'], ['bank_version.id'], name=op.f('fk_assessment_bank_version_id_bank_version')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_assessment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_bank_version_id'), ['bank_version_id'], unique=False)
        batch_op.create_index('ix_assessment_tenant_created', ['tenant_id', 'created_at', 'id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_tenant_created')
        batch_op.drop_index(batch_op.f('ix_assessment_bank_version_id'))

    op.drop_table('assessment')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_tenant_id'))

    op.drop_table('api_key')
    op.drop_table('tenant')
    op.drop_table('bank_version')

