"""The `outreach` command line."""
from __future__ import annotations

import sys
from datetime import datetime, UTC
from pathlib import Path


import click
from flask import Flask


def _app() -> Flask:
    from outreach import create_app

    return create_app()


@click.group(help="Outreach: stakeholder relationship manager for an advocacy coalition.")
def main() -> None:
    pass


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply every pending migration.")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from outreach.migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}: {_safe_url(app.config['DATABASE_URL'])}")


@db.command("downgrade", help="Step the schema back to REVISION (e.g. -1, or base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from outreach.migrate import downgrade

    app = _app()
    downgrade(app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command("create-user", help="Create an active user (the password is asked for, or read from stdin).")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "coordinator", "partner", "activist"]))
@click.option("--name", default="", help="Display name; defaults to the e-mail address.")
@click.option("--timezone", "zone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def create_user(email: str, role: str, name: str, zone: str, password_stdin: bool) -> None:
    from outreach.core.errors import ServiceError
    from outreach.core.auth.services import create_user as create
    from outreach.core.db import db as database
    from outreach.core.time import is_valid_zone, now_utc

    if not is_valid_zone(zone):
        raise click.BadParameter(f"{zone!r} is not an IANA time zone (e.g. Africa/Nairobi).", param_hint="--timezone")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        try:
            user = create(email=email, name=name, role=role, password=password, actor=None, now=now_utc(),
                          timezone=zone)
        except ServiceError as exc:
            database.session.rollback()
            raise click.ClickException(str(exc.message)) from exc
        database.session.commit()
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@main.command("seed-demo", help="Load the demo coalition into an empty database and print the demo logins.")
def seed_demo() -> None:
    from outreach.demo import DEMO_PASSWORD, demo_feeds, seed_demo as seed

    app = _app()
    if app.config["ENV_MODE"] == "production":
        # Every demo account, an administrator among them, has the password printed in the README.
        raise click.ClickException("seed-demo refuses to run in production mode (OUTREACH_ENV=production): its "
                                   "accounts, an administrator among them, share a published password. Create "
                                   "real accounts with `outreach create-user` instead.")
    with app.app_context():
        created, logins = seed()
    click.echo("Demo data loaded." if created else "Demo data is already there; nothing changed.")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<12} {email}")
    if created and demo_feeds:
        base = app.config["BASE_URL"]
        click.echo("\nDemo calendar feeds (shown once; subscribe to them in a calendar application):")
        for email, name, token in demo_feeds:
            click.echo(f"  {email}: {name}\n    {base}/calendars/feed/{token}.ics")


@main.command("seed", help="Add a large synthetic data set for benchmarks (the same --seed gives the same data).")
@click.option("--users", default=0, show_default=True, type=click.IntRange(min=0),
              help="Users in a coalition-shaped mix of roles (nobody can sign in to them).")
@click.option("--organisations", default=0, show_default=True, type=click.IntRange(min=0),
              help="Organisations to add (a tree).")
@click.option("--contacts", default=0, show_default=True, type=click.IntRange(min=0),
              help="Contacts to add, each with a post (some moved).")
@click.option("--meetings", default=0, show_default=True, type=click.IntRange(min=0),
              help="Meetings over the existing contacts and users, with their attendees.")
@click.option("--commitments", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--follow-ups", "follow_ups", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--campaigns", default=0, show_default=True, type=click.IntRange(min=0),
              help="Campaigns with objectives; the first holds --campaign-targets targets, the others a few hundred.")
@click.option("--campaign-targets", "campaign_targets", default=5000, show_default=True,
              type=click.IntRange(min=0), help="Targets in the largest campaign.")
@click.option("--instruments", default=0, show_default=True, type=click.IntRange(min=0),
              help="Monitored instruments, each with ten rated versions, money, key posts and linked meetings.")
@click.option("--introductions", default=0, show_default=True, type=click.IntRange(min=0),
              help="Introduction requests in every state, with the activist profiles they need.")
@click.option("--resources", default=0, show_default=True, type=click.IntRange(min=0),
              help="Practice hub resources (nine in ten published), with a collection per 400.")
@click.option("--seed", "seed_value", default=1325, show_default=True, help="Random seed: same seed, same data.")
@click.option("--now", "now_value", default=None, type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
              help="The data set's moment (ISO 8601, UTC unless a zone is given; default: the clock): it looks like "
                   "the day after a normal worker day as of then.")
