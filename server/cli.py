"""The `genba` command line: serve, users, checklists. Every command takes --data DIR."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path

from server.checklists.loader import ChecklistFileError, load_file, load_folder
from server.core.settings import Settings, default_data_dir, settings_from_env


def _settings(args: argparse.Namespace, **extra) -> Settings:
    return settings_from_env(data_dir=args.data, **extra)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.checklists.registry import PublishError
    from server.http_limits import guarded_protocol
    from server.ops.backup import BackupError

    tls = {}
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            print("genba: --tls-cert and --tls-key go together", file=sys.stderr)
            return 2
        tls = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
    settings = _settings(
        args,
        host=args.host,
        port=args.port,
        demo=args.demo,
        demo_audits=args.demo and not args.no_demo_audits,
        forwarded_allow_ips=args.forwarded_allow_ips,
        public_url=args.public_url,
        log_file=args.log_file,
    )
    try:
        app = create_app(settings)
    except (PublishError, BackupError) as exc:
        print(f"genba: {exc}", file=sys.stderr)
        return 1
    from server.api.request_log import configure

    # WeasyPrint logs every step of every PDF at INFO: seven lines a scorecard, none useful.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        configure(settings.log_file)
    except OSError as exc:
        print(f"genba: cannot write the log file {settings.log_file}: {exc}", file=sys.stderr)
        return 1
    scheme = "https" if tls else "http"
    url = f"{scheme}://{settings.host}:{settings.port}/"
    print(f"Genba serving {settings.data_dir} on {url}")
    if not app.state.store.read().execute("select 1 from users limit 1").fetchone():
        print(first_admin_hint(settings.data_dir, url))
    # X-Forwarded-For is believed only from the proxies listed; without any, the peer is the
    # client whatever the headers say (uvicorn would otherwise trust any local peer).
    proxies = settings.forwarded_allow_ips
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # the request log (server/api/request_log.py) replaces it
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",
        http=guarded_protocol(settings.request_head_seconds, settings.request_body_idle_seconds),
        **tls,
    )
    return 0


def first_admin_hint(data_dir: Path, url: str) -> str:
    return (
        "No users yet. Add the first admin in another terminal (it asks for the password):\n"
        f"    genba user add admin --role admin --data {data_dir}\n"
        f"then sign in at {url} and set up your sites, zones, staff and owners there\n"
        "(README: Set up your own site)."
    )


def _read_password(args: argparse.Namespace) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise SystemExit("genba: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _with_users(args: argparse.Namespace, work) -> int:
    """Run work(store, passwords) on the data dir; a refusal prints its message and exits 1.

    The database is migrated but checklists are not published: users need none of them.
    """
    from server.core.db import Store
    from server.core.errors import DomainError
    from server.people.users import Passwords

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_path)
    try:
        print(work(store, Passwords(settings.password_cost)))
    except DomainError as exc:
        print(f"genba: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from server.people.users import add_user

    password = _read_password(args)

    def work(store, passwords) -> str:
        user = add_user(
            store,
            passwords,
            args.username,
            password,
            args.role,
            name=args.name,
            site_ids=args.site or None,
            staff_id=args.staff,
            actor="cli",
        )
        return f"added {user.username} ({user.role})"

    return _with_users(args, work)


def _change(args: argparse.Namespace, change, said: str) -> int:
    from server.people.users import change_user, user_id_by_name

    def work(store, passwords) -> str:
        user_id = user_id_by_name(store, args.username)
        _, ended = change_user(store, passwords, user_id, change, actor="cli")
        return f"{args.username}: {said}; {ended} sessions ended"

    return _with_users(args, work)


def cmd_user_disable(args: argparse.Namespace) -> int:
    from server.people.users import UserChange

    return _change(args, UserChange(active=False), "disabled")


def cmd_user_enable(args: argparse.Namespace) -> int:
    from server.people.users import UserChange

    return _change(args, UserChange(active=True), "enabled")


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from server.people.users import UserChange

    return _change(args, UserChange(password=_read_password(args)), "password set")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a workbook or YAML file, or write the template with --template."""
    from server.app import open_store
    from server.core.clock import today
    from server.core.errors import DomainError
    from server.people import importing
    from server.people.setup import catalog
    from server.people.users import User

    settings = _settings(args)
    store = open_store(settings)
    try:
        if args.template:
            known = catalog(store)
            _write_file(args.file, importing.template(known.kinds, known.checklists))
            print(f"wrote an import template to {args.file}")
            return 0
        # The command line acts for the data dir's owner: an admin of every site.
        admin = User(id=0, username="cli", name="cli", role="admin")
        data = args.file.read_bytes()
        report = importing.run(store, admin, data, today(settings), args.dry_run)
    except OSError as exc:
        print(f"genba: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"genba: {exc.message}", file=sys.stderr)
        for error in exc.errors or []:
            print(f"  {error['path']}: {error['message']}", file=sys.stderr)
        return 1
    finally:
        store.close()
    for change in report.changes:
        if change.action != "unchanged":
            fields = f" ({', '.join(change.fields)})" if change.action == "update" else ""
            print(f"{change.action:7} {change.entity} {change.id}{fields}")
    counts = ", ".join(f"{n} {action}" for action, n in report.counts.items())
    what = "would change (dry run: nothing written)" if args.dry_run else "imported"
    print(f"{what}: {counts}")
    return 0


def _write_file(target: Path, data: bytes) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


def _check_appraisal_rules(files: list[Path]) -> list[ChecklistFileError]:
    """appraisal.yaml (the given one, or the shipped folder's) against the shipped packs."""
    from server.appraisal.rules import FILE, load_rules

    folder = settings_from_env().checklists_dir
    named = [f for f in files if f.name == FILE]
    if files and not named:
        return []
    try:
        rules = load_rules(named[0].parent if named else folder, load_folder(folder).checklists)
    except ChecklistFileError as exc:
        return [exc]
    print(f"ok  {FILE} v{rules.version}: {len(rules.score)} in the score, {len(rules.rates)} rates")
    return []


def cmd_checklists_validate(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.files]
    if files:
        checklists, errors = [], []
        for path in files:
            if path.name == "appraisal.yaml":
                continue  # the appraisal's rules, checked below
            try:
                checklists.append(load_file(path))
            except ChecklistFileError as exc:
                errors.append(exc)
    else:
        result = load_folder(settings_from_env().checklists_dir)
        checklists, errors = result.checklists, result.errors
    for checklist in checklists:
        count = sum(1 for _ in checklist.items())
        print(f"ok  {checklist.id} v{checklist.version}: {count} items")
    errors += _check_appraisal_rules(files)
    for error in errors:
        print(f"bad {error}", file=sys.stderr)
    if not checklists and not errors and not any(f.name == "appraisal.yaml" for f in files):
        print("genba: no checklist files found", file=sys.stderr)
        return 1
    return 1 if errors else 0


def _with_existing_store(settings: Settings, work):
    """Run work(store) on the data dir's database; None (with a message) when there is none."""
    from server.core.db import Store

    if not settings.db_path.is_file():
        print(f"genba: no database at {settings.db_path}", file=sys.stderr)
        return None
    store = Store(settings.db_path)
    try:
        return work(store)
    finally:
        store.close()


def cmd_verify(args: argparse.Namespace) -> int:
    from server.ops.verify import verify

    settings = _settings(args)
    report = _with_existing_store(settings, lambda store: verify(store, settings, args.expect_head))
    if report is None:
        return 1
    for problem in report.problems:
        print(f"bad {problem}", file=sys.stderr)
    # Written down elsewhere (a ticket, a notebook), this head catches a rewritten chain later.
    print(f"event chain head: event {report.head_seq} {report.head_hash}")
    if report.problems:
        count = len(report.problems)
        print(f"genba verify: {count} problems in {settings.data_dir}", file=sys.stderr)
        return 1
    print(f"genba verify: {settings.data_dir} is whole: database, event chain, audits, photos")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from server.ops.backup import BackupError, backup

    try:
        count = backup(_settings(args), args.file)
    except BackupError as exc:
        print(f"genba: {exc}", file=sys.stderr)
        return 1
    print(f"backed up the database and {count} photo files to {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.ops.backup import BackupError, restore

    settings = _settings(args)
    try:
        restore(settings, args.file)
    except BackupError as exc:
        print(f"genba: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file} into {settings.data_dir}; checking it:")
    args.expect_head = None
    return cmd_verify(args)


def _month_arg(month: str) -> bool:
    import re

    if re.fullmatch(r"20\d{2}-(0[1-9]|1[0-2])", month):
        return True
    print(f"genba: --month must be YYYY-MM, not {month!r}", file=sys.stderr)
    return False


def _appraisal(args: argparse.Namespace, work):
    """Run work(store, admin, rules) on the data dir with the appraisal's rules loaded; the
    command line has the data dir's full view, as an admin would."""
    from server.appraisal.rules import load_rules
    from server.checklists.registry import latest_versions
    from server.people.users import User

    settings = _settings(args)
    admin = User(id=0, username=f"cli:{getpass.getuser()}", name="cli", role="admin")

    def run(store):
        return work(store, admin, load_rules(settings.checklists_dir, latest_versions(store)))

    return settings, _with_existing_store(settings, run)


def cmd_export_appraisal(args: argparse.Namespace) -> int:
    from server.appraisal.close import render_files, report_for, stored_file

    if not _month_arg(args.month):
        return 2

    def export(store, admin, rules):
        report = report_for(store, admin, args.month, settings.timezone, rules)
        if args.format == "json":
            return report, json.dumps(report, ensure_ascii=False).encode()
        data = stored_file(store, admin, args.month, args.format)
        return report, data or render_files(store, report, only=args.format)[args.format]

    settings = _settings(args)
    _, done = _appraisal(args, export)
    if done is None:
        return 1
    report, data = done
    _write_file(args.output, data)
    print(f"wrote the {args.month} appraisal ({len(report['rows'])} people) to {args.output}")
    return 0


def cmd_appraisal_close(args: argparse.Namespace) -> int:
    from server.appraisal.close import close_month
    from server.core.errors import DomainError

    if not _month_arg(args.month):
        return 2

    def close(store, admin, rules):
        try:
            return close_month(store, admin, args.month, settings.timezone, rules)
        except DomainError as exc:
            print(f"genba: {exc}", file=sys.stderr)
            return None

    settings = _settings(args)
    _, result = _appraisal(args, close)
    if result is None:
        return 1
    sha = result["closed"]["sha256"]
    print(f"closed {args.month} at {result['closed']['at']}; sha256: " + json.dumps(sha))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genba", description="Genba audit server")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data", type=Path, default=None, help=f"data dir (default: {default_data_dir()})"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", parents=[data], help="serve the API and the PWA")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo dealership if empty")
    serve.add_argument(
        "--no-demo-audits", action="store_true", help="with --demo: sites, zones, users only"
    )
    serve.add_argument("--tls-cert", type=Path, help="certificate (PEM) to serve HTTPS to tablets")
    serve.add_argument("--tls-key", type=Path, help="private key (PEM) of --tls-cert")
    serve.add_argument(
        "--public-url",
        default=None,
        help="the address tablets reach the app at, printed in QR labels",
    )
    serve.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="append the request log (JSON lines) to FILE; reopened when logrotate moves it"
        " (default: standard output)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="reverse proxies whose X-Forwarded-For is believed (comma-separated; default none)",
    )
    serve.set_defaults(func=cmd_serve)

    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", parents=[data], help="add a user; password from prompt/stdin")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["officer", "supervisor", "admin"])
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--site", action="append", help="limit to this site id (repeatable)")
    add.add_argument("--staff", help="the staff id this user is, if appraised")
    add.set_defaults(func=cmd_user_add)
    for name, func, text in [
        ("disable", cmd_user_disable, "disable a user and end all their sessions at once"),
        ("enable", cmd_user_enable, "let a disabled user sign in again"),
        ("passwd", cmd_user_passwd, "set a password (prompt/stdin); ends all their sessions"),
    ]:
        command = user.add_parser(name, parents=[data], help=text)
        command.add_argument("username")
        command.set_defaults(func=func)

    imported = commands.add_parser(
        "import",
        parents=[data],
        help="sites, zones, staff and owners from a workbook (.xlsx) or YAML, all or nothing",
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--dry-run", action="store_true", help="show what would change only")
    imported.add_argument(
        "--template", action="store_true", help="write an empty workbook to FILE instead"
    )
    imported.set_defaults(func=cmd_import)

    checklists = commands.add_parser("checklists", help="checklist files").add_subparsers(
        dest="checklists_command", required=True
    )
    validate = checklists.add_parser(
        "validate", parents=[data], help="check checklist files (default: the shipped packs)"
    )
    validate.add_argument("files", nargs="*", help="YAML files to check")
    validate.set_defaults(func=cmd_checklists_validate)

    verify = commands.add_parser(
        "verify", parents=[data], help="check the database, the event chain and the photo files"
    )
    verify.add_argument(
        "--expect-head",
        metavar="HASH",
        help="an event chain head hash printed by an earlier verify: it must still be there",
    )
    verify.set_defaults(func=cmd_verify)

    export = commands.add_parser("export", help="exports").add_subparsers(
        dest="export_command", required=True
    )
    exported = export.add_parser(
        "appraisal", parents=[data], help="the month's appraisal per person, as a file"
    )
    exported.add_argument("--month", required=True, help="YYYY-MM")
    exported.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf", "json"])
    exported.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    exported.set_defaults(func=cmd_export_appraisal)

    appraisal = commands.add_parser("appraisal", help="the monthly appraisal").add_subparsers(
        dest="appraisal_command", required=True
    )
    closing = appraisal.add_parser(
        "close", parents=[data], help="close an ended month: freeze its rows and files"
    )
    closing.add_argument("--month", required=True, help="YYYY-MM")
    closing.set_defaults(func=cmd_appraisal_close)

    backup = commands.add_parser(
        "backup", parents=[data], help="write a consistent backup of the data dir to FILE"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser(
        "restore", parents=[data], help="restore FILE into an empty data dir, then verify it"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
