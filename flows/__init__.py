"""Prefect wiring: each flow names pipeline functions and their inputs; no logic lives here.

Set before prefect loads: analytics off (we run offline), quiet logs (the CLI shows progress), and
a generous start-up time for Prefect's temporary local server, whose first start creates its
database and can take over 20 s (Prefect's default limit) on a busy 2-core machine.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
