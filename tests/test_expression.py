"""Custom surfaces from typed expressions: whitelist parsing, exact derivatives, safety, end-to-end runs."""

from __future__ import annotations

import builtins
import time
import warnings

import numpy as np
import pytest
import sympy.parsing.sympy_parser
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import landscapes
import optim
from landscapes.expression import (
    MAX_LENGTH,
    ExpressionError,
    ExpressionSurface,
    from_expression,
    is_estimated_minimum,
    parse,
)

RNG_POINTS = np.random.default_rng(0).uniform(-1.9, 1.9, size=(2, 25))

# ----------------------------------------------------------------------------- exact values

HAND = {
    "x**2 + 100*y**2": (
        lambda x, y: x**2 + 100 * y**2,
        lambda x, y: (2 * x, 200 * y),
        lambda x, y: (2 + 0 * x, 0 * x, 200 + 0 * x),
    ),
    "sin(x)*cos(y)": (
        lambda x, y: np.sin(x) * np.cos(y),
        lambda x, y: (np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y)),
        lambda x, y: (-np.sin(x) * np.cos(y), -np.cos(x) * np.sin(y), -np.sin(x) * np.cos(y)),
    ),
    "exp(x*y) - 3*x": (
        lambda x, y: np.exp(x * y) - 3 * x,
        lambda x, y: (y * np.exp(x * y) - 3, x * np.exp(x * y)),
        lambda x, y: (y * y * np.exp(x * y), (1 + x * y) * np.exp(x * y), x * x * np.exp(x * y)),
    ),
    "log(x**2 + 1) + sqrt(y**2 + 1)": (
        lambda x, y: np.log(x**2 + 1) + np.sqrt(y**2 + 1),
        lambda x, y: (2 * x / (x**2 + 1), y / np.sqrt(y**2 + 1)),
        lambda x, y: (2 * (1 - x**2) / (x**2 + 1) ** 2, 0 * x, (y**2 + 1) ** -1.5),
    ),
    "arctan(x) + tanh(y)/2": (
        lambda x, y: np.arctan(x) + np.tanh(y) / 2,
        lambda x, y: (1 / (1 + x**2), (1 - np.tanh(y) ** 2) / 2),
        lambda x, y: (-2 * x / (1 + x**2) ** 2, 0 * x, -np.tanh(y) * (1 - np.tanh(y) ** 2)),
    ),
}


