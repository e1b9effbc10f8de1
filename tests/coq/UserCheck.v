(* Written as a user of lossproof would: the definitions and statements fixed by
   issue 14, each proved by `exact` of lossproof's generated theorem. It imports
   only LossProof.Defs for the definitions, so a change of a definition or of a
   generated statement fails here. *)
From Coq Require Import Reals.
From Coquelicot Require Import Coquelicot.
From LossProof Require Import Defs.
From LossProof.Proofs.bce Require
  strictConvexOn_bce_p strictConvexOn_bce_z isMinOn_bce_p isMinOn_bce_z min_value_bce.
Open Scope R_scope.

(* The fixed definitions, restated: lossproof's must be these, to the letter. *)
Definition my_bce (y p : R) : R := - y * ln p - (1 - y) * ln (1 - p).
Definition my_sigmoid (z : R) : R := / (1 + exp (- z)).
Lemma same_bce : bce = my_bce. Proof. reflexivity. Qed.
Lemma same_sigmoid : sigmoid = my_sigmoid. Proof. reflexivity. Qed.

Theorem user_strictConvexOn_bce_p : forall y a b t, 0 <= y <= 1 -> 0 < a < 1 -> 0 < b < 1 -> a <> b -> 0 < t < 1 -> bce y (t * a + (1 - t) * b) < t * bce y a + (1 - t) * bce y b.
Proof. exact strictConvexOn_bce_p.strictConvexOn_bce_p. Qed.

Theorem user_strictConvexOn_bce_z : forall y a b t, 0 <= y <= 1 -> a <> b -> 0 < t < 1 -> bce y (sigmoid (t * a + (1 - t) * b)) < t * bce y (sigmoid a) + (1 - t) * bce y (sigmoid b).
Proof. exact strictConvexOn_bce_z.strictConvexOn_bce_z. Qed.

Theorem user_isMinOn_bce_p : forall y p, 0 < y < 1 -> 0 < p < 1 -> p <> y -> bce y y < bce y p.
Proof. exact isMinOn_bce_p.isMinOn_bce_p. Qed.

Theorem user_isMinOn_bce_z : forall y z, 0 < y < 1 -> z <> ln (y / (1 - y)) -> bce y (sigmoid (ln (y / (1 - y)))) < bce y (sigmoid z).
Proof. exact isMinOn_bce_z.isMinOn_bce_z. Qed.

Theorem user_min_value_bce : forall y p, 0 < y < 1 -> 0 < p < 1 -> - y * ln y - (1 - y) * ln (1 - y) <= bce y p.
Proof. exact min_value_bce.min_value_bce. Qed.

Theorem user_deriv_bce_p : forall y p, 0 < p < 1 -> is_derive (bce y) p ((p - y) / (p * (1 - p))).
Proof. exact isMinOn_bce_p.deriv_bce_p. Qed.

Theorem user_deriv_bce_z : forall y z, is_derive (fun z => bce y (sigmoid z)) z (sigmoid z - y).
Proof. exact isMinOn_bce_z.deriv_bce_z. Qed.

(* The end cases: no minimiser inside the domain. *)
Theorem user_noMinOn_bce_p_of_y_eq_0 : forall p, 0 < p < 1 -> exists q, 0 < q < 1 /\ bce 0 q < bce 0 p.
Proof. exact isMinOn_bce_p.noMinOn_bce_p_of_y_eq_0. Qed.

Theorem user_noMinOn_bce_z_of_y_eq_1 : forall z, True -> exists w, True /\ bce 1 (sigmoid w) < bce 1 (sigmoid z).
Proof. exact isMinOn_bce_z.noMinOn_bce_z_of_y_eq_1. Qed.

(* ... and the infimum 0 is approached at the open end. *)
Theorem user_tendsto_bce_p_of_y_eq_0 : filterlim (fun p => bce 0 p) (at_right 0) (locally 0).
Proof. exact isMinOn_bce_p.tendsto_bce_p_of_y_eq_0. Qed.

Theorem user_tendsto_bce_z_of_y_eq_1 : is_lim (fun z => bce 1 (sigmoid z)) p_infty 0.
Proof. exact isMinOn_bce_z.tendsto_bce_z_of_y_eq_1. Qed.

(* One Print Assumptions for all (each takes seconds): every theorem's axioms are among these. *)
Definition user_all := (user_strictConvexOn_bce_p, user_strictConvexOn_bce_z, user_isMinOn_bce_p,
  user_isMinOn_bce_z, user_min_value_bce, user_deriv_bce_p, user_deriv_bce_z,
  user_noMinOn_bce_p_of_y_eq_0, user_noMinOn_bce_z_of_y_eq_1, user_tendsto_bce_p_of_y_eq_0,
  user_tendsto_bce_z_of_y_eq_1).
Print Assumptions user_all.
