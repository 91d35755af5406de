// RMSprop (Hinton) with the centered variant and momentum, as PyTorch's torch.optim.RMSprop.
#pragma once

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  WICK_ARG(double, lr);
  WICK_ARG(double, alpha) = 0.99;
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(double, momentum) = 0;
  WICK_ARG(bool, centered) = false;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct RMSpropParamState : public OptimizerCloneableParamState<RMSpropParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, square_avg);
  WICK_ARG(Tensor, momentum_buffer);  // momentum > 0 only
  WICK_ARG(Tensor, grad_avg);         // centered only

 public:
  void visit(FieldVisitor& v) override;
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {})
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "RMSprop"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<RMSpropParamState>(); }
};

}  // namespace wick::optim
