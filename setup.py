"""The one compiled module (`services/scoring/engine/fold/_counting.c`: the survey fold's hot
loops). Optional: where no C compiler is found the install goes on without it and the fold
runs its numpy fallback (`counting.py`), to the same results. Everything else about the
package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "services.scoring.engine.fold._counting",
            ["services/scoring/engine/fold/_counting.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
