"""Reference values for `frees_dispersion` (src/deploy/serverless.rs): the
same integrals by scipy's adaptive quadrature, the boots' gamma law
integrated as it is and the difference of two boots taken as normal.

    python3 examples/frees_dispersion_reference.py

Slow (minutes): the nested integrals are done naively.
"""
import numpy as np
from scipy.special import ive
from scipy.integrate import quad
from scipy.stats import gamma as G, norm


def q(lam, tau):
    """P(the look-back walk stays at or below 0 for tau seconds)."""
    x = 2 * lam * tau
    return ive(0, x) + ive(1, x)


def f1(lam, t):
    """Density of the walk's first passage to 1."""
    x = 2 * lam * t
    return ive(1, x) / t if t > 0 else lam


def rp(lam, T, v):
    """r(v) - p: an arrival v before a cold one raises its chance."""
    return quad(lambda s: f1(lam, s) * q(lam, T - s), v, T, limit=200)[0]


def tent(T, z):
    return np.maximum(T - np.abs(z), 0)


def ew_c(T, y, C, cv):
    if cv == 0:
        return tent(T, y + C)
    k = 1 / cv**2
    th = C * cv**2
    if -y + T <= 0:
        return 0.0
    return quad(lambda x: tent(T, y + x) * G.pdf(x, k, scale=th),
                max(0, -y - T), max(0, -y + T), limit=200)[0]


def ew_d(T, y, C, cv):
    s = np.sqrt(2) * C * cv
    if s == 0:
        return tent(T, y)
    return quad(lambda x: tent(T, y + x) * norm.pdf(x, scale=s), -y - T, -y + T, limit=200)[0]


def dispersion(lam, T, C, cv):
    p = q(lam, T)
    mu = lam * T
    ckk = lambda tau: lam**2 * p * (q(lam, abs(tau)) - p)
    vk = p * mu + 2 * quad(lambda t: ckk(t) * tent(T, t), 0, T)[0]
    cak = p * mu + quad(lambda v: lam**2 * rp(lam, T, v) * tent(T, v), 0, T)[0]
    vkp = p * mu + quad(lambda t: ckk(t) * ew_d(T, t, C, cv), -T, T, limit=100)[0]
    cakp = lam * p * ew_c(T, 0, C, cv) + quad(
        lambda v: lam**2 * rp(lam, T, v) * ew_c(T, v, C, cv), 0, T, limit=100)[0]
    ckkp = lam * p * ew_c(T, 0, C, cv) + quad(
        lambda t: ckk(t) * ew_c(T, t, C, cv), -T, T, limit=100)[0]
    return (mu + vk + vkp - 2 * cak + 2 * cakp - 2 * ckkp) / mu


if __name__ == "__main__":
    for lam, T, C, cv in [(1, 5, 300, .5), (1, 5, 30, .5), (1, 5, 1, .5), (10, 5, 300, .5),
                          (10, 5, 30, .5), (10, 5, 1, .5), (0.1, 5, 300, .5), (1, 60, 300, .5),
                          (1, 60, 30, .5), (0.1, 60, 300, .5), (10, 60, 300, .5),
                          (10, 600, 300, .5), (0.01, 5, 300, .5), (1, 5, 3, 0), (1, 5, 3600, 2),
                          (1, 5, 5, 0.3)]:
        print(lam, T, C, cv, "d %.5f" % dispersion(lam, T, C, cv), flush=True)
