"""The update rule of every optimizer in every convention, as LaTeX lines.

Symbols match the sliders: η learning rate, ρ rho, ε eps, μ momentum, β₁/β₂ beta1/beta2,
ψ momentum decay; gₜ is the gradient at step t and θ the parameters (each axis separately).
The lines follow the same Rule data the update functions use, so they cannot disagree on where
eps goes or where an accumulator starts.
"""

from __future__ import annotations

import re
from typing import Any

from .registry import get

G2 = r"g_t^2"


def _sgd(form, hp: dict[str, Any]) -> list[str]:
    mu = hp.get("momentum", 0.0)
    nesterov = hp.get("nesterov", False)
    if not mu:
        return [r"\theta_t = \theta_{t-1} - \eta\, g_t"]
    if form.buffer == "gradient":
        step = r"(g_t + \mu\, b_t)" if nesterov else r"b_t"
        return [r"b_t = \mu\, b_{t-1} + g_t, \quad b_0 = 0", rf"\theta_t = \theta_{{t-1}} - \eta\, {step}"]
    if form.buffer == "step":
        last = r"\theta_t = \theta_{t-1} + \mu\, m_t - \eta\, g_t" if nesterov else r"\theta_t = \theta_{t-1} + m_t"
        return [r"m_t = \mu\, m_{t-1} - \eta\, g_t, \quad m_0 = 0", last]
    last = (
        r"\theta_t = \theta_{t-1} - \eta\, g_t - \eta\,\mu\, a_t"
        if nesterov
        else r"\theta_t = \theta_{t-1} - \eta\, a_t"
    )
    return [r"a_t = \mu\, a_{t-1} + g_t, \quad a_0 = 0", last]


def _adagrad(form, hp) -> list[str]:
    den = {"outside": r"\sqrt{s_t} + \epsilon", "inside": r"\sqrt{s_t + \epsilon}", "none": r"\sqrt{s_t}"}[form.eps]
    return [
        rf"s_t = s_{{t-1}} + {G2}, \quad s_0 = {form.initial_accumulator:g}",
        rf"\theta_t = \theta_{{t-1}} - \frac{{\eta\, g_t}}{{{den}}}",
    ]


def _rmsprop(form, hp) -> list[str]:
    lines = [rf"v_t = \rho\, v_{{t-1}} + (1-\rho)\, {G2}, \quad v_0 = {form.initial_mean_square:g}"]
    square = r"v_t"
    if hp.get("centered"):
        lines.append(r"\bar g_t = \rho\, \bar g_{t-1} + (1-\rho)\, g_t, \quad \bar g_0 = 0")
        square = r"v_t - \bar g_t^2"
    den = rf"\sqrt{{{square}}} + \epsilon" if form.eps == "outside" else rf"\sqrt{{{square} + \epsilon}}"
    if hp.get("momentum"):
        if form.order == "torch":
            lines += [rf"b_t = \mu\, b_{{t-1}} + \frac{{g_t}}{{{den}}}", r"\theta_t = \theta_{t-1} - \eta\, b_t"]
        else:
            lines += [rf"m_t = \mu\, m_{{t-1}} + \frac{{\eta\, g_t}}{{{den}}}", r"\theta_t = \theta_{t-1} - m_t"]
    else:
        lines.append(rf"\theta_t = \theta_{{t-1}} - \frac{{\eta\, g_t}}{{{den}}}")
    return lines


def _adam(form, hp) -> list[str]:
    lines = [
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad m_0 = 0",
        rf"v_t = \beta_2 v_{{t-1}} + (1-\beta_2)\, {G2}, \quad v_0 = 0",
    ]
    amsgrad = hp.get("amsgrad")
    if form.eps == "corrected":
        lines.append(r"\hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}")
        if amsgrad and form.order == "optax":
            lines.append(r"\hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, \hat v_t)")
            root = r"\sqrt{\hat v^{\max}_t}"
        elif amsgrad:
            lines.append(r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t)")
            root = r"\frac{\sqrt{v^{\max}_t}}{\sqrt{1-\beta_2^t}}"  # PyTorch's order: max_exp_avg_sq.sqrt() / ...
        else:
            root = r"\sqrt{\hat v_t}"
        lines.append(rf"\theta_t = \theta_{{t-1}} - \frac{{\eta\, \hat m_t}}{{{root} + \epsilon}}")
        return lines
    lines.append(r"\alpha_t = \eta\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}")
    if amsgrad:
        lines.append(r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t)")
    root = r"\sqrt{v^{\max}_t}" if amsgrad else r"\sqrt{v_t}"
    lines.append(rf"\theta_t = \theta_{{t-1}} - \frac{{\alpha_t\, m_t}}{{{root} + \epsilon}}")
    return lines


