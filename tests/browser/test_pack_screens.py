"""Every live checklist pack opens on the tablet: its first section (with its description when
it has one) and, for a pack with `subject` fields, the subject form; a screenshot of each at
1024x768 and 768x1024, nothing past the right edge, nothing serious in axe.

One server on a copy of the demo company for the module; each pack is started in the first
demo zone that uses it, by an officer who audits that zone's site.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from conftest import CHECKLISTS

from .conftest import (
    Server,
    applicable,
    demo_server,
    idb_get,
    open_zone,
    shots,
    sign_in,
    start_audit,
)

# The packs, not the other YAML files of the folder (appraisal.yaml, zone-kinds.yaml).
PACKS = sorted(
    data["id"]
    for path in CHECKLISTS.glob("*.yaml")
    if isinstance(data := yaml.safe_load(path.read_text(encoding="utf-8")), dict)
    and "sections" in data
)
OFFICERS = {"hq": "officer", "east": "officer2"}  # the demo's officer of each site


@pytest.fixture(scope="module")
def demo(demo_data, tmp_path_factory) -> Iterator[Server]:
    with demo_server(demo_data, tmp_path_factory, "pack-screens") as server:
        yield server


def zone_for(server: Server, pack_id: str) -> tuple[dict, str]:
    """The first demo zone that uses the pack, and its site's officer."""
    sites = server.api("GET", "/api/bootstrap", user="admin").json()["sites"]
    for site in sites:
        for zone in site["zones"]:
            if (
                pack_id in zone["checklist_ids"]
                and zone.get("active", True)
                and site["id"] in OFFICERS
            ):
                return zone, OFFICERS[site["id"]]
    pytest.fail(f"no demo zone uses {pack_id}")


def test_there_are_eleven_packs():
    assert len(PACKS) == 11, PACKS


@pytest.mark.parametrize("pack_id", PACKS)
def test_a_pack_opens_on_its_first_section(demo, pages, pack_id):
    checklist = demo.checklist(pack_id)
    zone, officer = zone_for(demo, pack_id)
    items = applicable(checklist, zone["kind"])
    assert items, f"{pack_id} has no item for a {zone['kind']} zone"
    first = next(s for s in checklist["sections"] if s["id"] == items[0][0])
    first_items = [i["id"] for s, i in items if s == first["id"]]

    page = pages.new()
    sign_in(page, demo.origin, officer)
    open_zone(page, zone["id"])
    audit_id = start_audit(page, pack_id)
    stored = idb_get(page, "audits", audit_id)
    assert (stored["checklist_id"], stored["checklist_version"]) == (
        pack_id,
        checklist["version"],
    )

    # The first section that applies to the zone, its title, its description, its items.
    page.wait_for_selector(f'[data-item-id="{first_items[0]}"]', state="visible")
    heading = page.text_content("#sec-h") or ""
    assert first["title"]["zh"] in heading, f"{pack_id}: heading {heading!r}"
    tab = page.locator(f'[data-section-tab="{first["id"]}"]')
    assert tab.count() == 1, f"{pack_id}: no tab for {first['id']}"
    shown = page.eval_on_selector_all(
        "[data-item-id]", "(cards) => cards.map((c) => c.dataset.itemId)"
    )
    assert shown == first_items, f"{pack_id}: shows {shown}, expected {first_items}"
    description = page.locator("[data-section-description]")
    if first.get("description"):
        assert description.count() == 1, f"{pack_id}: no description for {first['id']}"
        assert (description.text_content() or "").strip() == first["description"]["zh"].strip()
    else:
        assert description.count() == 0, f"{pack_id}: a description {first['id']} does not have"

    # The subject form above it, one field each, for a pack with subject fields.
    form = page.locator("[data-subject-form]")
    if checklist.get("subject"):
        assert form.count() == 1, f"{pack_id}: no subject form"
        fields = page.eval_on_selector_all(
            "[data-subject]", "(els) => els.map((el) => el.dataset.subject)"
        )
        assert fields == [f["id"] for f in checklist["subject"]], fields
    else:
        assert form.count() == 0, f"{pack_id}: a subject form without subject fields"

    shots(page, f"runner-{pack_id}")
    pages.check()
