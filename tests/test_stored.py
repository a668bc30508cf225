"""Stored runs: the fingerprint sees every input, and a run from other data is refused."""

from dataclasses import dataclass

import numpy as np
import pytest

import physgen


@dataclass(frozen=True)
class Config:
    steps: int = 10


def test_fingerprint_sees_data_conditions_and_settings():
    x = np.random.default_rng(0).normal(size=(6, 4))
    base = physgen.training_fingerprint(x, Config())
    assert base == physgen.training_fingerprint(x.copy(), Config())
    changed = x.copy()
    changed[3, 2] += 1e-12
    assert physgen.training_fingerprint(changed, Config()) != base
    assert physgen.training_fingerprint(x, Config(steps=11)) != base
    assert physgen.training_fingerprint(x, Config(), np.ones((6, 1))) != base


def test_fingerprint_bad_config_names_the_fix():
    with pytest.raises(TypeError, match="config="):
        physgen.training_fingerprint(np.zeros((2, 3)), {"steps": 10})
    with pytest.raises(TypeError, match="config="):
        physgen.training_fingerprint(np.zeros((2, 3)), Config)


def test_a_stored_run_from_other_data_is_refused():
    from physgen.nn import gan

    line = physgen.clean_line()
    run = physgen.load_stored_run(
        "physgen.nn.gan_results", "gan_clean_wgan_gp_20240605", train=line.train,
        config=gan.WGAN_GP,
    )
    assert run.samples.shape == (500, len(line.t)) and run.seed == 20240605
    with pytest.raises(ValueError, match="fingerprint"):
        physgen.load_stored_run(
            "physgen.nn.gan_results", "gan_clean_wgan_gp_20240605", train=line.train[1:],
            config=gan.WGAN_GP,
        )
    with pytest.raises(FileNotFoundError, match="benchmark"):
        physgen.load_stored_run(
            "physgen.nn.gan_results", "no_such_run", train=line.train, config=gan.WGAN_GP
        )
