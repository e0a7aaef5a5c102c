"""Settings: everything the app needs to know about where it runs, passed in, never global."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    login_attempts: int = 5
    login_window_seconds: int = 300
    max_body_bytes: int = 10_000_000
    # Appraisal months start at midnight in the sites' time zone.
    timezone: str = "Asia/Shanghai"
    max_photo_bytes: int = 15_000_000
    # A tablet photo is about 2 MP after downscaling; 40 MP covers any camera's original and
    # refuses decompression bombs before their pixels are decoded.
    max_photo_pixels: int = 40_000_000

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
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
