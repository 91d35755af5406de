// Adam: the single-tensor update of PyTorch 1.13's torch.optim.Adam, with in-place ops under NoGradGuard.
#include "wick/optim/adam.h"

#include <cmath>

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void AdamOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("betas.0", std::get<0>(betas_));
  v.field("betas.1", std::get<1>(betas_));
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("amsgrad", amsgrad_);
  v.field("maximize", maximize_);
  v.field("capturable", capturable_);
}

void AdamParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("exp_avg", exp_avg_);
  v.field("exp_avg_sq", exp_avg_sq_);
  v.field("max_exp_avg_sq", max_exp_avg_sq_);
  v.field_any_shape("step_tensor", step_tensor_);
}

namespace detail {

void check_adam_options(const char* op, double lr, double beta1, double beta2, double eps, double weight_decay) {
  WICK_CHECK(lr >= 0, op, "invalid learning rate: ", lr);
  WICK_CHECK(eps >= 0, op, "invalid epsilon value: ", eps);
  WICK_CHECK(beta1 >= 0 && beta1 < 1, op, "invalid beta parameter at index 0: ", beta1);
  WICK_CHECK(beta2 >= 0 && beta2 < 1, op, "invalid beta parameter at index 1: ", beta2);
  WICK_CHECK(weight_decay >= 0, op, "invalid weight_decay value: ", weight_decay);
}

void adam_update(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1, double beta2,
                 double eps, bool amsgrad) {
  state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
  state.exp_avg_sq().mul_(beta2).add_(grad * grad, 1 - beta2);
  const double step = double(state.step());
  const double bias_correction1 = 1 - std::pow(beta1, step);
  const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, step));
  const double step_size = lr / bias_correction1;
  Tensor denom;
  if (amsgrad) {
    Tensor& max_sq = state.max_exp_avg_sq();
    max_sq.copy_(maximum(max_sq, state.exp_avg_sq()));
    denom = max_sq.sqrt().div_(bias_correction2_sqrt).add_(eps);
  } else {
    denom = state.exp_avg_sq().sqrt().div_(bias_correction2_sqrt).add_(eps);
  }
  param.add_(state.exp_avg() / denom, -step_size);
}

// adam_update with the step count on the device (AdamOptions::capturable): PyTorch 1.13's capturable branch of
// _single_tensor_adam, op for op.
void adam_update_capturable(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1,
                            double beta2, double eps, bool amsgrad) {
  state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
  state.exp_avg_sq().mul_(beta2).add_(grad * grad, 1 - beta2);
  const Tensor& step = state.step_tensor();
  const Tensor bias_correction1 = 1 - pow(beta1, step);
  const Tensor bias_correction2 = 1 - pow(beta2, step);
  const Tensor step_size_neg = (lr / bias_correction1).neg();
  const Tensor bias_correction2_sqrt = bias_correction2.sqrt();
  Tensor second_moment = state.exp_avg_sq();
  if (amsgrad) {
    Tensor& max_sq = state.max_exp_avg_sq();
    max_sq.copy_(maximum(max_sq, state.exp_avg_sq()));
    second_moment = max_sq;
  }
  const Tensor denom = (second_moment.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg);
  param.add_(state.exp_avg() / denom);
}

// The state of a parameter's first update: zero moments, step 0.
AdamParamState& adam_state(std::unordered_map<TensorImpl*, std::unique_ptr<OptimizerParamState>>& states,
                           const Tensor& p, bool amsgrad) {
  std::unique_ptr<OptimizerParamState>& slot = states[p.impl()];
  if (!slot) {
    auto state = std::make_unique<AdamParamState>();
    state->exp_avg(zeros_like(p));
    state->exp_avg_sq(zeros_like(p));
    slot = std::move(state);
  }
  auto& state = static_cast<AdamParamState&>(*slot);
  if (amsgrad && !state.max_exp_avg_sq().defined()) state.max_exp_avg_sq(zeros_like(p));
  return state;
}

}  // namespace detail

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamOptions>(defaults)) {
  detail::check_adam_options("optim::Adam", defaults.lr(), std::get<0>(defaults.betas()), std::get<1>(defaults.betas()),
                             defaults.eps(), defaults.weight_decay());
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdamOptions&>(group.options());
    const auto [beta1, beta2] = o.betas();
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      AdamParamState& state = detail::adam_state(state_, p, o.amsgrad());
      state.step(state.step() + 1);
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      if (o.capturable()) {
        if (!state.step_tensor().defined()) state.step_tensor(full({}, double(state.step() - 1), p.options()));
        state.step_tensor().add_(1);
        detail::adam_update_capturable(p, grad, state, o.lr(), beta1, beta2, o.eps(), o.amsgrad());
      } else {
        detail::adam_update(p, grad, state, o.lr(), beta1, beta2, o.eps(), o.amsgrad());
      }
    }
  }
  return loss;
}

}  // namespace wick::optim
