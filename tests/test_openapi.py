"""The OpenAPI document describes the audit endpoints: bodies with their fields, path formats
and the 4xx answers, so other clients can be written from it."""

import pytest


@pytest.fixture
def schema(client):
    return client.get("/api/schema/openapi.json").json()


def _ref(schema, ref):
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def _json(response):
    return response["content"]["application/json"]["schema"]


def test_put_audit_shows_its_body_answers_and_errors(schema):
    put = schema["paths"]["/api/audits/{audit_id}"]["put"]
    body = _ref(schema, _json(put["requestBody"]))
    assert {
        "checklist_id",
        "checklist_version",
        "zone_id",
        "started_at",
        "status",
        "answers",
    } <= set(body["properties"])
    assert set(body["required"]) >= {"checklist_id", "zone_id", "status", "answers"}
    for status in ("200", "201"):
        summary = _ref(schema, _json(put["responses"][status]))
        assert {"id", "revision", "status", "complete", "missing_photos", "score"} <= set(
            summary["properties"]
        )
    assert {"400", "403", "404", "409", "422"} <= set(put["responses"])
    conflict = _ref(schema, _json(put["responses"]["409"]))
    assert "current" in conflict["properties"] and "detail" in conflict["properties"]
    (audit_id,) = put["parameters"]
    assert audit_id["schema"]["format"] == "uuid"


def test_audit_views_reviews_and_changes_are_typed(schema):
    view = _ref(schema, _json(schema["paths"]["/api/audits/{audit_id}"]["get"]["responses"]["200"]))
    assert {"answers", "review", "site_id", "officer_id", "score"} <= set(view["properties"])
    review = schema["paths"]["/api/audits/{audit_id}/review"]["post"]
    assert _ref(schema, _json(review["requestBody"]))["properties"]["decision"]["enum"] == [
        "approve",
        "return",
    ]
    assert "403" in review["responses"] and "404" in review["responses"]
    changes = _ref(schema, _json(schema["paths"]["/api/changes"]["get"]["responses"]["200"]))
    item = changes["properties"]["checklists"]["items"]
    assert set(_ref(schema, item)["properties"]) == {"id", "version"}
    page = _ref(schema, _json(schema["paths"]["/api/audits"]["get"]["responses"]["200"]))
    assert {"audits", "next_cursor"} <= set(page["properties"])


def test_photo_ids_are_described_as_sha256(schema):
    for method in ("get", "put", "head"):
        (photo_id,) = [
            p
            for p in schema["paths"]["/api/photos/{sha256}"][method]["parameters"]
            if p["in"] == "path"
        ]
        assert photo_id["schema"]["pattern"] == "^[0-9a-f]{64}$"
        assert photo_id["schema"]["minLength"] == photo_id["schema"]["maxLength"] == 64
