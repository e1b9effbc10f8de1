"""The one visitor the renderers share: a method per class of result, as SymPy's printers do.

``renderer.render(node)`` calls ``renderer.render_<Name>(node)`` where ``<Name>`` is the
name of the node's class (or of the first base class that has a method): supporting a
new kind of result in a format is one new method, not another ``elif``. The result types
are those the rest of lossproof computes: a derivative (:class:`lossproof.derive.Derivative`,
rendered by ``render_Derived``, since the kernel's derivative *step* is also named
``Derivative``), a claim's result (:class:`lossproof.kernel.ClaimResult`), a comparison
(:class:`lossproof.compare.Comparison`) and the kernel's steps (``render_Identity``,
``render_Sign``, ...).

>>> class Shout(Renderer):
...     def render_int(self, n: int) -> str:
...         return f"{n}!"
>>> Shout().render(3)
'3!'
>>> Shout().render(True)  # bool is an int: the base class's method
'True!'
>>> Shout().render("x")
Traceback (most recent call last):
...
TypeError: Shout cannot render a str
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Renderer", "method_name", "operator_of", "engines_words"]

#: Result classes whose name another result class also has: (module, name) -> method suffix.
_RENAMED = {("lossproof.derive", "Derivative"): "Derived"}


def method_name(cls: type) -> str:
    """The method that renders instances of ``cls``: ``render_`` and the class's name.

    >>> from lossproof.derive import Derivative
    >>> method_name(Derivative)
    'render_Derived'
    >>> from lossproof.kernel import Derivative
    >>> method_name(Derivative)
    'render_Derivative'
    """
    return "render_" + _RENAMED.get((cls.__module__, cls.__name__), cls.__name__)


class Renderer:
    """Base of the text, JSON, LaTeX and Markdown renderers: dispatch on the node's class."""

    def render(self, node: object, *args: Any, **options: Any) -> Any:
        """``node`` in this renderer's format; ``args`` and ``options`` go to its method.

        Raises:
            TypeError: this renderer has no method for the node's class or its bases.
        """
        for cls in type(node).__mro__:
            method = getattr(self, method_name(cls), None)
            if method is not None:
                return method(node, *args, **options)
        raise TypeError(f"{type(self).__name__} cannot render a {type(node).__name__}")



def operator_of(loss_name: str) -> str:
    """How a result's loss is named in formulas (``BCE``): the catalog's name, else ``L``.

    >>> operator_of("bce"), operator_of("custom")
    ('BCE', 'L')
    """
    from ..losses import CATALOG

    return CATALOG[loss_name].operator if loss_name in CATALOG else "L"


def engines_words(engines: Mapping[str, str]) -> str:
    """What each engine said, as the reports print it.

    >>> engines_words({"sympy": "proved", "z3": "proved"})
    'sympy: proved, z3: proved'
    """
    return ", ".join(f"{k}: {v}" for k, v in engines.items())
