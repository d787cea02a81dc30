"""A joint chain for the storms' settled count (T = 5 s, C = 300 s, b = 8), offline.

Not the fast path, and not kept: a helper's third try on 2026-11-29 (see the
validation intro, "The settled count's law, its rises and falls, measured").
`examples/storm_sim.rs` measures the settled count `R` (ready workers done with
their boot's batch); `examples/settled_chain_reference.py`'s birth-death chain
gets its mean but its falls peak at the mean and then drop, so its law is too
wide. Here the emptiest settled worker is explicit. States `(R, Q_o, E, clock)`:

- `Q_o <= (R - 1) b`: requests on the other R - 1 workers (packed), `E <= b`
  the emptiest's own; an arrival goes to the others while they have room, then
  to the emptiest, then waits on a boot; services exponential (mean S);
- while `E = 0`, an Erlang-`k` clock of mean `T` runs; at its end the emptiest
  scales down and the next emptiest takes what the others hold above
  `(R - 2) b`;
- a boot settles (rate kappa) as a new, empty emptiest, the old one joining
  the others; kappa = lam E[B(R b, lam S)] / b, a damped fixed point (Erlang's
  loss at the settled count gives storm_sim's waits within 5%).

Printed on 2026-11-29 with k = 6 (storm_sim's figures in brackets; boots an hour,
settled mean and variance):
  lam 1 S 10:   67.5 (74.1),  1.667 0.389 (1.608 0.371)
  lam 1 S 60:   52.7 (47.9),  7.393 0.845 (7.458 0.670)
  lam 10 S 1:  124.4 (87.2),  2.252 0.385 (2.165 0.167); k = 20: 98.9, 2.216 0.273
  lam 10 S 10: 180.4 (219.8), 13.723 1.574 (13.315 1.207)
  lam 10 S 60: 195.9 (167.0), 73.981 6.595 (74.17 4.18)
  lam 0.1 S 60: 10.7 (9.8),   0.891 0.150 (0.997 0.109)
Nearer than the birth-death chains tried, but still too wide where lam S is
large (part-full workers other than the emptiest also drain and fall: 1.1 to
5.3 part-full on average in storm_sim), and 2,400 to 176,000 states.

    python3 examples/settled_joint_chain_reference.py [K] [LAM,S ...]   (numpy, scipy)
"""
import math
import sys

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve


def erl(c, x):
    """Erlang's loss formula B(c, x) for c slots offered x erlangs."""
    b = 1.0
    for k in range(1, c + 1):
        b = x * b / (k + x * b)
    return b


def solve(lam, S, T, b=8, k=6):
    """The chain's boots a second, settled mean and variance (prints a line)."""
    x = lam * S
    qlo = max(0, int(x - 9 * math.sqrt(x) - 10))
    rlo = max(0, int((x - 6 * math.sqrt(x)) / b) - 2)
    rhi = int((x + 8 * math.sqrt(x)) / b) + 4
    idx, states = {}, []

    def add_state(s):
        idx[s] = len(states)
        states.append(s)

    add_state((0, 0, 0, 0))
    for R in range(max(1, rlo), rhi + 1):
        c = (R - 1) * b
        for qo in range(min(qlo, c), c + 1):
            for E in range(0, b + 1):
                for ph in (range(k) if E == 0 else (0,)):
                    add_state((R, qo, E, ph))
    n = len(states)

    def st(R, qo, E, ph):
        if R == 0:
            return (0, 0, 0, 0)
        c = (R - 1) * b
        return (R, max(min(qo, c), min(qlo, c)), E, ph)

    def law(kappa):
        rows, cols, vals = [], [], []

        def add(i, s, r):
            j = idx[s]
            if r > 0 and j != i:
                rows.append(i)
                cols.append(j)
                vals.append(r)

        for i, (R, qo, E, ph) in enumerate(states):
            if R == 0:
                add(i, states[1], kappa)
                continue
            c = (R - 1) * b
            if qo < c:
                add(i, st(R, qo + 1, E, ph), lam)
            elif E < b:
                add(i, st(R, qo, E + 1, 0), lam)
            if qo > 0:
                add(i, st(R, qo - 1, E, ph), qo / S)
            if E > 0:
                add(i, st(R, qo, E - 1, 0), E / S)
            if E == 0:
                if ph < k - 1:
                    add(i, st(R, qo, 0, ph + 1), k / T)
                else:
                    nr = R - 1
                    if nr == 0:
                        add(i, (0, 0, 0, 0), k / T)
                    elif nr >= max(1, rlo):
                        c2 = (nr - 1) * b
                        add(i, st(nr, min(qo, c2), max(0, qo - c2), 0), k / T)
            if R < rhi:
                add(i, st(R + 1, qo + E, 0, 0), kappa)
        a = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
        out = np.array(a.sum(axis=1)).ravel()
        g = (a - sp.diags(out)).T.tolil()
        g[0, :] = np.ones(n)
        rhs = np.zeros(n)
        rhs[0] = 1
        return spsolve(g.tocsr(), rhs)

    rs = np.array([s[0] for s in states])
    br = np.array([erl(s[0] * b, x) for s in states])
    kap = lam * 0.03 / b
    for _ in range(80):
        pi = law(kap)
        new = lam * float(pi @ br) / b
        if abs(new - kap) < 1e-6 * kap:
            break
        kap = math.sqrt(kap * new)
    m = float(pi @ rs)
    v = float(pi @ (rs - m) ** 2)
    print(f"lam {lam} S {S} k {k}: {n} states, boots an hour {kap * 3600:.1f}, settled mean {m:.3f} variance {v:.3f}")
    return kap, m, v


if __name__ == "__main__":
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    points = [tuple(map(float, a.split(","))) for a in sys.argv[2:]] or [(1, 10), (1, 60), (10, 1), (10, 10), (0.1, 60)]
    for lam, S in points:
        solve(lam, S, 5.0, k=k)
