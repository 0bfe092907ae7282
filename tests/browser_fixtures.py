"""Real headless Chromium for tests of the project's HTML pages (reports, kedro-viz build).

Use the ``chromium`` fixture (mark the test ``@pytest.mark.browser``); ``open_page`` loads a URL
and waits for the document, ``console_errors`` drains the browser console and returns its errors,
``serve_directory`` serves a built site on 127.0.0.1 for pages that fetch their own files.
"""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM_BINARY = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
    # Hermetic: every host but the loopback fails to resolve, so a page needing the network shows.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def _options(user_data_dir: str) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM_BINARY
    for flag in _FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    """A headless Chromium driven by selenium, with a fresh profile, shared by the session."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                  options=_options(profile))
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


def open_page(driver: webdriver.Chrome, url: str, timeout: float = 30) -> None:
    """Load ``url`` (console log drained first) and wait until the document has loaded."""
    driver.get_log("browser")
    driver.get(url)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        """Say nothing."""


def console_errors(driver: webdriver.Chrome) -> list[dict]:
    """Console entries of level SEVERE since the last call (the log is drained)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
