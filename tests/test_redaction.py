"""No password reaches a message, a log or a run report (``sbir_enrichment.redaction``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ingestion_inputs import messy_awards_csv
from kedro.config import OmegaConfigLoader
from kedro.framework.context import KedroContext
from kedro.framework.hooks.manager import _create_hook_manager
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner

from sbir_enrichment.hooks.observer import RunObserver
from sbir_enrichment.redaction import redact

SECRET = "s3cr3t-pw"


@pytest.mark.parametrize(("text", "expected"), [
    ('in URI: "postgresql://reader:s3cr3t-pw@[::1:5432/db"',
     'in URI: "postgresql://reader:***@[::1:5432/db"'),
    ("postgresql://reader:p@ss@host:5432/db?sslmode=require",  # '@' inside the password
     "postgresql://reader:***@host:5432/db?sslmode=require"),
    ("host=db password=hunter2 user=reader", "host=db password=*** user=reader"),
    ("password='two words' user=reader", "password=*** user=reader"),
    ("aws_secret_access_key = AKIA/abc+def", "aws_secret_access_key = ***"),
    ('{"password": "x y", "user": "reader"}', '{"password": ***, "user": "reader"}'),
    # Messages about passwords, hosts and parameters stay readable.
    ('password authentication failed for user "reader"',
     'password authentication failed for user "reader"'),
    ("cannot connect to 127.0.0.1:5432/db", "cannot connect to 127.0.0.1:5432/db"),
])
def test_credentials_are_masked_and_the_rest_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_known_secret_values_are_masked_anywhere() -> None:
    assert redact(f"login as reader/{SECRET} refused", [SECRET, None, ""]) == \
        "login as reader/*** refused"


def _kedro_run(project: Path, *args: str) -> subprocess.CompletedProcess:
    kedro = Path(sys.executable).with_name("kedro")
    return subprocess.run([str(kedro), "run", *args], cwd=project, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "COLUMNS": "200"})


def _run_report(project: Path) -> dict:
    reports = sorted((project / "data" / "08_reporting" / "runs").glob("*/run_report.json"))
    return json.loads(reports[-1].read_text())


@pytest.mark.slow
@pytest.mark.parametrize("url", [
    f"postgresql://reader:{SECRET}@[::1:5432/usaspending",
    f"postgresql://reader:{SECRET}@127.0.0.1:1/usaspending?bogus=1",
])
def test_a_bad_database_url_fails_the_run_without_leaking_its_password(
        project_copy: Path, url: str) -> None:
    messy_awards_csv(project_copy / "data" / "01_raw" / "sbir_awards.csv")
    (project_copy / "conf" / "local" / "credentials.yml").write_text(
        yaml.safe_dump({"usaspending_db": {"con": url}}))
    result = _kedro_run(project_copy, "--pipelines", "ingestion",
                        "--params", "recipient_source=postgres")
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert "DatasetError" in console and "cannot be used" in console
    assert "ProgrammingError" not in console
    assert SECRET not in console
    report = _run_report(project_copy)
    assert report["status"] == "failed" and "cannot be used" in report["error"]
    assert SECRET not in json.dumps(report)


def _fail_with_a_url(rows: int) -> None:
    """A node whose error quotes a connection URL, as a driver's message may."""
    raise ConnectionError(f"could not reach postgresql://reader:{SECRET}@db:5432/x ({rows} rows)")


def test_the_run_report_masks_a_password_in_any_error(tmp_path: Path) -> None:
    """The observer under Kedro's real runner: the failed node's and the run's error texts."""
    conf = Path(__file__).resolve().parents[1] / "conf"
    loader = OmegaConfigLoader(conf_source=str(conf), base_env="base", default_run_env="local")
    hook_manager = _create_hook_manager()
    observer = RunObserver()
    hook_manager.register(observer)
    context = KedroContext(project_path=tmp_path, config_loader=loader, env="local",
                           package_name="sbir_enrichment", hook_manager=hook_manager)
    hook_manager.hook.after_context_created(context=context)
    catalog = DataCatalog({"params:rows": MemoryDataset(3)})
    pipeline = Pipeline([Node(_fail_with_a_url, "params:rows", None, name="fail_node")])
    run_params = {"run_id": "redaction-run", "runner": None, "pipeline_names": ["toy"]}
    hook_manager.hook.before_pipeline_run(run_params=run_params, pipeline=pipeline,
                                          catalog=catalog)
    with pytest.raises(ConnectionError) as error:
        SequentialRunner().run(pipeline, catalog, hook_manager, run_id="redaction-run")
    assert SECRET in str(error.value)
    hook_manager.hook.on_pipeline_error(error=error.value, run_params=run_params,
                                        pipeline=pipeline, catalog=catalog)
    report = json.loads((observer.last_report_dir / "run_report.json").read_text())
    assert "postgresql://reader:***@db:5432/x" in report["error"]
    assert "postgresql://reader:***@db:5432/x" in report["nodes"][0]["error"]
    assert SECRET not in json.dumps(report)
    assert SECRET not in (observer.last_report_dir / "run_report.md").read_text()
