"""Shared Hypothesis strategies for lossproof's tests."""

from hypothesis import strategies as st

#: Soft targets, with the hard labels 0 and 1 and the midpoint drawn often.
targets = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0))
#: Soft targets strictly inside (0, 1).
inner_targets = st.floats(1e-6, 1 - 1e-6)
#: Predictions where float64 finite differences are meaningful.
float_predictions = st.floats(0.01, 0.99)
#: Predictions up to 1e-12 from the ends, for mpmath.
edge_predictions = st.one_of(
    st.floats(1e-12, 1 - 1e-12),
    st.floats(1e-12, 1e-9),
    st.floats(1 - 1e-9, 1 - 1e-12),
)
#: Logits where float64 finite differences are meaningful.
float_logits = st.floats(-15.0, 15.0)
#: Logits for mpmath, out to |z| = 700 where float64 exp overflows soon after.
mp_logits = st.floats(-700.0, 700.0)
