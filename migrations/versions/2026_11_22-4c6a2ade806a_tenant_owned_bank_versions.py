"""tenant-owned bank versions

Revision ID: 4c6a2ade806a
Revises: bdba6828e851
Create Date: 2026-11-22 01:26:41.199272
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.common

revision: str = '4c6a2ade806a'
down_revision: str | None = 'bdba6828e851'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows are shipped, published versions: defaults fill them in, then go,
    # so that the schema ends exactly as the models declare it.
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default='shipped'))
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='published'))
        batch_op.add_column(sa.Column('overlay', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('updated_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_bank_version_slug_version'), type_='unique')
        batch_op.create_index('ix_bank_version_owner_slug', ['owner', 'slug'], unique=False)
        batch_op.create_unique_constraint('uq_bank_version_owner_slug_version', ['owner', 'slug', 'version'])
        batch_op.create_foreign_key(batch_op.f('fk_bank_version_tenant_id_tenant'), 'tenant', ['tenant_id'], ['id'], ondelete='CASCADE')
    op.execute("UPDATE bank_version SET updated_at = created_at, published_at = created_at")
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.alter_column('owner', server_default=None)
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('updated_at', existing_type=app.models.common.UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('bank_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bank_version_tenant_id_tenant'), type_='foreignkey')
        batch_op.drop_constraint('uq_bank_version_owner_slug_version', type_='unique')
        batch_op.drop_index('ix_bank_version_owner_slug')
        batch_op.create_unique_constraint(batch_op.f('uq_bank_version_slug_version'), ['slug', 'version'])
        batch_op.drop_column('retired_at')
        batch_op.drop_column('published_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('overlay')
        batch_op.drop_column('status')
        batch_op.drop_column('owner')
        batch_op.drop_column('tenant_id')

