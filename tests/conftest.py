"""Hypothesis profiles: `ci` is derandomized (never flaky) and thorough; `dev` is quick.

`ci` is the default when the environment says CI=true (as .ci/run runs); HYPOTHESIS_PROFILE
or --hypothesis-profile choose explicitly.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=500,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
_default = "ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
