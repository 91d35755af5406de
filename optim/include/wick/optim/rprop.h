// Rprop (Riedmiller & Braun 1993): per-element step sizes that grow while the gradient keeps its sign and shrink
// when it flips, using only the gradient's sign, as PyTorch's torch.optim.Rprop.
#pragma once

#include <tuple>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct RpropOptions : public OptimizerCloneableOptions<RpropOptions> {
  RpropOptions(double lr = 1e-2) : lr_(lr) {}
  WICK_ARG(double, lr);
  using pair_t = std::tuple<double, double>;
  WICK_ARG(pair_t, etas) = std::make_tuple(0.5, 1.2);          // (shrink, grow)
  WICK_ARG(pair_t, step_sizes) = std::make_tuple(1e-6, 50.0);  // (smallest, largest)
  WICK_ARG(bool, maximize) = false;

 public:
  void visit(FieldVisitor& v) override;
};

struct RpropParamState : public OptimizerCloneableParamState<RpropParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, prev);
  WICK_ARG(Tensor, step_size);

 public:
  void visit(FieldVisitor& v) override;
};

class Rprop : public Optimizer {
 public:
  explicit Rprop(std::vector<OptimizerParamGroup> param_groups, RpropOptions defaults = {});
  explicit Rprop(std::vector<Tensor> params, RpropOptions defaults = {})
      : Rprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "Rprop"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<RpropParamState>(); }
};

}  // namespace wick::optim
