"""What the `pingyi` commands share: the console, the data-directory option, settings from
the environment (a bad one refused in one line per problem, exit 2: `PingyiApp`), and
checking a service name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

console = Console(soft_wrap=True)
"""Lines whole however long (soft wrap: the terminal folds them, rich does not cut or break
them at 80 columns in a pipe or a log): an admin key, an id or a refusal is read and copied
whole. Tables still fit the terminal."""


def say_refused(what: str, reason: object) -> None:
    """`what` in red, then the reason as plain text on the same line: a reason quotes paths
    and values, whose brackets rich would read as markup, and a library's message may span
    lines."""
    console.print(Text.assemble((what, "red"), " ", " ".join(str(reason).split())))


START_FAILED = 3
"""`pingyi up`'s exit code when a service did not start: uvicorn's for a failed start, as
`pingyi serve` exits then."""

SETTINGS_REFUSED = 2
"""The exit code of a command refused for its settings (as for a bad option)."""

REQUIRED_IN_PRODUCTION = {
    "registry": ("PINGYI_REGISTRY_CONTACT_KEY",),
    "survey": ("PINGYI_SURVEY_VOTER_KEY",),
}
"""The secrets a service needs in production besides PINGYI_SEAL_KEY and
PINGYI_BOOTSTRAP_ADMIN_KEY, which all need (deploy/README.md calls them required). Survey's
voter key is required too, as the compose files and the k8s manifests require it: without it
online public voting answers 503, and a key set only once a round is open would let everyone
vote again in that round."""


class PingyiApp(typer.Typer):
    """A Typer app whose commands, given settings they cannot start with (any command, any
    settings class, read wherever), print one line per problem naming the variable and exit
    2, instead of a page of traceback; Typer's own refusals of a wrong argument said Chinese
    first (`pingyi.cli_words`)."""

    def __init__(self, **kwargs: Any) -> None:
        from pingyi.cli_words import ChineseFirstGroup

        super().__init__(cls=kwargs.pop("cls", ChineseFirstGroup), **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:
            # Imported only now: `audit verify` must load no store driver (shared.settings
            # reads URLs with psycopg), and a settings error has imported it already.
            from shared.settings import settings_problems

            problems = settings_problems(error)
            if problems is None:
                raise
            refuse(problems)


def refuse(problems: list[str]) -> None:
    """Print each problem on a line of its own on stderr and exit 2."""
    for problem in problems:
        # Not the rich console: it would wrap a long line into several.
        print(f"pingyi cannot start: {problem}", file=sys.stderr)
    sys.stderr.flush()
    raise SystemExit(SETTINGS_REFUSED)


DataDir = Annotated[
    Path, typer.Option(envvar="PINGYI_DATA_DIR", help="Where embedded mode keeps its data")
]


def environment_settings(data_dir: Path | None = None) -> Any:
    """The settings a command runs with, from the environment (embedded mode's data where
    `data_dir` says). Memory mode holds nothing outside a test's process: refused."""
    from shared.settings import CommonSettings, load_settings

    common = load_settings(CommonSettings)
    if common.mode == "memory":
        raise typer.BadParameter(
            "PINGYI_MODE=memory 只用于测试, 请用 embedded 或 production "
            "(PINGYI_MODE=memory is for tests only; use embedded or production)",
            param_hint="PINGYI_MODE",
        )
    if data_dir is not None and common.mode == "embedded":
        common = common.model_copy(update={"data_dir": data_dir})
    return common


def service_environment(service: str) -> tuple[Any, Any]:
    """The common settings and the service's, from the environment; the problems of both
    refused together (`SettingsRefused`)."""
    from pingyi.catalog import definition
    from shared.settings import SettingsRefused, load_settings

    problems: list[str] = []
    common = settings = None
    try:
        common = environment_settings()
    except SettingsRefused as refused:
        problems += refused.problems
    try:
        settings = load_settings(definition(service).settings)
    except SettingsRefused as refused:
        problems += refused.problems
    if problems:
        raise SettingsRefused(problems)
    return common, settings


def known(service: str) -> None:
    # Imported here: `pingyi audit verify` runs from a clean install and needs no service.
    from pingyi.catalog import NAMES

    if service not in NAMES:
        names = ", ".join(NAMES)
        raise typer.BadParameter(
            f"没有服务 {service!r}, 可选: {names} "
            f"(unknown service {service!r}; choose from {names})"
        )


def production_refusals(common: Any, service: str, settings: Any) -> list[str]:
    """What `pingyi serve <service>` lacks in production mode: each required secret that is
    unset or empty (embedded mode makes its own; memory mode is for tests)."""
    if common.mode != "production":
        return []
    given = {
        "PINGYI_SEAL_KEY": common.seal_key,
        "PINGYI_BOOTSTRAP_ADMIN_KEY": common.bootstrap_admin_key,
        "PINGYI_REGISTRY_CONTACT_KEY": getattr(settings, "contact_key", None),
        "PINGYI_SURVEY_VOTER_KEY": getattr(settings, "voter_key", None),
    }
    needed = ["PINGYI_SEAL_KEY", "PINGYI_BOOTSTRAP_ADMIN_KEY"]
    needed += REQUIRED_IN_PRODUCTION.get(service, ())
    return [
        f"{name} is required in production mode (a secret: deploy/README.md)"
        for name in needed
        if given[name] is None or not given[name].get_secret_value().strip()
    ]
