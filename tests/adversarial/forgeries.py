r"""Forged certificates, each built from a committed certificate under ``proofs/`` by an edit.

Every forgery is a function that takes nothing and returns a :class:`Forgery`: the edited
certificate data, and words that the reason ``lossproof check`` gives must contain (the
reason must name what is wrong, not merely fail). Most forgeries regenerate the id and the
statements from the edited structure (:func:`restate`), so that the kernel itself, not the
text comparison, has to catch the lie; a few edit only the text, to test that comparison.

The right answer for each was decided by hand, by the mathematics in its docstring, never
by running lossproof. Forgeries that lossproof currently accepts are listed in
:data:`HOLES` with the diagnosis; their tests are expected to fail until the kernel is fixed.

>>> f = FORGERIES["edited_id"]()
>>> f.data["id"]
'strictConvexOn_mse_z'
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Forgery", "FORGERIES", "HOLES", "PROOFS", "committed", "restate"]

#: The committed certificates the forgeries start from.
PROOFS = Path(__file__).resolve().parents[2] / "proofs"


@dataclass(frozen=True)
class Forgery:
    """An edited certificate and what the failure must name.

    Attributes:
        data: the certificate as JSON data (written to a file by the test).
        reason: words (case-insensitive) that some problem or mismatch must contain.
        raw: the exact text to write instead of ``json.dumps(data)`` (duplicate keys).
        honest: for a lie told only by the statement's words: a test of the statement
            ``check`` prints that says it is true as printed (names the function checked,
            its own variables). A fix may refuse the certificate or make the words honest.
    """

    data: dict[str, Any]
    reason: str
    raw: str | None = None
    honest: Callable[[str], bool] | None = None


def committed(path: str) -> dict[str, Any]:
    """A committed certificate, e.g. ``committed("mse/strictConvexOn_mse_p")``."""
    return json.loads((PROOFS / f"{path}.json").read_text(encoding="utf-8"))


def restate(data: dict[str, Any]) -> dict[str, Any]:
    """The data with its id and statements regenerated from its (edited) structure.

    A forger can always do this, so a forgery that passes only because its text was
    left stale tests nothing: the structure itself must be refused.
    """
    from lossproof.certificate import claim_from_dict
    from lossproof.statement import claim_statement, part_statement

    claim = claim_from_dict(data)
    out = copy.deepcopy(data)
    out["id"] = claim.id
    out["statement"] = claim_statement(claim)
    for part, raw in zip(claim.parts, out["parts"]):
        raw["statement"] = part_statement(part)
    return out


FORGERIES: dict[str, Callable[[], Forgery]] = {}
#: Forgery name -> diagnosis, for forgeries the kernel currently accepts (a hole).
HOLES: dict[str, str] = {}
#: Holes the first review found, with its diagnoses, all since mended in the kernel, the
#: statements or the reader; their forgeries are ordinary tests now.
FIXED: dict[str, str] = {}


def forgery(fn: Callable[[], Forgery]) -> Callable[[], Forgery]:
    FORGERIES[fn.__name__] = fn
    return fn


def _names(function: str) -> Callable[[str], bool]:
    """The statement is honest if it names the function that was checked."""
    return lambda text: function in text


def _iv(domain: dict[str, Any], var: str, text: str) -> None:
    for pair in domain["intervals"]:
        if pair[0] == var:
            pair[1] = text
            return
    raise KeyError(var)


def _everywhere(data: dict[str, Any], fn: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``fn`` to the claim's domain, every part's domain and every step's domain."""
    fn(data["domain"])
    for part in data["parts"]:
        fn(part["domain"])
        for step in part["steps"]:
            fn(step["domain"])


# ---------------------------------------------------------------- text fields


@forgery
def edited_id() -> Forgery:
    """MSE is not convex in z; the id is edited to say it is (the structure is about p)."""
    d = committed("mse/strictConvexOn_mse_p")
    d["id"] = "strictConvexOn_mse_z"
    return Forgery(d, "field 'id'")


@forgery
def edited_statement() -> Forgery:
    """MAE is convex, not strictly: the statement text is edited to say strictly."""
    d = committed("mae/convexOn_mae_p")
    d["statement"] = d["statement"].replace("is convex", "is strictly convex")
    return Forgery(d, "field 'statement'")


@forgery
def edited_part_statement() -> Forgery:
    """A part's statement widened to p in (0, 2), where BCE is not even defined."""
    d = committed("bce/strictConvexOn_bce_p")
    d["parts"][0]["statement"] = d["parts"][0]["statement"].replace("(0, 1)", "(0, 2)", 1)
    return Forgery(d, "parts[1].statement")


@forgery
def duplicate_key_kind() -> Forgery:
    """JSON with the key 'kind' twice: a reader that keeps the last one reads another claim."""
    d = committed("mae/convexOn_mae_p")
    text = json.dumps(d)
    raw = text.replace('"kind": "convexOn"', '"kind": "convexOn", "kind": "strictConvexOn"', 1)
    return Forgery(d, "appears twice", raw=raw)


@forgery
def unknown_field() -> Forgery:
    """An extra top-level field ('trusted': true) is not part of the format."""
    d = committed("mse/strictConvexOn_mse_p")
    d["trusted"] = True
    return Forgery(d, "unknown field")


