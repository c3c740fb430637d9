# syntax=docker/dockerfile:1
#
# SoMe Readiness API image.
#
#   docker build -t some-readiness .
#   docker run -p 8000:8000 -v readiness-data:/data some-readiness
#
# Set READINESS_DATABASE_URL to use PostgreSQL instead of the bundled SQLite
# file, e.g. postgresql+psycopg://user:pass@db:5432/readiness

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------
# Build stage: a self-contained virtualenv in /opt/venv. Keeping pip's build
# machinery and caches here keeps them out of the runtime image.
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so this (slow) layer is only
# rebuilt when the dependency list changes, not on every code change.
# README* is a wildcard so a missing README does not break the build
# (pyproject.toml refers to it, but setuptools only warns).
COPY pyproject.toml README* ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt

# Then the project itself (without test extras); dependencies are already in.
COPY app/ ./app/
RUN pip install --no-cache-dir --no-deps . \
 && pip check

# ---------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# PYTHONPATH=/app makes `import app` resolve to /app/app rather than the copy
# in site-packages. This matters: app/settings.py derives PROJECT_ROOT from the
# package location and expects alembic.ini, migrations/ and question_banks/
# next to it, i.e. in /app.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    READINESS_DATABASE_URL=sqlite:////data/readiness.db

# Fixed uid/gid 10001 so volume permissions are predictable across rebuilds
# and hosts. /data must exist and be owned by that user *before* VOLUME, so a
# fresh named volume inherits the ownership.
RUN groupadd --system --gid 10001 readiness \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin readiness \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0750 /data

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# Application files stay root-owned: the service user can read, not modify them.
COPY app/ ./app/
COPY migrations/ ./migrations/
COPY alembic.ini ./
COPY question_banks/ ./question_banks/
# Bytecode is precompiled here because the non-root user cannot write
# __pycache__ under /app at runtime.
RUN python -m compileall -q /app/app /app/migrations

VOLUME ["/data"]

USER 10001:10001

EXPOSE 8000

# No curl in the slim image; urllib raises (non-zero exit) on connection
# errors, timeouts and HTTP error statuses.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# `readiness serve` applies migrations and loads the question banks itself.
CMD ["readiness", "serve", "--host", "0.0.0.0", "--port", "8000"]
