"""The `readiness` command: serve, migrate, validate banks, create keys, score offline."""

from __future__ import annotations

import json
import sys
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
app.add_typer(keys_app, name="keys")


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

    migrations.upgrade(get_settings())
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


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


@keys_app.command("create")
def keys_create(tenant: Annotated[str, typer.Option(help="Tenant (agency) name; created if new")]) -> None:
    """Create an API key for TENANT and print it once: only its hash is stored."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.services import keys as key_service

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            _, key = key_service.create_key(
                session=session, tenant_name=tenant, pepper=settings.key_pepper.get_secret_value()
            )
    finally:
        engine.dispose()
    typer.echo(key)


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
           "target": "target", "knockout": "Knock-out", "gaps": "Gaps, most important first"},
    "fi": {"decision": "Päätös", "score": "pisteet", "coverage": "kattavuus", "bank": "Kysymyspankki",
           "dimensions": "Ulottuvuudet", "target": "tavoite", "knockout": "Poissulkeva vastaus",
           "gaps": "Puutteet, tärkein ensin"},
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
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