@forgery
def variable_named_E() -> Forgery:
    """A variable called E shadows Euler's number: 'E - 3 > 0' would read as a free variable."""
    d = committed("mse/strictConvexOn_mse_p")
    d["variables"] = ["E", "p", "y"]
    return Forgery(d, "shadow")


@forgery
def variable_named_log() -> Forgery:
    """A variable called log shadows the function."""
    d = committed("bce/strictConvexOn_bce_p")
    d["variables"] = ["log", "p", "y"]
    return Forgery(d, "shadow")


@forgery
def wrong_format() -> Forgery:
    """The previous format tag: its certificates meant something else."""
    d = committed("mse/strictConvexOn_mse_p")
    d["format"] = "lossproof-certificate/1"
    return Forgery(d, "format")


# ---------------------------------------------------------------- what the claim is about


@forgery
def relabelled_mse_as_mae() -> Forgery:
    """MSE's proof of strict convexity, named MAE: the statement 'MAE(y, p) is strictly
    convex' is false (|p - y| is affine on each side of y), yet the function checked is
    (y - p)**2. The statement must name the function it was checked for, or the name
    must be bound to the catalog's function."""
    d = committed("mse/strictConvexOn_mse_p")
    d["name"], d["operator"] = "mae", "MAE"
    return Forgery(restate(d), "mae", honest=_names("(y - p)**2"))


FIXED["relabelled_mse_as_mae"] = (
    "statement.py _claim_convexity / _claim_min_value print only operator(y, p), never the "
    "function, and certificate.check_certificate never compares name/operator with the "
    "catalog loss of that name: any proof can be relabelled as any loss"
)


@forgery
def relabelled_bce_min_value_as_mse() -> Forgery:
    """BCE's minimum value H(y) > 0 relabelled as MSE: 'the minimum of MSE(y, p) is
    -y log y - (1-y) log(1-y) > 0' is false (MSE's minimum is 0)."""
    d = committed("bce/min_value_bce")
    d["name"], d["operator"] = "mse", "MSE"
    return Forgery(restate(d), "mse", honest=_names("-y*log(p) - (1 - y)*log(1 - p)"))


FIXED["relabelled_bce_min_value_as_mse"] = FIXED["relabelled_mse_as_mae"]


@forgery
def subject_function_swapped() -> Forgery:
    """The claim's function becomes -(y - p)**2 (concave) while the part stays about (y - p)**2."""
    d = committed("mse/strictConvexOn_mse_p")
    d["subject"]["function"] = "-(y - p)**2"
    return Forgery(restate(d), "not the claim's function")


@forgery
def part_function_swapped_with_steps() -> Forgery:
    """Claim about MAE, strict; its part (and steps) are MSE's: the part proves another function."""
    mae = committed("mae/convexOn_mae_p")
    mse = committed("mse/strictConvexOn_mse_p")
    d = copy.deepcopy(mse)
    d["subject"] = mae["subject"]
    d["name"], d["operator"] = "mae", "MAE"
    return Forgery(restate(d), "not the claim's function")


@forgery
def parts_from_another_claim() -> Forgery:
    """strictConvexOn_bce_p whose parts are taken from strictConvexOn_mse_p."""
    d = committed("bce/strictConvexOn_bce_p")
    d["parts"] = committed("mse/strictConvexOn_mse_p")["parts"]
    return Forgery(restate(d), "not the claim's function")


@forgery
def variable_changed() -> Forgery:
    """BCE is claimed strictly convex in y (it is affine in y): the claim's variable is y."""
    d = committed("bce/strictConvexOn_bce_p")
    d["subject"]["var"] = "y"
    return Forgery(restate(d), "variable")


# ---------------------------------------------------------------- domains


@forgery
def domain_widened_p() -> Forgery:
    """BCE on p in (0, 2): log(1 - p) is not real for p > 1."""
    d = committed("bce/strictConvexOn_bce_p")
    _everywhere(d, lambda dom: _iv(dom, "p", "(0, 2)"))
    return Forgery(restate(d), "1 - p > 0")


@forgery
def domain_widened_y() -> Forgery:
    """BCE with y in [0, 2]: at y = 2, d2 = 2/p**2 - 1/(1 - p)**2 < 0 near p = 1."""
    d = committed("bce/strictConvexOn_bce_p")
    _everywhere(d, lambda dom: _iv(dom, "y", "[0, 2]"))
    return Forgery(restate(d), "chord")


@forgery
def claim_domain_widened_only() -> Forgery:
    """The claim says p in (0, 2); the part still proves (0, 1)."""
    d = committed("mse/strictConvexOn_mse_p")
    _iv(d["domain"], "p", "(0, 2)")
    return Forgery(restate(d), "intervals are not the claim's")


@forgery
def part_domain_narrowed() -> Forgery:
    """The part proves only p in (0, 1/2); the claim says (0, 1)."""
    d = committed("bce/strictConvexOn_bce_p")
    part = d["parts"][0]
    _iv(part["domain"], "p", "(0, 1/2)")
    for st in part["steps"]:
        _iv(st["domain"], "p", "(0, 1/2)")
    return Forgery(restate(d), "intervals are not the claim's")


