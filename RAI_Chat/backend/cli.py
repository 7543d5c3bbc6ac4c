"""``rai-admin``: administer a RAI Chat server from its machine.

Reads the same environment as the API (``DATABASE_URL`` ...). Examples::

    rai-admin create-user alice --admin          # asks for the password twice
    echo 'new secret 123' | rai-admin reset-password alice --password-stdin
    rai-admin list-users [--json]
    rai-admin disable-user bob / enable-user bob
    rai-admin list-keys [--user bob] [--json]    # personal API keys (never their secrets)
    rai-admin revoke-key <key id>
    rai-admin migrate
    rai-admin backup backups/rai-2025-01-01.db   # SQLite: online backup; PostgreSQL: pg_dump
    rai-admin restore backups/rai-2025-01-01.db --yes
    rai-admin openapi > openapi.json             # the API's OpenAPI document (no server)

Exit status: 0 done, 1 the operation failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import Settings
from .core.auth.admin import UserAdmin
from .core.auth.api_keys import ApiKeys
from .core.auth.service import AuthService
from .core.database.backup import BackupError, backup, restore
from .core.database.migrate import current_revision, upgrade
from .core.database.session import Database
from .core.errors import RaiError
from .services.api_key_lists import ApiKeyLists


class CliError(Exception):
    """Reported on stderr; exit status 1."""


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the password: use --password-stdin")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat password: "):
        raise CliError("the two passwords differ")
    return password


@contextmanager
def open_database(*, migrate: bool = True) -> Iterator[Database]:
    database = Database(Settings().database_url)
    try:
        if migrate:
            upgrade(database.engine)
        yield database
    finally:
        database.dispose()


def cmd_create_user(args) -> None:
    password = read_password(args)
    with open_database() as database:
        user = UserAdmin(database.unit_of_work()).create_user(
            args.username, password, is_admin=args.admin
        )
    role = "administrator" if user["is_admin"] else "user"
    print(f"Created {role} '{user['username']}' (id {user['id']})")


def cmd_reset_password(args) -> None:
    password = read_password(args)
    with open_database() as database:
        # The JWT secret is not needed to change a password, only to issue tokens.
        AuthService(database.unit_of_work(), "", 0).set_password(args.username, password)
    print(f"Password of '{args.username}' reset; its existing tokens no longer work")


def cmd_list_users(args) -> None:
    with open_database() as database:
        users = UserAdmin(database.unit_of_work()).list_users()
    if args.json:
        print(json.dumps(users, indent=2))
        return
    if not users:
        print("No users yet")
        return
    width = max(len(u["username"]) for u in users)
    print(f"{'username':<{width}}  {'role':<5}  {'state':<8}  created")
    for u in users:
        role = "admin" if u["is_admin"] else "user"
        state = "active" if u["is_active"] else "disabled"
        print(f"{u['username']:<{width}}  {role:<5}  {state:<8}  {u['created_at']}")


def cmd_set_active(active: bool):
    def run(args) -> None:
        with open_database() as database:
            UserAdmin(database.unit_of_work()).set_active(args.username, active)
        print(f"User '{args.username}' {'enabled' if active else 'disabled'}")

    return run


def cmd_list_keys(args) -> None:
    keys, cursor = [], None
    with open_database() as database:
        while True:
            page = ApiKeyLists(database).page(100, cursor, username=args.user, with_owners=True)
            keys += page["keys"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    if args.json:
        print(json.dumps(keys, indent=2))
        return
    if not keys:
        print("No API keys")
        return
    for k in keys:
        state = "active" if k["active"] else ("revoked" if k["revoked_at"] else "expired")
        print(f"{k['id']}  {k['username']}  {k['prefix']}…  {state:<7}  {k['name']}")


def cmd_revoke_key(args) -> None:
    with open_database() as database:
        key = ApiKeys(database.unit_of_work()).revoke_any(args.key_id)
    print(f"API key '{key['name']}' ({key['prefix']}…) revoked")


def cmd_migrate(args) -> None:
    with open_database(migrate=False) as database:
        before = current_revision(database.engine)
        upgrade(database.engine)
        after = current_revision(database.engine)
    if before == after:
        print(f"Database already at revision {after}")
    else:
        print(f"Database migrated from {before or 'empty'} to {after}")


def openapi_document() -> dict:
    """The OpenAPI document ``/api/openapi.json`` serves, built by the app factory with no
    database, engine or server (the page's types are generated from it)."""
    import tempfile

    from .app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            flask_env="testing",
            database_url=f"sqlite:///{folder}/openapi.db",
            auto_migrate=False,
            redis_url=None,
        )
        return app.api_doc


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def cmd_openapi(args) -> None:
    sys.stdout.write(openapi_json())


def cmd_backup(args) -> None:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise CliError(f"{path} exists; choose another name or pass --force")
    backup(Settings().database_url, path)
    print(f"Backup written to {path} ({path.stat().st_size} bytes)")


def cmd_restore(args) -> None:
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("restore replaces every user, chat and memory: confirm with --yes")
        answer = input("This replaces every user, chat and memory in the database. Type 'yes': ")
        if answer.strip().lower() != "yes":
            raise CliError("restore cancelled")
    url = Settings().database_url
    restore(url, Path(args.path))
    with open_database():  # an older backup is brought to the current schema
        pass
    print(f"Database restored from {args.path}; restart the API to drop cached connections")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rai-admin",
        description="Administer RAI Chat (uses DATABASE_URL like the API).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def with_password(p):
        p.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    p = sub.add_parser("create-user", help="create an account")
    p.add_argument("username")
    p.add_argument("--admin", action="store_true", help="make it an administrator")
    with_password(p)
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("reset-password", help="set a new password; revokes the user's tokens")
    p.add_argument("username")
    with_password(p)
    p.set_defaults(func=cmd_reset_password)

    p = sub.add_parser("list-users", help="list accounts")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list_users)

    for name, active in (("disable-user", False), ("enable-user", True)):
        p = sub.add_parser(name, help=f"{name.split('-')[0]} an account")
        p.add_argument("username")
        p.set_defaults(func=cmd_set_active(active))

    p = sub.add_parser("list-keys", help="list personal API keys (never their secrets)")
    p.add_argument("--user", help="only this user's keys")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list_keys)

    p = sub.add_parser("revoke-key", help="revoke an API key (it stops working at once)")
    p.add_argument("key_id")
    p.set_defaults(func=cmd_revoke_key)

    p = sub.add_parser("migrate", help="apply the database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("backup", help="write a backup of the database to PATH")
    p.add_argument("path")
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database's contents with a backup")
    p.add_argument("path")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("openapi", help="print the API's OpenAPI document (JSON)")
    p.set_defaults(func=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (CliError, BackupError, RaiError) as exc:
        print(f"rai-admin: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a database that cannot be reached, a bad URL ...
        print(f"rai-admin: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
