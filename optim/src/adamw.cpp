// AdamW: the single-tensor update of PyTorch 1.13's torch.optim.AdamW (decoupled weight decay, then Adam).
#include "wick/optim/adamw.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

namespace detail {
AdamParamState& adam_state(std::unordered_map<TensorImpl*, std::unique_ptr<OptimizerParamState>>& states,
                           const Tensor& p, bool amsgrad);
}  // namespace detail

void AdamWOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("betas.0", std::get<0>(betas_));
  v.field("betas.1", std::get<1>(betas_));
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("amsgrad", amsgrad_);
  v.field("maximize", maximize_);
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(defaults)) {
  detail::check_adam_options("optim::AdamW", defaults.lr(), std::get<0>(defaults.betas()),
                             std::get<1>(defaults.betas()), defaults.eps(), defaults.weight_decay());
}

Tensor AdamW::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdamWOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      const Tensor grad = o.maximize() ? -p.grad() : p.grad();
      AdamParamState& state = detail::adam_state(state_, p, o.amsgrad());
      state.step(state.step() + 1);
      p.mul_(1 - o.lr() * o.weight_decay());
      detail::adam_update(p, grad, state, o.lr(), beta1, beta2, o.eps(), o.amsgrad());
    }
  }
  return loss;
}

}  // namespace wick::optim