@forgery
def claim_hypothesis_restates_conclusion() -> Forgery:
    """MSE is not convex in z; the domain assumes d2 > 0, which is the conclusion."""
    d = committed("mse/strictConvexOn_mse_p")
    d["domain"]["hypotheses"] = [["2", ">"]]
    return Forgery(restate(d), "may not assume")


@forgery
def part_hypothesis_narrows() -> Forgery:
    """BCE at y in [0, 2] is proved only where p < 1/2: a hypothesis p - 1/2 < 0 on the part."""
    d = committed("bce/strictConvexOn_bce_p")
    part = d["parts"][0]
    part["domain"]["hypotheses"].append(["p - 1/2", "<"])
    for st in part["steps"]:
        st["domain"]["hypotheses"].append(["p - 1/2", "<"])
    return Forgery(restate(d), "not admitted")


@forgery
def step_domain_differs() -> Forgery:
    """The sign step of d2 is taken on p in (0, 1/2) only."""
    d = committed("bce/strictConvexOn_bce_p")
    _iv(d["parts"][0]["steps"][1]["domain"], "p", "(0, 1/2)")
    return Forgery(restate(d), "another domain")


@forgery
def hole_without_kink_part() -> Forgery:
    """MAE's smooth part leaves out p = y; the kink part that closes the hole is removed,
    and the claim made strict by a concave twist: -|p - y| is not convex at all."""
    d = committed("mae/convexOn_mae_p")
    d["parts"] = d["parts"][:1]
    return Forgery(restate(d), "has no kink part")


@forgery
def hole_not_a_point() -> Forgery:
    """A hole (p - y)**2 - 1/16 != 0 leaves out two points: not a kink the kind admits."""
    d = committed("mae/convexOn_mae_p")
    part = d["parts"][0]
    for dom in [part["domain"]] + [st["domain"] for st in part["steps"]]:
        dom["hypotheses"] = [["(p - y)**2 - 1/16", "!="]]
    return Forgery(restate(d), "more than single points")


@forgery
def hole_interval() -> Forgery:
    """A 'hole' p - y > 0 keeps only half of the domain."""
    d = committed("mae/convexOn_mae_p")
    part = d["parts"][0]
    for dom in [part["domain"]] + [st["domain"] for st in part["steps"]]:
        dom["hypotheses"] = [["p - y", ">"]]
    return Forgery(restate(d), "not admitted")


@forgery
def kink_part_twice() -> Forgery:
    """The kink part given twice: one closes the hole, the other closes nothing.

    Not unsound (the duplicate says something true), but the kind means to refuse a kink
    part that closes no hole, and an exact duplicate slips past its ``q not in matched``.
    """
    d = committed("mae/convexOn_mae_p")
    d["parts"].append(copy.deepcopy(d["parts"][1]))
    return Forgery(restate(d), "closes no hole")


FIXED["kink_part_twice"] = (
    "MINOR, not unsound: kinds._convexity tests 'q not in matched' by equality of frozen "
    "Parts, so an exact duplicate of a matched kink part counts as matched; compare by "
    "index (enumerate) instead"
)


@forgery
def kink_part_elsewhere() -> Forgery:
    """The kink part is moved to p = 1/2, where there is no hole; the hole at p = y stays open."""
    d = committed("mae/convexOn_mae_p")
    d["parts"][1]["subject"]["point"] = "1/2"
    return Forgery(restate(d), "no kink part")


@forgery
def kink_concave() -> Forgery:
    """-|p - y| with the kink part's slopes given as 1 and -1: its slope falls at p = y."""
    d = committed("mae/convexOn_mae_p")
    d["subject"]["function"] = "-abs(p - y)"
    for part in d["parts"]:
        part["subject"]["function"] = "-abs(p - y)"
    d["parts"][0]["steps"][0]["function"] = "-abs(p - y)"
    kink = d["parts"][1]
    kink["steps"][0]["expr"] = "-sign(t)"
    kink["steps"][0]["value"] = "1"
    kink["steps"][1]["expr"] = "-sign(t)"
    kink["steps"][1]["value"] = "-1"
    kink["steps"][2]["expr"] = "-2"
    return Forgery(restate(d), "chord")


@forgery
def kink_part_added_to_smooth_claim() -> Forgery:
    """An extra kink part on MSE (which has no hole)."""
    d = committed("mse/strictConvexOn_mse_p")
    kink = copy.deepcopy(committed("mae/convexOn_mae_p")["parts"][1])
    kink["subject"]["function"] = "(y - p)**2"
    d["parts"].append(kink)
    d["variables"] = ["p", "t", "y"]
    return Forgery(restate(d), "closes no hole")


@forgery
def kink_limits_swapped() -> Forgery:
    """The kink part's left and right limits swapped: right - left is then -2."""
    d = committed("mae/convexOn_mae_p")
    steps = d["parts"][1]["steps"]
    steps[0]["direction"], steps[1]["direction"] = "+", "-"
    return Forgery(restate(d), "limit is not taken at the kink")


@forgery
def wrt_z_on_a_p_proof() -> Forgery:
    """MSE's proof in p with wrt set to z: the statement becomes 'MSE(y, sigmoid(p)) is
    strictly convex in p on (0, 1)', which is false: at y = 0, d2/dp2 sigmoid(p)**2 =
    2 s**2 (1 - s)(2 - 3 s) < 0 where s = sigmoid(p) > 2/3, i.e. for p in (log 2, 1)."""
    d = committed("mse/strictConvexOn_mse_p")
    d["wrt"] = "z"
    return Forgery(restate(d), "wrt", honest=lambda text: "sigmoid" not in text and "(y - p)**2" in text)


