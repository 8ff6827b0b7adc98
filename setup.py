"""The compiled modules: `services/scoring/engine/fold/_counting.c` (the survey fold's hot
loops) and `shared/_canonical.c` (the float check before every digest). Optional: where no C
compiler is found the install goes on without them and the same work is done in numpy and
Python (`counting.py`, `canonical.py`), to the same results. Everything else about the
package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "services.scoring.engine.fold._counting",
            ["services/scoring/engine/fold/_counting.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
        Extension(
            "shared._canonical",
            ["shared/_canonical.c"],
            extra_compile_args=["-O3"],
            optional=True,
        ),
    ]
)
