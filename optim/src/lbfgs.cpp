// LBFGS: PyTorch 1.13's torch.optim.LBFGS.step, statement for statement (same tests, same breaks, same order of
// operations), so that it replays PyTorch's iterations and loss evaluations. Scalars PyTorch keeps as Python floats
// (the loss, t) are doubles here; those it keeps as 0-dim tensors (ro, al, H_diag) are 0-dim tensors.
#include "wick/optim/lbfgs.h"

#include <cmath>
#include <utility>

#include "strong_wolfe.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void LBFGSOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("max_iter", max_iter_);
  if (!max_eval_) max_eval_ = max_iter_ * 5 / 4;  // PyTorch's default, the value its state_dict shows
  v.field("max_eval", *max_eval_);
  v.field("tolerance_grad", tolerance_grad_);
  v.field("tolerance_change", tolerance_change_);
  v.field("history_size", history_size_);
  // A state_dict holds numbers only: 1 for "strong_wolfe", 0 for none (the only values the optimizer takes).
  bool strong_wolfe = line_search_fn_.has_value();
  v.field("line_search_fn", strong_wolfe);
  line_search_fn_ = strong_wolfe ? std::optional<std::string>("strong_wolfe") : std::nullopt;
}

void LBFGSParamState::visit(FieldVisitor& v) {
  v.field("func_evals", func_evals_);
  v.field("n_iter", n_iter_);
  v.field("t", t_);
  v.field("prev_loss", prev_loss_);
  v.field_any_shape("d", d_);
  v.field_any_shape("H_diag", H_diag_);
  v.field_any_shape("prev_flat_grad", prev_flat_grad_);
  v.field("old_dirs", old_dirs_);
  v.field("old_stps", old_stps_);
  v.field("ro", ro_);
  v.field("al", al_);
}

namespace {

constexpr const char* kOp = "optim::LBFGS";

void check_options(const LBFGSOptions& o) {
  WICK_CHECK(o.lr() >= 0, kOp, "invalid learning rate: ", o.lr());
  WICK_CHECK(o.history_size() >= 1, kOp, "history_size must be at least 1, got ", o.history_size());
  WICK_CHECK(!o.line_search_fn() || *o.line_search_fn() == "strong_wolfe", kOp,
             "only 'strong_wolfe' is supported as line_search_fn, got '", *o.line_search_fn(), "'");
}

}  // namespace

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(defaults)) {
  WICK_CHECK(param_groups_.size() == 1, kOp, "LBFGS doesn't support per-parameter options (parameter groups): got ",
             param_groups_.size(), " groups");
  WICK_CHECK(!params().empty(), kOp, "got an empty parameter list");
  auto& options = static_cast<LBFGSOptions&>(param_groups_[0].options());
  check_options(options);
  // As LibTorch: an unset max_eval becomes max_iter * 5 / 4 in the defaults and the group.
  if (!options.max_eval()) {
    options.max_eval(options.max_iter() * 5 / 4);
    static_cast<LBFGSOptions&>(*defaults_).max_eval(options.max_iter() * 5 / 4);
  }
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const Tensor& p : params()) n += p.numel();
  return n;
}

Tensor LBFGS::gather_flat_grad() const {
  std::vector<Tensor> views;
  for (const Tensor& p : params())
    views.push_back(p.grad().defined() ? p.grad().reshape({-1}) : zeros({p.numel()}, p.options()));
  return cat(views, 0);
}

void LBFGS::add_grad(double step_size, const Tensor& update) const {
  int64_t offset = 0;
  for (const Tensor& p : params()) {
    const int64_t n = p.numel();
    p.add_(update.narrow(0, offset, n).view_as(p), step_size);
    offset += n;
  }
}

void LBFGS::set_params(const std::vector<Tensor>& values) const {
  for (size_t i = 0; i < values.size(); ++i) params()[i].copy_(values[i]);
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                      double t, const Tensor& d) const {
  add_grad(t, d);
  const double loss = run_closure(closure).item<double>();
  Tensor flat_grad = gather_flat_grad();
  set_params(x);
  return {loss, flat_grad};
}

