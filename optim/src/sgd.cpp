// SGD: the single-tensor update of PyTorch 1.13's torch.optim.SGD, with in-place ops under NoGradGuard.
#include "wick/optim/sgd.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void SGDOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("momentum", momentum_);
  v.field("dampening", dampening_);
  v.field("weight_decay", weight_decay_);
  v.field("nesterov", nesterov_);
  v.field("maximize", maximize_);
}

void SGDParamState::visit(FieldVisitor& v) { v.field("momentum_buffer", momentum_buffer_); }

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<SGDOptions>(defaults)) {
  WICK_CHECK(defaults.lr() >= 0, "optim::SGD", "invalid learning rate: ", defaults.lr());
  WICK_CHECK(defaults.momentum() >= 0, "optim::SGD", "invalid momentum value: ", defaults.momentum());
  WICK_CHECK(defaults.weight_decay() >= 0, "optim::SGD", "invalid weight_decay value: ", defaults.weight_decay());
  WICK_CHECK(!defaults.nesterov() || (defaults.momentum() > 0 && defaults.dampening() == 0), "optim::SGD",
             "Nesterov momentum requires a momentum and zero dampening");
}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor d_p = o.maximize() ? -p.grad() : p.grad();
      if (o.weight_decay() != 0) d_p = d_p.add(p, o.weight_decay());
      if (o.momentum() != 0) {
        SGDParamState* state = find_state<SGDParamState>(p);
        if (!state) state = &emplace_state<SGDParamState>(p);
        Tensor& buf = state->momentum_buffer();
        if (!buf.defined())
          buf = d_p.clone();
        else
          buf.mul_(o.momentum()).add_(d_p, 1 - o.dampening());
        d_p = o.nesterov() ? d_p.add(buf, o.momentum()) : buf;
      }
      p.add_(d_p, -o.lr());
    }
  }
  return loss;
}

}  // namespace wick::optim
