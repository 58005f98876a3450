"""The step inspector agrees exactly with run(); every rule has equations that mention its options."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optim
from optim.inspect import relevant_fields

PAIRS = [(n, c) for n in optim.names() for c in optim.CONVENTIONS if optim.get(n).supports(c)]


@pytest.mark.parametrize("name, convention", PAIRS)
def test_inspector_reproduces_the_drawn_trajectory_exactly(name, convention):
    hp = {"lr": 0.003} if name != "adadelta" else {}
    traj = optim.run(name, "rosenbrock", None, 30, convention=convention, noise=0.2, seed=5, **hp)
    for k in (0, 1, 17, 29):
        detail = optim.inspect_step(name, "rosenbrock", None, k, convention=convention, noise=0.2, seed=5, **hp)
        np.testing.assert_array_equal(detail.xy, traj.xy[k])
        np.testing.assert_array_equal(detail.xy_next, traj.xy[k + 1])
        np.testing.assert_array_equal(detail.effective_lr, traj.effective_lr[k])
        np.testing.assert_array_equal(detail.xy + detail.update, detail.xy_next)
        assert detail.count == k + 1


def test_inspector_shows_the_accumulators():
    detail = optim.inspect_step("rmsprop", "bowl", (1.0, 1.0), 0, lr=0.01, rho=0.9, eps=1e-8)
    g = detail.grad
    np.testing.assert_array_equal(g, [1.0, 100.0])
    np.testing.assert_allclose(detail.state_after["mean_sq"], 0.1 * g * g)
    assert set(relevant_fields(detail)) == {"mean_sq"}  # not centered, no momentum
    centered = optim.inspect_step("rmsprop", "bowl", (1.0, 1.0), 2, centered=True, momentum=0.5)
    assert set(relevant_fields(centered)) == {"mean_sq", "mean_grad", "buf"}


def test_inspector_rejects_batches():
    with pytest.raises(ValueError, match="single start"):
        optim.inspect_step("sgd", "bowl", np.zeros((2, 2)), 0)
    with pytest.raises(ValueError, match="scalar"):
        optim.inspect_step("sgd", "bowl", None, 0, lr=np.array([0.1, 0.2]))


@pytest.mark.parametrize("name, convention", PAIRS)
def test_every_rule_has_equations(name, convention):
    lines = optim.update_equations(name, convention, optim.get(name).defaults())
    assert lines and all(isinstance(line, str) and line for line in lines)
    assert any(r"\theta_t" in line for line in lines)
    assert "$" in optim.symbol_legend(name)


def test_equations_follow_the_convention_and_options():
    torch = " ".join(optim.update_equations("rmsprop", "pytorch", {"centered": True}))
    keras = " ".join(optim.update_equations("rmsprop", "keras", {"momentum": 0.9}))
    tf1 = " ".join(optim.update_equations("rmsprop", "tf1"))
    assert r"\sqrt{v_t - \bar g_t^2} + \epsilon" in torch  # eps outside, centered
    assert r"\sqrt{v_t + \epsilon}" in keras and "m_t" in keras  # eps inside, lr inside the buffer
    assert "v_0 = 1" in tf1
    assert "0.96^{t\\psi}" in " ".join(optim.update_equations("nadam", "pytorch"))
    assert "0.96^{t}" in " ".join(optim.update_equations("nadam", "keras"))
    with pytest.raises(ValueError, match="no Nadam"):
        optim.update_equations("nadam", "tf1")


def test_sidebar_equations_put_side_by_side_parts_on_lines_of_their_own():
    from views.common.rules import aligned

    lines = optim.update_equations("nadam", "pytorch", {"momentum_decay": 0.004})
    wide, narrow = aligned(lines), aligned(lines, small=True)
    assert r", \quad" in wide and r", \quad" not in narrow and narrow.count(r"\\") > wide.count(r"\\")
    # the two fractions of Nadam's m-hat: the second continues on its own line, under the right-hand side
    assert r"\\ &\quad + \frac{(1-\mu_t)\, g_t}" in narrow
    assert r"} + \frac{(1-\mu_t)" in wide  # the page's wide equations are left as written


@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
@pytest.mark.parametrize(("optimizer", "accumulator"), [("rmsprop", "mean_sq"), ("adagrad", "sum_sq")])
def test_the_effective_lr_formula_is_the_one_the_chart_plots(optimizer, accumulator, convention):
    """The caption's formula (read off the update equations) gives, with this step's own state, the effective
    learning rate the core reports: eps outside the root, inside it, or absent, as the convention has it."""
    equation, direction = optim.effective_lr_equation(optimizer, convention, optim.get(optimizer).defaults())
    assert direction == "g_t" and equation.startswith(r"\eta^{\mathrm{eff}}_t = \frac{\eta}")
    symbol = "v_t" if optimizer == "rmsprop" else "s_t"
    if rf"\sqrt{{{symbol}}} + \epsilon" in equation:
        place = "outside"
    elif rf"\sqrt{{{symbol} + \epsilon}}" in equation:
        place = "inside"
    else:
        assert rf"\sqrt{{{symbol}}}" in equation
        place = "none"
    hp = optim.get(optimizer).defaults() | {"lr": 0.01, "eps": 1e-3}
    detail = optim.inspect_step(optimizer, landscapes.get("rosenbrock"), (-1.2, 1.0), 5, convention, **hp)
    acc = np.asarray(detail.state_after[accumulator], dtype=float).reshape(2)
    eps = hp["eps"]
    expected = {
        "outside": 0.01 / (np.sqrt(acc) + eps),
        "inside": 0.01 / np.sqrt(acc + eps),
        "none": 0.01 / np.sqrt(acc),
    }
    np.testing.assert_allclose(detail.effective_lr, expected[place], rtol=1e-12)


def test_rules_without_a_single_factor_say_so():
    assert optim.effective_lr_equation("nesterov", "pytorch", optim.get("nesterov").defaults()) is None
    assert optim.effective_lr_equation("momentum", "keras", optim.get("momentum").defaults()) is None
    equation, direction = optim.effective_lr_equation("adadelta", "pytorch", optim.get("adadelta").defaults())
    assert direction == "g_t" and r"\sqrt{u_{t-1} + \epsilon}" in equation
