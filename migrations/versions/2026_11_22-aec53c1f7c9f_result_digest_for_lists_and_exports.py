"""result digest for lists and exports

Revision ID: aec53c1f7c9f
Revises: f3bfa086feed
Create Date: 2026-11-22 04:16:18.546691
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'aec53c1f7c9f'
down_revision: str | None = 'f3bfa086feed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', JSON, nullable=True))
    _backfill()


def _backfill() -> None:
    # a copy of the digest as this revision defines it, so that later changes to the app do not change history
    assessment = sa.table('assessment', sa.column('id', sa.Uuid()), sa.column('result', JSON), sa.column('digest', JSON))
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(assessment.c.id, assessment.c.result).where(assessment.c.result.is_not(None))
        if last is not None:
            query = query.where(assessment.c.id > last)
        rows = connection.execute(query.order_by(assessment.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row_id, result in rows:
            connection.execute(
                assessment.update().where(assessment.c.id == row_id).values(digest=_digest(result))
            )
        last = rows[-1][0]


def _digest(result: dict[str, Any]) -> dict[str, Any]:
    gaps = result.get('gaps', [])
    return {
        'coverage': result.get('coverage'),
        'dimensions': {d['key']: d['score'] for d in result.get('dimensions', [])},
        'top_gaps': [{'dimension': g['dimension'], 'severity': g['severity']} for g in gaps[:3]],
        'top_recommendation': gaps[0]['recommendation'] if gaps else None,
    }


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('digest')
