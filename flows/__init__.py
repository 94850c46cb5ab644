"""Prefect wiring: each flow names pipeline functions and their inputs; no logic lives here.

Offline by default: Prefect's anonymous usage analytics are switched off before prefect loads.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
