// NAdam: the single-tensor update of PyTorch 2's torch.optim.NAdam, in place under NoGradGuard.
#include "wick/optim/nadam.h"

#include <cmath>

#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/optim/adam.h"

namespace wick::optim {

void NAdamOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("betas.0", std::get<0>(betas_));
  v.field("betas.1", std::get<1>(betas_));
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("momentum_decay", momentum_decay_);
}

void NAdamParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("mu_product", mu_product_);
  v.field("exp_avg", exp_avg_);
  v.field("exp_avg_sq", exp_avg_sq_);
}

NAdam::NAdam(std::vector<OptimizerParamGroup> param_groups, NAdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<NAdamOptions>(defaults)) {
  detail::check_adam_options("optim::NAdam", defaults.lr(), std::get<0>(defaults.betas()),
                             std::get<1>(defaults.betas()), defaults.eps(), defaults.weight_decay());
  WICK_CHECK(defaults.momentum_decay() >= 0, "optim::NAdam",
             "invalid momentum_decay value: ", defaults.momentum_decay());
}

Tensor NAdam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const NAdamOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      NAdamParamState* state = find_state<NAdamParamState>(p);
      if (!state) {
        state = &emplace_state<NAdamParamState>(p);
        state->exp_avg(zeros_like(p));
        state->exp_avg_sq(zeros_like(p));
      }
      state->step(state->step() + 1);
      const double step = double(state->step());
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      // The momentum schedule: mu for this step and the next.
      const double mu = beta1 * (1 - 0.5 * std::pow(0.96, step * o.momentum_decay()));
      const double mu_next = beta1 * (1 - 0.5 * std::pow(0.96, (step + 1) * o.momentum_decay()));
      state->mu_product(double(float(state->mu_product()) * float(mu)));  // a float32 product, as PyTorch's
      const double mu_product = state->mu_product(), mu_product_next = mu_product * mu_next;
      state->exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      state->exp_avg_sq().mul_(beta2).add_(grad * grad, 1 - beta2);
      const Tensor denom = state->exp_avg_sq().div(1 - std::pow(beta2, step)).sqrt().add_(o.eps());
      p.add_(grad / denom, -o.lr() * (1 - mu) / (1 - mu_product));
      p.add_(state->exp_avg() / denom, -o.lr() * mu_next / (1 - mu_product_next));
    }
  }
  return loss;
}

}  // namespace wick::optim
