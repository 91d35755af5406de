// Adagrad (Duchi et al.) with learning-rate decay, as PyTorch's torch.optim.Adagrad. Its state is created
// with the optimizer (sum = initial_accumulator_value), as in PyTorch.
#pragma once

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  WICK_ARG(double, lr);
  WICK_ARG(double, lr_decay) = 0;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(double, initial_accumulator_value) = 0;
  WICK_ARG(double, eps) = 1e-10;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct AdagradParamState : public OptimizerCloneableParamState<AdagradParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, sum);

 public:
  void visit(FieldVisitor& v) override;
};

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {})
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "Adagrad"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<AdagradParamState>(); }

 private:
  void init_state(const OptimizerParamGroup& group);
};

}  // namespace wick::optim
