"""Reading checklist YAML files into Checklists, with errors that name the file and the field."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import msgspec
import yaml

from server.checklists.format import Checklist, FormatError, check_rules

MAX_FILE_BYTES = 1_000_000
# Files in the checklist folder that hold other things (server/checklists/kinds.py).
NOT_CHECKLISTS = {"zone-kinds.yaml", "appraisal.yaml"}


class ChecklistFileError(ValueError):
    """A checklist file that cannot be used: says which file, where in it, and what is wrong."""

    def __init__(self, file: str, path: str, message: str):
        super().__init__(f"{file}: {message} (at {path})")
        self.file = file
        self.path = path
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader (no python tags) that also refuses anchors and aliases.

    Aliases let a small file expand into an enormous document ("billion laughs"); checklists
    never need them, so refusing them bounds the work to the size of the file.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"aliases are not allowed (line {event.start_mark.line + 1})")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.YAMLError(f"anchors are not allowed (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)


def parse_yaml(text: str | bytes, file: str = "<text>") -> object:
    if len(text) > MAX_FILE_BYTES:
        raise ChecklistFileError(file, "$", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "$"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistFileError(file, where, f"not valid YAML: {problem}") from None


def parse_checklist(text: str | bytes, file: str = "<text>") -> Checklist:
    data = parse_yaml(text, file)
    return checklist_from_data(data, file)


def checklist_from_data(data: object, file: str = "<data>") -> Checklist:
    try:
        checklist = msgspec.convert(data, Checklist, strict=True)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at ")
        if not message:
            message, path = str(exc), "$"
        raise ChecklistFileError(file, path.strip("`"), message) from None
    try:
        check_rules(checklist)
    except FormatError as exc:
        raise ChecklistFileError(file, exc.path, exc.message) from None
    return checklist


def load_file(path: Path) -> Checklist:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChecklistFileError(str(path), "$", f"cannot read: {exc.strerror}") from None
    return _parsed(raw, str(path))


@functools.lru_cache(maxsize=64)
def _parsed(raw: bytes, file: str) -> Checklist:
    # Parsing YAML in pure Python takes a good part of a second for the 6S pack; the same
    # bytes always give the same (frozen) Checklist, so each file is parsed once per process.
    return parse_checklist(raw, file)


def content_hash(checklist: Checklist) -> str:
    """A hash of the checklist's content, blind to YAML layout, comments and defaults.

    Fields at their defaults are left out (so a field added to the format later leaves every
    existing hash as it was) and numbers compare by value (`weight: 1` is `weight: 1.0`).
    """
    known = _hashes.get(id(checklist))
    if known is not None and known[0] is checklist:
        return known[1]
    digest = hashlib.sha256(msgspec.json.encode(_lean(checklist))).hexdigest()
    if len(_hashes) >= 256:
        _hashes.clear()
    # Keyed by identity, holding the object so its id is not reused: files parsed once per
    # process (see _parsed) are hashed once too.
    _hashes[id(checklist)] = (checklist, digest)
    return digest


_hashes: dict[int, tuple[Checklist, str]] = {}


@functools.cache
def _defaults(cls: type) -> list[tuple[str, str, object]]:
    """(attribute, encoded name, default or NODEFAULT) for each field of a Struct class."""
    found = []
    for spec in msgspec.structs.fields(cls):
        default = spec.default
        if spec.default_factory is not msgspec.NODEFAULT:
            default = spec.default_factory()
        found.append((spec.name, spec.encode_name, default))
    return found


def _lean(value):
    """The builtins form of a value, with every Struct field that holds its default left out."""
    if isinstance(value, msgspec.Struct):
        lean = {}
        for name, encoded, default in _defaults(type(value)):
            item = getattr(value, name)
            if default is not msgspec.NODEFAULT and _same(item, default):
                continue
            lean[encoded] = _lean(item)
        return lean
    if isinstance(value, dict):
        return {str(key): _lean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lean(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(value, default) -> bool:
    """Equal and of one kind; numbers compare by value (1 is 1.0), never with booleans."""
    if _is_number(value) and _is_number(default):
        return value == default
    return type(value) is type(default) and value == default


@dataclass(frozen=True)
class LoadResult:
    checklists: list[Checklist]
    errors: list[ChecklistFileError]
    sources: dict[tuple[str, int], str]  # (id, version) -> file name


def load_folder(folder: Path) -> LoadResult:
    """Load every checklists/*.yaml and the superseded versions kept in checklists/archive/;
    two files with one id and version are an error too."""
    checklists: list[Checklist] = []
    errors: list[ChecklistFileError] = []
    seen: dict[tuple[str, int], str] = {}
    paths = sorted(folder.glob("*.yaml")) + sorted(folder.glob("archive/*.yaml"))
    for path in [p for p in paths if p.name not in NOT_CHECKLISTS]:
        try:
            checklist = load_file(path)
        except ChecklistFileError as exc:
            errors.append(exc)
            continue
        key = (checklist.id, checklist.version)
        if key in seen:
            errors.append(
                ChecklistFileError(path.name, "$.id", f"{key[0]} v{key[1]} is also in {seen[key]}")
            )
            continue
        seen[key] = path.relative_to(folder).as_posix()
        checklists.append(checklist)
    return LoadResult(checklists, errors, seen)
