(** * LossProof.Rules: the rules lossproof's kernel draws conclusions with.

    Each rule is proved here once, by hand, from Coquelicot and Coq's standard
    library of real numbers; the generated proofs under proofs/ only apply them
    to step proofs. Everything here is proved; `lossproof check --coq` prints the axioms each theorem rests on. *)

From Coq Require Import Reals Lra Psatz.
From Coquelicot Require Import Coquelicot.
From LossProof Require Import Defs.
Open Scope R_scope.

(** ** Domains *)

Lemma is_interval_Ioo (lo hi : R) : is_interval (fun x => lo < x < hi).
Proof. intros a b x Ha Hb Hx; lra. Qed.

Lemma is_interval_Ioi (lo : R) : is_interval (fun x => lo < x).
Proof. intros a b x Ha Hb Hx; lra. Qed.

Lemma is_interval_Iio (hi : R) : is_interval (fun x => x < hi).
Proof. intros a b x Ha Hb Hx; lra. Qed.

Lemma is_interval_univ : is_interval (fun _ => True).
Proof. intros a b x _ _ _; exact I. Qed.

(** ** The mean value theorem inside an interval *)

Lemma mvt_on (D : R -> Prop) (f df : R -> R) (a b : R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> D a -> D b -> a < b ->
  exists c, a < c < b /\ D c /\ f b - f a = df c * (b - a).
Proof.
  intros HI Hd Ha Hb Hab.
  destruct (MVT_cor2 f df a b Hab) as [c [Heq Hc]].
  - intros c Hc. apply is_derive_Reals. apply Hd. apply (HI a b c); auto.
  - exists c. split; [exact Hc|]. split; [apply (HI a b c); auto; lra | exact Heq].
Qed.

(** ** Monotonicity from the sign of the derivative *)

Lemma strictMonoOn_of_deriv_pos (D : R -> Prop) (f df : R -> R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) ->
  (forall x, D x -> 0 < df x) -> StrictMonoOn D f.
Proof.
  intros HI Hd Hp a b Ha Hb Hab.
  destruct (mvt_on D f df a b HI Hd Ha Hb Hab) as [c [Hc [HDc Heq]]].
  specialize (Hp c HDc). nra.
Qed.

Lemma strictAntiOn_of_deriv_neg (D : R -> Prop) (f df : R -> R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) ->
  (forall x, D x -> df x < 0) -> StrictAntiOn D f.
Proof.
  intros HI Hd Hn a b Ha Hb Hab.
  destruct (mvt_on D f df a b HI Hd Ha Hb Hab) as [c [Hc [HDc Heq]]].
  specialize (Hn c HDc). nra.
Qed.

Lemma monotoneOn_of_deriv_nonneg (D : R -> Prop) (f df : R -> R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) ->
  (forall x, D x -> 0 <= df x) -> MonotoneOn D f.
Proof.
  intros HI Hd Hp a b Ha Hb Hab.
  destruct (Req_dec a b) as [->|Hne]; [lra|].
  destruct (mvt_on D f df a b HI Hd Ha Hb ltac:(lra)) as [c [Hc [HDc Heq]]].
  specialize (Hp c HDc). nra.
Qed.

(** ** No minimiser: a strictly monotone function on a domain open at one end *)

Lemma not_isMinOn_of_strictMonoOn (D : R -> Prop) (f : R -> R) :
  (forall x, D x -> exists x', D x' /\ x' < x) -> StrictMonoOn D f -> NoMinOn D f.
Proof.
  intros Hopen Hm x Hx. destruct (Hopen x Hx) as [x' [Hx' Hlt]].
  exists x'. split; [exact Hx'| exact (Hm x' x Hx' Hx Hlt)].
Qed.

Lemma not_isMinOn_of_strictAntiOn (D : R -> Prop) (f : R -> R) :
  (forall x, D x -> exists x', D x' /\ x < x') -> StrictAntiOn D f -> NoMinOn D f.
Proof.
  intros Hopen Ha x Hx. destruct (Hopen x Hx) as [x' [Hx' Hlt]].
  exists x'. split; [exact Hx'| exact (Ha x x' Hx Hx' Hlt)].
Qed.

