// Adamax: the single-tensor update of PyTorch's torch.optim.Adamax, in place under NoGradGuard.
#include "wick/optim/adamax.h"

#include <cmath>

#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/optim/adam.h"

namespace wick::optim {

void AdamaxOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("betas.0", std::get<0>(betas_));
  v.field("betas.1", std::get<1>(betas_));
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("maximize", maximize_);
}

void AdamaxParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("exp_avg", exp_avg_);
  v.field("exp_inf", exp_inf_);
}

Adamax::Adamax(std::vector<OptimizerParamGroup> param_groups, AdamaxOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamaxOptions>(defaults)) {
  detail::check_adam_options("optim::Adamax", defaults.lr(), std::get<0>(defaults.betas()),
                             std::get<1>(defaults.betas()), defaults.eps(), defaults.weight_decay());
}

Tensor Adamax::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdamaxOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      AdamaxParamState* state = find_state<AdamaxParamState>(p);
      if (!state) {
        state = &emplace_state<AdamaxParamState>(p);
        state->exp_avg(zeros_like(p));
        state->exp_inf(zeros_like(p));
      }
      state->step(state->step() + 1);
      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      state->exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      // The infinity norm: the larger of the decayed norm and this gradient's magnitude (plus eps, as PyTorch).
      state->exp_inf().copy_(maximum(state->exp_inf().mul_(beta2), grad.abs().add_(o.eps())));
      const double clr = o.lr() / (1 - std::pow(beta1, double(state->step())));
      p.add_(state->exp_avg() / state->exp_inf(), -clr);
    }
  }
  return loss;
}

}  // namespace wick::optim
