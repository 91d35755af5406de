// Adadelta (Zeiler 2012): step sizes from running averages of squared gradients and squared updates, as PyTorch's
// torch.optim.Adadelta.
#pragma once

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct AdadeltaOptions : public OptimizerCloneableOptions<AdadeltaOptions> {
  AdadeltaOptions(double lr = 1.0) : lr_(lr) {}
  WICK_ARG(double, lr);
  WICK_ARG(double, rho) = 0.9;
  WICK_ARG(double, eps) = 1e-6;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct AdadeltaParamState : public OptimizerCloneableParamState<AdadeltaParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, square_avg);
  WICK_ARG(Tensor, acc_delta);

 public:
  void visit(FieldVisitor& v) override;
};

class Adadelta : public Optimizer {
 public:
  explicit Adadelta(std::vector<OptimizerParamGroup> param_groups, AdadeltaOptions defaults = {});
  explicit Adadelta(std::vector<Tensor> params, AdadeltaOptions defaults = {})
      : Adadelta(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "Adadelta"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<AdadeltaParamState>(); }
};

}  // namespace wick::optim
