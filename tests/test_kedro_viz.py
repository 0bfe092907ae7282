"""``kedro viz build`` works on this project, and its page, served over HTTP the way the README
says (``python -m http.server --directory build``), draws every default-pipeline node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_fixtures import console_errors, open_page
from conftest import free_port
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

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", "build"], cwd=project_copy,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_served(url)
        open_page(chromium, url)
        WebDriverWait(chromium, 60).until(lambda d: d.execute_script(
            "return document.querySelectorAll('.pipeline-node--task').length") >= len(tasks))
        drawn = chromium.execute_script(
            "return Array.from(document.querySelectorAll('.pipeline-node--task'))"
            ".map(n => n.textContent);")
        errors = console_errors(chromium)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert set(drawn) == tasks
    assert [e for e in errors if not any(known in e["message"] for known in _NOT_OURS)] == []



def _wait_until_served(url: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback)
                return
        except OSError:
            assert time.monotonic() < deadline, f"{url} was not served in time"
            time.sleep(0.2)
