"""TensorFlow set-up shared by the modules that build models.

Only :mod:`physgen.nn` imports this module,
so ``import physgen`` and the physics chapters never start TensorFlow.

TensorFlow Probability 0.25 works only with Keras 2, so the models use the
``tf_keras`` package (Keras 2) and never Keras 3 objects.
"""

from __future__ import annotations

import logging
import os
import random
import warnings

from physgen import _validation as check

# Must happen before TensorFlow is imported anywhere: silences the C++
# start-up chatter (CPU feature notices, oneDNN messages) and makes
# ``tfp.layers`` resolve to Keras 2.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def _import_tensorflow_quietly():
    """Import TensorFlow with the process's stderr (fd 2) pointed at /dev/null.

    The CUDA-enabled wheel registers cuDNN/cuBLAS factories and writes
    "Unable to register ... factory" lines through absl *before* it reads
    ``TF_CPP_MIN_LOG_LEVEL``; they are harmless on a CPU machine but would
    reach every notebook's output through the kernel's captured stderr.
    """
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        with warnings.catch_warnings():
            # TFP and tf_keras import some deprecated modules of their own.
            warnings.simplefilter("ignore")
            import tensorflow
            import tf_keras as keras2
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow, keras2


tf, tf_keras = _import_tensorflow_quietly()

try:  # absl prints a warning about logging before absl::InitializeLog.
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
except ImportError:  # pragma: no cover - absl ships with TensorFlow
    pass

tf.get_logger().setLevel(logging.ERROR)
tf.autograph.set_verbosity(0)

__all__ = ["tf", "tf_keras", "seed_tensorflow", "import_tfp"]

_DETERMINISM_ENABLED = False


def seed_tensorflow(seed: int) -> None:
    """Seed TensorFlow (and the ``random`` module tf_keras draws layer seeds from), with op determinism.

    Keras initialisers created without an explicit seed take one from Python's
    ``random`` module; everything else draws from TensorFlow's global seed.
    Seeding both here, once per training run, makes every run repeatable. This
    is the only place physgen touches global random state, and only for
    TensorFlow's sake: data randomness always goes through explicit ``rng``
    arguments.

    ``tf_keras.utils.set_random_seed`` is deliberately not used: it installs a
    seed generator that calls ``randint(1, 1e9)``, which raises ``TypeError``
    on Python 3.12 (Colab) for every layer built without an explicit seed
    (tf-keras issue 803).

    Parameters
    ----------
    seed : int
        Non-negative integer seed.
    """
    global _DETERMINISM_ENABLED
    seed = check.seed(seed, "seed", "seed_tensorflow")
    random.seed(seed)
    tf.random.set_seed(seed)
    if not _DETERMINISM_ENABLED:
        tf.config.experimental.enable_op_determinism()
        _DETERMINISM_ENABLED = True


def import_tfp():
    """Import TensorFlow Probability quietly and return the module."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import tensorflow_probability as tfp
    return tfp
