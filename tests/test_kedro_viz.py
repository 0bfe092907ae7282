"""``kedro viz build`` works on this project, and its page draws every default-pipeline node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser_fixtures import console_errors, open_page, serve_directory
from selenium.webdriver.support.ui import WebDriverWait

KEDRO = Path(sys.executable).parent / "kedro"
# Errors that are kedro-viz's own, not this project's: its page links Google Fonts (the test
# browser has no network), and asks /api/metadata, which a static build does not write.
_NOT_OURS = ("fonts.googleapis.com", "fonts.gstatic.com", "/api/metadata", "metadata fetch error")


@pytest.mark.slow
@pytest.mark.browser
def test_kedro_viz_build_draws_the_default_pipeline(project_copy, chromium):
    subprocess.run([str(KEDRO), "viz", "build"], cwd=project_copy, check=True, timeout=300,
                   env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"}, capture_output=True)
    build = project_copy / "build"
    main = json.loads((build / "api" / "main").read_text())
    assert main["selected_pipeline"] == "__default__"
    tasks = {node["name"] for node in main["nodes"] if node["type"] == "task"}
    assert {"check_rows_node", "build_quality_report_node", "enforce_quality_gates_node"} <= tasks

    with serve_directory(build) as url:
        open_page(chromium, url)
        WebDriverWait(chromium, 60).until(lambda d: d.execute_script(
            "return document.querySelectorAll('.pipeline-node--task').length") >= len(tasks))
        drawn = chromium.execute_script(
            "return Array.from(document.querySelectorAll('.pipeline-node--task'))"
            ".map(n => n.textContent);")
        errors = console_errors(chromium)
    assert set(drawn) == tasks
    assert [e for e in errors if not any(known in e["message"] for known in _NOT_OURS)] == []
