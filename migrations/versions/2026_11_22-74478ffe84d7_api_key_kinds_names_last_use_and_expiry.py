"""api key kinds, names, last use and expiry

Revision ID: 74478ffe84d7
Revises: 4c6a2ade806a
Create Date: 2026-11-22 01:58:31.546737
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.common

revision: str = '74478ffe84d7'
down_revision: str | None = '4c6a2ade806a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every key issued so far is an rdy_sk_ key with full rights: the default makes
    # existing rows secret keys, then goes, so the schema ends as the models declare it.
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='secret'))
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expires_at', app.models.common.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('name')
        batch_op.drop_column('kind')
