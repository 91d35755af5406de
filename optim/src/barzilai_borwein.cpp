// Barzilai-Borwein gradient descent: one BB1 step size per parameter group from the last step's s and y.
#include "wick/optim/barzilai_borwein.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void BarzilaiBorweinOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("curvature_eps", curvature_eps_);
}

void BarzilaiBorweinParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("step_size", step_size_);
  v.field("prev", prev_);
  v.field("prev_grad", prev_grad_);
}

BarzilaiBorwein::BarzilaiBorwein(std::vector<OptimizerParamGroup> param_groups, BarzilaiBorweinOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<BarzilaiBorweinOptions>(defaults)) {
  // lr = 0 would never move, and with s = 0 no BB step could ever replace it.
  WICK_CHECK(defaults.lr() > 0, "optim::BarzilaiBorwein", "invalid learning rate: ", defaults.lr(),
             " (the first step's size must be positive)");
  WICK_CHECK(defaults.curvature_eps() >= 0, "optim::BarzilaiBorwein",
             "invalid curvature_eps: ", defaults.curvature_eps());
}

Tensor BarzilaiBorwein::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const BarzilaiBorweinOptions&>(group.options());
    // s's and s'y over the parameters that have a gradient now and one from the last step.
    double ss = 0, sy = 0, alpha = o.lr();
    bool differenced = false;
    for (const Tensor& p : group.params()) {
      const BarzilaiBorweinParamState* state = find_state<BarzilaiBorweinParamState>(p);
      if (!p.grad().defined() || !state) continue;
      const Tensor s = p - state->prev();
      const Tensor y = p.grad() - state->prev_grad();
      ss += s.mul(s).sum().item<double>();
      sy += s.mul(y).sum().item<double>();
      alpha = state->step_size();
      differenced = true;
    }
    if (differenced && sy > o.curvature_eps() * ss) alpha = ss / sy;  // else keep the last alpha (see the header)

    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      BarzilaiBorweinParamState* state = find_state<BarzilaiBorweinParamState>(p);
      if (!state) {
        state = &emplace_state<BarzilaiBorweinParamState>(p);
        state->prev(empty_like(p));
        state->prev_grad(empty_like(p));
      }
      state->prev().copy_(p);
      state->prev_grad().copy_(p.grad());
      p.add_(p.grad(), -alpha);
      state->step(state->step() + 1);
      state->step_size(alpha);
    }
  }
  return loss;
}

}  // namespace wick::optim
