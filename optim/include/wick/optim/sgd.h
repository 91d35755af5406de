// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay; the update
// is PyTorch's: buf = momentum * buf + (1 - dampening) * g, p -= lr * (nesterov ? g + momentum * buf : buf).
#pragma once

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr) : lr_(lr) {}
  WICK_ARG(double, lr);
  WICK_ARG(double, momentum) = 0;
  WICK_ARG(double, dampening) = 0;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(bool, nesterov) = false;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct SGDParamState : public OptimizerCloneableParamState<SGDParamState> {
  WICK_ARG(Tensor, momentum_buffer);

 public:
  void visit(FieldVisitor& v) override;
};

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  explicit SGD(std::vector<Tensor> params, SGDOptions defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "SGD"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<SGDParamState>(); }
};

}  // namespace wick::optim
