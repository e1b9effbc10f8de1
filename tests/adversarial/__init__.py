"""The adversarial corpus: forged certificates and typed-in claims the kernel must not be fooled by."""
