"""The load-test accounts, shared by seed.py (creates them) and locustfile.py (logs in as them).

No Django imports here: the locustfile must load without the project's settings.
"""

import os

EMAIL_DOMAIN = "load.test"
DEFAULT_PASSWORD = "Uji-beban-AHSP-2026"


def email_for(number: int) -> str:
    """user0001@load.test, user0002@load.test, ... (1-based)."""
    return f"user{number:04d}@{EMAIL_DOMAIN}"


def password() -> str:
    return os.environ.get("LOAD_PASSWORD") or DEFAULT_PASSWORD
