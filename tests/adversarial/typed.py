r"""Typed-in claims with known answers: false ones must never be proved, true ones never refuted.

Each row is ``(loss, link, claim id, truth, why)``. The truth was decided by hand (the
``why`` says how), never by running lossproof: a row whose truth is ``False`` must not come
out ``proved``, a row whose truth is ``True`` must not come out ``refuted``. ``unknown`` is
always allowed: the promise is about the two verdicts, not about strength.

Rows in :data:`FAST` run in the default test run; :data:`SLOW` adds the rest when
``HYPOTHESIS_PROFILE=ci``.

>>> all(len(row) == 5 for row in FAST + SLOW)
True
"""

from __future__ import annotations

__all__ = ["Row", "FAST", "SLOW", "BRACKET", "HOLES"]

Row = tuple[str, str, str, bool, str]

SC, CV, MIN, VAL = "strictConvexOn_custom_p", "convexOn_custom_p", "isMinOn_custom_p", "min_value_custom"
SCZ, CVZ, MINZ = "strictConvexOn_custom_z", "convexOn_custom_z", "isMinOn_custom_z"

#: Quick rows (each well under a second once SymPy is warm).
FAST: list[Row] = [
    # jumps: sign(u) is discontinuous where u = 0
    ("(p-y)**2 - sign(p-y)", "identity", SC, False, "y = 1/2: L(0.51) = -0.9999 < L(0.5) = 0 < L(0.49) = 1.0001; midpoint above the chord"),
    ("(p-y)**2 - sign(p-y)", "identity", MIN, False, "y = 1/2: L(0.51) < L(0.5)"),
    ("(p-y)**2 + 1/10*sign(p-1/2)", "identity", CV, False, "jump of 1/5 at p = 1/2: chord 0.45..0.55 at y = 1/2 has midpoint 0 above it? L(.45)=.0025-.1, L(.55)=.0025+.1, L(.5)=0 > .0025: above"),
    # concave kinks
    ("(p-y)**2 - abs(p-y)", "identity", SC, False, "y = 1/2: L(0.4) = L(0.6) = -0.09 < L(0.5) = 0"),
    ("(p-y)**2 - abs(p-y)", "identity", MIN, False, "y = 1/2: L(0) = 1/4 - 1/2 < 0 = L(1/2)"),
    ("abs(p-y) - 2*abs(p-1/2)", "identity", CV, False, "y = 0: p - 2|p - 1/2| has slope 3 then -1 at p = 1/2"),
    ("(p-y)**2 - w*abs(p-y)", "identity", CV, False, "w = 1, y = 1/2: L(0.4) = L(0.6) = -0.09 < L(0.5) = 0"),
    ("(p-y)**2 + (gamma-1)*abs(p-y)", "identity", CV, False, "gamma = 0 is the concave kink (p-y)**2 - |p-y|"),
    ("(p-y)**2 - 10**-30*abs(p-y)", "identity", SC, False, "a concave kink of slope 2e-30: the chord p = y +- 1e-31 lies below L(y) = 0"),
    ("(p-y)**2 - 10**-30*abs(p-y)", "identity", MIN, False, "L(y + 5e-31) = -2.5e-61 < 0 = L(y): p = y is a local maximum"),
    # not the claimed minimiser, or a minimum value resting on nothing
    ("-(p-y)**2", "identity", MIN, False, "p = y is the maximum"),
    ("-(p-y)**2", "identity", VAL, False, "L(y) = 0 is the maximum, L(0) = -y**2 < 0 for y > 0"),
    ("(p-y)**2 + p - 1/2", "identity", MIN, False, "the stationary point y - 1/2 is outside (0, 1) for y < 1/2"),
    ("(p-y)**2 + p - 1/2", "identity", VAL, False, "y = 1/4: the claimed minimum at p = -1/4 is not a point of (0, 1)"),
    ("abs(p-y) + abs(p-1/2)", "identity", MIN, False, "y = 0: L = 1/2 on all of [0, 1/2]: no unique minimiser"),
    ("(p-y)**2 + abs(p-y)*(p-y)", "identity", MIN, False, "L = 0 for every p <= y: no unique minimiser"),
    ("(p-y)**2 + abs(p-y)*(p-y)", "identity", SC, False, "L = 0 for every p <= y: affine there"),
    ("sign(p-y)*(p-y)", "identity", SC, False, "= |p - y|, affine on each side of y"),
    # not real on the domain
    ("(p-y)**2 - log(-p)", "identity", SC, False, "log(-p) is not real for p in (0, 1)"),
    ("(p-y)**2 - log(-p)", "identity", CV, False, "log(-p) is not real for p in (0, 1)"),
    ("sqrt(p-1/2)**2 + (p-y)**2", "identity", SC, False, "sqrt(p - 1/2) is not real for p < 1/2 (SymPy folds the square away)"),
    ("(p-y)**2 + log(p-1/2)", "identity", CV, False, "not real for p <= 1/2; for p > 1/2, d2 = 2 - 1/(p - 1/2)**2 < 0 near 1/2"),
    ("(p-y)**2 + 1/(p-1/2)**2", "identity", CV, False, "undefined at p = 1/2"),
    # plain non-convexity, in p and in z
    ("(p-y)**2 - p**3", "identity", CV, False, "d2 = 2 - 6p < 0 for p > 1/3"),
    ("(p-y)**2 + (p-y)**3", "identity", CV, False, "d2 = 2 + 6(p - y) < 0 for p - y < -1/3 (y = 1, p = 0.1)"),
    ("tanh(p-y)", "identity", CV, False, "tanh is concave on (0, oo): y = 0"),
    ("(p-y)**2*(1-2*epsilon)", "identity", CV, False, "epsilon > 1/2 makes it concave"),
    # true claims with awkward features: never refuted
    ("(p-y)**4", "identity", SC, True, "d2 = 12 (p - y)**2 vanishes only at p = y: strictly convex"),
    ("(p-y)**4", "identity", MIN, True, "L > 0 = L(y) for p != y"),
    ("(p-y)**4", "identity", VAL, True, "L >= 0 = L(y)"),
    ("(p-y)**2 + 10**-30", "identity", VAL, True, "minimum 1e-30 at p = y"),
    ("(p-y)**2 - 10**-30", "identity", VAL, True, "minimum -1e-30 at p = y"),
    ("abs(p-y)", "identity", CV, True, "|u| is convex"),
    ("abs(p-y) + (p-y)**2", "identity", SC, True, "strictly convex plus convex"),
    ("(p-y)**2 + 2*abs(p-y)", "identity", SC, True, "strictly convex plus convex"),
    ("sign(p-y)*(p-y)", "identity", CV, True, "= |p - y|"),
    ("(p-y)**2 + sign(p-y)*(p-y)", "identity", SC, True, "= (p - y)**2 + |p - y|"),
    ("(p-y)**2 + sign(p-y)*(p-y)", "identity", MIN, True, "= (p - y)**2 + |p - y| > 0 = L(y) for p != y"),
    ("(p-y)**2*sign(p-y)**2", "identity", SC, True, "= (p - y)**2 everywhere (both factors vanish at p = y)"),
    ("abs(p-y)**2", "identity", SC, True, "= (p - y)**2"),
    ("(p-y)**2 + p**3", "identity", SC, True, "d2 = 2 + 6p > 0"),
    ("exp(p-y)", "identity", SC, True, "exp is strictly convex"),
    ("cosh(p-y)", "identity", SC, True, "cosh'' = cosh > 0"),
    ("softplus(y-p)", "identity", SC, True, "softplus'' = s(1 - s) > 0"),
    ("-log(sigmoid(p))", "identity", SC, True, "= softplus(-p), strictly convex"),
    ("(p-y)**2 + sigmoid(p)", "identity", SC, True, "sigma'' = s(1-s)(1-2s) > -1/10 on (0, 1): d2 > 1.9"),
    ("(p-y)**2*w", "identity", SC, True, "w > 0"),
    ("(p-y/2)**2", "identity", MIN, True, "p = y/2 in (0, 1/2); at y = 1 the minimiser 1/2 is inside, at y = 0 none"),
    # parameters at the ends of their ranges
    ("(p-y)**2*gamma", "identity", SC, False, "gamma = 0 is allowed (gamma in [0, oo)) and makes L = 0"),
    ("(p-y)**2*(1-epsilon)", "identity", SC, True, "epsilon < 1 on its open range (0, 1)"),
    ("(p-epsilon)**2", "identity", MIN, True, "p = epsilon in (0, 1) for every y, the ends included"),
    ("(p-y)**2*(gamma+1)", "identity", VAL, True, "minimum 0 at p = y"),
]

