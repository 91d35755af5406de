// Gradient descent with the Barzilai-Borwein step size (Barzilai & Borwein 1988; the step-size solver of
// Gorgonia's lineage): x_{k+1} = x_k - alpha_k g_k, where alpha_k is the BB1 ("long") step
//   alpha_k = s's / s'y,  s = x_k - x_{k-1},  y = g_k - g_{k-1},
// a scalar secant fit of the inverse Hessian along the last step. The first step (nothing to difference yet)
// uses lr. Each parameter group is one vector x: the sums s's and s'y run over all of its parameters, so the
// group shares one alpha. No PyTorch counterpart.
//
// Safeguard: when s'y <= curvature_eps * s's (negative or vanishing curvature along s: the function is not
// convex there, or the gradient did not change), s's / s'y would be negative (a step uphill) or huge (a jump out
// of the region the secant describes), so the step keeps the previous alpha, the last one that was safe (lr
// until a BB step was accepted).
#pragma once

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct BarzilaiBorweinOptions : public OptimizerCloneableOptions<BarzilaiBorweinOptions> {
  BarzilaiBorweinOptions(double lr = 1e-3) : lr_(lr) {}
  WICK_ARG(double, lr);  // the first step's size
  // s'y below curvature_eps * s's is treated as no curvature (a BB step over 1 / curvature_eps is refused).
  WICK_ARG(double, curvature_eps) = 1e-10;

 public:
  void visit(FieldVisitor& v) override;
};

struct BarzilaiBorweinParamState : public OptimizerCloneableParamState<BarzilaiBorweinParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(double, step_size) = 0;  // the group's alpha at the last step
  WICK_ARG(Tensor, prev);           // x_{k-1}: the parameter before the last step
  WICK_ARG(Tensor, prev_grad);      // g_{k-1}

 public:
  void visit(FieldVisitor& v) override;
};

class BarzilaiBorwein : public Optimizer {
 public:
  explicit BarzilaiBorwein(std::vector<OptimizerParamGroup> param_groups, BarzilaiBorweinOptions defaults = {});
  explicit BarzilaiBorwein(std::vector<Tensor> params, BarzilaiBorweinOptions defaults = {})
      : BarzilaiBorwein(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {
  }

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "BarzilaiBorwein"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override {
    return std::make_unique<BarzilaiBorweinParamState>();
  }
};

}  // namespace wick::optim
