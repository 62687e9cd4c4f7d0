"""Settings from CARECYCLE_* environment variables (see the README's configuration table)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how the deployment behaves."""

    database_url: str
    processes_dir: Path
    forms_dir: Path
    var_dir: Path
    simulated_clock: bool = False
    secret_key: str | None = field(default=None, repr=False)
    holidays_file: Path | None = None
    session_idle_minutes: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment, with the documented defaults."""
        env = os.environ if env is None else env
        var_dir = Path(env.get("CARECYCLE_VAR_DIR", PROJECT_ROOT / "var"))
        default_db = f"sqlite:///{var_dir / 'carecycle.sqlite3'}"
        return cls(
            database_url=env.get("CARECYCLE_DATABASE_URL", default_db),
            processes_dir=Path(env.get("CARECYCLE_PROCESSES_DIR", PROJECT_ROOT / "processes")),
            forms_dir=Path(env.get("CARECYCLE_FORMS_DIR", PROJECT_ROOT / "forms")),
            var_dir=var_dir,
            simulated_clock=env.get("CARECYCLE_SIMULATED_CLOCK", "") == "1",
            secret_key=env.get("CARECYCLE_SECRET_KEY") or None,
            holidays_file=Path(env["CARECYCLE_HOLIDAYS_FILE"])
            if env.get("CARECYCLE_HOLIDAYS_FILE")
            else None,
            session_idle_minutes=float(env.get("CARECYCLE_SESSION_IDLE_MINUTES", "15")),
        )

    def holidays_path(self) -> Path | None:
        """The holiday list: the configured file, else processes/holidays.txt if present."""
        if self.holidays_file is not None:
            return self.holidays_file
        default = self.processes_dir / "holidays.txt"
        return default if default.exists() else None

    def session_secret(self) -> str:
        """The session signing key: configured, or generated once and kept in var/secret_key."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