FIXED["wrt_z_on_a_p_proof"] = (
    "the claim's wrt is free text that statement._name reads to print OP(y, sigmoid(v)), "
    "and no kind checks it against the subject: kinds should require wrt == 'p' unless the "
    "function is the linked one (or the statement should print the function itself)"
)


@forgery
def wrt_z_on_min_value() -> Forgery:
    """min_value_mse with wrt z: 'the minimum of MSE(y, sigmoid(p)) over p in (0, 1) is 0,
    attained at p = y' is false: (y - sigmoid(y))**2 > 0 for every y in (0, 1)."""
    d = committed("mse/min_value_mse")
    d["wrt"] = "z"
    return Forgery(restate(d), "wrt", honest=lambda text: "sigmoid" not in text)


FIXED["wrt_z_on_min_value"] = FIXED["wrt_z_on_a_p_proof"]


@forgery
def relabelled_saturation() -> Forgery:
    """MSE's gradient saturates (dL/dz -> 0 when confidently wrong); BCE's does not
    (dL/dz -> -1 and 1). Relabelled as BCE, the statement 'the gradient dBCE/dz: for
    y = 1, dL/dz -> 0 as z -> -oo' is false."""
    d = committed("mse/tendsto_deriv_mse_z_of_confidently_wrong")
    d["name"], d["operator"] = "bce", "BCE"
    return Forgery(restate(d), "bce", honest=_names("(y - sigmoid(z))**2"))


FIXED["relabelled_saturation"] = FIXED["relabelled_mse_as_mae"]


# ---------------------------------------------------------------- crashes (tracebacks)


@forgery
def hessian_rhs_with_target() -> Forgery:
    """The softmax Hessian identity's right side mentions y1 (log(exp(y1)) - y1, which
    SymPy does not fold): the rule's identity check is given no interval for y1 and
    raises ValueError out of ``lossproof check`` (a traceback, not a verdict)."""
    d = committed("softmax_ce/convexOn_softmax_ce_z")
    st = d["parts"][0]["steps"][0]
    st["rhs"] = st["rhs"] + " + log(exp(y1)) - y1"
    return Forgery(restate(d), "y1")


FIXED["hessian_rhs_with_target"] = (
    "rules._hessian calls identity.check_identity(ident.rhs, ..., {zs, vs}) outside any "
    "try: a right side with another free symbol raises ValueError through check_claim; the "
    "rule should refuse a right side with symbols other than the logits and directions "
    "(or pass the part's box), and check_claim should turn a premise checker's exception "
    "into a problem"
)


@forgery
def kink_limit_with_free_symbol() -> Forgery:
    """A kink part's limit expression mentions a declared variable with no interval: the
    rule's identity check raises ValueError (a traceback)."""
    d = committed("mae/convexOn_mae_p")
    d["variables"] = ["a", "p", "t", "y"]
    d["parts"][1]["steps"][0]["expr"] = "sign(t) + log(exp(a)) - a"
    return Forgery(restate(d), "a")


FIXED["kink_limit_with_free_symbol"] = (
    "rules._kink calls check_identity(lim.expr, d1.subs(...), near) unguarded: a symbol "
    "outside 'near' raises ValueError; refuse expressions with symbols outside the part's "
    "box (and catch premise-checker exceptions in check_claim)"
)


_TEXT_KEYS = frozenset({"format", "id", "statement", "kind", "name", "wrt", "operator", "rule", "direction", "rel", "order"})


def rename(data: Any, mapping: dict[str, str]) -> Any:
    """The certificate with variables renamed simultaneously (``{"y": "p", "p": "y"}``) in
    every expression, interval, case and declaration; names, rules and text are kept."""
    import re

    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b")

    def swap(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group(1)], text)

    def walk(x: Any, key: str | None = None) -> Any:
        if isinstance(x, dict):
            return {k: (v if k in _TEXT_KEYS else walk(v, k)) for k, v in x.items()}
        if isinstance(x, list):
            if key == "lemmas":
                return [[name, swap(arg)] for name, arg in x]
            return [walk(v, key) for v in x]
        if isinstance(x, str):
            return swap(x)
        return x

    return walk(data)


@forgery
def sub_entropy_roles_swapped() -> Forgery:
    """bce_sub_entropy_eq_kl with y and p renamed into each other. What is checked is
    f - H(p) = KL(Bern(p) || Bern(y)) for f = -p log y - (1 - p) log(1 - y) = BCE(p, y);
    the statement prints 'BCE(p, y) - H(y) = KL(Bern(y) || Bern(p))' ('H(y)' and the KL's
    arguments are literal text in statement._claim_sub_entropy), which is false: at
    y = 1/4, p = 1/2 the left side is -log(1/4)/2 - log(3/4)/2 - H(1/4) = 0.2747 and the
    right side is log(1/2)/4 + 3 log(3/2)/4 = 0.1308."""
    d = rename(committed("bce/bce_sub_entropy_eq_kl"), {"y": "p", "p": "y"})
    return Forgery(restate(d), "", honest=lambda text: "H(y)" not in text and "KL(Bern(y) || Bern(p))" not in text)


