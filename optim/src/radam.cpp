// RAdam: the single-tensor update of PyTorch's torch.optim.RAdam, in place under NoGradGuard.
#include "wick/optim/radam.h"

#include <cmath>

#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/optim/adam.h"

namespace wick::optim {

void RAdamOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("betas.0", std::get<0>(betas_));
  v.field("betas.1", std::get<1>(betas_));
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
}

void RAdamParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("exp_avg", exp_avg_);
  v.field("exp_avg_sq", exp_avg_sq_);
}

RAdam::RAdam(std::vector<OptimizerParamGroup> param_groups, RAdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RAdamOptions>(defaults)) {
  detail::check_adam_options("optim::RAdam", defaults.lr(), std::get<0>(defaults.betas()),
                             std::get<1>(defaults.betas()), defaults.eps(), defaults.weight_decay());
}

Tensor RAdam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const RAdamOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      RAdamParamState* state = find_state<RAdamParamState>(p);
      if (!state) {
        state = &emplace_state<RAdamParamState>(p);
        state->exp_avg(zeros_like(p));
        state->exp_avg_sq(zeros_like(p));
      }
      state->step(state->step() + 1);
      const double step = double(state->step());
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      state->exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      state->exp_avg_sq().mul_(beta2).add_(grad * grad, 1 - beta2);
      const double bias_correction1 = 1 - std::pow(beta1, step), bias_correction2 = 1 - std::pow(beta2, step);
      const Tensor corrected_exp_avg = state->exp_avg() / bias_correction1;
      // The length of the approximated simple moving average, and its limit.
      const double rho_inf = 2 / (1 - beta2) - 1;
      const double rho_t = rho_inf - 2 * step * std::pow(beta2, step) / bias_correction2;
      if (rho_t > 5) {
        const double rect = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        const Tensor adaptive_lr = std::sqrt(bias_correction2) / state->exp_avg_sq().sqrt().add_(o.eps());
        p.add_(corrected_exp_avg * o.lr() * adaptive_lr * rect, -1.0);
      } else {
        p.add_(corrected_exp_avg * o.lr(), -1.0);
      }
    }
  }
  return loss;
}

}  // namespace wick::optim