def _adadelta(form, hp) -> list[str]:
    return [
        rf"v_t = \rho\, v_{{t-1}} + (1-\rho)\, {G2}, \quad v_0 = 0",
        r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
        r"u_t = \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2, \quad u_0 = 0",
        r"\theta_t = \theta_{t-1} - \eta\, \Delta_t",
    ]


def _nadam(form, hp) -> list[str]:
    moments = [
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2",
        r"\hat v_t = \frac{v_t}{1-\beta_2^t}",
    ]
    if form.order == "optax":
        return [
            *moments,
            r"\hat m_t = \frac{\beta_1 m_t}{1-\beta_1^{t+1}} + \frac{(1-\beta_1)\, g_t}{1-\beta_1^t}",
            r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
        ]
    power = r"t\psi" if form.order == "torch" else "t"
    return [
        rf"\mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{{{power}}}\right)",
        *moments,
        r"\hat m_t = \frac{\mu_{t+1}\, m_t}{1 - \prod_{i \le t+1} \mu_i}"
        r" + \frac{(1-\mu_t)\, g_t}{1 - \prod_{i \le t} \mu_i}",
        r"\theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    ]


_BUILDERS = {
    "sgd": _sgd,
    "momentum": _sgd,
    "nesterov": _sgd,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam,
    "adadelta": _adadelta,
    "nadam": _nadam,
}


def update_equations(optimizer: str, convention: str, hp: dict[str, Any] | None = None) -> list[str]:
    """LaTeX lines of ``optimizer``'s update in ``convention`` for these options (centered, amsgrad, ...).

    Raises ValueError when the framework lacks the optimizer."""
    opt = get(optimizer)
    rule = opt.rule(convention)
    values = {**opt.defaults(), **(hp or {}), **opt.fixed}
    return _BUILDERS[opt.name](rule.form, values)


def symbol_legend(optimizer: str) -> str:
    """'η = learning rate, ρ = decay rate rho, ...' for the optimizer's hyperparameters."""
    return ", ".join(f"${p.symbol}$ = {p.label}" for p in get(optimizer).hyperparams if p.symbol)


_FRACTION = re.compile(r"\\theta_t = \\theta_\{t-1\} - \\frac\{(.+?)\\, (.+?)\}\{(.+)\}")
_PRODUCT = re.compile(r"\\theta_t = \\theta_\{t-1\} - \\eta\\, (\S+)")
_DELTA = re.compile(r"\\Delta_t = (.+)\\, g_t")
#: The effective learning rate's symbol (Keras and TF1 call their bias-corrected lr alpha_t).
EFFECTIVE = r"\eta^{\mathrm{eff}}_t"


def effective_lr_equation(optimizer: str, convention: str, hp: dict[str, Any]) -> tuple[str, str] | None:
    """The effective learning rate of a rule in LaTeX, read off its lines: ``(equation, direction)`` such that
    the update is θ_t = θ_{t-1} − η_eff · direction, e.g. (r"\\eta^{\\mathrm{eff}}_t = \frac{\\eta}{\\sqrt{v_t} +
    \\epsilon}", "g_t") for PyTorch's RMSProp. None where the rule is not one factor times one direction (Keras's
    momentum adds its buffer, Nesterov adds two terms)."""
    lines = update_equations(optimizer, convention, hp)
    last = lines[-1]
    if match := _FRACTION.fullmatch(last):
        factor, direction, denominator = match.groups()
        return rf"{EFFECTIVE} = \frac{{{factor}}}{{{denominator}}}", direction
    if match := _PRODUCT.fullmatch(last):
        direction = match.group(1)
        delta = next((m for m in map(_DELTA.fullmatch, lines) if m), None) if direction == r"\Delta_t" else None
        if delta is not None:  # Adadelta: Δ_t is a ratio times g_t
            return rf"{EFFECTIVE} = \eta\, {delta.group(1)}", "g_t"
        return rf"{EFFECTIVE} = \eta", direction
    return None
