"""Prefect wiring: each flow names pipeline functions and their inputs; no logic lives here."""
