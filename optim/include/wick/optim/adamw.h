// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, p *= 1 - lr * weight_decay before the
// Adam step, as PyTorch's torch.optim.AdamW.
#pragma once

#include "wick/optim/adam.h"

namespace wick::optim {

struct AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  WICK_ARG(double, lr);
  using betas_t = std::tuple<double, double>;
  WICK_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 1e-2;
  WICK_ARG(bool, amsgrad) = false;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

using AdamWParamState = AdamParamState;

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults = {});
  explicit AdamW(std::vector<Tensor> params, AdamWOptions defaults = {})
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "AdamW"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<AdamParamState>(); }
};

}  // namespace wick::optim