@pytest.mark.parametrize("text", list(HAND))
def test_value_gradient_and_hessian_match_hand_formulas(text):
    value, grad, hess = HAND[text]
    surface = from_expression(text)
    x, y = RNG_POINTS
    np.testing.assert_allclose(surface.value_xy(x, y), value(x, y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.grad_xy(x, y), np.array(grad(x, y)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.hessian_xy(x, y), np.array(hess(x, y)), rtol=1e-12, atol=1e-12)
    f, g = surface.value_and_grad_xy(x, y)
    np.testing.assert_allclose(f, value(x, y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, np.array(grad(x, y)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(), (3,), (3, 4)])
def test_constant_components_broadcast_to_the_input_shape(shape):
    surface = from_expression("x**2")
    x, y = np.full(shape, 1.5), np.full(shape, -0.5)
    assert surface.value_xy(x, y).shape == shape
    grad = surface.grad_xy(x, y)
    assert grad.shape == (2, *shape)
    np.testing.assert_array_equal(grad[1], np.zeros(shape))
    assert surface.hessian_xy(x, y).shape == (3, *shape)
    constant = from_expression("5")
    assert constant.value_xy(x, y).shape == shape
    np.testing.assert_array_equal(constant.grad_xy(x, y), np.zeros((2, *shape)))
    # The (..., 2) point forms of the base class work too.
    points = np.stack([x, y], -1)
    assert surface.grad(points).shape == (*shape, 2)
    assert surface.hessian(points).shape == (*shape, 2, 2)
    # Python floats are accepted; results are fresh, writable arrays.
    grad = surface.grad_xy(1.0, 2.0)
    grad += 1.0
    np.testing.assert_array_equal(grad, [3.0, 1.0])


def test_abs_differentiates_as_a_real_function():
    surface = from_expression("abs(x) + abs(y - 1)")
    np.testing.assert_array_equal(surface.grad_xy(np.array([-2.0, 3.0]), np.array([0.0, 2.0])), [[-1, 1], [-1, 1]])
    np.testing.assert_array_equal(surface.hessian_xy(np.array(0.5), np.array(0.5)), [0.0, 0.0, 0.0])
    # SymPy's own Abs derivative of a possibly complex argument would not compile to NumPy.
    root = from_expression("abs(sqrt(x)) + abs(log(y + 3)) * y")
    np.testing.assert_allclose(root.grad_xy(np.array(4.0), np.array(-1.0)), [0.25, np.log(2.0) - 0.5])
    assert not np.isfinite(root.value_xy(np.array(-1.0), np.array(0.0)))


# ----------------------------------------------------------------------------- random expressions

_LEAVES = st.sampled_from(["x", "y", "1", "2", "3", "0.5", "pi", "e"])
_FUNCTIONS = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "arctan", "asin", "acos"]


def _extend(children):
    return st.one_of(
        st.builds(lambda a, b, op: f"({a}){op}({b})", children, children, st.sampled_from("+-*/")),
        st.builds(lambda a, k: f"({a})**{k}", children, st.sampled_from(["2", "3", "-1", "(1/2)", "0.5"])),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(_FUNCTIONS), children),
        st.builds(lambda a: f"-({a})", children),
    )


EXPRESSIONS = st.recursive(_LEAVES, _extend, max_leaves=6)


def _build_or_reject(text):
    try:
        return from_expression(text)
    except ValueError as error:
        assert str(error)  # legitimately rejected (e.g. undefined everywhere); never silently
        reject()


def _central(function, x, y, h):
    """Central differences of ``function`` (component-first output) along x and along y."""
    dx = (function(x + h, y) - function(x - h, y)) / (2 * h)
    dy = (function(x, y + h) - function(x, y - h)) / (2 * h)
    return np.array([dx, dy])


def _check_derivative(function, derivative, x, y, scale):
    """Compare where two step sizes agree (smooth there); return how many points were checked."""
    with np.errstate(all="ignore"):
        exact = derivative(x, y)
        coarse, fine = _central(function, x, y, 1e-4), _central(function, x, y, 5e-5)
    tol = 1e-5 * (1 + np.abs(exact)) + 1e-10 * scale
    smooth = np.isfinite(exact) & np.isfinite(coarse) & np.isfinite(fine) & (np.abs(coarse - fine) < tol)
    smooth &= np.abs(exact) < 1e6
    np.testing.assert_allclose(fine[smooth], exact[smooth], rtol=1e-4, atol=1e-4)
    return int(smooth.sum())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(text=EXPRESSIONS, seed=st.integers(0, 2**32 - 1))
def test_random_expressions_have_exact_gradients_and_hessians(text, seed):
    surface = _build_or_reject(text)
    x, y = np.random.default_rng(seed).uniform(-1.9, 1.9, size=(2, 8))
    with np.errstate(all="ignore"):
        scale = np.abs(surface.value_xy(x, y))
    scale = np.where(np.isfinite(scale), scale, 0.0)
    _check_derivative(lambda a, b: surface.value_xy(a, b), surface.grad_xy, x, y, scale)
    hessian_rows = lambda a, b: surface.hessian_xy(a, b)[[0, 1, 1, 2]].reshape(2, 2, *np.shape(a))  # noqa: E731
    with np.errstate(all="ignore"):
        grad_scale = np.nan_to_num(np.abs(surface.grad_xy(x, y)), posinf=0.0).max(0)
    # d/dx and d/dy of the gradient, laid out as (direction, component).
    _check_derivative(surface.grad_xy, hessian_rows, x, y, grad_scale)


@settings(max_examples=150, deadline=None)
@given(text=EXPRESSIONS)
def test_canonical_text_is_a_short_fixed_point(text):
    try:
        parsed = parse(text)
    except ValueError:
        reject()
    again = parse(parsed.canonical)
    assert again.canonical == parsed.canonical
    assert again.expr == parsed.expr
    assert len(parsed.canonical) <= len(text)


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("  x  +  ( y * 2 ) ", "x+y*2"),
        ("arctan(x) + arcsin(y/2)", "atan(x)+asin(y/2)"),
        ("1_000*x + 1E-3*y", "1000*x+1e-3*y"),
        ("x**-1 + (-x)**2 - -y", "x**-1+(-x)**2--y"),
        ("-(x+y)**2", "-(x+y)**2"),
        ("x-(y-1) + (x-y)-1", "x-(y-1)+(x-y)-1"),
        ("+x", "x"),
        ("(x**2)**3 + x**(-2)", "(x**2)**3+x**-2"),
    ],
)
def test_canonical_text(text, canonical):
    assert parse(text).canonical == canonical


