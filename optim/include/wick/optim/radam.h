// RAdam (Liu et al. 2019): Adam with the variance of the adaptive learning rate rectified, and plain momentum
// SGD while that variance is intractable (the first steps), as PyTorch's torch.optim.RAdam.
#pragma once

#include <tuple>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct RAdamOptions : public OptimizerCloneableOptions<RAdamOptions> {
  RAdamOptions(double lr = 1e-3) : lr_(lr) {}
  WICK_ARG(double, lr);
  using betas_t = std::tuple<double, double>;
  WICK_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 0;

 public:
  void visit(FieldVisitor& v) override;
};

struct RAdamParamState : public OptimizerCloneableParamState<RAdamParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, exp_avg);
  WICK_ARG(Tensor, exp_avg_sq);

 public:
  void visit(FieldVisitor& v) override;
};

class RAdam : public Optimizer {
 public:
  explicit RAdam(std::vector<OptimizerParamGroup> param_groups, RAdamOptions defaults = {});
  explicit RAdam(std::vector<Tensor> params, RAdamOptions defaults = {})
      : RAdam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "RAdam"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<RAdamParamState>(); }
};

}  // namespace wick::optim
