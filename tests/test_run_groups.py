"""How scripts/test.sh spreads the suite over processes (`run_group` in tests/conftest.py):
the tests that share something run in one process, in order; any other file is a unit."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LONGEST_FIRST, SHARED_RUNS, run_group

TESTS = Path(__file__).parent


def _group_of_file(path: Path) -> str:
    return run_group(f"{path.relative_to(TESTS.parent).as_posix()}::test_x[a::b]")


def test_every_fuzz_and_fault_test_runs_in_one_process() -> None:
    """But the fuzzer's OpenAPI cases, half the package, run in one of their own."""
    for folder in ("fuzz", "faults"):
        files = sorted((TESTS / folder).glob("test_*.py"))
        assert len(files) >= 2
        groups = {path.name: _group_of_file(path) for path in files}
        if folder == "fuzz":
            assert groups.pop("test_openapi.py") == "fuzz/openapi"
        assert set(groups.values()) == {folder}


def test_every_bench_test_runs_in_one_process_and_other_deploy_tests_apart() -> None:
    deploy = sorted((TESTS / "deploy").glob("test_*.py"))
    bench = [path for path in deploy if path.name.startswith("test_bench")]
    assert len(bench) >= 3
    assert {_group_of_file(path) for path in bench} == {"bench"}
    others = [path for path in deploy if path not in bench]
    assert [_group_of_file(path) for path in others] == [
        path.relative_to(TESTS.parent).as_posix() for path in others
    ]


def test_any_other_file_is_a_unit_of_its_own() -> None:
    assert run_group("tests/registry/test_units.py::test_a[x]") == "tests/registry/test_units.py"
    assert run_group("tests/test_architecture.py::test_b") == "tests/test_architecture.py"
    assert set(SHARED_RUNS) == {"fuzz", "fuzz/openapi", "bench", "faults"}


def test_the_longest_groups_are_named_as_they_are_and_handed_out_first() -> None:
    """A renamed file would silently lose its place at the front."""
    root = TESTS.parent
    for group in LONGEST_FIRST:
        assert group in SHARED_RUNS or (root / group).is_file(), group
