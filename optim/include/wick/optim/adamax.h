// Adamax (Kingma & Ba): Adam with the infinity norm of past gradients in place of the second moment, as PyTorch's
// torch.optim.Adamax.
#pragma once

#include <tuple>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct AdamaxOptions : public OptimizerCloneableOptions<AdamaxOptions> {
  AdamaxOptions(double lr = 2e-3) : lr_(lr) {}
  WICK_ARG(double, lr);
  using betas_t = std::tuple<double, double>;
  WICK_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct AdamaxParamState : public OptimizerCloneableParamState<AdamaxParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, exp_avg);
  WICK_ARG(Tensor, exp_inf);

 public:
  void visit(FieldVisitor& v) override;
};

class Adamax : public Optimizer {
 public:
  explicit Adamax(std::vector<OptimizerParamGroup> param_groups, AdamaxOptions defaults = {});
  explicit Adamax(std::vector<Tensor> params, AdamaxOptions defaults = {})
      : Adamax(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "Adamax"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<AdamaxParamState>(); }
};

}  // namespace wick::optim
