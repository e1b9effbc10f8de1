(** * LossProof.Defs: the definitions lossproof's Coq theorems are stated with.

    These definitions are an interface: anyone may state the BCE theorems in their
    own file with them and check that lossproof's proofs prove those statements
    (see tests/coq/UserCheck.v). Change them only together with the issue that
    fixes them. The predicates follow Lean Mathlib's names and its chord form of
    convexity, with a domain given as a predicate on R. *)

From Coq Require Import Reals.
Open Scope R_scope.

(** Binary cross-entropy of a target [y] and a predicted probability [p]; natural log. *)
Definition bce (y p : R) : R := - y * ln p - (1 - y) * ln (1 - p).

(** The logistic sigmoid, the link from a logit [z] to a probability. *)
Definition sigmoid (z : R) : R := / (1 + exp (- z)).

(** Binary entropy [H(y)], the minimum value of [bce y]. *)
Definition binEntropy (y : R) : R := - y * ln y - (1 - y) * ln (1 - y).

(** Kullback-Leibler divergence of Bernoulli(p) from Bernoulli(y). *)
Definition klBernoulli (y p : R) : R :=
  - y * ln (p / y) - (1 - y) * ln ((1 - p) / (1 - y)).

(** A domain is an interval when it holds every point between two of its points. *)
Definition is_interval (D : R -> Prop) : Prop :=
  forall a b x, D a -> D b -> a <= x <= b -> D x.

(** Strict convexity in chord form: every chord lies strictly above the graph. *)
Definition StrictConvexOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall a b t, D a -> D b -> a <> b -> 0 < t < 1 ->
    f (t * a + (1 - t) * b) < t * f a + (1 - t) * f b.

(** Convexity in chord form. *)
Definition ConvexOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall a b t, D a -> D b -> 0 <= t <= 1 ->
    f (t * a + (1 - t) * b) <= t * f a + (1 - t) * f b.

Definition StrictMonoOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall a b, D a -> D b -> a < b -> f a < f b.

Definition StrictAntiOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall a b, D a -> D b -> a < b -> f b < f a.

Definition MonotoneOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall a b, D a -> D b -> a <= b -> f a <= f b.

(** [x] is the unique minimiser of [f] on [D]. *)
Definition IsStrictMinOn (D : R -> Prop) (f : R -> R) (x : R) : Prop :=
  D x /\ forall y, D y -> y <> x -> f x < f y.

(** [x] is a minimiser of [f] on [D]. *)
Definition IsMinOn (D : R -> Prop) (f : R -> R) (x : R) : Prop :=
  D x /\ forall y, D y -> f x <= f y.

(** [f] has no minimiser on [D]: below every value there is a lower one. *)
Definition NoMinOn (D : R -> Prop) (f : R -> R) : Prop :=
  forall x, D x -> exists y, D y /\ f y < f x.
