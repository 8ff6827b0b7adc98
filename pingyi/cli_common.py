"""What the `pingyi` commands share: the console, the data-directory option, settings from
the environment, and checking a service name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()

DataDir = Annotated[
    Path, typer.Option(envvar="PINGYI_DATA_DIR", help="Where embedded mode keeps its data")
]


def environment_settings(data_dir: Path | None = None) -> Any:
    """The settings a command runs with, from the environment (embedded mode's data where
    `data_dir` says). Memory mode holds nothing outside a test's process: refused."""
    from shared.settings import CommonSettings

    common = CommonSettings()
    if common.mode == "memory":
        raise typer.BadParameter(
            "PINGYI_MODE=memory is for tests only; use embedded or production", param_hint="mode"
        )
    if data_dir is not None and common.mode == "embedded":
        common = common.model_copy(update={"data_dir": data_dir})
    return common


def known(service: str) -> None:
    # Imported here: the catalog loads every service, which `pingyi audit verify` must not.
    from pingyi.catalog import NAMES

    if service not in NAMES:
        raise typer.BadParameter(f"unknown service {service!r}; choose from {', '.join(NAMES)}")
