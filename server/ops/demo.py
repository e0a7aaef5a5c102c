"""Demo data: a car dealership (4S店) with its zones, zone owners, officers and sign-ins.

Loaded by `genba serve --demo` into an empty data dir, so a new user sees a working app.
Every demo user's password is `demo`.
"""

from __future__ import annotations

from server.core.db import Store
from server.people.owners import SINCE_ALWAYS, OwnerShare, OwnersIn
from server.people.setup import (
    SiteRow,
    StaffRow,
    ZoneRow,
    add_site,
    add_staff,
    add_zone,
    catalog,
    set_zone_owners,
)
from server.people.users import Passwords, User, add_user

SITES = [
    ("hq", "鸿达汽车4S店", "Hongda Motors 4S dealership"),
    ("east", "鸿达城东服务站", "Hongda East service station"),
]

STAFF = [
    # id, name, English name, site, position
    ("s-wang", "王建国", "Wang Jianguo", "hq", "车间主管 Workshop lead"),
    ("s-li", "李海涛", "Li Haitao", "hq", "钣喷组长 Body-shop lead"),
    ("s-zhang", "张丽", "Zhang Li", "hq", "仓储专员 Warehouse clerk"),
    ("s-chen", "陈晓敏", "Chen Xiaomin", "hq", "展厅经理 Showroom manager"),
    ("s-liu", "刘芳", "Liu Fang", "hq", "行政主管 Office manager"),
    ("s-zhao", "赵静", "Zhao Jing", "hq", "客服专员 Customer care"),
    ("s-sun", "孙伟", "Sun Wei", "east", "站长 Station manager"),
    ("s-zhou", "周强", "Zhou Qiang", "east", "仓管员 Stock keeper"),
    ("s-he", "何敏", "He Min", "hq", "6S管理员 6S officer"),
    ("s-ma", "马超", "Ma Chao", "east", "6S管理员 6S officer"),
]

WORKSHOP = ["6s-zone", "facility-daily", "facility-weekly", "red-tag-review"]
WAREHOUSE = ["6s-zone", "goods-receiving", "red-tag-review"]
# 6s-zone is listed for the zones of the newer kinds (reception, bodyshop, yard) too, but a
# zone only gets it once the newest 6s-zone names its kind (`zone_kinds`; v3 names only the
# first five kinds): see `_usable`. Every other checklist named here must fit its zone.
WHEN_WRITTEN_FOR_KIND = {"6s-zone"}

ZONES = [
    # id, site, name, English name, kind, owner, checklists
    (
        "hq-workshop",
        "hq",
        "机电维修车间",
        "Mechanical workshop",
        "workshop",
        "s-wang",
        [*WORKSHOP, "nev-hv-bay"],  # the NEV high-voltage bay is in this workshop
    ),
    ("hq-bodyshop", "hq", "钣喷车间", "Body and paint shop", "workshop", "s-li", WORKSHOP),
    ("hq-parts", "hq", "配件仓库", "Parts warehouse", "warehouse", "s-zhang", WAREHOUSE),
    (
        "hq-showroom",
        "hq",
        "展厅",
        "Showroom",
        "showroom",
        "s-chen",
        ["6s-zone", "facility-daily", "vehicle-handover"],
    ),
    ("hq-office", "hq", "办公区", "Office", "office", "s-liu", ["6s-zone", "facility-weekly"]),
    (
        "hq-lounge",
        "hq",
        "客户休息区",
        "Customer lounge",
        "lounge",
        "s-zhao",
        ["6s-zone", "facility-daily"],
    ),
    (
        "hq-reception",
        "hq",
        "服务接待区",
        "Service reception",
        "reception",
        "s-zhao",
        ["service-reception", "service-delivery", "6s-zone"],
    ),
    (
        "hq-paint",
        "hq",
        "调漆喷漆区",
        "Paint mixing and spray area",
        "bodyshop",
        "s-li",
        ["body-paint", "6s-zone"],
    ),
    (
        "hq-yard",
        "hq",
        "库存车场",
        "Stock-vehicle yard",
        "yard",
        "s-chen",
        ["stock-yard", "6s-zone"],
    ),
    ("east-workshop", "east", "快修车间", "Quick-service workshop", "workshop", "s-sun", WORKSHOP),
    ("east-store", "east", "配件库房", "Parts store", "warehouse", "s-zhou", WAREHOUSE),
]

USERS = [
    # username, role, name, sites (None: all), staff id
    ("officer", "officer", "何敏 He Min", None, "s-he"),
    ("officer2", "officer", "马超 Ma Chao", ["east"], "s-ma"),
    ("supervisor", "supervisor", "王主管 Supervisor Wang", None, None),
    ("admin", "admin", "系统管理员 Admin", None, None),
]

DEMO_PASSWORD = "demo"


def is_empty(store: Store) -> bool:
    db = store.read()
    return not any(db.execute(f"select 1 from {t} limit 1").fetchone() for t in ("sites", "users"))


# The demo is set up the way an admin would set up a real company, so its event log is one.
SETUP = User(id=0, username="demo", name="demo", role="admin")


def load_demo(store: Store, passwords: Passwords) -> bool:
    """Load the demo dealership; False (and nothing written) when the data dir has data."""
    if not is_empty(store):
        return False
    with store.write() as db:
        _set_up(db, catalog(store))
    for username, role, name, sites, staff_id in USERS:
        add_user(
            store,
            passwords,
            username,
            DEMO_PASSWORD,
            role,
            name=name,
            site_ids=sites,
            staff_id=staff_id,
        )
    return True


def _set_up(db, known) -> None:
    for site_id, name, name_en in SITES:
        add_site(db, SETUP, SiteRow(id=site_id, name=name, name_en=name_en))
    for number, (staff_id, name, name_en, site_id, position) in enumerate(STAFF, 1):
        staff = StaffRow(
            id=staff_id,
            name=name,
            name_en=name_en,
            site_id=site_id,
            position=position,
            employee_no=f"HD{number:04d}",
        )
        add_staff(db, SETUP, staff)
    for zone_id, site_id, name, name_en, kind, owner, checklists in ZONES:
        zone = ZoneRow(
            id=zone_id,
            site_id=site_id,
            name=name,
            name_en=name_en,
            kind=kind,
            checklist_ids=[c for c in checklists if _usable(known, c, kind)],
        )
        add_zone(db, SETUP, zone, known)
        owners = OwnersIn(starts=SINCE_ALWAYS, owners=[OwnerShare(staff_id=owner)])
        set_zone_owners(db, SETUP, zone_id, owners)


def _usable(known, checklist_id: str, kind: str) -> bool:
    """False only for a checklist in WHEN_WRITTEN_FOR_KIND whose newest version leaves out
    `kind`; any other misfit is left for add_zone to refuse."""
    checklist = known.checklists.get(checklist_id)
    if checklist_id not in WHEN_WRITTEN_FOR_KIND or checklist is None:
        return True
    return checklist.zone_kinds is None or kind in checklist.zone_kinds