# ----------------------------------------------------------------------------- rejection


def injection_corpus(marker: str) -> list[str]:
    touch = f"__import__('os').system('touch {marker}')"
    return [
        # dunder names and builtins
        touch,
        "__import__('subprocess').run(['touch', 'x'])",
        "__builtins__",
        "__class__",
        "__import__",
        "globals()",
        # attribute access
        "x.real",
        "x.__class__.__mro__",
        "().__class__.__bases__[0].__subclasses__()",
        "sin.__globals__",
        "np.sin(x)",
        "(1).__class__",
        # imports and statements
        "import os",
        "from os import system",
        "x = 1",
        "x; import os",
        # lambdas and comprehensions
        "lambda: 0",
        "(lambda x: x)(1)",
        "[x for x in range(9)]",
        "{x for x in (1, 2)}",
        "{x: 1 for x in (1,)}",
        "sum(x for x in (1, 2))",
        # calls of unknown functions, bad calls
        "eval('1+1')",
        "exec('import os')",
        f"open('{marker}', 'w')",
        "getattr(x, 'real')",
        "print(x)",
        "sympify('x')",
        "Symbol('x')",
        "sin(x, y)",
        "sin(x=1)",
        "sin(*[x])",
        "sin(x)(y)",
        "x(2)",
        "pi(x)",
        "sin",
        # other syntax
        "'abc'",
        "b'abc'",
        "f'{x}'",
        "x[0]",
        "x < y",
        "x and y",
        "not x",
        "x if y else 0",
        "(z := 1)",
        "x, y",
        "[x]",
        "{}",
        "(yield x)",
        "await x",
        "x ^ 2",
        "x % 2",
        "x // 2",
        "x @ y",
        "x << 2",
        "~x",
        "True",
        "None",
        "...",
        "1j*x",
        "z + 1",
        "",
        "   ",
        # very long input and deep nesting
        "x+" * 200 + "x",
        "1" * 100_000,
        "(" * 100_000,
        "sin(" * 40 + "x" + ")" * 40,
        "-" * 200 + "x",
        "+".join(["x"] * 150),
        "+".join(f"sin(exp({690 + i}))" for i in range(17)) + "+z",  # whitelist pass runs before SymPy
        # huge numbers and exponents
        "9**9**9",
        "x**1000",
        "10**100",
        "x**y",
        "2**x",
        "e**x",
        "(((x**2)**2)**2)**2",
        "99999999999999*x",
        "1e999",
        "exp(exp(exp(30.0)))",
        "exp(1000)",
        "1/0",
        "x/(y - y)",
        "log(0)",
        "sqrt(-1)",
        "(-8)**(1/3)",
        # unicode tricks
        "\uff58**2",  # fullwidth x
        "x\u200b+y",  # zero-width space
        "\U0001d465+y",  # mathematical italic x (NFKC folds it to x)
        "\u202ex+y",  # right-to-left override
        "\uff45\uff58\uff45\uff43('1')",  # fullwidth exec
        "x\u00a0+y",  # no-break space
        "\u0445+y",  # Cyrillic kha, looks like x
        # control characters
        "x\n+y",
        "x\x00",
        "x\\\n+y",
        "x\t+y",
    ]


