"""assessment follows an earlier one

Revision ID: ccf7cc8951e9
Revises: aec53c1f7c9f
Create Date: 2026-11-22 07:27:45.005506
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ccf7cc8951e9'
down_revision: str | None = 'aec53c1f7c9f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # every assessment stored so far follows nothing: the column starts empty
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follows_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assessment_follows_id'), ['follows_id'], unique=False)
        # erasing the earlier assessment keeps the later one, following nothing
        batch_op.create_foreign_key(
            batch_op.f('fk_assessment_follows_id_assessment'), 'assessment', ['follows_id'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_follows_id_assessment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assessment_follows_id'))
        batch_op.drop_column('follows_id')
