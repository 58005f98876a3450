"""Surfaces: registry, exact gradients and Hessians, minima, parameters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes

ALL = landscapes.names()
REQUIRED = {"rosenbrock", "bowl", "saddle", "monkey_saddle", "beale", "himmelblau", "rastrigin"}


def test_required_surfaces_are_registered():
    assert set(ALL) >= REQUIRED
    for name in ALL:
        surface = landscapes.get(name)
        assert surface.name == name
        assert surface.label and surface.latex and surface.story


def test_unknown_surface_lists_the_known_ones():
    with pytest.raises(ValueError, match="known surfaces: rosenbrock"):
        landscapes.get("nope")


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("bowl", {"condition": 0.5}, "condition must be between"),
        ("bowl", {"angle": "x"}, "must be a number"),
        ("bowl", {"kappa": 3}, "unknown parameter"),
        ("saddle", {"a": 1}, "allowed: none"),
        ("rosenbrock", {"b": float("nan")}, "between"),
    ],
)
def test_bad_parameters_raise_clear_errors(name, params, match):
    with pytest.raises(ValueError, match=match):
        landscapes.get(name, **params)


def _points(surface, unit):
    (x0, x1), (y0, y1) = surface.domain
    return np.stack([x0 + (x1 - x0) * unit[:, 0], y0 + (y1 - y0) * unit[:, 1]], -1)


unit_points = st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=8).map(np.array)
surface_names = st.sampled_from(ALL)
parametrised = st.sampled_from(
    [("bowl", {"condition": 123.0, "angle": 37.0}), ("rosenbrock", {"a": -0.5, "b": 7.0}), ("rastrigin", {"A": 3.0})]
)


def _central_difference(fn, xy, h):
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    return np.stack([(fn(xy + ex) - fn(xy - ex)) / (2 * h), (fn(xy + ey) - fn(xy - ey)) / (2 * h)], -1)


def _check_derivatives(surface, xy):
    scale = max(1.0, float(np.abs(surface.grad(xy)).max()))
    np.testing.assert_allclose(surface.grad(xy), _central_difference(surface.value, xy, 1e-6), atol=2e-6 * scale)
    hessian = surface.hessian(xy)
    hscale = max(1.0, float(np.abs(hessian).max()))
    np.testing.assert_allclose(hessian, _central_difference(surface.grad, xy, 1e-6), atol=2e-6 * hscale)
    np.testing.assert_array_equal(hessian, np.swapaxes(hessian, -1, -2))


@settings(max_examples=60, deadline=None)
@given(surface_names, unit_points)
def test_gradient_and_hessian_match_central_differences(name, unit):
    surface = landscapes.get(name)
    _check_derivatives(surface, _points(surface, unit))


@settings(max_examples=30, deadline=None)
@given(parametrised, unit_points)
def test_derivatives_hold_for_other_parameters(entry, unit):
    surface = landscapes.get(entry[0], **entry[1])
    _check_derivatives(surface, _points(surface, unit))


@pytest.mark.parametrize("name", ALL)
def test_minima_are_stationary_with_the_stated_value(name):
    surface = landscapes.get(name)
    if surface.min_value is None:
        assert len(surface.minima) == 0
        return
    assert len(surface.minima) >= 1
    np.testing.assert_allclose(surface.grad(surface.minima), 0.0, atol=1e-9)
    np.testing.assert_allclose(surface.value(surface.minima), surface.min_value, atol=1e-9)
    assert (np.linalg.eigvalsh(surface.hessian(surface.minima)) > 0).all()
    # the global minimum is the lowest point on a fine grid of the plotting domain
    (x0, x1), (y0, y1) = surface.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    assert surface.value_xy(gx, gy).min() >= surface.min_value - 1e-6
    for point in surface.local_minima:
        np.testing.assert_allclose(surface.grad(point), 0.0, atol=1e-8)
        assert surface.value(point) > surface.min_value


def test_published_values():
    assert landscapes.get("rosenbrock").value(np.array([-1.2, 1.0])) == pytest.approx(24.2)
    np.testing.assert_allclose(landscapes.get("himmelblau").grad(np.array([0.0, 0.0])), [-14.0, -22.0])
    assert landscapes.get("beale").value(np.array([-4.5, 4.5])) == pytest.approx(169681.0, rel=1e-4)
    eig = np.linalg.eigvalsh(landscapes.get("rosenbrock").hessian(np.array([1.0, 1.0])))
    np.testing.assert_allclose(eig, [0.39936, 1001.6], rtol=1e-4)
    booth = np.linalg.eigvalsh(landscapes.get("booth").hessian(np.array([1.0, 3.0])))
    np.testing.assert_allclose(booth, [2.0, 18.0])


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 90.0])
def test_bowl_condition_number_survives_rotation(angle):
    bowl = landscapes.get("bowl", condition=80.0, angle=angle)
    eig = np.linalg.eigvalsh(bowl.hessian(np.array([0.3, -0.2])))
    np.testing.assert_allclose(eig, [1.0, 80.0], rtol=1e-12)


def test_start_points_lie_in_the_domain_and_not_at_a_minimum():
    for name in ALL:
        surface = landscapes.get(name)
        (x0, x1), (y0, y1) = surface.domain
        sx, sy = surface.start
        assert x0 <= sx <= x1 and y0 <= sy <= y1, name
        assert np.abs(surface.grad(np.array(surface.start))).max() > 0, name


def test_shapes_broadcast():
    surface = landscapes.get("rosenbrock")
    xy = np.zeros((3, 4, 2))
    assert surface.value(xy).shape == (3, 4)
    assert surface.grad(xy).shape == (3, 4, 2)
    assert surface.hessian(xy).shape == (3, 4, 2, 2)
    assert surface.nearest_minimum_distance(np.array([1.0, 2.0])) == pytest.approx(1.0)
    assert np.isnan(landscapes.get("saddle").nearest_minimum_distance(np.zeros(2)))