def test_injection_corpus_is_rejected_quickly_without_running_anything(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    corpus = injection_corpus(str(marker))
    assert len(corpus) >= 40
    parse("sin(x) + y**2")  # warm up lazily initialised parts of SymPy before timing

    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy(real):
        def wrapper(source, *args, **kwargs):
            if isinstance(source, str | bytes):  # imports exec code objects, never text
                calls.append(source)
            return real(source, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "eval", spy(real_eval))
    monkeypatch.setattr(builtins, "exec", spy(real_exec))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", lambda *a, **k: calls.append(a))

    for text in corpus:
        begin = time.perf_counter()
        with pytest.raises(ValueError) as caught:
            from_expression(text)
        elapsed = time.perf_counter() - begin
        assert str(caught.value).strip(), text
        assert elapsed < 0.1, (text[:40], elapsed)
    assert calls == []
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, column, match",
    [
        ("x + z", 5, r"Unknown name 'z' at column 5: use x, y, pi, e or a function like sin\(x\)"),
        ("x^2", 2, r"'\^'.*x\*\*2"),
        ("x**y", 4, "exponent at column 4 must be a constant"),
        ("x**11", 4, "at most 10"),
        ("cos(x) + foo(y)", 10, "Unknown function 'foo' at column 10"),
        ("x.real", 1, "attribute access"),
        ("2x", 1, "missing operator"),
        ("sin(x) + \uff58", 10, "ASCII.*U\\+FF58.*column 10"),
        ("  x + z", 7, "column 7"),
    ],
)
def test_messages_say_where_and_why(text, column, match):
    with pytest.raises(ExpressionError, match=match) as caught:
        parse(text)
    assert caught.value.column == column


def test_length_limit_is_checked_before_parsing():
    assert parse("x" + " " * (MAX_LENGTH - 1)).canonical == "x"
    with pytest.raises(ValueError, match="too long"):
        parse("x" + " " * MAX_LENGTH)


def test_non_text_is_rejected():
    for value in (None, 3, b"x", ["x"]):
        with pytest.raises(ValueError, match="must be text"):
            parse(value)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- domains and starts


@pytest.mark.parametrize(
    "domain",
    [
        ((0, 0), (-1, 1)),
        ((1, -1), (-1, 1)),
        ((-1, 1), (float("nan"), 1)),
        ((-1, 1), (-float("inf"), 1)),
        ((-1, 1), (0, 1e-9)),
        ((-1e7, 1e7), (-1, 1)),
        ((-1, 1),),
        (("a", "b"), (-1, 1)),
        None,
        "((-1, 1), (-1, 1))",
    ],
)
def test_bad_domains_are_rejected(domain):
    with pytest.raises(ValueError, match=r"domain|range"):
        from_expression("x**2 + y**2", domain=domain)


def test_domain_start_and_estimated_minimum():
    surface = from_expression("(x - 0.5)**2 + (y + 0.2)**2 + 1", domain=((-2, 2), (-1, 3)))
    assert isinstance(surface, ExpressionSurface)
    assert surface.domain == ((-2.0, 2.0), (-1.0, 3.0))
    assert surface.start == pytest.approx((-1.6, 2.6))
    np.testing.assert_allclose(surface.minima, [[0.5, -0.2]], atol=1e-12)  # nearest grid point
    assert surface.min_value == pytest.approx(1.0)
    assert surface.min_is_estimate and is_estimated_minimum(surface)
    assert not is_estimated_minimum(landscapes.get("bowl"))


