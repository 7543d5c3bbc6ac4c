"""Logging to ``LOGS_DIR/rai_api_server.log`` and the console, as in the seed."""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def configure_logging(logs_dir: str, level: str = "INFO") -> logging.Logger:
    os.makedirs(logs_dir, exist_ok=True)
    log_file = Path(logs_dir) / "rai_api_server.log"
    root = logging.getLogger()
    already = any(
        isinstance(h, logging.FileHandler) and Path(h.baseFilename) == log_file
        for h in root.handlers
    )
    if not already:
        handlers: list[logging.Handler] = [logging.StreamHandler()]
        try:
            handlers.insert(0, logging.FileHandler(log_file, mode="a", encoding="utf-8"))
        except OSError as exc:  # a full or read-only disk must not stop the API
            logging.getLogger(__name__).warning("Cannot write %s: %s", log_file, exc)
        logging.basicConfig(level=level, format=LOG_FORMAT, handlers=handlers, force=True)
    root.setLevel(level)
    return logging.getLogger("RAI_Chat.backend")