#: Slower rows (sigmoid link, logs and exps): run when HYPOTHESIS_PROFILE=ci.
SLOW: list[Row] = [
    ("(sigmoid(p)-y)**2", "identity", CV, False, "y = 0: d2 = 2 s**2 (1-s)(2 - 3s) < 0 for s > 2/3, i.e. p > log 2"),
    ("(p-y)**2 - 30*sigmoid(p)", "identity", SC, True, "sigma'' < 0 on (0, 1): d2 = 2 - 30 sigma'' > 2"),
    ("(p-y)**2", "sigmoid", CVZ, False, "bounded and not constant in z: not convex on R"),
    ("(p-y)**2", "sigmoid", MINZ, True, "unique minimiser z = logit(y)"),
    ("-(y*log(p)+(1-y)*log(1-p))", "sigmoid", SCZ, True, "BCE in the logit: d2 = s(1 - s) > 0"),
    ("-(y*log(p)+(1-y)*log(1-p))", "sigmoid", MINZ, True, "unique minimiser z = logit(y)"),
    ("log(cosh(p-y))", "identity", SC, True, "d2 = sech**2 > 0"),
    ("(p-y)**2/(p*(1-p))", "identity", SC, True, "= y**2/p + (1-y)**2/(1-p) - 1"),
    ("(p-y)**2/(p*(1-p))", "identity", MIN, True, "L >= 0 = L(y), L > 0 for p != y"),
    ("exp(abs(p-y))", "identity", CV, True, "exp of a convex function, exp increasing"),
    ("cosh(p-y)", "identity", MIN, True, "cosh has its unique minimum at 0"),
    ("(p-y)**2 + tanh(10*(p-1/2))", "identity", CV, False, "d2 = 2 - 200 tanh sech**2 < 0 near p = 0.56"),
]