def test_default_start_avoids_undefined_and_stationary_points():
    assert from_expression("log(x*y)").start == pytest.approx((1.6, 1.6))
    start = from_expression("(x + 1.6)**2 * (y - 1.6)**2").start  # flat at the first corner
    assert start != pytest.approx((-1.6, 1.6))
    assert from_expression("3").start == pytest.approx((-1.6, 1.6))  # constant: any defined point


def test_explicit_start_is_checked():
    assert from_expression("x**2", start=(1, -1)).start == (1.0, -1.0)
    with pytest.raises(ValueError, match="must lie in the domain"):
        from_expression("x**2", start=(3, 0))
    with pytest.raises(ValueError, match="undefined at the start"):
        from_expression("log(x)", start=(-1, 0))
    with pytest.raises(ValueError, match="point"):
        from_expression("x**2", start="here")


def test_expressions_undefined_everywhere_are_rejected():
    for text in ("sqrt(-x**2 - 1)", "log(-exp(x))"):
        with pytest.raises(ValueError, match="undefined"):
            from_expression(text)


def test_metadata_and_cache_key():
    surface = from_expression(" x**2 +  100*y**2 ")
    assert surface.name == "custom"
    assert surface.label == "Custom: x**2+100*y**2"
    assert surface.latex == "f(x,y) = x^{2} + 100 y^{2}"
    assert surface.expression == "x**2+100*y**2"
    same = from_expression("x**2+100*(y**2)")
    assert hash(surface.cache_key) == hash(same.cache_key) and surface.cache_key == same.cache_key
    assert from_expression("x**2+100*y**2", domain=((-1, 1), (-1, 1))).cache_key != surface.cache_key
    assert landscapes.from_expression is from_expression
    assert landscapes.get(surface) is surface


# ----------------------------------------------------------------------------- undefined points and runs


def test_undefined_points_give_non_finite_values_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surface = from_expression("log(x) + 1/y + sqrt(x + y) + asin(x/2)")
        x, y = np.array([-1.0, 1.0, 1.0, 3.0]), np.array([1.0, 0.0, -1.5, 1.0])
        assert not np.isfinite(surface.value_xy(x, y)).any()
        assert not np.isfinite(surface.grad_xy(x, y)).all(0).any()
        assert not np.isfinite(surface.hessian_xy(x, y)).all(0).any()
        f, _ = surface.value_and_grad_xy(x, y)
        assert not np.isfinite(f).any()
        grid = surface.grid(31)[2]
        assert np.isfinite(grid).any() and not np.isfinite(grid).all()
        overflow = from_expression("exp(exp(10*x))")
        assert overflow.value_xy(np.array(2.0), np.array(0.0)) == np.inf


@pytest.mark.parametrize("text", ["x**2 + 100*y**2", "sin(x)*cos(y)", "(1 - x)**2 + 10*(y - x**2)**2", "abs(x) + y**2"])
def test_adam_runs_on_custom_surfaces(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surface = from_expression(text)
        trajectory = optim.run("adam", surface, steps=100, lr=0.05)
    assert trajectory.diverged_at is None
    assert trajectory.xy.shape == (101, 2)
    assert np.isfinite(trajectory.loss).all()
    assert trajectory.loss[-1] < trajectory.loss[0]


def test_leaving_the_defined_region_is_divergence_not_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surface = from_expression("log(x) + y**2")
        trajectory = optim.run("adam", surface, steps=100, lr=0.1)
        sweep = optim.run("rmsprop", surface, start=np.array([[1.0, 1.0], [0.5, -0.5]]), steps=100, lr=0.1)
    assert trajectory.diverged_at is not None and 0 < trajectory.diverged_at <= 100
    assert np.isfinite(trajectory.loss).all()  # frozen at the last good point
    assert (sweep.diverged_at > 0).all()
