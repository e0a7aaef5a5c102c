"""Demo corrective actions and red tags, after the demo audits: most old actions were fixed
(an after photo and a note) and most fixes checked; some are still open and overdue. Each
workshop and warehouse has a few red tags, one of them past the site's limit, some closed.
Everything goes through the same functions a device's sync does, so it verifies like real
data.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.core.db import Store
from server.core.settings import Settings
from server.ops.demo_audits import draw_photo
from server.people.users import User, get_user
from server.photos.files import PhotoFiles
from server.photos.store import save_photo
from server.records.actions import action_view, put_action
from server.records.red_tags import put_tag
from server.records.shapes import ActionIn, TagIn

TAGGED = [
    ("旧轮胎 Old tyres", 4, "三个月未使用 Unused for three months", "discard"),
    ("损坏的千斤顶 Broken jack", 1, "液压缸漏油 Leaking cylinder", "repair"),
    ("过期机油 Expired engine oil", 6, "超过保质期 Past its shelf life", "discard"),
    ("闲置工具车 Idle tool cart", 1, "无人使用 Nobody uses it", "move"),
    ("旧保险杠 Old bumper", 2, "客户未取走的旧件 Old part not collected", "sell"),
]


class _Records:
    def __init__(self, store: Store, settings: Settings, seed: int):
        self.store, self.settings = store, settings
        self.rng = random.Random(seed)
        self.files = PhotoFiles(settings.photos_dir)
        self.zone = ZoneInfo(settings.timezone)
        self.today = datetime.now(UTC).astimezone(self.zone).date()

    def user(self, username: str) -> User:
        row = self.store.read().execute("select id from users where username = ?", [username])
        return get_user(self.store, row.fetchone()[0])

    def photo(self, user: User, label: str) -> str:
        data = draw_photo(self.rng, label, small=True)
        sha = hashlib.sha256(data).hexdigest()
        save_photo(self.store, self.files, user, sha, data, self.settings.max_photo_pixels)
        return sha


def load_demo_records(store: Store, settings: Settings, seed: int = 7) -> None:
    demo = _Records(store, settings, seed)
    officers = {"hq": demo.user("officer"), "east": demo.user("officer2")}
    _fix_old_actions(demo, officers, demo.user("supervisor"))
    _tag_items(demo, officers)


def _fix_old_actions(demo: _Records, officers: dict, supervisor: User) -> None:
    today = demo.today.isoformat()
    rows = list(demo.store.read().query("select * from actions where status = 'open' order by id"))
    for row in rows:
        if date.fromisoformat(row["due"]) > demo.today - timedelta(days=2):
            continue  # recent: still being worked on
        if demo.rng.random() < 0.2:
            continue  # left undone: overdue, for the screens and the appraisal
        officer = officers[row["site_id"]]
        after = demo.photo(officer, f"{row['zone_id']} {row['item_id']} 整改后 after")
        view = action_view(demo.store, demo.store.read(), row, today)
        done = _body(view, status="done", after_photos=[after], note="已整改，现场复原。Fixed.")
        view = put_action(demo.store, officer, row["id"], done, today)
        if demo.rng.random() < 0.75:
            checked = _body(view, status="verified", note=view.note + " 复查合格 Checked.")
            put_action(demo.store, supervisor, row["id"], checked, today)


def _body(view, **changes) -> ActionIn:
    fields = {
        name: getattr(view, name) for name in ActionIn.__struct_fields__ if name != "base_revision"
    }
    fields["due"] = date.fromisoformat(fields["due"])
    return ActionIn(**{**fields, **changes, "base_revision": view.revision})


def _tag_items(demo: _Records, officers: dict) -> None:
    zones = demo.store.read().query(
        "select id, site_id from zones where active = 1 and kind in ('workshop', 'warehouse')"
        " order by id"
    )
    for zone in list(zones):
        officer = officers[zone["site_id"]]
        for number in range(demo.rng.randint(1, 3)):
            item, qty, reason, proposed = demo.rng.choice(TAGGED)
            # The first tag of each zone is old enough to stand out (the limit is 7 days).
            days = 10 if number == 0 else demo.rng.randint(1, 6)
            tagged = datetime.now(UTC) - timedelta(days=days, hours=demo.rng.randint(0, 8))
            photo = demo.photo(officer, f"{zone['id']} 红牌 red tag {item}")
            tag_id = str(uuid.UUID(int=demo.rng.getrandbits(128), version=4))
            body = TagIn(
                zone_id=zone["id"],
                item=item,
                qty=qty,
                reason=reason,
                photos=[photo],
                tagged_at=tagged,
                proposed=proposed,
            )
            _, view = put_tag(demo.store, officer, tag_id, body, demo.settings.timezone)
            if number == 2:  # decided and carried out
                closed = TagIn(
                    **{
                        **{k: getattr(body, k) for k in TagIn.__struct_fields__},
                        "status": "closed",
                        "disposition": proposed,
                        "closed_at": tagged + timedelta(days=2),
                        "base_revision": view.revision,
                    }
                )
                put_tag(demo.store, officer, tag_id, closed, demo.settings.timezone)
