"""Emitted code: each rewrite proved, the NumPy and C code audited at <= 2 ulp, the naive form failing."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lossproof.audit import audit, get_target
from lossproof.audit.adapters import Target
from lossproof.cli import main
from lossproof.codegen import emit, numpy_module, quantities_of, stable_form
from lossproof.codegen.forms import _check, softplus
from lossproof.errors import InputError
from lossproof.losses import CATALOG, get_loss, z

from .conftest import require

LINKED = [name for name, loss in CATALOG.items() if loss.link is not None]
QUANTITIES = ("loss", "grad_p", "grad_z")
#: The bar of the brief for emitted code: 2 ulps, in float64 and float32.
MAX_ULP = 2.0
#: Unit tests audit every STRIDE-th point of the sweep (every binade of the hard-label
#: sweep is still visited in float32); `lossproof audit lossproof.generated` runs all of it.
STRIDE = {"float64": 48, "float32": 12}
CC = shutil.which("cc") or shutil.which("gcc")
#: Catalog losses whose gradient in p vanishes at a soft label: where the zero is a rational
#: function of y the exact numerator reaches it (see forms.exact_sum); focal's, among
#: logarithms, is computed in pairs of long doubles (StableForm.pairs).
ZERO_GRAD_P = ("bce", "mse", "bce_pos_weight", "bce_label_smoothing", "focal")
#: Catalog losses whose loss or grad_z vanishes at a soft label (sigmoid(z) = y or its kin).
ZERO_IN_Z = ("bce", "mse", "mae", "logcosh", "bce_pos_weight", "bce_label_smoothing", "focal")


@pytest.mark.parametrize("name", LINKED)
def test_every_rewrite_is_checked_equal_to_the_derivation(name: str) -> None:
    for q in QUANTITIES:
        form = stable_form(CATALOG[name], q)
        assert form.rewrites and all(r.holds for r in form.rewrites)
        names = {r.name for r in form.rewrites}
        assert {"softplus, u >= 0", "softplus, u < 0", "log(1 - p)"} <= names


def test_a_wrong_rewrite_does_not_check() -> None:
    u = sympy.Symbol("u")
    wrong = _check("softplus, u >= 0, wrong sign", softplus(u), u - sympy.log(1 + sympy.exp(-u)), {u: sympy.Interval(0, 20)}, via_exp=True)
    assert not wrong.holds
    off_by_branch = _check("sigmoid on the wrong side", sympy.Symbol("s0"), sympy.Symbol("s0") + 0, {sympy.Symbol("s0"): sympy.Interval(0, 1)})
    assert off_by_branch.holds  # the checker is not refusing everything


def test_branches_write_sigmoid_minus_one_without_cancellation() -> None:
    form = stable_form(get_loss("bce"), "grad_z")
    (center_cond, center), (pos_cond, pos), (neg_cond, neg) = form.branches
    # (A + B v)/q: at y = 1 the z >= 0 branch is (0 - c)/1, exact; at y = 1/2 the center one
    # is (0 + 2d)/2, exactly d, where the zero is z = 0
    assert pos_cond == (z >= 0) and str(pos) == "pair_sum(1 - y, -1, c, 1)"
    assert str(center) == "pair_sum(1 - 2*y, 2, d, 2)" and str(neg) == "pair_sum(-y, 1, s, 1)"
    text = emit(get_loss("bce"), "numpy", ["grad_z"])
    assert "_dd_lin(_dd_of(1.0, -1.0*y), _dd_of((-1.0)), cp, 1.0)" in text
    torch_text = emit(get_loss("bce"), "torch", ["grad_z"])
    assert "((1.0 - y) - c)/1.0" in torch_text  # PyTorch: the plain sum, label part first


def test_ln2_pieces_are_ln2() -> None:
    import mpmath

    from lossproof.codegen.emit import _LN2_PIECES

    with mpmath.workprec(300):
        total = sum(mpmath.mpf(m) * mpmath.mpf(2) ** (-32 * (k + 1)) for k, m in enumerate(_LN2_PIECES))
        assert 0 <= mpmath.log(2) - total < mpmath.mpf(2) ** -160


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", LINKED)
def test_emitted_numpy_is_within_2_ulp_at_hard_labels(name: str, dtype: str) -> None:
    loss = CATALOG[name]
    target = get_target("lossproof.generated", loss)
    for q in QUANTITIES:
        r = audit(target, loss, q, dtype, labels="hard", stride=STRIDE[dtype], search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"{name} {q} {dtype}: {r.worst}"


@pytest.mark.parametrize("name", LINKED)
def test_naive_lambdify_of_the_same_expression_fails_the_same_audit(name: str) -> None:
    loss = CATALOG[name]
    target = get_target("numpy.naive", loss)
    failed = [
        q for q in ("loss", "grad_z")
        if not audit(target, loss, q, "float64", labels="hard", stride=STRIDE["float64"], search_examples=0, max_ulp=MAX_ULP).passed
    ]
    assert failed, f"the naive {name} passed: the audit could not fail"


def test_emitted_code_at_soft_labels_where_nothing_crosses_zero() -> None:
    # The loss of the BCE family is bounded away from 0 at soft labels, so the bar holds there too.
    for name in ("bce", "bce_pos_weight", "bce_label_smoothing", "focal"):
        loss = CATALOG[name]
        r = audit(get_target("lossproof.generated", loss), loss, "loss", "float64", labels="soft", stride=48, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"{name}: {r.worst}"


@pytest.mark.parametrize("name", ["bce", "mse", "logcosh"])
def test_next_to_an_irrational_zero_the_pairs_keep_2_ulp(name: str) -> None:
    # sigmoid(z) - y at y = 0.3 vanishes at the irrational z = log(3/7); at the float64 nearest
    # to it the true value is 1e-18 against terms of 0.3: long double alone (the code before
    # pairs) returned -1.0842e-18 against -1.0979e-18, 7.1e13 ulp. Pairs of long doubles keep it.
    loss = CATALOG[name]
    probe = _one(0.3, -0.8472978603872037)
    for q in ("loss", "grad_z"):
        r = audit(get_target("lossproof.generated", loss), loss, q, "float64", regions=probe, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"{name} {q}: {r.worst}"
    naive = audit(get_target("numpy.naive", loss), loss, "grad_z", "float64", regions=probe, search_examples=0, max_ulp=MAX_ULP)
    assert naive.worst.ulps > 1e10


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ZERO_IN_Z)
def test_emitted_numpy_is_within_2_ulp_next_to_the_zeros_in_z(name: str, dtype: str) -> None:
    from lossproof.audit.sweep import DTYPES
    from lossproof.audit.truth import Truth
    from lossproof.audit.zeros import zero_regions

    loss = CATALOG[name]
    target = get_target("lossproof.generated", loss)
    for q in ("loss", "grad_z"):
        regions = zero_regions(Truth.of(loss, q, DTYPES[dtype].mant), DTYPES[dtype], q, _probe_labels())
        if not regions:
            continue  # the BCE family's loss has no zero at a soft label
        r = audit(target, loss, q, dtype, regions=regions, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"{name} {q} {dtype}: {r.worst}"


#: Labels for the zero probes: the sweep's soft labels and 24 more from a fixed seed, spread
#: over (0, 1) and towards 0 (2^-k scaled), where the zeros of pos_weight and label smoothing move.
def _probe_labels() -> tuple[float, ...]:
    from lossproof.audit.sweep import SOFT_LABELS

    rng = np.random.default_rng(11)
    spread = rng.random(12).tolist() + (rng.random(12) * 2.0 ** -rng.integers(1, 40, 12)).tolist()
    return SOFT_LABELS + tuple(spread)




@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ZERO_GRAD_P)
def test_grad_p_is_within_2_ulp_next_to_its_zero(name: str, dtype: str) -> None:
    from lossproof.audit.sweep import DTYPES
    from lossproof.audit.truth import Truth
    from lossproof.audit.zeros import zero_regions

    loss = CATALOG[name]
    regions = zero_regions(Truth.of(loss, "grad_p", DTYPES[dtype].mant), DTYPES[dtype], "grad_p", _probe_labels())
    assert regions and len(regions[0].x) > 1000
    r = audit(get_target("lossproof.generated", loss), loss, "grad_p", dtype, regions=regions, search_examples=0, max_ulp=MAX_ULP)
    assert r.passed and r.regions[0].measured > 500, f"{name} {dtype}: {r.worst}"


def test_the_naive_sum_of_fractions_cancels_next_to_the_zero() -> None:
    # pos_weight's grad_p (1 - y)/(1 - p) - 3y/p at y = 0.1, p = 0.25 (its zero 3y/(1 + 2y) is
    # 0.25 for y exactly 1/10; the float 0.1 is 5.55e-18 above): what the exact numerator mends.
    loss = CATALOG["bce_pos_weight"]
    probe = _one(0.1, 0.25)
    naive = audit(get_target("numpy.naive", loss), loss, "grad_p", "float64", regions=probe, search_examples=0, max_ulp=MAX_ULP)
    fixed = audit(get_target("lossproof.generated", loss), loss, "grad_p", "float64", regions=probe, search_examples=0, max_ulp=MAX_ULP)
    assert naive.worst.ulps > 1e10 and fixed.worst.ulps <= 0.5 + 1e-3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1, 1, allow_subnormal=True), min_size=1, max_size=6), st.floats(0, 1), st.floats(0, 1))
def test_exact_sum_and_two_prod_are_exact(terms: list[float], a: float, b: float) -> None:
    m = numpy_module(get_loss("bce_pos_weight"))
    w = np.longdouble
    hi, lo = m._two_prod(w(a), w(b))
    assert _frac(hi) + _frac(lo) == Fraction(a) * Fraction(b)
    parts = [w(t) for t in terms] + [hi, lo]
    exact = sum((_frac(t) for t in parts), Fraction(0))
    got = m._exact_sum(*parts)
    # rounded about once in the working precision: within 2 of its ulps of the exact sum
    eps = Fraction(1, 2 ** (np.finfo(w).nmant + 1))
    assert abs(_frac(got) - exact) <= 2 * abs(exact) * eps


def _frac(v: np.floating) -> Fraction:
    return Fraction(*v.as_integer_ratio())


def _one(yv: float, xv: float) -> list:
    from lossproof.audit.sweep import Region

    return [Region("probe", np.array([yv]), np.array([xv]))]


def test_emitted_numpy_keeps_the_dtype_and_broadcasts() -> None:
    m = numpy_module(get_loss("bce"))
    out = m.grad_z(np.float32(1), np.arange(3, dtype=np.float32))
    assert out.dtype == np.float32 and out.shape == (3,)
    assert m.loss(0.0, -50.0) == 1.9287498479639178e-22  # log1p(e^-50), where PyTorch returns 0


def test_every_target_emits_text_that_parses() -> None:
    loss = get_loss("focal")
    for target in ("numpy", "torch", "jax"):
        compile(emit(loss, target), f"<{target}>", "exec")
    assert "long double" in emit(loss, "c")
    with pytest.raises(InputError, match="fortran"):
        emit(loss, "fortran")
    with pytest.raises(InputError, match="no grad_z"):
        emit(get_loss("poisson"), "numpy", ["grad_z"])


def test_emitted_docstrings_state_formula_and_audit() -> None:
    text = emit(get_loss("bce"), "numpy")
    assert "Formula (lossproof's derivation): -y + sigmoid(z)" in text
    assert "Audited error" in text and "identity checks" in text
    assert "lossproof audit lossproof.generated --loss bce --quantity grad_z" in text.replace("\n      ", " ")


def test_codegen_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codegen", "bce", "--target", "numpy", "--quantity", "grad_z"]) == 0
    out = capsys.readouterr().out
    assert "def grad_z(y, z):" in out and "def loss(" not in out
    path = tmp_path / "bce_stable.py"
    assert main(["codegen", "bce", "--target", "numpy", "-o", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == emit(get_loss("bce"), "numpy")
    assert main(["codegen", "bce", "--target", "cobol"]) == 2
    assert main(["codegen", "hinge", "--target", "c"]) == 2


# --- C, compiled with the system compiler --------------------------------------------

@pytest.fixture(scope="module")
def clib(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    require("cc")
    folder = tmp_path_factory.mktemp("c")
    src = folder / "losses.c"
    src.write_text("\n".join(emit(CATALOG[n], "c") for n in LINKED), encoding="utf-8")
    lib = folder / "liblosses.so"
    # -ffp-contract=off: no fused multiply-add behind the emitted order of operations.
    subprocess.run([CC, "-O2", "-ffp-contract=off", "-shared", "-fPIC", str(src), "-o", str(lib), "-lm"], check=True)
    return ctypes.CDLL(str(lib))


def _c_target(lib: ctypes.CDLL, name: str) -> Target:
    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        suffix = "_array" if xv.dtype == np.float64 else "_array_f32"
        fn = getattr(lib, f"lossproof_{name}_{q}{suffix}")
        ct = ctypes.c_double if xv.dtype == np.float64 else ctypes.c_float
        yc, xc = np.ascontiguousarray(yv), np.ascontiguousarray(xv)
        out = np.empty_like(xc)
        ptr = ctypes.POINTER(ct)
        fn(yc.ctypes.data_as(ptr), xc.ctypes.data_as(ptr), out.ctypes.data_as(ptr), ctypes.c_long(len(xc)))
        return out

    return Target(f"c:{name}", QUANTITIES, evaluate)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", LINKED)
def test_emitted_c_is_within_2_ulp_at_hard_labels(clib: ctypes.CDLL, name: str, dtype: str) -> None:
    loss = CATALOG[name]
    for q in quantities_of(loss):
        r = audit(_c_target(clib, name), loss, q, dtype, labels="hard", stride=STRIDE[dtype], search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"C {name} {q} {dtype}: {r.worst}"


def test_emitted_torch_in_float32() -> None:
    require("torch")
    import torch
    import types

    loss = get_loss("bce")
    module = types.ModuleType("bce_torch")
    exec(compile(emit(loss, "torch"), "<torch>", "exec"), module.__dict__)

    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        return getattr(module, q)(torch.from_numpy(yv), torch.from_numpy(xv)).numpy()

    for q in QUANTITIES:
        r = audit(Target("torch-emitted", QUANTITIES, evaluate), loss, q, "float32", labels="hard", stride=6, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"{q}: {r.worst}"


@pytest.mark.parametrize("name", ZERO_GRAD_P)
def test_emitted_c_grad_p_is_within_2_ulp_next_to_its_zero(clib: ctypes.CDLL, name: str) -> None:
    from lossproof.audit.sweep import DTYPES
    from lossproof.audit.truth import Truth
    from lossproof.audit.zeros import zero_regions

    loss = CATALOG[name]
    for dtype in ("float64", "float32"):
        regions = zero_regions(Truth.of(loss, "grad_p", DTYPES[dtype].mant), DTYPES[dtype], "grad_p", _probe_labels())
        r = audit(_c_target(clib, name), loss, "grad_p", dtype, regions=regions, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"C {name} {dtype}: {r.worst}"


# --- JAX (optional: not installed by CI, ~600 MB) -------------------------------------------

JAX_INSTALL = "pip install -e '.[jax]'"


@pytest.fixture(scope="module")
def jax_numpy() -> object:
    import importlib.util

    if importlib.util.find_spec("jax") is None:
        pytest.skip(f"jax not installed ({JAX_INSTALL})")
    import jax

    # float64 (and float32 computed in float64) need 64-bit types, off by default in JAX
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jnp


def _jax_target(jnp: object, loss_name: str) -> Target:
    import types

    module = types.ModuleType(f"{loss_name}_jax")
    exec(compile(emit(CATALOG[loss_name], "jax"), f"<jax {loss_name}>", "exec"), module.__dict__)  # noqa: S102 - our own emitted text

    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        return np.asarray(getattr(module, q)(jnp.asarray(yv), jnp.asarray(xv)))

    return Target(f"jax:{loss_name}", QUANTITIES, evaluate)


def _normal_inputs(quantity: str, dtype: str) -> list:
    # XLA's CPU backend flushes subnormal numbers to zero (inputs and results alike): the JAX
    # code is audited where the input is a normal number or 0, the README says so.
    from lossproof.audit.sweep import DTYPES, Region, sweep

    dt = DTYPES[dtype]
    out = []
    for r in sweep(quantity, dt):
        keep = (np.abs(r.x) >= dt.tiny) | (r.x == 0)
        out.append(Region(r.name, r.y[keep][:: STRIDE[dtype]], r.x[keep][:: STRIDE[dtype]]))
    return out


@pytest.mark.parametrize("name", LINKED)
def test_emitted_jax_in_float32_is_within_2_ulp_at_hard_labels_and_next_to_zeros(jax_numpy: object, name: str) -> None:
    from lossproof.audit.sweep import DTYPES
    from lossproof.audit.truth import Truth
    from lossproof.audit.zeros import zero_regions

    loss = CATALOG[name]
    target = _jax_target(jax_numpy, name)
    dt = DTYPES["float32"]
    for q in quantities_of(loss):
        regions = [g for g in _normal_inputs(q, "float32") if not g.name.startswith("soft")]
        regions += zero_regions(Truth.of(loss, q, dt.mant), dt, q)
        r = audit(target, loss, q, "float32", regions=regions, search_examples=0, max_ulp=MAX_ULP)
        assert r.passed, f"JAX {name} {q} float32: {r.worst}"


def test_emitted_jax_keeps_the_dtype_and_the_tails(jax_numpy: object) -> None:
    jnp = jax_numpy
    m = _jax_target(jnp, "bce")
    out = m("loss", np.array([0.0]), np.array([-50.0]))
    assert out.dtype == np.float64 and float(out[0]) == pytest.approx(1.9287498479639178e-22, rel=1e-15)
    g = m("grad_z", np.array([1.0], np.float32), np.array([50.0], np.float32))
    assert g.dtype == np.float32 and float(g[0]) == pytest.approx(-1.9287498479639178e-22, rel=1e-7)


@pytest.mark.parametrize("name", ZERO_IN_Z)
def test_emitted_c_is_within_2_ulp_next_to_the_zeros_in_z(clib: ctypes.CDLL, name: str) -> None:
    from lossproof.audit.sweep import DTYPES
    from lossproof.audit.truth import Truth
    from lossproof.audit.zeros import zero_regions

    loss = CATALOG[name]
    for dtype in ("float64", "float32"):
        for q in ("loss", "grad_z"):
            regions = zero_regions(Truth.of(loss, q, DTYPES[dtype].mant), DTYPES[dtype], q, _probe_labels())
            if regions:
                r = audit(_c_target(clib, name), loss, q, dtype, regions=regions, search_examples=0, max_ulp=MAX_ULP)
                assert r.passed, f"C {name} {q} {dtype}: {r.worst}"


def test_numpy_code_where_long_double_is_double_keeps_its_pairs_finite() -> None:
    # Platforms whose long double is float64 (AArch64 macOS, Windows) run the same text with
    # _W = float64: the pairs are then float64 pairs, and Veltkamp's split must not overflow.
    import types

    loss = CATALOG["focal"]
    text = emit(loss, "numpy").replace(
        "_W = np.longdouble if np.finfo(np.longdouble).nmant >= 63 else np.float64", "_W = np.float64"
    )
    m = types.ModuleType("focal_float64_only")
    exec(compile(text, "<focal, float64 only>", "exec"), m.__dict__)  # noqa: S102 - our own emitted text
    assert m._W is np.float64
    with np.errstate(all="raise", under="ignore"):
        gz = m.grad_z(np.array([0.0, 1.0]), np.array([1.3e300, -1.3e300]))
        gp = m.grad_p(np.array([1.0, 0.0]), np.array([2.2250738585072014e-308, 0.5]))
    assert np.all(np.isfinite(gz)) and np.all(np.isfinite(gp))

    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        return getattr(m, q)(yv, xv)

    # float32 inputs in float64 pairs (106 bits) still keep 2 ulp, in the tails and at hard labels
    r = audit(Target("numpy, float64 pairs", QUANTITIES, evaluate), loss, "grad_z", "float32", labels="hard",
              stride=STRIDE["float32"], search_examples=0, max_ulp=MAX_ULP)
    assert r.passed, r.worst