def seed(users: int, organisations: int, contacts: int, meetings: int, commitments: int, follow_ups: int,
         campaigns: int, campaign_targets: int, instruments: int, introductions: int,
         resources: int, seed_value: int, now_value: datetime | None) -> None:
    from outreach.campaigns.seed import SeedError as CampaignSeedError
    from outreach.campaigns.seed import seed_campaigns
    from outreach.contacts.seed import seed_directory
    from outreach.core.auth.seed import seed_users
    from outreach.core.db import db as database
    from outreach.core.time import now_utc
    from outreach.introductions.seed import seed_introductions
    from outreach.meetings.seed import SeedError, seed_meetings
    from outreach.monitoring.seed import seed_instruments
    from outreach.resources.seed import seed_resources

    now = now_utc() if now_value is None else now_value.replace(tzinfo=now_value.tzinfo or UTC)
    # One step per feature, in dependency order: (label, rows it will add, run(progress)).
    steps = [
        ("Users", users, lambda progress: seed_users(users=users, seed=seed_value, now=now, progress=progress)),
        ("Directory", organisations + contacts,
         lambda progress: seed_directory(contacts=contacts, organisations=organisations, seed=seed_value, now=now,
                                         progress=progress)),
        ("Meetings", meetings + commitments + follow_ups,
         lambda progress: seed_meetings(meetings=meetings, commitments=commitments, follow_ups=follow_ups,
                                        seed=seed_value, now=now, progress=progress)),
        ("Campaigns", campaigns + (campaign_targets if campaigns else 0),
         lambda progress: seed_campaigns(campaigns=campaigns, targets=campaign_targets, seed=seed_value, now=now,
                                         progress=progress)),
        ("Instruments", instruments,
         lambda progress: seed_instruments(instruments=instruments, seed=seed_value, now=now, progress=progress)),
        ("Introductions", introductions,
         lambda progress: seed_introductions(requests=introductions, seed=seed_value, now=now, progress=progress)),
        ("Resources", resources,
         lambda progress: seed_resources(resources=resources, seed=seed_value, now=now, progress=progress)),
    ]
    app = _app()
    with app.app_context():
        for label, total, run in steps:
            if not total:
                continue
            with click.progressbar(length=total, label=f"{label:<12}", show_pos=True, show_eta=True) as bar:
                try:
                    run(bar.update)
                except (ValueError, SeedError, CampaignSeedError) as exc:
                    database.session.rollback()
                    raise click.ClickException(str(exc)) from exc
            database.session.commit()
    added = {"users": users, "organisations": organisations, "contacts": contacts, "meetings": meetings,
             "commitments": commitments, "follow-ups": follow_ups, "campaigns": campaigns,
             "instruments": instruments, "introductions": introductions,
             "resources": resources}
    click.echo("Added " + ", ".join(f"{n} {k}" for k, n in added.items() if n) + f" (seed {seed_value}).")


@main.command("rotate-keys", help="Re-encrypt every protected activist field under the newest encryption key.")
def rotate_keys() -> None:
    from outreach.core.db import db as database
    from outreach.introductions.profiles import rotate_keys as rotate

    app = _app()
    with app.app_context():
        count = rotate()
        database.session.commit()
    click.echo(f"Re-encrypted {count} activist profile(s) under the newest key. "
               "Older keys can be removed from OUTREACH_ENCRYPTION_KEYS once every process runs with the new list.")


@main.command("worker", help="Run the scheduler process (one or more per deployment; they share the work).")
@click.option("--once", is_flag=True, help="Run one tick and exit.")
@click.option("--tick-seconds", default=60, show_default=True)
def worker(once: bool, tick_seconds: int) -> None:
    from outreach.worker import run_tick, run_worker

    app = _app()
    if once:
        results = run_tick(app)
        click.echo("tick: " + (", ".join(f"{k}={v}" for k, v in results.items()) or "no jobs"))
        return
    run_worker(app, tick_seconds=tick_seconds)


@main.command("backup", help="Write a consistent copy of the database to PATH while the app keeps running "
                             "(SQLite: online backup API; PostgreSQL: pg_dump -Fc).")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    from outreach.backup import BackupError, backup
    from outreach.config import load_config

    url = load_config()["DATABASE_URL"]  # the configuration only: no need to build the app for this
    try:
        written = backup(url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup of {_safe_url(url)} written to {written} "
               f"({written.stat().st_size:,} bytes).")


@main.command("restore", help="Load the backup at PATH into the configured database, which must be empty.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    from outreach.backup import BackupError, restore
    from outreach.config import load_config

    url = load_config()["DATABASE_URL"]
    try:
        restore(url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path} into {_safe_url(url)}; "
               "run `outreach db upgrade` if this version is newer than the backup.")


@main.command("routes", help="Print the access policy: every endpoint and the roles allowed.")
def routes() -> None:
    from outreach.core.permissions import PUBLIC, ROLES, allowed_roles

    app = _app()
    roles = [r.value for r in ROLES]
    rows: list[tuple[str, str, str, list[str]]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = ",".join(sorted(m for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}))
        policy = allowed_roles(rule.endpoint)
        marks: list[str]
        if policy is None:
            marks = ["MISSING"] * len(roles)
        elif policy == PUBLIC:
            marks = ["public"] * len(roles)
        else:
            marks = ["yes" if r in {p.value for p in policy} else "-" for r in roles]  # type: ignore[union-attr]
        rows.append((rule.rule, methods, rule.endpoint, marks))
    width_rule = max(len(r[0]) for r in rows)
    width_ep = max(len(r[2]) for r in rows)
    header = f"{'path':<{width_rule}}  {'methods':<9}  {'endpoint':<{width_ep}}  " + "  ".join(
        f"{r:<11}" for r in roles
    )
    click.echo(header)
    click.echo("-" * len(header))
    for path, methods, endpoint, marks in rows:
        click.echo(
            f"{path:<{width_rule}}  {methods:<9}  {endpoint:<{width_ep}}  " + "  ".join(f"{m:<11}" for m in marks)
        )


@main.command("run", help="Development web server (use gunicorn in production).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--debug", is_flag=True)
def run(host: str, port: int, debug: bool) -> None:
    app = _app()
    app.run(host=host, port=port, debug=debug, use_reloader=False)


