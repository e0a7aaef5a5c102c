"""Zone kinds (区域类型): the list in checklists/zone-kinds.yaml, with names in both languages.

A zone is set up with one of these kinds, and the kind decides which checklist items apply to
it (`zone_kinds` in the packs). The list is data, loaded at start-up like the packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta

from server.checklists.format import Ident, Text
from server.checklists.loader import ChecklistFileError, parse_yaml

FILE = "zone-kinds.yaml"


class ZoneKind(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    name: Text


class KindsFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    kinds: Annotated[list[ZoneKind], Meta(min_length=1, max_length=200)]


def load_kinds(folder: Path) -> dict[str, ZoneKind]:
    """The kinds by id, in the file's order; raises ChecklistFileError naming the bad field."""
    path = folder / FILE
    try:
        data = parse_yaml(path.read_bytes(), str(path))
    except OSError as exc:
        raise ChecklistFileError(str(path), "$", f"cannot read: {exc.strerror}") from None
    try:
        kinds = msgspec.convert(data, KindsFile, strict=True).kinds
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).rpartition(" - at ")
        raise ChecklistFileError(str(path), where.strip("`") or "$", message or str(exc)) from None
    by_id = {kind.id: kind for kind in kinds}
    if len(by_id) != len(kinds):
        raise ChecklistFileError(str(path), "$.kinds", "a kind id is listed twice")
    return by_id
