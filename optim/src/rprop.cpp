// Rprop: the single-tensor update of PyTorch's torch.optim.Rprop, in place under NoGradGuard.
#include "wick/optim/rprop.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void RpropOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("etas.0", std::get<0>(etas_));
  v.field("etas.1", std::get<1>(etas_));
  v.field("step_sizes.0", std::get<0>(step_sizes_));
  v.field("step_sizes.1", std::get<1>(step_sizes_));
  v.field("maximize", maximize_);
}

void RpropParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("prev", prev_);
  v.field("step_size", step_size_);
}

Rprop::Rprop(std::vector<OptimizerParamGroup> param_groups, RpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RpropOptions>(defaults)) {
  const auto [etaminus, etaplus] = defaults.etas();
  WICK_CHECK(defaults.lr() >= 0, "optim::Rprop", "invalid learning rate: ", defaults.lr());
  WICK_CHECK(0 < etaminus && etaminus < 1 && etaplus > 1, "optim::Rprop", "invalid eta values: ", etaminus, ", ",
             etaplus, " (expected 0 < etaminus < 1 < etaplus)");
}

Tensor Rprop::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const RpropOptions&>(group.options());
    const auto [etaminus, etaplus] = o.etas();
    const auto [step_size_min, step_size_max] = o.step_sizes();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      RpropParamState* state = find_state<RpropParamState>(p);
      if (!state) {
        state = &emplace_state<RpropParamState>(p);
        state->prev(zeros_like(p));
        state->step_size(full_like(p.grad(), o.lr()));
      }
      state->step(state->step() + 1);
      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      // The factor for each element: grow where the gradient kept its sign, shrink where it flipped, else keep.
      const Tensor agreement = (grad * state->prev()).sign();
      const Tensor flipped = agreement < 0;
      const Tensor factor = where(agreement > 0, etaplus, where(flipped, etaminus, ones_like(agreement)));
      state->step_size().mul_(factor).clamp_(step_size_min, step_size_max);
      // Where it flipped, no step this time, and the next step does not compare against this gradient.
      grad = grad.masked_fill(flipped, 0);
      p.add_(grad.sign() * state->step_size(), -1.0);
      state->prev().copy_(grad);
    }
  }
  return loss;
}

}  // namespace wick::optim
