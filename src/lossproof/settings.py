r"""One settings value: time limits, the Z3 time-out, sample counts, seeds and tolerances.

In the style of mpmath's contexts: :data:`DEFAULT` is what lossproof uses; a different
:class:`Settings` is passed to ``derive``, ``prove`` and ``check_claim`` (``settings=``),
or put in force for a block with :func:`using`, and the code reads :func:`current`.
Every field says why it has its value. A seed only chooses *which* points are sampled:
a proof never rests on samples, so changing a seed changes no verdict of a proof, only
which counterexamples are found first.

>>> current() is DEFAULT
True
>>> with using(Settings(z3_timeout_ms=2_000)):
...     current().z3_timeout_ms
2000
>>> Settings(sign_samples=0)
Traceback (most recent call last):
...
lossproof.errors.InputError: Settings(sign_samples=0): must be at least 1
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

from .errors import InputError

__all__ = ["Settings", "DEFAULT", "current", "using", "on_change"]


@dataclass(frozen=True)
class Settings:
    """Every policy number of lossproof, with its reason."""

    # ---- time limits
    #: CPU seconds for one derivation or one claim about a typed-in loss (a model with
    #: ``user_supplied``): SymPy may work on an arbitrary expression without end, and
    #: every honest loss of the catalog needs under 5 s per claim.
    user_limit_seconds: float = 20.0
    #: Seconds for a whole command (``--time-limit``): 82 to 89 s were seen on hostile
    #: typed-in losses with only the per-claim limit.
    command_limit_seconds: float = 60.0
    #: Milliseconds Z3 may spend on one sign question: every catalog question is decided
    #: in under 1 s; a harder one is left unknown rather than holding the command.
    z3_timeout_ms: int = 10_000
    #: Seconds and boxes of the interval engine (branch and bound) for one sign step:
    #: the catalog's transcendental signs close in under 2 s and 5,000 boxes.
    interval_seconds: float = 10.0
    interval_boxes: int = 20_000

    # ---- sample counts (never a proof: they screen, seed searches and refute)
    #: Points at which a sign step's numeric side samples the original expression.
    sign_samples: int = 12
    #: Points at which an identity is evaluated at 60 digits (a false identity of a few
    #: dozen terms differs at almost every point; six misses none seen).
    identity_points: int = 6
    #: Points at which a derivative step is compared with mpmath finite differences.
    derivative_points: int = 3
    #: Points of the other variables at which a limit step is checked along a sequence.
    limit_points: int = 3
    #: Points at which a root is placed inside its interval.
    root_points: int = 5
    #: Combinations of the other variables' values a refutation search tries at most.
    refute_combos: int = 24

    # ---- seeds: distinct per use, so that two checks never share their points
    sign_seed: int = 3
    derivative_seed: int = 7
    limit_seed: int = 5
    roots_seed: int = 13
    #: Cosmetic choices of the derivation (which way round a factor is written).
    orient_seed: int = 1
    derivation_seed: int = 3

    # ---- tolerances
    #: A value confirms a violation only beyond this, at 60 digits: a true "> 0" whose
    #: value is tiny is never confirmed violated (60 digits leave 20 for cancellation).
    confirm_margin: float = 1e-40
    #: A limit's mpmath sequence must end this close to the claimed value (the last term
    #: is 1e-40 from the point, or 1e3 out, where every catalog limit is far closer).
    limit_tolerance: float = 1e-8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"Settings({f.name}={value!r}): must be a number")
            if f.name.endswith("_seed"):
                if value < 0:
                    raise InputError(f"Settings({f.name}={value!r}): must be at least 0")
            elif f.name in ("confirm_margin", "limit_tolerance", "user_limit_seconds", "command_limit_seconds", "interval_seconds"):
                if not value > 0:
                    raise InputError(f"Settings({f.name}={value!r}): must be above 0")
            elif value < 1:
                raise InputError(f"Settings({f.name}={value!r}): must be at least 1")


#: What lossproof uses unless told otherwise.
DEFAULT = Settings()

_CURRENT: ContextVar[Settings] = ContextVar("lossproof_settings", default=DEFAULT)
_HOOKS: list[Callable[[], None]] = []


def current() -> Settings:
    """The settings in force."""
    return _CURRENT.get()


def on_change(hook: Callable[[], None]) -> None:
    """Call ``hook`` whenever other settings come into force (a cache of verdicts is cleared)."""
    _HOOKS.append(hook)


@contextmanager
def using(settings: Settings | None) -> Iterator[Settings]:
    """Put ``settings`` in force for the block (None: leave the settings as they are)."""
    if settings is None or settings == current():
        yield current()
        return
    token = _CURRENT.set(settings)
    for hook in _HOOKS:
        hook()
    try:
        yield settings
    finally:
        _CURRENT.reset(token)
        for hook in _HOOKS:
            hook()
