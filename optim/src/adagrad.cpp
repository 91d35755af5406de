// Adagrad: the single-tensor (dense) update of PyTorch 1.13's torch.optim.Adagrad, in place under NoGradGuard.
#include "wick/optim/adagrad.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void AdagradOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("lr_decay", lr_decay_);
  v.field("weight_decay", weight_decay_);
  v.field("initial_accumulator_value", initial_accumulator_value_);
  v.field("eps", eps_);
  v.field("maximize", maximize_);
}

void AdagradParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("sum", sum_);
}

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(defaults)) {
  WICK_CHECK(defaults.lr() >= 0, "optim::Adagrad", "invalid learning rate: ", defaults.lr());
  WICK_CHECK(defaults.lr_decay() >= 0, "optim::Adagrad", "invalid lr_decay value: ", defaults.lr_decay());
  WICK_CHECK(defaults.weight_decay() >= 0, "optim::Adagrad", "invalid weight_decay value: ", defaults.weight_decay());
  WICK_CHECK(defaults.initial_accumulator_value() >= 0, "optim::Adagrad",
             "invalid initial_accumulator_value value: ", defaults.initial_accumulator_value());
  WICK_CHECK(defaults.eps() >= 0, "optim::Adagrad", "invalid epsilon value: ", defaults.eps());
  for (const OptimizerParamGroup& group : param_groups_) init_state(group);
}

void Adagrad::init_state(const OptimizerParamGroup& group) {
  NoGradGuard no_grad;
  const auto& o = static_cast<const AdagradOptions&>(group.options());
  for (const Tensor& p : group.params()) {
    if (find_state<AdagradParamState>(p)) continue;
    emplace_state<AdagradParamState>(p).sum(full_like(p, o.initial_accumulator_value()));
  }
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    init_state(group);  // groups added after construction
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      AdagradParamState& state = *find_state<AdagradParamState>(p);
      state.step(state.step() + 1);
      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      const double clr = o.lr() / (1 + double(state.step() - 1) * o.lr_decay());
      state.sum().add_(grad * grad);
      const Tensor std = state.sum().sqrt().add_(o.eps());
      p.add_(grad / std, -clr);
    }
  }
  return loss;
}

}  // namespace wick::optim
