"""Random audit bodies over real item ids reach deep into validation: never a 5xx."""

import uuid
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from conftest import CHECKLISTS, applicable_items, login
from server.app import create_app
from server.core.settings import Settings

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["na", "pass", "fail", "ok", "", "0", "4"])
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def test_random_answers_never_break_the_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    app = create_app(
        Settings(data_dir=data, checklists_dir=CHECKLISTS, demo=True, password_cost="test")
    )
    with TestClient(app=app) as client:
        officer = login(client, "officer")
        items = [i["id"] for i in applicable_items(client, officer, "6s-zone", "workshop")]
        answer = st.fixed_dictionaries(
            {},
            optional={
                "value": json_values,
                "note": st.text(max_size=30) | json_values,
                "photos": st.lists(st.sampled_from(["a" * 64, "b" * 64, "../x", ""]), max_size=3),
            },
        )
        bodies = st.fixed_dictionaries(
            {
                "checklist_id": st.sampled_from(["6s-zone", "facility-daily", "nope"]),
                "checklist_version": st.integers(min_value=-1, max_value=3),
                "zone_id": st.sampled_from(["hq-workshop", "east-store", "mars"]),
                "started_at": st.sampled_from(["2026-11-01T08:00:00Z", "1970-01-01T00:00:00Z"]),
                "status": st.sampled_from(["draft", "submitted", "approved"]),
                "answers": st.dictionaries(
                    st.sampled_from(items) | st.text(max_size=8), answer, max_size=12
                ),
            },
            optional={
                "submitted_at": st.none() | st.sampled_from(["2026-11-01T09:00:00Z", "x"]),
                "base_revision": st.none() | st.integers(min_value=-2, max_value=2**64),
            },
        )
        ids = [str(uuid.uuid4()) for _ in range(3)]
        seen = Counter()

        @settings(
            max_examples=300,
            deadline=None,
            derandomize=True,  # the same cases every run: the coverage check below is stable
            suppress_health_check=list(HealthCheck),
        )
        @given(body=bodies, which=st.integers(min_value=0, max_value=2))
        def put(body, which):
            response = client.put(f"/api/audits/{ids[which]}", json=body, headers=officer)
            assert response.status_code < 500, (body, response.text)
            seen[response.status_code] += 1
            if response.status_code in (200, 201):
                got = client.get(f"/api/audits/{ids[which]}", headers=officer)
                assert got.json()["revision"] == response.json()["revision"]

        put()
        # The run must reach past parsing into validation and storage, or it proves little.
        assert seen[422] and (seen[201] or seen[200]), seen
    app.state.store.close()
