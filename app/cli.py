"""The `readiness` command: serve, migrate, validate banks, create keys, score offline."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from app.settings import get_settings

app = typer.Typer(help="SoMe Readiness API: serve it, migrate it, manage keys and banks.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
banks_app = typer.Typer(help="Question bank files.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(banks_app, name="banks")
webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(webhooks_app, name="webhooks")


class OutputFormat(StrEnum):
    json = "json"
    text = "text"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply migrations, load the shipped banks and serve the API."""
    import uvicorn

    from app import migrations
    from app.observability.logging import configure_logging
    from app.observability.metrics import shared_directory

    settings = get_settings()
    # the app logs each request itself, as JSON: uvicorn keeps neither its logging set-up nor its access log
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    migrations.upgrade(settings)
    with shared_directory(workers):  # several workers add up their metrics in one directory
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database (READINESS_DATABASE_URL) to REVISION."""
    from app import migrations

    migrations.upgrade(get_settings(), revision)
    typer.echo(f"database at {revision}")


@banks_app.command("validate")
def banks_validate(path: Annotated[Path, typer.Argument(exists=True, help="A bank file or a folder of them")]) -> None:
    """Check bank files and run their fixtures; every problem is reported with its file and path."""
    from app.banks.fixtures import run_fixtures
    from app.banks.loader import BankFileError, load_bank_directory, load_bank_file

    try:
        loaded = load_bank_directory(path) if path.is_dir() else [load_bank_file(path)]
    except BankFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    failed = False
    for item in loaded:
        bank = item.bank
        outcomes = run_fixtures(bank)
        failures = [message for outcome in outcomes if (message := outcome.message()) is not None]
        if failures:
            failed = True
            for message in failures:
                typer.echo(f"{item.path}: {message}", err=True)
            continue
        ran = f"{len(outcomes)} fixture{'' if len(outcomes) == 1 else 's'} passed" if outcomes else "no fixtures"
        typer.echo(f"ok {item.path}: {bank.slug} {bank.version}, {len(bank.questions)} questions, {ran}, {item.content_hash}")
    if failed:
        raise typer.Exit(1)


@banks_app.command("diff")
def banks_diff(
    old: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The earlier bank file")],
    new: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The later bank file")],
    format: Annotated[OutputFormat, typer.Option(help="text (one line per change) or json")] = OutputFormat.text,
) -> None:
    """Print what differs from bank file OLD to bank file NEW, one change a line."""
    from app.banks.diff import diff_banks
    from app.banks.loader import BankFileError, load_bank_file

    banks = []
    problems = []
    for path in (old, new):
        try:
            banks.append(load_bank_file(path).bank)
        except BankFileError as exc:
            problems.append(str(exc))
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(1)
    changes = diff_banks(banks[0], banks[1])
    if format == OutputFormat.json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in changes], indent=2, ensure_ascii=False))
    else:
        for change in changes:
            typer.echo(change.line())


class KeyKindOption(StrEnum):
    secret = "secret"
    publishable = "publishable"


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant (agency) name; created if new")],
    kind: Annotated[
        KeyKindOption, typer.Option(help="secret (server-side, everything) or publishable (browser forms)")
    ] = KeyKindOption.secret,
    name: Annotated[str | None, typer.Option(help="A label of your own, shown in listings")] = None,
) -> None:
    """Create an API key for TENANT and print it once: only its hash is stored."""
    from app.models.tenants import KeyKind
    from app.services import keys as key_service

    settings = get_settings()
    with _session() as session:
        _, key = key_service.create_key(
            session=session,
            tenant_name=tenant,
            pepper=settings.key_pepper.get_secret_value(),
            kind=KeyKind(kind.value),
            name=name,
        )
    typer.echo(key)


@keys_app.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant (agency) name")]) -> None:
    """List TENANT's keys, newest first: id, kind, prefix, state, last use and name; never a key."""
    from app.models.common import utcnow
    from app.services import keys as key_service

    with _session() as session:
        found = key_service.find_tenant(session=session, name=tenant)
        if found is None:
            typer.echo(f"no tenant {tenant!r}", err=True)
            raise typer.Exit(1)
        rows, cursor = key_service.list_keys(session=session, tenant=found, limit=100)
        while cursor is not None:
            more, cursor = key_service.list_keys(session=session, tenant=found, limit=100, cursor=cursor)
            rows += more
    now = utcnow()
    for row in rows:
        if row.revoked_at is not None:
            state = f"revoked {row.revoked_at:%Y-%m-%dT%H:%MZ}"
        elif row.expires_at is not None:
            state = f"{'expired' if row.expires_at <= now else 'expires'} {row.expires_at:%Y-%m-%dT%H:%MZ}"
        else:
            state = "active"
        used = f"{row.last_used_at:%Y-%m-%dT%H:%MZ}" if row.last_used_at else "never used"
        typer.echo(f"{row.id}  {row.kind:<11}  {row.prefix}...  {state:<24}  {used:<17}  {row.name or ''}".rstrip())


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[uuid.UUID, typer.Argument(metavar="ID", help="The key's id, as listed")]) -> None:
    """Revoke the key ID: it stops working at once."""
    from app.models import ApiKey
    from app.problems import ProblemError
    from app.services import keys as key_service

    with _session() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            typer.echo(f"no API key {key_id}", err=True)
            raise typer.Exit(1)
        try:
            key_service.revoke_key(session=session, key=row)
        except ProblemError as exc:
            typer.echo(exc.detail, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"revoked {key_id} ({row.prefix}...)")


