"""Hooks that observe runs: time, memory, reports, alerts. They never change data."""
