// Adadelta: the single-tensor update of PyTorch's torch.optim.Adadelta, in place under NoGradGuard.
#include "wick/optim/adadelta.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void AdadeltaOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("rho", rho_);
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("maximize", maximize_);
}

void AdadeltaParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("square_avg", square_avg_);
  v.field("acc_delta", acc_delta_);
}

Adadelta::Adadelta(std::vector<OptimizerParamGroup> param_groups, AdadeltaOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdadeltaOptions>(defaults)) {
  WICK_CHECK(defaults.lr() >= 0, "optim::Adadelta", "invalid learning rate: ", defaults.lr());
  WICK_CHECK(defaults.rho() >= 0 && defaults.rho() <= 1, "optim::Adadelta", "invalid rho value: ", defaults.rho());
  WICK_CHECK(defaults.eps() >= 0, "optim::Adadelta", "invalid epsilon value: ", defaults.eps());
  WICK_CHECK(defaults.weight_decay() >= 0, "optim::Adadelta", "invalid weight_decay value: ", defaults.weight_decay());
}

Tensor Adadelta::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdadeltaOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      AdadeltaParamState* state = find_state<AdadeltaParamState>(p);
      if (!state) {
        state = &emplace_state<AdadeltaParamState>(p);
        state->square_avg(zeros_like(p));
        state->acc_delta(zeros_like(p));
      }
      state->step(state->step() + 1);
      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      state->square_avg().mul_(o.rho()).add_(grad * grad, 1 - o.rho());
      const Tensor std_dev = state->square_avg().add(o.eps()).sqrt_();
      const Tensor delta = state->acc_delta().add(o.eps()).sqrt_().div_(std_dev).mul_(grad);
      state->acc_delta().mul_(o.rho()).add_(delta * delta, 1 - o.rho());
      p.add_(delta, -o.lr());
    }
  }
  return loss;
}

}  // namespace wick::optim
