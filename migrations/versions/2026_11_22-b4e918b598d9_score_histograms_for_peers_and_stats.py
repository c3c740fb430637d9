"""score histograms for peers and stats

Revision ID: b4e918b598d9
Revises: 7b137528a0e3
Create Date: 2026-11-22 07:35:24.824719
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.common

revision: str = 'b4e918b598d9'
down_revision: str | None = '7b137528a0e3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
BATCH = 1000
# a decision is counted in the bucket of its index here
DECISIONS = ('go', 'conditional_go', 'no_go', 'insufficient_data')


def upgrade() -> None:
    histogram = op.create_table('score_histogram',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('bank_version_id', sa.Uuid(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bank_version_id'], ['bank_version.id'], name=op.f('fk_score_histogram_bank_version_id_bank_version')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_score_histogram_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'bank_version_id', 'month', 'metric', 'bucket', name=op.f('pk_score_histogram'))
    )
    _backfill(histogram)


def _backfill(histogram: sa.Table) -> None:
    """Count every assessment submitted before this revision, from its stored figures and digest."""
    # a copy of the rules as this revision defines them, so that later changes to the app do not change history
    assessment = sa.table(
        'assessment',
        sa.column('id', sa.Uuid()),
        sa.column('tenant_id', sa.Uuid()),
        sa.column('bank_version_id', sa.Uuid()),
        sa.column('status', sa.String()),
        sa.column('decision', sa.String()),
        sa.column('score', sa.Float()),
        sa.column('digest', JSON),
        sa.column('result', JSON),
        sa.column('created_at', app.models.common.UTCDateTime(timezone=True)),
        sa.column('submitted_at', app.models.common.UTCDateTime(timezone=True)),
    )
    columns = [assessment.c[name] for name in
               ('id', 'tenant_id', 'bank_version_id', 'decision', 'score', 'digest', 'created_at', 'submitted_at')]
    connection = op.get_bind()
    counts: dict[tuple[Any, ...], list[int]] = {}
    last = None
    while True:
        query = sa.select(*columns).where(assessment.c.status == 'submitted', assessment.c.score.is_not(None))
        if last is not None:
            query = query.where(assessment.c.id > last)
        rows = connection.execute(query.order_by(assessment.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            moment: datetime = row.submitted_at or row.created_at
            month = moment.astimezone(UTC).strftime('%Y-%m')
            dimensions = (row.digest or {}).get('dimensions')
            if dimensions is None:  # no digest: read the dimension scores from the full result
                result = connection.execute(sa.select(assessment.c.result).where(assessment.c.id == row.id)).scalar()
                dimensions = {d['key']: d['score'] for d in (result or {}).get('dimensions', [])}
            figures = [('decision', DECISIONS.index(row.decision), 0), ('overall', *_point(row.score))]
            figures += [('dimension:' + key, *_point(value)) for key, value in dimensions.items() if value is not None]
            for metric, bucket, total in figures:
                tally = counts.setdefault((row.tenant_id, row.bank_version_id, month, metric, bucket), [0, 0])
                tally[0] += 1
                tally[1] += total
        last = rows[-1].id
    keys = ('tenant_id', 'bank_version_id', 'month', 'metric', 'bucket')
    filled = [dict(zip(keys, key, strict=True)) | {'count': n, 'score_sum': total} for key, (n, total) in counts.items()]
    for start in range(0, len(filled), BATCH):
        connection.execute(histogram.insert(), filled[start:start + BATCH])


def _point(score: float) -> tuple[int, int]:
    """The whole point a score is counted under (its floor) and the score in hundredths."""
    hundredths = round(score * 100)
    return min(100, max(0, hundredths // 100)), hundredths


def downgrade() -> None:
    op.drop_table('score_histogram')
