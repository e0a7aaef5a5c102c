"""checklists/README.md documents every field and item type of server/checklists/format.py."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import msgspec
import pytest

from server.checklists import format as fmt
from server.checklists.loader import parse_checklist

README = Path(__file__).parent.parent / "checklists" / "README.md"
TEXT = README.read_text(encoding="utf-8")
STRUCTS = [
    cls
    for _, cls in inspect.getmembers(fmt, inspect.isclass)
    if issubclass(cls, msgspec.Struct) and cls.__module__ == fmt.__name__
]
FIELDS = [(cls, f.name) for cls in STRUCTS for f in msgspec.structs.fields(cls)]


def backticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def struct_part(name: str) -> str:
    """The README text from the heading naming `name` up to the next heading."""
    match = re.search(rf"^(#+) .*`{name}`.*$", TEXT, re.MULTILINE)
    assert match, f"checklists/README.md has no heading for `{name}`"
    rest = TEXT[match.end() :]
    level = len(match.group(1))
    following = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: following.start()] if following else rest


def test_all_structs_found():
    names = {cls.__name__ for cls in STRUCTS}
    expected = {"Checklist", "Section", "Item", "Option", "Band", "PhotoRule"}
    assert expected | {"ActionRule", "CriticalRule", "Text"} <= names


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_struct_has_heading(cls):
    struct_part(cls.__name__)


@pytest.mark.parametrize("cls,field", FIELDS, ids=[f"{c.__name__}.{f}" for c, f in FIELDS])
def test_field_documented(cls, field):
    assert field in backticked(struct_part(cls.__name__)), (
        f"field {cls.__name__}.{field} is not in backticks under `{cls.__name__}` "
        "in checklists/README.md"
    )


@pytest.mark.parametrize("item_type", typing.get_args(fmt.ItemType))
def test_item_type_documented(item_type):
    assert item_type in backticked(TEXT), f"item type {item_type!r} is not in checklists/README.md"


SCOPES = typing.get_args(typing.get_type_hints(fmt.CriticalRule)["scope"])


@pytest.mark.parametrize("scope", SCOPES)
def test_critical_scope_documented(scope):
    assert scope in backticked(struct_part("CriticalRule")), f"scope {scope!r} is not documented"


def test_example_is_a_valid_checklist():
    example = TEXT.split("## Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    checklist = parse_checklist(example, "README example")
    assert {item.type for item in checklist.items()} >= {"score", "choice", "number"}
