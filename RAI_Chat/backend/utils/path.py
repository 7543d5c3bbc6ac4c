"""Where RAI Chat keeps its files. Every path can be moved with an environment variable."""

import os
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parent.parent
RAI_CHAT_DIR = BACKEND_DIR.parent
PROJECT_ROOT = RAI_CHAT_DIR.parent

INSTANCE_DIR = Path(os.environ.get("RAI_INSTANCE_DIR", BACKEND_DIR / "instance"))
LOGS_DIR = Path(os.environ.get("RAI_LOGS_DIR", BACKEND_DIR / "logs"))
DATA_DIR = Path(os.environ.get("RAI_DATA_DIR", PROJECT_ROOT / "data"))
FRONTEND_DIST_DIR = Path(os.environ.get("RAI_FRONTEND_DIST", RAI_CHAT_DIR / "frontend" / "dist"))
MIGRATIONS_DIR = BACKEND_DIR / "migrations"