Lemma open_left_Ioo (lo hi : R) (x : R) : lo < x < hi -> exists x', lo < x' < hi /\ x' < x.
Proof. intros H. exists ((lo + x) / 2). lra. Qed.

Lemma open_right_Ioo (lo hi : R) (x : R) : lo < x < hi -> exists x', lo < x' < hi /\ x < x'.
Proof. intros H. exists ((x + hi) / 2). lra. Qed.

Lemma open_left_Ioi (lo : R) (x : R) : lo < x -> exists x', lo < x' /\ x' < x.
Proof. intros H. exists ((lo + x) / 2). lra. Qed.

Lemma open_right_Ioi (lo : R) (x : R) : lo < x -> exists x', lo < x' /\ x < x'.
Proof. intros H. exists (x + 1). lra. Qed.

Lemma open_left_univ (x : R) : True -> exists x', True /\ x' < x.
Proof. intros _. exists (x - 1). split; [exact I | lra]. Qed.

Lemma open_right_univ (x : R) : True -> exists x', True /\ x < x'.
Proof. intros _. exists (x + 1). split; [exact I | lra]. Qed.

(** ** Convexity from the derivative *)

(* The chord inequality for a < b: by the mean value theorem on [a, x] and [x, b],
   t f a + (1 - t) f b - f x = t (1 - t) (b - a) (f'(c2) - f'(c1)) with c1 < x < c2. *)
