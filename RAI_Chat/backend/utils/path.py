"""Where RAI Chat's code lives. The folders it writes to (instance, logs) and the built page
are settings: ``config.INSTANCE_DIR``, ``config.LOGS_DIR``, ``config.FRONTEND_DIST_DIR``."""

from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parent.parent
RAI_CHAT_DIR = BACKEND_DIR.parent
PROJECT_ROOT = RAI_CHAT_DIR.parent
MIGRATIONS_DIR = BACKEND_DIR / "migrations"