Tensor LBFGS::step(LossClosure closure) {
  WICK_CHECK(closure != nullptr, "optim::LBFGS::step",
             "LBFGS needs a closure that re-evaluates the loss (zero_grad, forward, backward) and returns it");
  WICK_CHECK(param_groups_.size() == 1, "optim::LBFGS::step",
             "LBFGS doesn't support per-parameter options (parameter groups): it has ", param_groups_.size());
  NoGradGuard no_grad;
  const auto& group = static_cast<const LBFGSOptions&>(param_groups_[0].options());
  check_options(group);
  const double lr = group.lr();
  const int64_t max_iter = group.max_iter();
  const int64_t max_eval = group.max_eval().value_or(max_iter * 5 / 4);
  const double tolerance_grad = group.tolerance_grad();
  const double tolerance_change = group.tolerance_change();
  const bool strong_wolfe = group.line_search_fn().has_value();
  const int64_t history_size = group.history_size();

  // The state is global; PyTorch keeps it under the first parameter (load_state_dict casts it like that one).
  LBFGSParamState* found = find_state<LBFGSParamState>(params().front());
  LBFGSParamState& state = found ? *found : emplace_state<LBFGSParamState>(params().front());

  // The loss and gradient where the step starts.
  const Tensor orig_loss = run_closure(closure);
  double loss = orig_loss.item<double>();
  int64_t current_evals = 1;
  state.func_evals(state.func_evals() + 1);

  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
  if (opt_cond) return orig_loss;  // already optimal

  Tensor d = state.d();
  double t = state.t();
  std::vector<Tensor>& old_dirs = state.old_dirs();
  std::vector<Tensor>& old_stps = state.old_stps();
  std::vector<Tensor>& ro = state.ro();
  Tensor H_diag = state.H_diag();
  Tensor prev_flat_grad = state.prev_flat_grad();
  double prev_loss = state.prev_loss();

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    state.n_iter(state.n_iter() + 1);

    // ---- the descent direction ----
    if (state.n_iter() == 1) {
      d = flat_grad.neg();
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = ones({}, flat_grad.options());
    } else {
      // Update the curvature pairs, skipping one whose y's is not safely positive (it would break positive
      // definiteness of the inverse Hessian estimate).
      const Tensor y = flat_grad.sub(prev_flat_grad);
      const Tensor s = d.mul(t);
      const Tensor ys = dot(y, s);
      if (ys.item<double>() > 1e-10) {
        if (int64_t(old_dirs.size()) == history_size) {
          old_dirs.erase(old_dirs.begin());
          old_stps.erase(old_stps.begin());
          ro.erase(ro.begin());
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(ys.reciprocal());
        H_diag = ys / dot(y, y);  // the initial inverse Hessian's scale
      }

      // The two-loop recursion: d = -H g, with H the L-BFGS inverse Hessian, in one buffer.
      const size_t num_old = old_dirs.size();
      std::vector<Tensor>& al = state.al();
      if (al.size() < size_t(history_size)) al.resize(size_t(history_size));
      Tensor q = flat_grad.neg();
      for (size_t i = num_old; i-- > 0;) {
        al[i] = dot(old_stps[i], q) * ro[i];
        q.add_(old_dirs[i], -al[i].item<double>());
      }
      d = q.mul(H_diag);
      for (size_t i = 0; i < num_old; ++i) {
        const Tensor be_i = dot(old_dirs[i], d) * ro[i];
        d.add_(old_stps[i], (al[i] - be_i).item<double>());
      }
    }

    if (!prev_flat_grad.defined())
      prev_flat_grad = flat_grad.clone();
    else
      prev_flat_grad.copy_(flat_grad);
    prev_loss = loss;

    // ---- the step length ----
    // The first iteration ever takes a step of at most lr in the L1 sense; later ones start from lr.
    if (state.n_iter() == 1)
      t = std::min(1., 1. / flat_grad.abs().sum().item<double>()) * lr;
    else
      t = lr;

    const double gtd = dot(flat_grad, d).item<double>();  // the directional derivative
    if (gtd > -tolerance_change) break;                   // not a descent direction (to tolerance)

    int64_t ls_func_evals = 0;
    if (strong_wolfe) {
      std::vector<Tensor> x_init;
      for (const Tensor& p : params()) x_init.push_back(p.clone());
      const detail::LineSearchResult found_step = detail::strong_wolfe(
          [&](double step) { return directional_evaluate(closure, x_init, step, d); }, t, d, loss, flat_grad, gtd);
      loss = found_step.loss;
      flat_grad = found_step.flat_grad;
      t = found_step.t;
      ls_func_evals = found_step.func_evals;
      add_grad(t, d);
      opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
    } else {
      add_grad(t, d);
      // The last iteration does not evaluate where it lands: in a stochastic setting that evaluation would be
      // wasted (PyTorch's reasoning; the next step() starts with one).
      if (n_iter != max_iter) {
        loss = run_closure(closure).item<double>();
        flat_grad = gather_flat_grad();
        opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    state.func_evals(state.func_evals() + ls_func_evals);

    // ---- stop? ----
    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;                                                 // optimal
    if (d.mul(t).abs().max().item<double>() <= tolerance_change) break;  // the parameters stopped moving
    if (std::abs(loss - prev_loss) < tolerance_change) break;            // the loss stopped moving
  }

  state.d(d);
  state.t(t);
  state.H_diag(H_diag);
  state.prev_flat_grad(prev_flat_grad);
  state.prev_loss(prev_loss);
  return orig_loss;
}

void LBFGS::check_loaded_state(const OptimizerParamState& base, const std::string& prefix,
                               std::vector<std::string>& problems) const {
  const auto& state = static_cast<const LBFGSParamState&>(base);
  const int64_t n = numel();
  auto check = [&](const char* name, const Tensor& t, IntArrayRef expected) {
    if (t.defined() && !t.sizes().equals(expected))
      problems.push_back("shape mismatch for '" + prefix + name + "': the file has " + shape_str(t.sizes()) +
                         ", LBFGS expects " + shape_str(expected));
  };
  auto check_list = [&](const char* name, const std::vector<Tensor>& list, IntArrayRef expected) {
    if (!list.empty()) check(name, list.front(), expected);
  };
  check("d", state.d(), {n});
  check("prev_flat_grad", state.prev_flat_grad(), {n});
  check("H_diag", state.H_diag(), {});
  check_list("old_dirs", state.old_dirs(), {n});
  check_list("old_stps", state.old_stps(), {n});
  check_list("ro", state.ro(), {});
  check_list("al", state.al(), {});
  if (state.old_dirs().size() != state.old_stps().size() || state.old_dirs().size() != state.ro().size())
    problems.push_back("'" + prefix + "old_dirs', 'old_stps' and 'ro' should be as long as each other, they hold " +
                       std::to_string(state.old_dirs().size()) + ", " + std::to_string(state.old_stps().size()) +
                       " and " + std::to_string(state.ro().size()));
}

}  // namespace wick::optim
