"""The Python scorer reproduces every shared vector exactly (the JS preview is held to the same)."""

from pathlib import Path

import msgspec
import pytest

from server.checklists.format import Checklist, check_rules
from server.checklists.scoring import Answer, score_audit

VECTORS = Path(__file__).parent / "vectors" / "scoring.json"


class Vector(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    checklist: Checklist
    zone_kind: str | None
    answers: dict[str, Answer]
    expected: dict


def load() -> list[Vector]:
    return msgspec.json.decode(VECTORS.read_bytes(), type=list[Vector])


def test_enough_distinct_vectors():
    vectors = load()
    assert len(vectors) >= 40
    assert len({v.name for v in vectors}) == len(vectors)


@pytest.mark.parametrize("vector", load(), ids=lambda v: v.name)
def test_vector(vector: Vector):
    check_rules(vector.checklist)  # the vector's checklist is a valid one
    score = score_audit(vector.checklist, vector.answers, vector.zone_kind)
    # Through JSON, as the API sends it: floats round-trip exactly, so == is exact.
    assert msgspec.json.decode(msgspec.json.encode(score)) == vector.expected
