"""The frameworks' update rules written out by hand for ONE scalar parameter, in plain Python floats.

Each function follows the formula in ``shared/reference/optimizers.md`` line by line (same
operation order) and shares no code with ``optim/``. ``steps(rule, grad_fn, x0, n, **hp)`` returns
the iterates x0..xn for a scalar gradient function.
"""

from __future__ import annotations

import math

import numpy as np


def _lerp(a, b, w):
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


def sgd_torch(lr, momentum=0.0, nesterov=False):
    buf = None

    def step(p, g):
        nonlocal buf
        if momentum:
            buf = g if buf is None else buf * momentum + g
            g = g + momentum * buf if nesterov else buf
        return p + (-lr) * g

    return step


def sgd_keras(lr, momentum=0.0, nesterov=False):
    m = 0.0

    def step(p, g):
        nonlocal m
        if not momentum:
            return p - g * lr
        m = m * momentum - g * lr
        return p + (m * momentum - g * lr) if nesterov else p + m

    return step


def sgd_tf1(lr, momentum=0.0, nesterov=False):
    accum = 0.0

    def step(p, g):
        nonlocal accum
        if not momentum:
            return p - g * lr
        accum = accum * momentum + g
        return p - (g * lr + accum * momentum * lr) if nesterov else p - accum * lr

    return step


def adagrad_torch(lr, eps):
    s = 0.0

    def step(p, g):
        nonlocal s
        s = s + g * g
        return p + ((-lr) * g) / (math.sqrt(s) + eps)

    return step


def adagrad_keras(lr, eps):
    acc = 0.1

    def step(p, g):
        nonlocal acc
        acc = acc + g * g
        return p - (lr * g) / math.sqrt(acc + eps)

    return step


def adagrad_tf1(lr, eps=None):
    acc = 0.1

    def step(p, g):
        nonlocal acc
        acc = acc + g * g
        return p - g * lr * (1 / math.sqrt(acc))

    return step


def rmsprop_torch(lr, rho, eps, momentum=0.0, centered=False):
    v = ga = buf = 0.0

    def step(p, g):
        nonlocal v, ga, buf
        v = v * rho + ((1 - rho) * g) * g
        if centered:
            ga = _lerp(ga, g, 1 - rho)
            den = math.sqrt(v - ga * ga) + eps
        else:
            den = math.sqrt(v) + eps
        if momentum:
            buf = buf * momentum + g / den
            return p + (-lr) * buf
        return p + ((-lr) * g) / den

    return step


def rmsprop_keras(lr, rho, eps, momentum=0.0, centered=False):
    v = mg = m = 0.0

    def step(p, g):
        nonlocal v, mg, m
        v = rho * v + (1 - rho) * (g * g)
        if centered:
            mg = rho * mg + (1 - rho) * g
            den = (v - mg * mg) + eps
        else:
            den = v + eps
        inc = (lr * g) / math.sqrt(den)
        if momentum:
            m = momentum * m + inc
            return p - m
        return p - inc

    return step


def rmsprop_tf1(lr, rho, eps, momentum=0.0, centered=False):
    ms, mg, mom = 1.0, 0.0, 0.0

    def step(p, g):
        nonlocal ms, mg, mom
        ms = ms + (g * g - ms) * (1 - rho)
        if centered:
            mg = mg + (g - mg) * (1 - rho)
            den = (ms - mg * mg) + eps
        else:
            den = ms + eps
        mom = mom * momentum + (g * lr) / math.sqrt(den)
        return p - mom

    return step


def adam_torch(lr, beta1, beta2, eps, amsgrad=False):
    m = v = vmax = 0.0
    t = 0

    def step(p, g):
        nonlocal m, v, vmax, t
        t += 1
        m = _lerp(m, g, 1 - beta1)
        v = v * beta2 + ((1 - beta2) * g) * g
        step_size = lr / (1 - beta1**t)
        bc2_sqrt = math.sqrt(1 - beta2**t)
        vmax = max(vmax, v)
        den = math.sqrt(vmax if amsgrad else v) / bc2_sqrt + eps
        return p + ((-step_size) * m) / den

    return step