Lemma chord_lt_of_strictMonoOn_deriv (D : R -> Prop) (f df : R -> R) (a b t : R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> StrictMonoOn D df ->
  D a -> D b -> a < b -> 0 < t < 1 ->
  f (t * a + (1 - t) * b) < t * f a + (1 - t) * f b.
Proof.
  intros HI Hd Hm Ha Hb Hab Ht.
  set (x := t * a + (1 - t) * b).
  assert (Hax : a < x) by (unfold x; nra).
  assert (Hxb : x < b) by (unfold x; nra).
  assert (HDx : D x) by (apply (HI a b x); auto; lra).
  destruct (mvt_on D f df a x HI Hd Ha HDx Hax) as [c1 [Hc1 [HD1 Heq1]]].
  destruct (mvt_on D f df x b HI Hd HDx Hb Hxb) as [c2 [Hc2 [HD2 Heq2]]].
  assert (Hlt : df c1 < df c2) by (apply Hm; auto; lra).
  assert (Hpos : 0 < t * (1 - t) * (b - a) * (df c2 - df c1)).
  { repeat apply Rmult_lt_0_compat; lra. }
  assert (H1 : t * f a = t * f x - t * (df c1 * (x - a))) by (rewrite <- Heq1; ring).
  assert (H2 : (1 - t) * f b = (1 - t) * f x + (1 - t) * (df c2 * (b - x))).
  { rewrite <- Heq2; ring. }
  rewrite H1, H2.
  assert (E : t * f x - t * (df c1 * (x - a)) + ((1 - t) * f x + (1 - t) * (df c2 * (b - x)))
              - f x = t * (1 - t) * (b - a) * (df c2 - df c1)) by (unfold x; ring).
  lra.
Qed.

Lemma strictConvexOn_of_strictMonoOn_deriv (D : R -> Prop) (f df : R -> R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> StrictMonoOn D df ->
  StrictConvexOn D f.
Proof.
  intros HI Hd Hm a b t Ha Hb Hab Ht.
  destruct (Rlt_or_le a b) as [Hlt|Hle].
  - exact (chord_lt_of_strictMonoOn_deriv D f df a b t HI Hd Hm Ha Hb Hlt Ht).
  - assert (Hba : b < a) by (destruct Hle; [assumption | congruence]).
    replace (t * a + (1 - t) * b) with ((1 - t) * b + (1 - (1 - t)) * a) by ring.
    replace (t * f a + (1 - t) * f b) with ((1 - t) * f b + (1 - (1 - t)) * f a) by ring.
    apply (chord_lt_of_strictMonoOn_deriv D f df b a (1 - t)); auto; lra.
Qed.

(** A function with a positive second derivative on an interval is strictly convex there. *)
Theorem strictConvexOn_of_deriv2_pos (D : R -> Prop) (f df ddf : R -> R) :
  is_interval D ->
  (forall x, D x -> is_derive f x (df x)) ->
  (forall x, D x -> is_derive df x (ddf x)) ->
  (forall x, D x -> 0 < ddf x) ->
  StrictConvexOn D f.
Proof.
  intros HI Hd Hdd Hp.
  apply (strictConvexOn_of_strictMonoOn_deriv D f df HI Hd).
  exact (strictMonoOn_of_deriv_pos D df ddf HI Hdd Hp).
Qed.

Lemma chord_le_of_monotoneOn_deriv (D : R -> Prop) (f df : R -> R) (a b t : R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> MonotoneOn D df ->
  D a -> D b -> a < b -> 0 < t < 1 ->
  f (t * a + (1 - t) * b) <= t * f a + (1 - t) * f b.
Proof.
  intros HI Hd Hm Ha Hb Hab Ht.
  set (x := t * a + (1 - t) * b).
  assert (Hax : a < x) by (unfold x; nra).
  assert (Hxb : x < b) by (unfold x; nra).
  assert (HDx : D x) by (apply (HI a b x); auto; lra).
  destruct (mvt_on D f df a x HI Hd Ha HDx Hax) as [c1 [Hc1 [HD1 Heq1]]].
  destruct (mvt_on D f df x b HI Hd HDx Hb Hxb) as [c2 [Hc2 [HD2 Heq2]]].
  assert (Hle : df c1 <= df c2) by (apply Hm; auto; lra).
  assert (Hpos : 0 <= t * (1 - t) * (b - a) * (df c2 - df c1)).
  { repeat apply Rmult_le_pos; lra. }
  assert (H1 : t * f a = t * f x - t * (df c1 * (x - a))) by (rewrite <- Heq1; ring).
  assert (H2 : (1 - t) * f b = (1 - t) * f x + (1 - t) * (df c2 * (b - x))).
  { rewrite <- Heq2; ring. }
  rewrite H1, H2.
  assert (E : t * f x - t * (df c1 * (x - a)) + ((1 - t) * f x + (1 - t) * (df c2 * (b - x)))
              - f x = t * (1 - t) * (b - a) * (df c2 - df c1)) by (unfold x; ring).
  lra.
Qed.

(** A function with a nonnegative second derivative on an interval is convex there. *)
Theorem convexOn_of_deriv2_nonneg (D : R -> Prop) (f df ddf : R -> R) :
  is_interval D ->
  (forall x, D x -> is_derive f x (df x)) ->
  (forall x, D x -> is_derive df x (ddf x)) ->
  (forall x, D x -> 0 <= ddf x) ->
  ConvexOn D f.
Proof.
  intros HI Hd Hdd Hp a b t Ha Hb Ht.
  pose proof (monotoneOn_of_deriv_nonneg D df ddf HI Hdd Hp) as Hm.
  destruct (Req_dec t 0) as [->|Ht0].
  { replace (0 * a + (1 - 0) * b) with b by ring. lra. }
  destruct (Req_dec t 1) as [->|Ht1].
  { replace (1 * a + (1 - 1) * b) with a by ring. lra. }
  destruct (Rtotal_order a b) as [Hlt|[->|Hgt]].
  - apply (chord_le_of_monotoneOn_deriv D f df); auto; lra.
  - replace (t * b + (1 - t) * b) with b by ring. lra.
  - replace (t * a + (1 - t) * b) with ((1 - t) * b + (1 - (1 - t)) * a) by ring.
    replace (t * f a + (1 - t) * f b) with ((1 - t) * f b + (1 - (1 - t)) * f a) by ring.
    apply (chord_le_of_monotoneOn_deriv D f df b a (1 - t)); auto; lra.
Qed.

(** ** Minimisers *)

(** A derivative negative left of [x0] and positive right of it: [x0] is the unique minimiser. *)
Theorem isMinOn_of_deriv_neg_of_lt_of_pos_of_gt (D : R -> Prop) (f df : R -> R) (x0 : R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> D x0 ->
  (forall x, D x -> x < x0 -> df x < 0) ->
  (forall x, D x -> x0 < x -> 0 < df x) ->
  IsStrictMinOn D f x0.
Proof.
  intros HI Hd H0 Hneg Hpos. split; [exact H0|]. intros x Hx Hne.
  destruct (Rlt_or_le x x0) as [Hlt|Hle].
  - destruct (mvt_on D f df x x0 HI Hd Hx H0 Hlt) as [c [Hc [HDc Heq]]].
    specialize (Hneg c HDc ltac:(lra)). nra.
  - assert (Hgt : x0 < x) by (destruct Hle; [assumption | congruence]).
    destruct (mvt_on D f df x0 x HI Hd H0 Hx Hgt) as [c [Hc [HDc Heq]]].
    specialize (Hpos c HDc ltac:(lra)). nra.
Qed.

Theorem isMinOn_of_deriv_eq_zero_of_strictMonoOn_deriv (D : R -> Prop) (f df : R -> R) (x0 : R) :
  is_interval D -> (forall x, D x -> is_derive f x (df x)) -> StrictMonoOn D df ->
  D x0 -> df x0 = 0 -> IsStrictMinOn D f x0.
Proof.
  intros HI Hd Hm H0 Hz.
  apply (isMinOn_of_deriv_neg_of_lt_of_pos_of_gt D f df x0 HI Hd H0).
  - intros x Hx Hlt. rewrite <- Hz. apply Hm; auto.
  - intros x Hx Hgt. rewrite <- Hz. apply Hm; auto.
Qed.

(* The tangent at a point of zero slope lies below a strictly convex function:
   otherwise the chord to a lower midpoint would give a slope bounded away from 0
   near x0, against the derivative 0 there. *)
Theorem isMinOn_of_deriv_eq_zero_of_strictConvexOn (D : R -> Prop) (f : R -> R) (x0 : R) :
  is_interval D -> StrictConvexOn D f -> D x0 -> is_derive f x0 0 -> IsStrictMinOn D f x0.
Proof.
  intros HI Hc H0 Hd. split; [exact H0|]. intros y Hy Hne.
  destruct (Rlt_or_le (f x0) (f y)) as [Hlt|Hle]; [exact Hlt|exfalso].
  set (h0 := (y - x0) / 2).
  set (m := x0 + h0).
  assert (Hh0 : h0 <> 0) by (unfold h0; lra).
  assert (HDm : D m) by (apply (HI (Rmin x0 y) (Rmax x0 y) m);
    [unfold Rmin; destruct Rle_dec; auto | unfold Rmax; destruct Rle_dec; auto
    | unfold m, h0, Rmin, Rmax; destruct Rle_dec; lra]).
  assert (Hm : f m < f x0).
  { pose proof (Hc y x0 (1/2) Hy H0 Hne ltac:(lra)) as H.
    replace (1 / 2 * y + (1 - 1 / 2) * x0) with m in H by (unfold m, h0; field). lra. }
  set (d := f x0 - f m).
  assert (Hdpos : 0 < d) by (unfold d; lra).
  assert (Habs : 0 < Rabs h0) by (apply Rabs_pos_lt; exact Hh0).
  apply is_derive_Reals in Hd.
  destruct (Hd (d / Rabs h0) ltac:(apply Rdiv_lt_0_compat; lra)) as [delta Hdelta].
  set (s := Rmin (1 / 2) (delta / (2 * Rabs h0))).
  assert (Hs0 : 0 < s).
  { unfold s. apply Rmin_glb_lt; [lra|]. apply Rdiv_lt_0_compat; [apply cond_pos | lra]. }
  assert (Hs1 : s < 1) by (unfold s; pose proof (Rmin_l (1/2) (delta / (2 * Rabs h0))); lra).
  assert (Hsd : s * Rabs h0 < delta).
  { assert (s <= delta / (2 * Rabs h0)) by (unfold s; apply Rmin_r).
    assert (s * Rabs h0 <= delta / (2 * Rabs h0) * Rabs h0) by (apply Rmult_le_compat_r; lra).
    assert (delta / (2 * Rabs h0) * Rabs h0 = delta / 2) by (field; lra).
    pose proof (cond_pos delta). lra. }
  set (h := s * h0).
  assert (Hh : h <> 0) by (unfold h; apply Rmult_integral_contrapositive_currified; lra).
  assert (Hah : Rabs h = s * Rabs h0) by (unfold h; rewrite Rabs_mult, Rabs_pos_eq; lra).
  specialize (Hdelta h Hh ltac:(lra)).
  (* the chord from x0 to m: f (x0 + h) < f x0 - s d *)
  assert (Hch : f (x0 + h) < f x0 - s * d).
  { destruct (Req_dec m x0) as [E|E]; [unfold m in E; lra|].
    pose proof (Hc m x0 s HDm H0 E ltac:(lra)) as H.
    replace (s * m + (1 - s) * x0) with (x0 + h) in H by (unfold h, m; ring).
    unfold d. lra. }
  set (N := f (x0 + h) - f x0).
  rewrite Rminus_0_r in Hdelta. fold N in Hdelta.
  assert (HN : Rabs N = Rabs (N / h) * Rabs h) by (rewrite <- Rabs_mult; f_equal; field; exact Hh).
  assert (Hlt : Rabs (N / h) * Rabs h < d / Rabs h0 * Rabs h).
  { apply Rmult_lt_compat_r; [apply Rabs_pos_lt; exact Hh | exact Hdelta]. }
  assert (E : d / Rabs h0 * Rabs h = s * d) by (rewrite Hah; field; lra).
  assert (HNge : - N <= Rabs N) by (rewrite <- Rabs_Ropp; apply Rle_abs).
  unfold N in *. lra.
Qed.

(** ** Facts about ln: the lemmas lossproof's sign steps use *)

Lemma log_le_sub_one_of_pos (x : R) : 0 < x -> ln x <= x - 1.
Proof.
  intros Hx. pose proof (exp_ineq1_le (ln x)) as H. rewrite exp_ln in H by exact Hx. lra.
Qed.

Lemma log_lt_sub_one_of_pos_of_ne_one (x : R) : 0 < x -> x <> 1 -> ln x < x - 1.
Proof.
  intros Hx H1.
  assert (Hl : ln x <> 0).
  { intros H0. apply H1. rewrite <- (exp_ln x Hx), H0. apply exp_0. }
  pose proof (exp_ineq1 (ln x) Hl) as H. rewrite exp_ln in H by exact Hx. lra.
Qed.

Lemma log_neg (x : R) : 0 < x -> x < 1 -> ln x < 0.
Proof. intros H0 H1. rewrite <- ln_1. apply ln_increasing; lra. Qed.

(** Gibbs' inequality for Bernoulli distributions, from [ln x <= x - 1]. *)
Theorem gibbs_bernoulli (y p : R) : 0 < y < 1 -> 0 < p < 1 -> 0 <= klBernoulli y p.
Proof.
  intros Hy Hp. unfold klBernoulli.
  pose proof (log_le_sub_one_of_pos (p / y) ltac:(apply Rdiv_lt_0_compat; lra)) as H1.
  pose proof (log_le_sub_one_of_pos ((1 - p) / (1 - y)) ltac:(apply Rdiv_lt_0_compat; lra)) as H2.
  assert (E1 : y * (p / y - 1) = p - y) by (field; lra).
  assert (E2 : (1 - y) * ((1 - p) / (1 - y) - 1) = y - p) by (field; lra).
  assert (y * ln (p / y) <= p - y) by (rewrite <- E1; apply Rmult_le_compat_l; lra).
  assert ((1 - y) * ln ((1 - p) / (1 - y)) <= y - p) by (rewrite <- E2; apply Rmult_le_compat_l; lra).
  lra.
Qed.

(** ... with equality only at [p = y]. *)
Theorem gibbs_bernoulli_strict (y p : R) : 0 < y < 1 -> 0 < p < 1 -> p <> y -> 0 < klBernoulli y p.
Proof.
  intros Hy Hp Hne. unfold klBernoulli.
  assert (N1 : p / y <> 1).
  { intros H. apply Hne. apply (Rmult_eq_reg_r (/ y)); [|apply Rinv_neq_0_compat; lra].
    rewrite Rinv_r by lra. exact H. }
  pose proof (log_lt_sub_one_of_pos_of_ne_one (p / y) ltac:(apply Rdiv_lt_0_compat; lra) N1) as H1.
  pose proof (log_le_sub_one_of_pos ((1 - p) / (1 - y)) ltac:(apply Rdiv_lt_0_compat; lra)) as H2.
  assert (E1 : y * (p / y - 1) = p - y) by (field; lra).
  assert (E2 : (1 - y) * ((1 - p) / (1 - y) - 1) = y - p) by (field; lra).
  assert (y * ln (p / y) < p - y) by (rewrite <- E1; apply Rmult_lt_compat_l; lra).
  assert ((1 - y) * ln ((1 - p) / (1 - y)) <= y - p) by (rewrite <- E2; apply Rmult_le_compat_l; lra).
  lra.
Qed.

(** ** The sigmoid *)

Lemma sigmoid_pos (z : R) : 0 < sigmoid z.
Proof. unfold sigmoid. apply Rinv_0_lt_compat. pose proof (exp_pos (- z)). lra. Qed.

Lemma sigmoid_lt_one (z : R) : sigmoid z < 1.
Proof.
  unfold sigmoid. pose proof (exp_pos (- z)).
  rewrite <- Rinv_1. apply Rinv_lt_contravar; lra.
Qed.

Lemma sigmoid_bounds (z : R) : 0 < sigmoid z < 1.
Proof. split; [apply sigmoid_pos | apply sigmoid_lt_one]. Qed.

(** The sigmoid is strictly increasing. *)
Lemma sigmoid_strictMono (a b : R) : a < b -> sigmoid a < sigmoid b.
Proof.
  intros H. unfold sigmoid. apply Rinv_lt_contravar.
  - pose proof (exp_pos (- a)). pose proof (exp_pos (- b)). nra.
  - pose proof (exp_increasing (- b) (- a) ltac:(lra)). lra.
Qed.

(** The logit inverts the sigmoid. *)
Lemma sigmoid_logit (y : R) : 0 < y < 1 -> sigmoid (ln (y / (1 - y))) = y.
Proof.
  intros Hy. unfold sigmoid. rewrite exp_Ropp, exp_ln by (apply Rdiv_lt_0_compat; lra).
  field. lra.
Qed.

(** The sigmoid of a logarithm: how a minimiser [ln u] in the logit is evaluated. *)
Lemma sigmoid_ln (u : R) : 0 < u -> sigmoid (ln u) = u / (1 + u).
Proof.
  intros Hu. unfold sigmoid. rewrite exp_Ropp, exp_ln by exact Hu.
  field. split; lra.
Qed.

Lemma sigmoid_opp_ln (u : R) : 0 < u -> sigmoid (- ln u) = 1 / (1 + u).
Proof.
  intros Hu. unfold sigmoid. rewrite Ropp_involutive, exp_ln by exact Hu.
  field. lra.
Qed.

(** ** Limits *)

Lemma lim_exp_opp_m : is_lim (fun z => exp (- z)) m_infty p_infty.
Proof.
  apply (is_lim_comp exp (fun z => - z) m_infty p_infty p_infty).
  - exact is_lim_exp_p.
  - apply (is_lim_opp (fun z => z) m_infty m_infty). apply is_lim_id.
  - exists 0. intros y _. discriminate.
Qed.

Lemma lim_exp_opp_p : is_lim (fun z => exp (- z)) p_infty 0.
Proof.
  apply (is_lim_comp exp (fun z => - z) p_infty 0 m_infty).
  - exact is_lim_exp_m.
  - apply (is_lim_opp (fun z => z) p_infty p_infty). apply is_lim_id.
  - exists 0. intros y _. discriminate.
Qed.

(** The sigmoid tends to 0 at minus infinity and to 1 at plus infinity. *)
Lemma sigmoid_lim_m : is_lim sigmoid m_infty 0.
Proof.
  unfold sigmoid.
  apply (is_lim_inv (fun z => 1 + exp (- z)) m_infty p_infty); [| discriminate].
  apply (is_lim_plus (fun _ => 1) (fun z => exp (- z)) m_infty 1 p_infty p_infty).
  - apply is_lim_const.
  - exact lim_exp_opp_m.
  - reflexivity.
Qed.

Lemma sigmoid_lim_p : is_lim sigmoid p_infty 1.
Proof.
  unfold sigmoid.
  replace (Finite 1) with (Rbar_inv (Finite 1)) by (simpl; rewrite Rinv_1; reflexivity).
  apply (is_lim_inv (fun z => 1 + exp (- z)) p_infty 1); [| intros H; injection H; lra].
  replace (Finite 1) with (Rbar_plus (Finite 1) (Finite 0)) by (simpl; rewrite Rplus_0_r; reflexivity).
  apply (is_lim_plus' (fun _ => 1) (fun z => exp (- z)) p_infty 1 0).
  - apply is_lim_const.
  - exact lim_exp_opp_p.
Qed.

(** A function continuous at the limit of [g] tends to its value there. *)
Lemma tendsto_comp_of_continuous (g : R -> R) (f : R -> R) (x : Rbar) (l v : R) :
  is_lim g x l -> continuous f l -> f l = v -> is_lim (fun z => f (g z)) x v.
Proof. intros Hg Hf <-. exact (is_lim_comp_continuous g f x l Hg Hf). Qed.

(** A function continuous at [a] tends to its value there, from either side. *)
Lemma tendsto_right_of_continuous (f : R -> R) (a v : R) :
  continuous f a -> f a = v -> filterlim f (at_right a) (locally v).
Proof.
  intros Hf <-. intros P HP. apply Hf in HP. destruct HP as [d Hd].
  exists d. intros y Hy _. apply Hd. exact Hy.
Qed.

Lemma tendsto_left_of_continuous (f : R -> R) (a v : R) :
  continuous f a -> f a = v -> filterlim f (at_left a) (locally v).
Proof.
  intros Hf <-. intros P HP. apply Hf in HP. destruct HP as [d Hd].
  exists d. intros y Hy _. apply Hd. exact Hy.
Qed.

(** Differentiable functions are continuous: how the limit steps prove continuity. *)
Lemma continuous_of_is_derive (f : R -> R) (x l : R) : is_derive f x l -> continuous f x.
Proof. intros H. apply (@ex_derive_continuous R_AbsRing R_NormedModule). exists l. exact H. Qed.

(** ** Tactics the generated step proofs use *)

(** Side conditions: conjunctions of bounds that follow linearly (or by products) from the context. *)
Ltac lp_side := repeat match goal with |- _ /\ _ => split end;
  try exact I; try lra; try nra.

(** Positivity of a product, quotient or power of positive factors. *)
(** Positivity facts of the quotients in the goal (each kept only when lra proves it). *)
Ltac lp_quot := repeat match goal with
  | |- context [?a / ?b] =>
    lazymatch goal with
    | H : 0 < a / b |- _ => fail
    | _ => assert (0 < a / b) by (apply Rdiv_lt_0_compat; lra)
    end
  end.

(** A bound that follows linearly, or after clearing one positive denominator. *)
Ltac lp_leaf := first [exact I | lra | nra | (apply Rlt_Rminus; apply Rlt_div_l; lra)
  | (apply Rlt_div_l; lra) | (lp_quot; lra)].

Ltac lp_pos := repeat (apply Rmult_lt_0_compat || apply Rdiv_lt_0_compat || apply pow_lt
  || apply Rinv_0_lt_compat); lp_leaf.

(** Two sums of logarithms whose arguments agree up to field identities. *)
Ltac lp_ln_eq := repeat match goal with
  | |- context [ln ?u] => match goal with
    | |- context [ln ?v] => assert_fails (constr_eq u v);
        replace (ln u) with (ln v) by (f_equal; field; lp_side)
    end
  end.

(** A point in a domain of bounds: linear bounds, positive quotients, quotients below a bound. *)
Ltac lp_dom := cbv beta; repeat match goal with |- _ /\ _ => split end; lp_pos.

(** A value at a point: [1 - 0 = 1], [ln 1 = 0], then ring. *)
Ltac lp_eval := cbv beta; rewrite ?Rminus_0_r, ?Rplus_0_r, ?Rmult_0_l, ?Rmult_0_r, ?ln_1, ?exp_0;
  try ring; try field.