FIXED["sub_entropy_roles_swapped"] = (
    "statement._claim_sub_entropy (and _claim_kl) write 'H(y)', 'KL(Bern(y) || Bern(p))' "
    "and 'p = y' as literal text, while kinds._sub_entropy checks the identity in the "
    "claim's own target and variable (subject.vars[0], subject.var): print those symbols, "
    "or have the kind require the target and variable the text names"
)


# ---------------------------------------------------------------- minimisers and values


@forgery
def minimiser_moved() -> Forgery:
    """MSE's minimiser said to be p = 1/2 (it is p = y); the roots step names 1/2 too."""
    d = committed("mse/isMinOn_mse_p")
    main = d["parts"][0]
    main["subject"]["point"] = "1/2"
    main["steps"][1]["roots"] = ["1/2"]
    return Forgery(restate(d), "claimed minimum")


@forgery
def minimiser_outside() -> Forgery:
    """MSE's minimiser said to be p = 2y, which is outside (0, 1) for y >= 1/2."""
    d = committed("mse/isMinOn_mse_p")
    main = d["parts"][0]
    main["subject"]["point"] = "2*y"
    main["steps"][1]["roots"] = ["2*y"]
    return Forgery(restate(d), "inside the interval")


@forgery
def end_case_dropped() -> Forgery:
    """isMinOn_mse_p without its parts for y = 0: nothing is said there."""
    d = committed("mse/isMinOn_mse_p")
    d["parts"] = [q for q in d["parts"] if q["case"] != [["y", "0"]]]
    return Forgery(restate(d), "nothing is proved for y = 0")


@forgery
def end_case_not_an_end() -> Forgery:
    """The y = 0 part relabelled as the case y = 1/2, which is not an end of [0, 1]."""
    d = committed("mse/isMinOn_mse_p")
    for q in d["parts"]:
        if q["case"] == [["y", "0"]]:
            q["case"] = [["y", "1/2"]]
    return Forgery(restate(d), "not an end of the target range")


@forgery
def end_cases_swapped() -> Forgery:
    """The y = 0 parts (about p**2) labelled y = 1 and the other way round."""
    d = committed("mse/isMinOn_mse_p")
    for q in d["parts"]:
        if q["case"] == [["y", "0"]]:
            q["case"] = [["y", "1"]]
        elif q["case"] == [["y", "1"]]:
            q["case"] = [["y", "0"]]
    return Forgery(restate(d), "not the claim's function")


@forgery
def monotone_wrong_direction() -> Forgery:
    """For y = 1, (1 - p)**2 is decreasing; the sign step says its derivative is > 0."""
    d = committed("mse/isMinOn_mse_p")
    for q in d["parts"]:
        if q["case"] == [["y", "1"]] and q["rule"] == "not_isMinOn_of_strictMonoOn":
            q["steps"][1]["rel"] = ">"
    return Forgery(restate(d), "not proved")


@forgery
def monotone_rule_for_lemma() -> Forgery:
    """strictMonoOn_of_deriv_pos (a lemma's rule) used as an end case of isMinOn."""
    d = committed("mse/isMinOn_mse_p")
    for q in d["parts"]:
        if q["case"] == [["y", "0"]] and q["rule"] == "not_isMinOn_of_strictMonoOn":
            q["rule"] = "strictMonoOn_of_deriv_pos"
    return Forgery(restate(d), "does not belong")


@forgery
def limit_at_wrong_end() -> Forgery:
    """For y = 0, p**2 -> 0 is claimed as p -> 1- (it tends to 1 there)."""
    d = committed("mse/isMinOn_mse_p")
    for q in d["parts"]:
        if q["case"] == [["y", "0"]] and q["rule"] == "tendsto_of_limit":
            q["subject"]["point"], q["subject"]["direction"] = "1", "-"
            q["steps"][0]["point"], q["steps"][0]["direction"] = "1", "-"
    return Forgery(restate(d), "not proved")


@forgery
def min_value_wrong() -> Forgery:
    """BCE's minimum value said to be 0 (it is H(y) > 0): identity and claim both edited."""
    d = committed("bce/min_value_bce")
    d["subject"]["value"] = "0"
    d["parts"] = d["parts"][:2]
    d["parts"][1]["subject"]["value"] = "0"
    d["parts"][1]["steps"][0]["rhs"] = "0"
    return Forgery(restate(d), "substitute the minimiser")


@forgery
def min_value_of_maximum() -> Forgery:
    """-(y - p)**2 has its maximum, not its minimum, at p = y: MSE's min_value with the sign flipped."""
    d = committed("mse/min_value_mse")
    neg = "-(y - p)**2"
    d["subject"]["function"] = neg
    main = d["parts"][0]
    main["subject"]["function"] = neg
    main["steps"][0]["function"] = neg
    main["steps"][2]["function"] = neg
    return Forgery(restate(d), "")


@forgery
def min_value_without_minimiser() -> Forgery:
    """MSE's minimum value 0 resting on nothing: the minimiser part removed."""
    d = committed("mse/min_value_mse")
    d["parts"] = d["parts"][1:]
    return Forgery(restate(d), "needs the minimiser part")


