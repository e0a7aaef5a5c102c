"""The schema, as registered migrations applied in order; a migration never changes once shipped."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("genba")


@migrations()
def create_people_and_places(db: Database) -> None:
    db["sites"].create({"id": str, "name": str, "name_en": str}, pk="id")
    db["staff"].create(
        {"id": str, "name": str, "name_en": str, "site_id": str, "position": str, "active": int},
        pk="id",
        foreign_keys=[("site_id", "sites", "id")],
        defaults={"active": 1},
    )
    db["zones"].create(
        {
            "id": str,
            "site_id": str,
            "name": str,
            "name_en": str,
            "kind": str,
            "owner_id": str,
            "checklist_ids": str,  # JSON list
        },
        pk="id",
        foreign_keys=[("site_id", "sites", "id"), ("owner_id", "staff", "id")],
    )
    db["zones"].create_index(["site_id"])


@migrations()
def create_users_and_tokens(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "username": str,
            "name": str,
            "role": str,
            "password_hash": str,
            "staff_id": str,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "role", "password_hash"},
        defaults={"active": 1},
    )
    db["users"].create_index(["username"], unique=True)
    db["user_sites"].create(
        {"user_id": int, "site_id": str},
        pk=("user_id", "site_id"),
        foreign_keys=[("user_id", "users", "id"), ("site_id", "sites", "id")],
    )
    db["tokens"].create(
        {
            "token_hash": str,
            "user_id": int,
            "created_at": str,
            "expires_at": str,
            "revoked_at": str,
            "device": str,
        },
        pk="token_hash",
        foreign_keys=[("user_id", "users", "id")],
    )
    db["tokens"].create_index(["user_id"])


@migrations()
def create_checklist_versions(db: Database) -> None:
    db["checklist_versions"].create(
        {
            "checklist_id": str,
            "version": int,
            "content_hash": str,
            "definition": str,  # JSON, as served
            "source_file": str,
            "published_at": str,
        },
        pk=("checklist_id", "version"),
    )
