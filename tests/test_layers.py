"""The package's layers, enforced by importing each module in a fresh interpreter.

The physics (every module that is neither a learned model nor a judge) imports only
numpy, scipy and matplotlib; the judges import only the physics; only the learned
models (physgen.nn, physgen.vae, physgen.gan and what lives beside them) may import
TensorFlow. The modules are enumerated from the package itself, so a new module is
checked without editing this file.
"""

import json
import pkgutil
import subprocess
import sys

import pytest

import physgen

# Third-party top-level packages a module outside the models may load.
PHYSICS_DEPENDENCIES = {"numpy", "scipy", "matplotlib"}
# The learned models: the lazily imported subpackages and their TensorFlow set-up.
MODEL_MODULES = {*physgen._LAZY_SUBMODULES, "_tf"}
MODEL_PACKAGES = {"tensorflow", "tf_keras", "keras", "tensorflow_probability", "torch", "jax"}


def _modules():
    names = [info.name for info in pkgutil.walk_packages(physgen.__path__, prefix="physgen.")]
    return sorted(name for name in names if name.split(".")[1] not in MODEL_MODULES)


def _loaded_after_import(module: str) -> dict:
    """Top-level packages and physgen modules loaded by importing ``module`` alone."""
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "new = set(sys.modules) - before\n"
        "print(json.dumps(sorted(new)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


MODULES = _modules()


def test_the_layers_are_found():
    assert "physgen.pendulum" in MODULES and any(m.startswith("physgen.judging") for m in MODULES)
    assert not any(m.split(".")[1] in MODEL_MODULES for m in MODULES)


def test_physics_and_judges_never_load_a_model_library():
    """``import physgen`` loads every physics and judging module, and no model library."""
    loaded = _loaded_after_import("physgen")
    missing = [m for m in MODULES if m not in loaded and m != "physgen._validation"]
    # modules physgen does not import eagerly get their own interpreter
    for module in missing:
        loaded += _loaded_after_import(module)
    tops = {name.split(".")[0] for name in loaded}
    assert not tops & MODEL_PACKAGES, f"loads {sorted(tops & MODEL_PACKAGES)}"
    models = [m for m in loaded if m.startswith("physgen.") and m.split(".")[1] in MODEL_MODULES]
    assert not models, f"loads the learned models {models}"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("physgen.judging")])
def test_judges_import_only_the_physics(module):
    loaded = _loaded_after_import(module)
    judges_and_physics = [m for m in loaded if m.startswith("physgen.")]
    assert all(m.split(".")[1] not in MODEL_MODULES for m in judges_and_physics)
    tops = {name.split(".")[0] for name in loaded if not name.startswith("_")}
    stdlib = set(sys.stdlib_module_names)
    third_party = tops - stdlib - {"physgen"}
    # numpy/scipy pull in a few helpers of their own; none may be a model library
    assert PHYSICS_DEPENDENCIES & third_party, third_party
    assert not third_party & MODEL_PACKAGES