@forgery
def min_value_point_differs() -> Forgery:
    """The claim says the minimum is attained at p = 1/2; its minimiser part says p = y."""
    d = committed("mse/min_value_mse")
    d["subject"]["point"] = "1/2"
    return Forgery(restate(d), "not the claim's minimiser")


@forgery
def min_value_closed_target() -> Forgery:
    """MSE's min_value stretched to y in [0, 1]: at y = 0 the point p = 0 is not in (0, 1)."""
    d = committed("mse/min_value_mse")
    _everywhere(d, lambda dom: _iv(dom, "y", "[0, 1]") if any(v == "y" for v, _ in dom["intervals"]) else None)
    return Forgery(restate(d), "inside the interval")


# ---------------------------------------------------------------- other kinds


@forgery
def kl_strict_everywhere() -> Forgery:
    """KL > 0 claimed with no hypothesis p != y: false at p = y."""
    d = committed("bce/kl_bernoulli_nonneg")
    q = d["parts"][1]
    q["domain"]["hypotheses"] = []
    q["steps"][0]["domain"]["hypotheses"] = []
    return Forgery(restate(d), "not the part the claim needs")


@forgery
def saturation_cases_swapped() -> Forgery:
    """MSE's saturation with the y = 1 and y = 0 limits exchanged (each taken at the wrong end)."""
    d = committed("mse/tendsto_deriv_mse_z_of_confidently_wrong")
    a, b = d["parts"]
    a["case"], b["case"] = b["case"], a["case"]
    return Forgery(restate(d), "")


@forgery
def saturation_value_edited() -> Forgery:
    """BCE's logit gradient tends to -1 for y = 1, z -> -oo; the certificate says 0."""
    d = committed("bce/tendsto_deriv_bce_z_of_confidently_wrong")
    q = d["parts"][0]
    q["subject"]["value"] = "0"
    q["steps"][1]["value"] = "0"
    return Forgery(restate(d), "limit")


@forgery
def gradient_parts_swapped() -> Forgery:
    """softmax's gradient with the identities for z1 and z2 exchanged."""
    d = committed("softmax_ce/gradient_softmax_ce_z")
    d["parts"][0], d["parts"][1] = d["parts"][1], d["parts"][0]
    return Forgery(restate(d), "is not 'dL/dz1")


@forgery
def hessian_extra_hypothesis() -> Forgery:
    """softmax convexity whose sign step also assumes s1 < 1/2."""
    d = committed("softmax_ce/convexOn_softmax_ce_z")
    d["parts"][0]["steps"][1]["domain"]["hypotheses"].append(["1/2 - s1", ">"])
    return Forgery(restate(d), "open simplex")


@forgery
def hessian_part_hypothesis() -> Forgery:
    """softmax convexity whose part assumes z1 > 0."""
    d = committed("softmax_ce/convexOn_softmax_ce_z")
    q = d["parts"][0]
    q["domain"]["hypotheses"].append(["z1", ">"])
    q["steps"][0]["domain"]["hypotheses"].append(["z1", ">"])
    return Forgery(restate(d), "hypotheses are not")


@forgery
def hessian_made_strict() -> Forgery:
    """softmax CE is not strictly convex (constant along v = (1, 1, 1)); its certificate
    is turned strict: kind, rule, '>' and the hypothesis v != 0 edited consistently."""
    d = committed("softmax_ce/convexOn_softmax_ce_z")
    d["kind"] = "strictConvexOn"
    q = d["parts"][0]
    q["rule"] = "strictConvexOn_of_hessian_form_pos"
    nonzero = ["v1**2 + v2**2 + v3**2", ">"]
    q["domain"]["hypotheses"] = [nonzero]
    q["steps"][0]["domain"]["hypotheses"] = [nonzero]
    q["steps"][1]["rel"] = ">"
    q["steps"][1]["domain"]["hypotheses"].append(nonzero)
    return Forgery(restate(d), "")


@forgery
def lemma_edited() -> Forgery:
    """The lemma log t < 0 claimed on (0, 2): false at t = 3/2."""
    d = committed("lemmas/log_neg")
    _everywhere(d, lambda dom: _iv(dom, "t", "(0, 2)") if any(v == "t" for v, _ in dom["intervals"]) else None)
    return Forgery(restate(d), "not the kernel's statement")


@forgery
def lemma_needs_fail() -> Forgery:
    """KL >= 0 by 'log t < 0 on (0, 1)' at t = p/y: p/y < 1 fails for p > y, and the
    bound log(p/y) < 0 is false there (the lemma's hypothesis must be proved, not assumed)."""
    d = committed("bce/kl_bernoulli_nonneg")
    d["parts"][0]["steps"][0]["lemmas"] = [["log_neg", "p/y"], ["log_neg", "(1 - p)/(1 - y)"]]
    return Forgery(restate(d), "not proved")


@forgery
def lemma_unknown_name() -> Forgery:
    """A lemma the kernel does not have."""
    d = committed("bce/min_value_bce")
    d["parts"][2]["steps"][0]["lemmas"] = [["log_pos", "y"]]
    return Forgery(d, "unknown lemma")


@forgery
def unknown_rule() -> Forgery:
    """A rule the kernel does not have."""
    d = committed("mse/strictConvexOn_mse_p")
    d["parts"][0]["rule"] = "strictConvexOn_by_inspection"
    return Forgery(d, "unknown rule")


