r"""The trusted kernel: the only code that can say *proved* or *refuted*.

What it trusts: SymPy's ``diff``, ``solve``, ``limit``, ``cancel`` and ``simplify``
(each on one side of a step only), Z3's nonlinear real arithmetic, mpmath's
arithmetic, the whitelist parser that reads certificates, and the calculus behind
each rule of :mod:`.rules` (a positive second derivative on an interval gives
strict convexity, ...), named after its Mathlib counterpart.

What it checks, for every claim:

1. the claim's kind (:mod:`.kinds`): the parts establish exactly what the claim
   says, about its own function, on its own domain, with every case covered;
2. each part's rule (:mod:`.rules`): the steps are exactly its premises, with the
   relation the rule needs, and no hypothesis the rule does not admit;
3. each step (:mod:`.steps`), by two sides that share no code;
4. its own obligations: the function is real and smooth (but for listed kinks) on
   the domain, checked on the expression as written (:mod:`.calculus`); a named
   point lies inside its interval;
5. a refutation (:mod:`.refute`) is a counterexample to the claim's own statement,
   inside its domain, confirmed at 60 digits: never a failed premise.

Nothing outside this package makes a :class:`ClaimResult`.
"""

from .calculus import Conditions, conditions, kinks, smooth_diff
from .check import check_claim
from .claim import (
    PROVED,
    REFUTED,
    UNKNOWN,
    Claim,
    ClaimResult,
    Counterexample,
    Derivative,
    Domain,
    Assumption,
    Identity,
    LemmaUse,
    Limit,
    Part,
    Roots,
    Sign,
    Status,
    Step,
    StepResult,
    Subject,
)
from .engines import RELATIONS
from .kinds import KINDS, binary_entropy, kl_bernoulli
from .lemmas import LEMMAS, lemma_claims, lemma_status
from .rules import RULES
from .steps import StepVisitor, check_step, real_roots, root_inside, sigmoid_value, sympy_limit

__all__ = [
    "PROVED", "REFUTED", "UNKNOWN", "Status",
    "Claim", "ClaimResult", "Counterexample", "Subject", "Part", "Domain", "Assumption",
    "Derivative", "Identity", "LemmaUse", "Limit", "Roots", "Sign", "Step", "StepResult", "StepVisitor",
    "KINDS", "RULES", "LEMMAS", "RELATIONS",
    "check_claim", "check_step", "lemma_claims", "lemma_status",
    "Conditions", "conditions", "kinks", "smooth_diff",
    "binary_entropy", "kl_bernoulli", "real_roots", "root_inside", "sigmoid_value", "sympy_limit",
]
