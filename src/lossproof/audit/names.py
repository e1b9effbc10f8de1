"""The names the audit and codegen commands offer, in a module light enough for argparse.

Building the command line must not import NumPy (a cold `lossproof prove` is timed).
"""

from __future__ import annotations

__all__ = ["QUANTITIES", "LABELS", "FORMATS", "DTYPE_NAMES", "BUILTIN_TARGETS", "TORCH_INSTALL", "CODEGEN_TARGETS"]

#: The audited quantities: name -> the input variable besides y.
QUANTITIES = {"loss": "z", "grad_p": "p", "grad_z": "z"}
#: Which labels an audit uses: hard (0 and 1), soft (strictly between), or all.
LABELS = ("all", "hard", "soft")
#: Report formats.
FORMATS = ("text", "json", "markdown")
#: Floating-point formats an audit measures in.
DTYPE_NAMES = ("float64", "float32")
#: How to get PyTorch (the optional extra; the CPU build is enough).
TORCH_INSTALL = "pip install -e '.[torch]'"
#: The languages ``lossproof codegen`` writes.
CODEGEN_TARGETS = ("numpy", "torch", "jax", "c")
#: The built-in targets, with what each one is.
BUILTIN_TARGETS = {
    "torch.bce_with_logits": "PyTorch F.binary_cross_entropy_with_logits(z, y); gradients by autograd",
    "torch.bce_sigmoid": "PyTorch F.binary_cross_entropy(torch.sigmoid(z), y) (grad_p: on p itself); autograd",
    "numpy.naive": "the derived expression lambdified to NumPy as written, sigmoid as 1/(1 + exp(-z))",
    "lossproof.generated": "lossproof's emitted NumPy code (`lossproof codegen LOSS --target numpy`)",
}
