"""The core against trajectories recorded from the real frameworks.

tests/data/framework_reference.json was produced by tools/crosscheck/generate_reference.py with
torch 2.13, keras 3.15 (JAX backend), optax 0.2.8 and tensorflow 2.21 (tf.compat.v1.train), all in
float64: 40 steps on Rosenbrock from (-1.2, 1) for every optimizer, option and framework, with
hyperparameters exactly representable in float32 (so TF1's float32 rounding of them is moot).
The frameworks feed the same analytic gradient expression our Rosenbrock uses, so only the
optimizers' own arithmetic is compared. Most cases agree bit for bit; PyTorch's fused
multiply-adds (in add_/addcmul_/lerp_) and XLA's rsqrt differ from plain float64 arithmetic in
the last bit, hence the round-off tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import optim

DATA = json.loads((Path(__file__).parent / "data" / "framework_reference.json").read_text())
CASES = DATA["cases"]


def _id(case):
    flags = "-".join(
        f"{k}={v}" for k, v in sorted(case["hp"].items()) if k in ("eps", "centered", "momentum", "amsgrad")
    )
    return f"{case['framework']}-{case['optimizer']}-{flags}"


def test_fixture_covers_every_supported_pair():
    covered = {(c["optimizer"], c["framework"]) for c in CASES}
    for name in optim.names():
        for convention in optim.CONVENTIONS:
            if optim.get(name).supports(convention):
                assert (name, convention) in covered, (name, convention)
    missing = {(m["framework"], m["optimizer"]) for m in DATA["missing"] if m["option"] is None}
    assert missing == {(c, n) for n in optim.names() for c in optim.CONVENTIONS if not optim.get(n).supports(c)}


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_trajectory_matches_the_framework(case):
    opt = optim.get(case["optimizer"])
    hp = {k: v for k, v in case["hp"].items() if k in {p.name for p in opt.hyperparams}}
    expected = np.array(case["xy"])
    traj = optim.run(
        opt, "rosenbrock", tuple(DATA["meta"]["start"]), len(expected) - 1, convention=case["framework"], **hp
    )
    assert traj.diverged_at is None
    np.testing.assert_allclose(traj.xy, expected, rtol=1e-13, atol=1e-15, err_msg=case["api"])


def test_framework_defaults_match_our_rules():
    names = {"pytorch": "pytorch", "keras": "keras", "optax": "optax", "tf1": "tf1"}
    checked = 0
    for framework, per_optimizer in DATA["defaults"].items():
        for name, defaults in per_optimizer.items():
            if name not in optim.names():  # e.g. optax.amsgrad: our adam with amsgrad=True
                continue
            opt = optim.get(name)
            if not opt.supports(names[framework]):
                continue
            ours = opt.rule(names[framework]).defaults
            for key, value in defaults.items():
                if key in ours and ours[key] is not None and value is not None:
                    assert ours[key] == pytest.approx(value), (framework, name, key)
                    checked += 1
    assert checked > 40


def test_the_verified_note_claims_what_the_fixture_holds():
    from views.common import rules as verified

    versions = DATA["meta"]["versions"]
    for framework, key in (("PyTorch", "torch"), ("Keras", "keras"), ("Optax", "optax"), ("TensorFlow", "tensorflow")):
        shown = verified.RECORDED_WITH.split(f"{framework} ")[1].split()[0].rstrip(",")
        assert versions[key].startswith(shown), (framework, shown, versions[key])
    assert f"{len(CASES)} reference runs" in verified._HOW
    assert {c["framework"] for c in CASES} == {"pytorch", "keras", "optax", "tf1"}
