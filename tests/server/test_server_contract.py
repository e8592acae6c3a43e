"""The server keeps its contracts: the protocol document, the OpenAPI, its schema, its layer."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from momentum_server import migrate
from momentum_server.app import create_app
from momentum_server.db import open_engine
from momentum_server.schema import metadata
from tests.conftest import REPO
from tests.support.backend import server_settings

PROTOCOL = (REPO / "docs" / "sync-protocol.md").read_text(encoding="utf-8")


def openapi(tmp_path: Path) -> dict[str, Any]:
    app = create_app(server_settings(f"sqlite:///{tmp_path / 'openapi.db'}"))
    document: dict[str, Any] = app.openapi()
    return document


def documented_endpoints() -> set[tuple[str, str]]:
    table = PROTOCOL.split("## Endpoints", 1)[1].split("\n### ", 1)[0]
    found = re.findall(r"^\| `(GET|POST|PUT|DELETE) (/[^` ?]*)", table, flags=re.MULTILINE)
    return {(method, "/api/v1" + path) for method, path in found}


def test_the_protocol_document_and_the_openapi_name_the_same_endpoints(tmp_path: Path) -> None:
    served = {
        (method.upper(), path)
        for path, operations in openapi(tmp_path)["paths"].items()
        for method in operations
        if path.startswith("/api/v1")
    }
    assert documented_endpoints() == served


def test_every_operation_describes_its_errors_in_the_protocols_shape(tmp_path: Path) -> None:
    document = openapi(tmp_path)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {code for code in operation["responses"] if code >= "400"}
            if path.startswith("/api/v1") and path != "/api/v1/health":
                assert {"422", "429", "503"} <= errors, (method, path)
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].split("/")[-1] in {
                    "ErrorBody",
                    "ConflictBody",
                    "InvalidBody",
                }, (method, path, code)


def test_every_error_code_the_server_can_answer_is_in_the_protocol_document() -> None:
    sources = "\n".join(p.read_text() for p in (REPO / "momentum_server").rglob("*.py"))
    codes = set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z_]+)"', sources))
    codes |= {"unauthorized", "not_found", "rate_limited", "method_not_allowed"}
    codes |= {"body_too_large", "invalid_request"}
    missing = sorted(code for code in codes if f"`{code}`" not in PROTOCOL)
    assert missing == []


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_the_migrations_build_exactly_the_schema_the_code_uses(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'fresh.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("postgres_session").cluster_or_skip().create_database()
    )
    engine = open_engine(url, pool_size=1)
    assert migrate.upgrade(engine) is True
    assert migrate.upgrade(engine) is False  # a second run finds nothing to do
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_the_migrations_ship_in_the_package() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["momentum_server"]
    package = REPO / "momentum_server"
    files = [p.relative_to(package).as_posix() for p in (package / "migrations").rglob("*")]
    unshipped = [
        f
        for f in files
        if (package / f).is_file()
        and "__pycache__" not in f
        and not any(fnmatch(f, pattern) for pattern in patterns)
    ]
    assert unshipped == []
    assert any(f.startswith("migrations/versions/") for f in files)


def test_server_and_client_never_import_each_other() -> None:
    pairs = (("momentum_tui", "momentum_server"), ("momentum_server", "momentum_tui"))
    for package, other in pairs:
        offenders = [
            str(path.relative_to(REPO))
            for path in (REPO / package).rglob("*.py")
            if re.search(rf"^\s*(from|import)\s+{other}\b", path.read_text(), re.MULTILINE)
        ]
        assert offenders == [], (package, other)
    probe = (
        "import pkgutil, importlib, sys, momentum_server\n"
        "for m in pkgutil.walk_packages(momentum_server.__path__, 'momentum_server.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(any(n.startswith('momentum_tui') for n in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "False"