#: Losses whose minimiser has no closed form, so that lossproof brackets it (the rule
#: isMinOn_of_deriv_sign_change_in_bracket): a few seconds each. In SLOW, and run by the
#: slow tier of tests/test_kernel_bracket.py.
BCE = "-y*log(p)-(1-y)*log(1-p)"
BRACKET: list[Row] = [
    (f"{BCE} + exp(p)", "identity", MIN, True, "d2 = y/p**2 + (1-y)/(1-p)**2 + e**p > 0, f' from -oo to +oo for y in (0, 1); y = 0: f' > 0; y = 1: one root, W(1)"),
    (f"{BCE} + exp(p)", "identity", VAL, True, "BCE >= 0 and e**p > 0, and the minimum is attained: > 0"),
    (f"{BCE} + exp(p)", "sigmoid", MINZ, True, "the same minimiser through the increasing sigmoid"),
    (f"{BCE} + exp(p) - 3*p", "identity", VAL, False, "y = 1, p = 9/10: 0.105 + 2.460 - 2.7 < 0, so the minimum is not > 0"),
    (f"{BCE} + exp(p) + sign(1/2-p)/2", "identity", MIN, False, "y = 1/2: a drop of 1 at p = 1/2; the infimum from the right, smooth(1/2) - 1/2, is not attained and lies below the left minimum, smooth(r) + 1/2 (smooth(1/2) - smooth(r) < 1/4)"),
    (f"{BCE} - 4*abs(p-1/2)", "identity", MIN, False, "y = 1/2: symmetric about 1/2, a local maximum there (slopes +4, -4): two minimisers"),
    (f"{BCE} + exp(p) + log(p + 1/2 - y)", "identity", MIN, False, "not real for p < y - 1/2 (y > 1/2)"),
    (f"{BCE} + exp(p) + 1/(1000*(p-1/2)**2)", "identity", MIN, False, "undefined at p = 1/2"),
]
SLOW += BRACKET

#: Rows the kernel currently gets wrong (row index in FAST + SLOW -> diagnosis).
HOLES: dict[int, str] = {}
