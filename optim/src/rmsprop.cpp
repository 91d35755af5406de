// RMSprop: the single-tensor update of PyTorch 1.13's torch.optim.RMSprop, in place under NoGradGuard.
#include "wick/optim/rmsprop.h"

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::optim {

void RMSpropOptions::visit(FieldVisitor& v) {
  v.field("lr", lr_);
  v.field("alpha", alpha_);
  v.field("eps", eps_);
  v.field("weight_decay", weight_decay_);
  v.field("momentum", momentum_);
  v.field("centered", centered_);
  v.field("maximize", maximize_);
}

void RMSpropParamState::visit(FieldVisitor& v) {
  v.field("step", step_);
  v.field("square_avg", square_avg_);
  v.field("momentum_buffer", momentum_buffer_);
  v.field("grad_avg", grad_avg_);
}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(defaults)) {
  WICK_CHECK(defaults.lr() >= 0, "optim::RMSprop", "invalid learning rate: ", defaults.lr());
  WICK_CHECK(defaults.eps() >= 0, "optim::RMSprop", "invalid epsilon value: ", defaults.eps());
  WICK_CHECK(defaults.momentum() >= 0, "optim::RMSprop", "invalid momentum value: ", defaults.momentum());
  WICK_CHECK(defaults.weight_decay() >= 0, "optim::RMSprop", "invalid weight_decay value: ", defaults.weight_decay());
  WICK_CHECK(defaults.alpha() >= 0, "optim::RMSprop", "invalid alpha value: ", defaults.alpha());
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const RMSpropOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      RMSpropParamState* state = find_state<RMSpropParamState>(p);
      if (!state) {
        state = &emplace_state<RMSpropParamState>(p);
        state->square_avg(zeros_like(p));
      }
      if (o.momentum() > 0 && !state->momentum_buffer().defined()) state->momentum_buffer(zeros_like(p));
      if (o.centered() && !state->grad_avg().defined()) state->grad_avg(zeros_like(p));
      state->step(state->step() + 1);

      Tensor grad = o.maximize() ? -p.grad() : p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      Tensor& square_avg = state->square_avg();
      square_avg.mul_(o.alpha()).add_(grad * grad, 1 - o.alpha());
      Tensor avg;
      if (o.centered()) {
        Tensor& grad_avg = state->grad_avg();
        grad_avg.mul_(o.alpha()).add_(grad, 1 - o.alpha());
        avg = square_avg.sub(grad_avg * grad_avg).sqrt_();
      } else {
        avg = square_avg.sqrt();
      }
      avg.add_(o.eps());
      if (o.momentum() > 0) {
        Tensor& buf = state->momentum_buffer();
        buf.mul_(o.momentum()).add_(grad / avg);
        p.add_(buf, -o.lr());
      } else {
        p.add_(grad / avg, -o.lr());
      }
    }
  }
  return loss;
}

}  // namespace wick::optim