@forgery
def derivative_result_edited() -> Forgery:
    """MSE-like (y - p)**2 - p**3 with the second derivative written 2 (it is 2 - 6p < 0 near 1)."""
    d = committed("mse/strictConvexOn_mse_p")
    f = "(y - p)**2 - p**3"
    d["subject"]["function"] = f
    d["parts"][0]["subject"]["function"] = f
    d["parts"][0]["steps"][0]["function"] = f
    return Forgery(restate(d), "chord")


@forgery
def sign_relation_weakened() -> Forgery:
    """MAE claimed strictly convex with a '>=' sign step under the strict rule."""
    d = committed("mae/convexOn_mae_p")
    d["kind"] = "strictConvexOn"
    d["parts"][0]["rule"] = "strictConvexOn_of_deriv2_pos"
    return Forgery(restate(d), "second derivative > 0")


@forgery
def off_finite_infinitely_many() -> Forgery:
    """MAE strictly convex by 'd2 >= 0, and > 0 off finitely many points', the third step
    leaving out the interval p < y (not a point)."""
    d = committed("mae/convexOn_mae_p")
    d["kind"] = "strictConvexOn"
    q = d["parts"][0]
    q["rule"] = "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite"
    third = copy.deepcopy(q["steps"][1])
    third["rel"] = ">"
    third["domain"]["hypotheses"].append(["p - y", ">"])
    q["steps"].append(third)
    return Forgery(restate(d), "not a single point")


@forgery
def kind_not_text() -> Forgery:
    """'kind' is a list: the reader tests ``kind not in KINDS`` on an unhashable value and
    raises TypeError (a traceback instead of 'bad input')."""
    d = committed("mse/strictConvexOn_mse_p")
    d["kind"] = []
    return Forgery(d, "kind")


FIXED["kind_not_text"] = (
    "certificate.claim_from_dict checks 'kind not in KINDS' before checking that kind is a "
    "string: a list or object raises TypeError; test isinstance(kind, str) first (as wrt "
    "and the step kinds do)"
)


@forgery
def claim_domain_without_variable() -> Forgery:
    """The claim's domain has no interval for its variable p: generating the statement
    indexes the domain by p and raises KeyError (a traceback)."""
    d = committed("mse/isMinOn_mse_p")
    d["domain"]["intervals"] = [pair for pair in d["domain"]["intervals"] if pair[0] != "p"]
    return Forgery(d, "p")


FIXED["claim_domain_without_variable"] = (
    "certificate.claim_from_dict accepts a claim whose subject variable has no interval in "
    "the claim's domain; statement._claim_min / _claim_convexity / _claim_min_value then do "
    "claim.domain.box()[s.var] and raise KeyError inside mismatches(): the reader should "
    "require an interval for the subject's var and vars"
)


# ---------------------------------------------------------------- lossproof's own failed claims


def _own(loss: str, claim_id: str, expr: str | None = None, link: str = "identity") -> dict[str, Any]:
    from lossproof.certificate import claim_to_dict
    from lossproof.claims import build_claim
    from lossproof.losses import custom_loss, get_loss

    model = custom_loss(expr, link) if expr is not None else get_loss(loss)
    return claim_to_dict(build_claim(model, claim_id))


@forgery
def own_claim_mae_strict() -> Forgery:
    """The certificate lossproof itself writes for 'MAE is strictly convex' (false: |p - y|
    is affine on each side of y), passed off as a proof."""
    return Forgery(_own("mae", "strictConvexOn_mae_p"), "chord")


@forgery
def own_claim_minimiser_outside() -> Forgery:
    """lossproof's own isMinOn claim for (p - y)**2 + p - 1/2, whose stationary point
    y - 1/2 leaves (0, 1) for y < 1/2."""
    return Forgery(_own("custom", "isMinOn_custom_p", "(p-y)**2 + p - 1/2"), "")


@forgery
def wrt_p_on_a_z_proof() -> Forgery:
    """BCE's proof in the logit z with wrt set to p: the statement becomes 'BCE(y, z) is
    strictly convex in z on R', false as printed: BCE(y, z) = -y log z - (1-y) log(1-z)
    is not even real for z <= 0 or z >= 1."""
    d = committed("bce/strictConvexOn_bce_z")
    d["wrt"] = "p"
    return Forgery(restate(d), "wrt", honest=lambda text: "sigmoid(z)" in text)


FIXED["wrt_p_on_a_z_proof"] = FIXED["wrt_z_on_a_p_proof"]


@forgery
def kl_roles_swapped() -> Forgery:
    """kl_bernoulli_nonneg with y and p renamed into each other: the statement prints
    'KL(Bern(y) || Bern(p)) = -p*log(y/p) - (1 - p)*log((1 - y)/(1 - p))', an equation that
    is false as printed (the right side is KL(Bern(p) || Bern(y)); at y = 1/4, p = 1/2 the
    two are 0.1308 and 0.1438)."""
    d = rename(committed("bce/kl_bernoulli_nonneg"), {"y": "p", "p": "y"})
    return Forgery(restate(d), "", honest=lambda text: "KL(Bern(y) || Bern(p))" not in text)


