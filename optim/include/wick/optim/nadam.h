// NAdam (Dozat 2016): Adam with Nesterov momentum and a momentum schedule, as PyTorch 2's torch.optim.NAdam.
// PyTorch 1.13 multiplies the current mu into the next step's momentum product twice; PyTorch 2.0 fixed that, and
// wick follows 2.0 (README, porting). mu_product is kept in float32, as PyTorch keeps it in a float32 tensor.
#pragma once

#include <tuple>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct NAdamOptions : public OptimizerCloneableOptions<NAdamOptions> {
  NAdamOptions(double lr = 2e-3) : lr_(lr) {}
  WICK_ARG(double, lr);
  using betas_t = std::tuple<double, double>;
  WICK_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(double, momentum_decay) = 4e-3;

 public:
  void visit(FieldVisitor& v) override;
};

struct NAdamParamState : public OptimizerCloneableParamState<NAdamParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(double, mu_product) = 1.0;
  WICK_ARG(Tensor, exp_avg);
  WICK_ARG(Tensor, exp_avg_sq);

 public:
  void visit(FieldVisitor& v) override;
};

class NAdam : public Optimizer {
 public:
  explicit NAdam(std::vector<OptimizerParamGroup> param_groups, NAdamOptions defaults = {});
  explicit NAdam(std::vector<Tensor> params, NAdamOptions defaults = {})
      : NAdam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "NAdam"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<NAdamParamState>(); }
};

}  // namespace wick::optim
