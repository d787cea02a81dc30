"""A settled-count chain for the storms (T = 5 s, C = 300 s, b = 8), offline.

Not the fast path: a lead measured on 2026-11-28 (see the validation intro,
"The pipeline's settled count"). `examples/storm_sim.rs` shows that an
arrival finds the *settled* workers (ready and done with the batch they came
up with) full as Erlang's `B(R b, lam S)` says for their count `R`, and that
the fast path's ready-worker chain puts that count too high. Here `R` has
its own birth-death chain, with no wanted count:

- up: a boot's worker settles (rate kappa, the boots) empty, as its batch
  completes together; it stays only if an arrival reaches it within T, which
  busiest-first dispatch sends it only when the others, `(R - 1) b` slots
  at the occupancy of a loss system, are all full: the occupancy walk
  (births lam, deaths q / S) killed by an arrival at the top, survived over
  T from the others' occupancy;
- down: the emptiest of the R (packed by busiest-first) empties as the
  occupancy falls to `(R - 1) b` and stays empty T (the same walk from the
  top);
- boots kappa = lam sum_R pi_R B(R b, lam S) / b, a damped fixed point.

Printed on 2026-11-28 (storm_sim's figures in brackets):
  lam 10 S 1:  100.7 boots an hour (87.2), settled mean 2.23 (2.17)
  lam 10 S 10: 230.7 (219.8), 13.50 (13.3)
  lam 10 S 60: 224.8 (167.0), 73.35 (74.0)
  lam 1 S 60:  79.0 (47.9), 6.75 (7.47)
  lam 1 S 10:  85.4 (74.1), 1.55 (1.61)
The settled count's mean is near the simulation's at all five, but the law
is wider than the simulation's (sd 2.6 against 1.8 at lam 10 S 60), so the
waits, convex in R, read high: the boots are 5% to 65% high. (Taking the
emptiest worker's own request, rate 1 / S, for the fall instead of any
departure, (c + 1) / S, puts the means far too high: 13.55 at lam 1 S 60.)

    python3 examples/settled_chain_reference.py   (numpy, scipy)
"""
import math

import numpy as np
from scipy.linalg import expm

def erl(c,x):
    b=1.0
    for k in range(1,c+1): b=x*b/(k+x*b)
    return b
def trunc_pois(x,top):
    logp=np.array([k*math.log(x)-x-math.lgamma(k+1) for k in range(top+1)])
    w=np.exp(logp-logp.max()); return w/w.sum()
def survival(c,lam,S,T):
    # occupancy walk on [lo, c] (births lam, deaths q/S), killed by an arrival at c; survival over T from each start
    lo=max(0,c-int(8*math.sqrt(lam*S)+30)); n=c-lo+1
    Q=np.zeros((n,n))
    for i in range(n):
        q=lo+i
        if i>0: Q[i,i-1]=q/S
        if i<n-1: Q[i,i+1]=lam
        Q[i,i]=-((q/S if i>0 else 0)+lam)
    return lo, expm(Q*T)@np.ones(n)
def run(lam,S,T,b=8,held=8.0):
    x=lam*S
    Rmax=int(x/b+8*math.sqrt(x)/b+12)
    up_ok=[0.0]*(Rmax+2); d=[0.0]*(Rmax+2)
    for R in range(1,Rmax+1):
        c=(R-1)*b
        if c==0:
            surv_top=1.0; p_new_idle=math.exp(-lam*T)
        else:
            lo,s=survival(c,lam,S,T)
            surv_top=s[-1]
            pq=trunc_pois(x,c)  # the others' occupancy
            p_new_idle=float(sum(pq[q]*s[q-lo] for q in range(lo,c+1)))+float(pq[:lo].sum())
        up_ok[R]=1-p_new_idle if 1-p_new_idle>1e-12 else 0.0   # a worker settling as the R-th stays (rounding below 1e-12)
        pr=trunc_pois(x,R*b)
        d[R]=(pr[c+1]*(c+1)/S*surv_top) if c+1<=R*b else 0.0
    kappa=0.02
    for it in range(300):
        logpi=[0.0]
        for R in range(1,Rmax):
            if kappa*up_ok[R+1] <= 1e-300:
                logpi.append(-1e300)
                continue
            logpi.append(logpi[-1]+math.log(kappa*up_ok[R+1])-math.log(max(d[R+1],1e-300)))
        mx=max(logpi); pi=np.exp(np.array(logpi)-mx); pi/=pi.sum()
        W=lam*sum(pi[R-1]*erl(R*b,x) for R in range(1,Rmax+1))
        new=W/held
        if abs(new-kappa)<1e-8: break
        kappa=0.5*(kappa+new)
    mean=sum(pi[R-1]*R for R in range(1,Rmax+1))
    print(f"lam {lam} S {S}: boots_h {kappa*3600:.1f} waits_h {W*3600:.1f} settled mean {mean:.2f}", ' '.join(f"{R}:{pi[R-1]:.3f}" for R in range(1,Rmax+1) if pi[R-1]>0.01))
for a in [(1,10,5),(1,60,5),(10,1,5),(10,10,5),(10,60,5)]:
    run(*a)
