"""Static checks of deploy/Dockerfile and deploy/constraints.txt, in the style of
compose_checks: parsed input in, a list of problems out."""

from __future__ import annotations

import json
import re
import shlex
from itertools import pairwise
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.compose_checks import APP_PORTS, PROBE, ROOT, Problems

INIT = "tini"

# --- Dockerfile ------------------------------------------------------------------------------


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped
    (Docker drops comment lines inside a continuation too)."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, args = (pending + stripped).partition(" ")
        pending = ""
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :] if starts else []


def _exec_form(args: str) -> list[str] | None:
    try:
        parsed = json.loads(args)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, list) else None


def check_dockerfile(text: str, compose: dict[str, Any], root: Path = ROOT) -> Problems:
    instructions = parse_dockerfile(text)
    final = final_stage(instructions)
    problems: Problems = []
    bases = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    if not bases or any(base != "python:3.11-slim" for base in bases):
        problems.append(f"base images {bases} are not python:3.11-slim")
    problems += _check_install(instructions)
    problems += _check_user(final)
    problems += _check_command(instructions, final, compose)
    problems += _check_copies(instructions, root)
    return problems


def pip_installs(instructions: list[tuple[str, str]]) -> list[list[str]]:
    """The arguments of every `pip install` in a RUN, up to the next `&&` or `;`."""
    found = []
    for keyword, args in instructions:
        if keyword != "RUN":
            continue
        tokens = shlex.split(args)
        for index, token in enumerate(tokens[:-1]):
            if token.endswith("pip") and tokens[index + 1] == "install":
                rest = tokens[index + 2 :]
                ends = [i for i, t in enumerate(rest) if t in ("&&", ";", "||")]
                found.append(rest[: ends[0]] if ends else rest)
    return found


def _check_install(instructions: list[tuple[str, str]]) -> Problems:
    installs = pip_installs(instructions)
    problems: Problems = []
    if not any("." in args for args in installs):
        problems.append("no RUN pip-installs the project (`pip install ... .`) from the root")
    for args in installs:
        if {"-e", "--editable"} & set(args) or any("[test]" in a or "[dev]" in a for a in args):
            problems.append(f"dev install in the image: pip install {' '.join(args)}")
    return problems


def _check_user(final: list[tuple[str, str]]) -> Problems:
    users = [args.split(":")[0] for keyword, args in final if keyword == "USER"]
    if not users:
        return ["the final stage never leaves root (no USER)"]
    if users[-1] in ("root", "0"):
        return [f"the final stage runs as {users[-1]}"]
    return []


def _check_command(
    instructions: list[tuple[str, str]], final: list[tuple[str, str]], compose: dict[str, Any]
) -> Problems:
    problems = _check_init(final)
    cmds = [_exec_form(args) for keyword, args in final if keyword == "CMD"]
    cmd = cmds[-1] if cmds else None
    if not cmd or cmd[0] != "pingyi":
        problems.append(f"CMD is not an exec-form `pingyi ...` command: {cmds}")
    commands = [
        compose["services"][n].get("command") for n in APP_PORTS if n in compose["services"]
    ]
    if cmd and any(c and c[0] != cmd[0] for c in commands):
        problems.append("compose runs a different executable from the image's CMD")
    problems += _check_script_on_path(instructions, final)
    healthchecks = [args for keyword, args in final if keyword == "HEALTHCHECK"]
    if not healthchecks or PROBE not in healthchecks[-1]:
        problems.append(f"no HEALTHCHECK using {PROBE}")
    return problems


def _check_init(final: list[tuple[str, str]]) -> Problems:
    """tini is PID 1 and runs the command: `pingyi serve` as PID 1 would ignore SIGTERM until
    uvicorn installs its handler. tini reports the SIGTERM uvicorn re-raises after a graceful
    stop as 143; `-e 143` makes that 0, the exit code deploy/README.md promises."""
    entries = [_exec_form(args) for keyword, args in final if keyword == "ENTRYPOINT"]
    if not entries:
        return [f"no ENTRYPOINT: `pingyi serve` would be PID 1 instead of {INIT}"]
    entry = entries[-1]
    if not entry or entry[0] != INIT or entry[-1] != "--":
        return [f"ENTRYPOINT {entry!r} is not `{INIT} ... --`; it is prefixed to every command"]
    problems: Problems = []
    options = list(pairwise(entry))
    if ("-e", "143") not in options:
        problems.append("ENTRYPOINT lacks `-e 143`: a graceful stop would exit 143, not 0")
    installs = [args for keyword, args in final if keyword == "RUN" and "install" in args]
    if not any(re.search(rf"\b{INIT}\b", args) for args in installs):
        problems.append(f"{INIT} is not installed in the final stage")
    return problems


def _check_script_on_path(
    instructions: list[tuple[str, str]], final: list[tuple[str, str]]
) -> Problems:
    """The pip that installs the project puts `pingyi` in its bin directory; that directory
    must reach the final stage and be on its PATH, or the command is not found."""
    pips = [
        m.group(1)
        for keyword, args in instructions
        if keyword == "RUN"
        for m in [re.search(r"(\S*/bin/)pip install", args)]
        if m
    ]
    if not pips:
        return ["the project is not installed with a venv's pip (…/bin/pip install)"]
    bin_dir = pips[-1].rstrip("/")
    copied = [args for keyword, args in final if keyword == "COPY" and "--from=" in args]
    problems: Problems = []
    if not any(bin_dir.startswith(args.split()[-1].rstrip("/") + "/") for args in copied):
        problems.append(f"{bin_dir} is not copied into the final stage")
    paths = " ".join(args for keyword, args in final if keyword == "ENV" and "PATH=" in args)
    if bin_dir not in paths:
        problems.append(f"{bin_dir} is not on the final stage's PATH")
    return problems


def _check_copies(instructions: list[tuple[str, str]], root: Path) -> Problems:
    """Every file copied from the build context exists there, and the probe is installed."""
    problems: Problems = []
    probe_installed = False
    for keyword, args in instructions:
        if keyword != "COPY" or "--from=" in args:
            continue
        parts = [p for p in args.split() if not p.startswith("--")]
        *sources, target = parts
        for source in sources:
            if not (root / source).exists():
                problems.append(f"COPY {source}: not in the build context")
        if target.endswith(f"/bin/{PROBE}") and sources == ["deploy/probe.py"]:
            probe_installed = True
    if not probe_installed:
        problems.append(f"deploy/probe.py is not installed as {PROBE} on the PATH")
    return problems


# --- pinned dependencies ---------------------------------------------------------------------


def check_constraints(pyproject: dict[str, Any], constraints_text: str) -> Problems:
    """The image's constraints pin every direct dependency at pyproject's version."""
    pins: dict[str, str] = {}
    for line in constraints_text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    problems: Problems = []
    for spec in pyproject["project"]["dependencies"]:
        req = Requirement(spec)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        name = canonicalize_name(req.name)
        if not exact:
            problems.append(f"{req.name} is not pinned in pyproject.toml")
        elif pins.get(name) != exact[0]:
            problems.append(f"{req.name}: pyproject pins {exact[0]}, constraints {pins.get(name)}")
    for spec in pyproject["project"].get("optional-dependencies", {}).get("test", []):
        if canonicalize_name(Requirement(spec).name) in pins:
            problems.append(f"test dependency {Requirement(spec).name} would go into the image")
    return problems
