"""Curvature read-out maths: eigenvalues, condition numbers, level sets and step-size limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optim
from analysis.curvature import (
    curvature,
    curvature_at,
    gd_limit,
    level_set,
    step_curvature,
    step_limit,
    update_kind,
)


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
@pytest.mark.parametrize("angle", [0.0, 30.0, 60.0])
def test_bowl_has_eigenvalues_1_and_kappa_along_rotated_axes(kappa, angle):
    c = curvature_at(landscapes.get("bowl", condition=kappa, angle=angle), (0.4, -0.3))
    np.testing.assert_allclose(c.eigenvalues, [1.0, kappa], rtol=1e-12)
    assert c.kind == "minimum"
    assert c.condition == pytest.approx(kappa)
    if kappa > 1:
        theta = math.radians(angle)
        u = np.array([math.cos(theta), math.sin(theta)])  # the flat direction of the bowl, rotated
        assert abs(c.eigenvectors[:, 0] @ u) == pytest.approx(1.0)
        assert abs(c.eigenvectors[:, 1] @ u) == pytest.approx(0.0, abs=1e-12)
    assert gd_limit(c.lam_max) == pytest.approx(2.0 / kappa)


def test_saddle_is_indefinite():
    c = curvature_at(landscapes.get("saddle"), (0.0, 0.0))
    assert c.kind == "saddle"
    assert c.lam_min < 0 < c.lam_max
    assert c.describe().startswith("indefinite (saddle)")
    shape = level_set((0.0, 0.0), c, 1.0)
    assert shape is not None and not shape.closed


def test_rosenbrock_at_its_minimum():
    c = curvature_at(landscapes.get("rosenbrock"), (1.0, 1.0))
    np.testing.assert_array_equal(c.hessian, [[802.0, -400.0], [-400.0, 200.0]])
    lam = 501.0 + np.array([-1.0, 1.0]) * math.sqrt(301.0**2 + 400.0**2)  # trace/2 ± sqrt(((a-d)/2)² + b²)
    np.testing.assert_allclose(c.eigenvalues, lam, rtol=1e-12)
    assert c.condition == pytest.approx(lam[1] / lam[0])


def test_flat_and_degenerate_and_maximum():
    assert curvature(np.zeros((2, 2))).kind == "flat"
    assert curvature(np.zeros((2, 2))).describe().startswith("flat")
    assert level_set((0, 0), curvature(np.zeros((2, 2))), 1.0) is None
    d = curvature(np.diag([0.0, 3.0]))
    assert d.kind == "degenerate" and d.condition == math.inf
    m = curvature(np.diag([-1.0, -4.0]))
    assert m.kind == "maximum" and m.condition == pytest.approx(4.0)
    assert gd_limit(m.lam_max) == math.inf
    with pytest.raises(ValueError):
        curvature(np.array([[np.nan, 0.0], [0.0, 1.0]]))


def test_custom_surface_hessian_is_exact():
    surface = landscapes.get(landscapes.CUSTOM, expr="x**2 + 10*y**2 + x*y")
    c = curvature_at(surface, (0.7, -0.2))
    np.testing.assert_allclose(c.hessian, [[2.0, 1.0], [1.0, 20.0]])


def test_ellipse_is_the_level_set_with_axes_along_eigenvectors():
    h = np.array([[3.0, 1.0], [1.0, 2.0]])
    c = curvature(h)
    shape = level_set((1.0, -1.0), c, 0.5)
    assert shape.closed
    d = shape.level_set - [1.0, -1.0]
    q = np.einsum("ni,ij,nj->n", d, h, d)
    np.testing.assert_allclose(q, q[0], rtol=1e-12)  # one level of the quadratic model
    assert np.max(np.linalg.norm(d, axis=1)) == pytest.approx(0.5)  # longest semi-axis = size
    ratio = np.min(np.linalg.norm(d, axis=1)) / 0.5
    assert ratio == pytest.approx(math.sqrt(c.lam_min / c.lam_max), rel=1e-3)  # lengths ∝ 1/sqrt|λ|


def test_saddle_branches_lie_on_plus_and_minus_levels():
    h = np.diag([2.0, -2.0])
    shape = level_set((0.0, 0.0), curvature(h), 1.0)
    d = shape.level_set[np.isfinite(shape.level_set).all(axis=1)]
    q = np.einsum("ni,ij,nj->n", d, h, d)
    np.testing.assert_allclose(np.abs(q), np.abs(q[0]), rtol=1e-9)
    assert (q > 0).any() and (q < 0).any()


def test_step_curvature_is_lr_times_lambda_max_and_decides_frozen_stability():
    h = np.array([[802.0, -400.0], [-400.0, 200.0]])
    assert step_curvature(h, np.array([1e-3, 1e-3])) == pytest.approx(1e-3 * np.linalg.eigvalsh(h)[-1])
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.normal(size=(2, 2))
        hess = a @ a.T + 1e-3 * np.eye(2)
        alpha = 10 ** rng.uniform(-3, 1, size=2)
        radius = np.max(np.abs(np.linalg.eigvals(np.eye(2) - np.diag(alpha) @ hess)))
        rho = step_curvature(hess, alpha)
        if abs(rho - 2) > 1e-6:
            assert (radius < 1) == (rho < 2)


@pytest.mark.parametrize(("name", "mu"), [("momentum", 0.9), ("momentum", 0.5), ("nesterov", 0.9), ("nesterov", 0.3)])
@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
def test_momentum_limits_match_the_optimizer_core(name, mu, convention):
    hp = {"momentum": mu}
    kind, momentum = update_kind(name, hp)
    limit = step_limit(kind, momentum)
    kappa = 50.0
    surface = landscapes.get("bowl", condition=kappa, angle=0.0)
    for factor, stable in ((0.97, True), (1.03, False)):
        lr = factor * limit / kappa
        traj = optim.run(name, surface, (0.5, 0.5), 3000, convention=convention, lr=lr, momentum=mu)
        grew = traj.diverged_at is not None or abs(traj.xy[-1, 1]) > 0.5
        assert grew is not stable, (factor, lr)


def test_update_kinds():
    assert update_kind("sgd", {"lr": 0.1}) == ("gradient", 0.0)
    assert update_kind("rmsprop", {"momentum": 0.0}) == ("gradient", 0.0)
    assert update_kind("rmsprop", {"momentum": 0.5})[0] == "averaged"
    assert update_kind("adam", {})[0] == "averaged"
    assert step_limit("averaged") is None
    assert step_limit("gradient") == 2.0