def adam_keras(lr, beta1, beta2, eps, amsgrad=False, tf1_powers=False):
    m = v = vhat = 0.0
    t = 0
    b1p, b2p = np.float32(beta1), np.float32(beta2)  # TF1 keeps the powers in float32 variables

    def step(p, g):
        nonlocal m, v, vhat, t, b1p, b2p
        t += 1
        p1, p2 = (float(b1p), float(b2p)) if tf1_powers else (beta1**t, beta2**t)
        alpha = lr * math.sqrt(1 - p2) / (1 - p1)
        m = m + (g - m) * (1 - beta1)
        v = v + (g * g - v) * (1 - beta2)
        vhat = max(vhat, v)
        b1p, b2p = b1p * np.float32(beta1), b2p * np.float32(beta2)
        return p - (m * alpha) / (math.sqrt(vhat if amsgrad else v) + eps)

    return step


def adam_optax(lr, beta1, beta2, eps, amsgrad=False):
    mu = nu = nu_max = 0.0
    t = 0

    def step(p, g):
        nonlocal mu, nu, nu_max, t
        t += 1
        mu = (1 - beta1) * g + beta1 * mu
        nu = (1 - beta2) * (g * g) + beta2 * nu
        mu_hat = mu / (1 - beta1**t)
        nu_hat = nu / (1 - beta2**t)
        nu_max = max(nu_max, nu_hat)
        return p + (-lr) * (mu_hat / (math.sqrt(nu_max if amsgrad else nu_hat) + eps))

    return step


def adadelta_torch(lr, rho, eps):
    v = u = 0.0

    def step(p, g):
        nonlocal v, u
        v = v * rho + ((1 - rho) * g) * g
        d = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = u * rho + ((1 - rho) * d) * d
        return p + (-lr) * d

    return step


def adadelta_keras(lr, rho, eps):
    ag = ad = 0.0

    def step(p, g):
        nonlocal ag, ad
        ag = rho * ag + (1 - rho) * (g * g)
        d = -((math.sqrt(ad + eps) * g) / math.sqrt(ag + eps))
        ad = rho * ad + (1 - rho) * (d * d)
        return p + lr * d

    return step


def nadam_torch(lr, beta1, beta2, eps, momentum_decay=0.004):
    m = v = 0.0
    mu_prod = 1.0
    t = 0

    def step(p, g):
        nonlocal m, v, mu_prod, t
        t += 1
        bc2 = 1 - beta2**t
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_prod = mu_prod * mu
        m = _lerp(m, g, 1 - beta1)
        v = v * beta2 + ((1 - beta2) * g) * g
        den = math.sqrt(v / bc2) + eps
        p = p + ((-lr * (1 - mu) / (1 - mu_prod)) * g) / den
        return p + ((-lr * mu_next / (1 - mu_prod * mu_next)) * m) / den

    return step


def nadam_keras(lr, beta1, beta2, eps):
    m = v = 0.0
    u_prod = 1.0
    t = 0

    def step(p, g):
        nonlocal m, v, u_prod, t
        t += 1
        u_t = beta1 * (1 - 0.5 * 0.96**t)
        u_next = beta1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_prod = u_prod * u_t
        m = m + (g - m) * (1 - beta1)
        v = v + (g * g - v) * (1 - beta2)
        m_hat = (u_next * m) / (1 - u_prod * u_next) + ((1 - u_t) * g) / (1 - u_prod)
        v_hat = v / (1 - beta2**t)
        return p - (m_hat * lr) / (math.sqrt(v_hat) + eps)

    return step


def nadam_optax(lr, beta1, beta2, eps):
    mu = nu = 0.0
    t = 0

    def step(p, g):
        nonlocal mu, nu, t
        t += 1
        mu = (1 - beta1) * g + beta1 * mu
        nu = (1 - beta2) * (g * g) + beta2 * nu
        mu_hat = beta1 * (mu / (1 - beta1 ** (t + 1))) + (1 - beta1) * (g / (1 - beta1**t))
        nu_hat = nu / (1 - beta2**t)
        return p + (-lr) * (mu_hat / (math.sqrt(nu_hat) + eps))

    return step


def steps(make_step, grad, x0: float, n: int) -> list[float]:
    """Iterates x0..xn of one scalar parameter under the rule ``make_step``."""
    xs = [x0]
    for _ in range(n):
        xs.append(make_step(xs[-1], grad(xs[-1])))
    return xs