@webhooks_app.command("worker")
def webhooks_worker(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit (for cron and tests)")] = False,
) -> None:
    """Deliver webhooks until Ctrl-C (or SIGTERM); several may run at once on PostgreSQL.

    Set READINESS_WEBHOOKS_WORKER=false on the servers when deliveries run here instead.
    """
    import signal
    import threading

    from app.db import engine_for
    from app.webhooks.worker import DeliveryWorker

    settings = get_settings()
    engine = engine_for(settings)
    worker = DeliveryWorker(engine=engine, settings=settings)
    try:
        if once:
            attempts = worker.drain()
            typer.echo(f"{attempts} attempt{'' if attempts == 1 else 's'}")
            return
        stop = threading.Event()
        # a container stops with SIGTERM: finish the attempt in flight, then exit
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        typer.echo("delivering webhooks; Ctrl-C to stop")
        try:
            worker.run(stop)
        except KeyboardInterrupt:
            pass
    finally:
        worker.close()
        engine.dispose()


@contextmanager
def _session() -> Iterator[Any]:
    """A session on READINESS_DATABASE_URL, and its engine disposed of afterwards."""
    from sqlmodel import Session

    from app.db import make_engine

    engine = make_engine(get_settings().database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


@app.command("score")
def score_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON object of answers, or a request body")],
    bank: Annotated[str, typer.Option(help="Bank slug")] = "social-media-readiness",
    version: Annotated[str | None, typer.Option(help="Bank version (default: latest shipped)")] = None,
    lang: Annotated[str, typer.Option(help="en or fi")] = "en",
    format: Annotated[OutputFormat, typer.Option(help="json or text")] = OutputFormat.json,
) -> None:
    """Score a JSON answers file offline against a shipped bank; nothing is stored."""
    from app.banks.loader import BankFileError, load_bank_directory
    from app.banks.registry import BankRegistry, RegisteredBank
    from app.problems import ProblemError
    from app.services import scoring as scoring_service

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        loaded = load_bank_directory(get_settings().banks_dir)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: not valid JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    except BankFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    answers = data.get("answers", data) if isinstance(data, dict) else data
    if not isinstance(answers, dict):
        typer.echo(f"{file}: expected a JSON object of answers", err=True)
        raise typer.Exit(2)
    registry = BankRegistry.of(RegisteredBank(id=_offline_id(i.content_hash), bank=i.bank, content_hash=i.content_hash) for i in loaded)
    try:
        _, _, result = scoring_service.evaluate(source=registry, slug=bank, version=version, answers=answers, lang=lang)
    except ProblemError as exc:
        typer.echo(exc.detail, err=True)
        for error in exc.errors:
            typer.echo(f"  {error.field}: {error.detail}", err=True)
        raise typer.Exit(1) from None
    if format == OutputFormat.json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(_summary(result.model_dump(mode="json")))


def _offline_id(content_hash: str) -> Any:
    import uuid

    return uuid.uuid5(uuid.NAMESPACE_URL, content_hash)


_LABELS = {
    "en": {"decision": "Decision", "score": "score", "coverage": "coverage", "bank": "Bank", "dimensions": "Dimensions",
           "target": "target", "knockout": "Knock-out", "gaps": "Gaps, most important first",
           "path": "Path to go", "reach": "reach", "answer": "answer", "margin": "Margin over go"},
    "fi": {"decision": "Päätös", "score": "pisteet", "coverage": "kattavuus", "bank": "Kysymyspankki",
           "dimensions": "Ulottuvuudet", "target": "tavoite", "knockout": "Poissulkeva vastaus",
           "gaps": "Puutteet, tärkein ensin", "path": "Polku go-päätökseen", "reach": "tavoitetaso",
           "answer": "vastatkaa", "margin": "Marginaali go-rajaan"},
}


def _summary(result: dict[str, Any]) -> str:
    t = _LABELS.get(result["locale"], _LABELS["en"])
    lines = [
        f"{t['decision']}: {result['decision']}   {t['score']} {result['score']:.1f}/100"
        f"   {t['coverage']} {result['coverage']:.0%}",
        f"{t['bank']}: {result['bank']['slug']} {result['bank']['version']}",
        "",
        f"{t['dimensions']}:",
    ]
    for d in result["dimensions"]:
        shown = "  -  " if d["score"] is None else f"{d['score']:5.1f}"
        lines.append(f"  {d['title'][:34]:<34} {shown}  {t['target']} {d['target']:g}  {d['status']}")
    for k in result["knockouts"]:
        lines += ["", f"{t['knockout']} ({k['question']}): {k['reason']}", f"  -> {k['recommendation']}"]
    if result["gaps"]:
        lines += ["", f"{t['gaps']}:"]
        for g in result["gaps"]:
            lines.append(f"  [{g['severity']}] {g['dimension']}: {g['score']:.1f} / {g['target']:g} - {g['recommendation']}")
            lines += [f"      {q['key']}: {q['recommendation']}" for q in g["questions"]]
    return "\n".join(lines + _path_lines(result.get("path_to_go"), t))


def _path_lines(path: dict[str, Any] | None, t: dict[str, str]) -> list[str]:
    if not path:
        return []
    if not path["steps"]:
        return ["", f"{t['margin']}: {path['score_margin']:+.1f}"]
    lines = ["", f"{t['path']}:"]
    for number, step in enumerate(path["steps"], start=1):
        if step["kind"] == "knockout":
            lines.append(f"  {number}. {step['kind']} {step['question']}")
        elif step["kind"] == "coverage":
            lines.append(f"  {number}. {step['kind']} {step['score']:.0%} -> {step['reach']:.0%}: {t['answer']} {', '.join(step['questions'])}")
        else:
            lines.append(f"  {number}. {step['kind']} {step['dimension']} {step['score']:.1f} -> {t['reach']} {step['reach']:g}")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