FIXED["kl_roles_swapped"] = FIXED["sub_entropy_roles_swapped"]


@forgery
def kink_part_wrong_variable() -> Forgery:
    """MAE's kink part said to be about the variable y: the rule differentiates in y and
    checks the limit on a box without p, and check_identity raises ValueError (a traceback
    where 'the part's variable is y, not p' was due)."""
    d = committed("mae/convexOn_mae_p")
    d["parts"][1]["subject"]["var"] = "y"
    return Forgery(restate(d), "variable")


FIXED["kink_part_wrong_variable"] = FIXED["kink_limit_with_free_symbol"]


@forgery
def subject_variable_without_interval() -> Forgery:
    """MAE's convexity claimed in t, a declared variable with no interval: generating the
    statement raises KeyError (a traceback)."""
    d = committed("mae/convexOn_mae_p")
    d["subject"]["var"] = "t"
    return Forgery(d, "t")


FIXED["subject_variable_without_interval"] = FIXED["claim_domain_without_variable"]


# ---------------------------------------------------------------- a minimiser without a closed form
# Focal loss with soft targets: its minimiser is proved to lie in a bracket (the rule
# isMinOn_of_deriv_sign_change_in_bracket), in the committed focal certificates (a few
# seconds each to check: logs of sigmoids).


def _focal(claim_id: str) -> dict[str, Any]:
    return committed(f"focal/{claim_id}")


def _main_part(d: dict[str, Any]) -> dict[str, Any]:
    return next(q for q in d["parts"] if not q["case"])


@forgery
def bracket_part_names_a_point() -> Forgery:
    """Focal's bracketed minimiser part given the point y: the rule proves a minimiser in
    (y/2, y/2 + 1/2), never that it is y (at y = 0.3 it is 0.4215). A reader of the main
    part's point (the comparison table) would print 'p = y', proved."""
    d = _focal("isMinOn_focal_p")
    _main_part(d)["subject"]["point"] = "y"
    return Forgery(restate(d), "names only its function")


@forgery
def bracket_infinite_ends() -> Forgery:
    """Focal's bracket in z widened to (-oo, oo): z's interval is R, so there is no
    membership obligation, and g at an infinite end is SymPy's substitution, not a limit."""
    d = _focal("isMinOn_focal_z")
    _main_part(d)["subject"]["bracket"] = ["-oo", "oo"]
    return Forgery(restate(d), "not a finite number")


@forgery
def bracket_end_outside_the_interval() -> Forgery:
    """Focal's bracket in p moved to (y/2 - 1, y/2 + 1/2): its left end is outside (0, 1)."""
    d = _focal("isMinOn_focal_p")
    _main_part(d)["subject"]["bracket"][0] = "y/2 - 1"
    return Forgery(restate(d), "bracket end")


@forgery
def bracket_min_value_with_a_value() -> Forgery:
    """Focal's min_value without a closed form given the value 0 (the minimum is > 0):
    nothing checks a value there, and the closed-form check would not read the bracket."""
    d = _focal("min_value_focal")
    d["subject"]["value"] = "0"
    return Forgery(restate(d), "no minimiser, value or direction")


@forgery
def bracket_min_value_sign_of_another_function() -> Forgery:
    """Focal's min_value whose 'loss > 0' part is about the loss + 1: true (it is > 1), and
    about another function, so nothing is proved of the loss's own sign."""
    d = _focal("min_value_focal")
    sign = d["parts"][1]
    shifted = f"({sign['subject']['function']}) + 1"
    sign["subject"]["function"] = shifted
    sign["steps"][0]["expr"] = shifted
    return Forgery(restate(d), "the function > 0")


# ---------------------------------------------------------------- interval covers


@forgery
def cover_box_removed() -> Forgery:
    """Focal's d2/dp2 > 0 with one box of its cover left out: that part of (0, 1) x [0, 1]
    is shown by no box, so the cover proves nothing (the step must not be searched for
    again from a file that brought a cover)."""
    d = committed("focal/strictConvexOn_focal_p")
    d["covers"][0]["boxes"].pop()
    return Forgery(d, "volumes do not add up")


@forgery
def cover_enclosure_moved() -> Forgery:
    """Every enclosure of focal's cover moved to [10**6, oo): still the right side of 0, but
    no value of d2/dp2 on the boxes is there (at p = y = 1/2 it is about 7)."""
    d = committed("focal/strictConvexOn_focal_p")
    for box in d["covers"][0]["boxes"]:
        box["enc"] = ["1000000", "oo", "[)"]
    return Forgery(d, "misses")


@forgery
def cover_chart_from_the_file() -> Forgery:
    """Focal's z boxes said to be in the identity chart: (0, 1) as the range of z itself,
    not of sigmoid(z). The chart is the kernel's, from the domain z in R (logistic)."""
    d = committed("focal/isMinOn_focal_z")
    for cover in d["covers"]:
        for chart in cover["charts"]:
            if chart[1] == "logistic":
                chart[1] = "identity"
    return Forgery(d, "chart")


@forgery
def cover_number_nan() -> Forgery:
    """A box end written 'nan': not a rational, the file is malformed."""
    d = committed("focal/strictConvexOn_focal_p")
    d["covers"][0]["boxes"][0]["at"][0][0] = "nan"
    return Forgery(d, "not a rational")
