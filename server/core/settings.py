"""Settings: everything the app needs to know about where it runs, passed in, never global."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(msgspec.Struct, kw_only=True):
    data_dir: Path = Path("data")
    checklists_dir: Path = PROJECT_ROOT / "checklists"
    pwa_dir: Path = PROJECT_ROOT / "pwa"
    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = False
    # With demo: also two months of audits with photos (a few seconds to make; tests skip it).
    demo_audits: bool = False
    # A device may work offline for a week and more; a month leaves room for holidays.
    token_days: int = 30
    # Sign-in limits (server/people/login_limiter.py): free failures per name and address,
    # then a delay that starts here and doubles up to the cap.
    login_free_attempts: int = 5
    login_first_delay_seconds: float = 30
    login_max_delay_seconds: float = 900
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses, or "*");
    # None: the connection's peer is the client, whatever headers say.
    forwarded_allow_ips: str | None = None
    # The address tablets reach the app at, printed in QR labels (e.g. https://genba.shop.lan);
    # None: the address the request that asked for the labels came to.
    public_url: str | None = None
    # argon2 cost: "standard", or "test" for test suites only (server/people/users.py).
    password_cost: Literal["standard", "test"] = "standard"
    max_body_bytes: int = 10_000_000
    # Appraisal months start at midnight in the sites' time zone.
    timezone: str = "Asia/Shanghai"
    max_photo_bytes: int = 15_000_000
    # A tablet photo is about 2 MP after downscaling; 40 MP covers any camera's original and
    # refuses decompression bombs before their pixels are decoded.
    max_photo_pixels: int = 40_000_000
    # Slow clients (server/http_limits.py): a request head must arrive within this many
    # seconds, and a body may pause at most this long between two reads.
    request_head_seconds: float = 15.0
    request_body_idle_seconds: float = 30.0
    # Request logs (server/api/request_log.py), one JSON line each: appended to this file,
    # reopened when logrotate moves it; None: standard output.
    log_file: Path | None = None
    # /api/health answers 503 when the data dir's disk has less free space than this.
    min_free_disk_bytes: int = 1_000_000_000

    @property
    def db_path(self) -> Path:
        return self.data_dir / "genba.db"

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"


def default_data_dir() -> Path:
    return Path(os.environ.get("GENBA_DATA") or "data")


def settings_from_env(**overrides) -> Settings:
    """Settings from GENBA_* environment variables; explicit overrides (the command line) win."""
    values: dict = {"data_dir": default_data_dir()}
    if os.environ.get("GENBA_CHECKLISTS"):
        values["checklists_dir"] = Path(os.environ["GENBA_CHECKLISTS"])
    if os.environ.get("GENBA_PWA"):
        values["pwa_dir"] = Path(os.environ["GENBA_PWA"])
    if os.environ.get("GENBA_HOST"):
        values["host"] = os.environ["GENBA_HOST"]
    if os.environ.get("GENBA_PORT"):
        values["port"] = int(os.environ["GENBA_PORT"])
    if os.environ.get("GENBA_FORWARDED_ALLOW_IPS"):
        values["forwarded_allow_ips"] = os.environ["GENBA_FORWARDED_ALLOW_IPS"]
    if os.environ.get("GENBA_PUBLIC_URL"):
        values["public_url"] = os.environ["GENBA_PUBLIC_URL"]
    if os.environ.get("GENBA_LOG_FILE"):
        values["log_file"] = Path(os.environ["GENBA_LOG_FILE"])
    if os.environ.get("GENBA_MIN_FREE_DISK"):
        values["min_free_disk_bytes"] = int(os.environ["GENBA_MIN_FREE_DISK"])
    for name in ("request_head_seconds", "request_body_idle_seconds"):
        if os.environ.get(f"GENBA_{name.upper()}"):
            values[name] = float(os.environ[f"GENBA_{name.upper()}"])
    if os.environ.get("GENBA_PASSWORD_COST"):
        values["password_cost"] = os.environ["GENBA_PASSWORD_COST"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values.get("password_cost", "standard") not in ("standard", "test"):
        raise ValueError("GENBA_PASSWORD_COST must be 'standard' or 'test'")
    return Settings(**values)
