// Adam (Kingma & Ba) with optional AMSGrad and L2 weight decay folded into the gradient, as PyTorch's
// torch.optim.Adam (single-tensor path).
#pragma once

#include <tuple>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}
  WICK_ARG(double, lr);
  using betas_t = std::tuple<double, double>;
  WICK_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  WICK_ARG(double, eps) = 1e-8;
  WICK_ARG(double, weight_decay) = 0;
  WICK_ARG(bool, amsgrad) = false;
  WICK_ARG(bool, maximize) = false;
  // PyTorch's capturable=True: the step count is a tensor on the parameter's device and the bias corrections are
  // tensor ops on it, so no host value changes from one step to the next and a wick::compile'd training step with
  // Adam replays (with the host-side count, each step bakes in new constants). Equal to the default path up to
  // floating-point rounding (the corrections are computed in the parameter's dtype, not in double).
  WICK_ARG(bool, capturable) = false;

 public:
  void visit(FieldVisitor& v) override;
};

// Shared by Adam and AdamW.
struct AdamParamState : public OptimizerCloneableParamState<AdamParamState> {
  WICK_ARG(int64_t, step) = 0;
  WICK_ARG(Tensor, exp_avg);
  WICK_ARG(Tensor, exp_avg_sq);
  WICK_ARG(Tensor, max_exp_avg_sq);  // AMSGrad only
  WICK_ARG(Tensor, step_tensor);     // capturable only: the step count as a 0-dim tensor like the parameter

 public:
  void visit(FieldVisitor& v) override;
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});
  explicit Adam(std::vector<Tensor> params, AdamOptions defaults = {})
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
  const char* name() const override { return "Adam"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<AdamParamState>(); }
};

namespace detail {
// The argument checks of Adam and its relatives (AdamW, Adamax, NAdam, RAdam), with PyTorch's messages.
void check_adam_options(const char* op, double lr, double beta1, double beta2, double eps, double weight_decay);
// The moment update and parameter step shared by Adam and AdamW (the gradient already has any L2 term).
void adam_update(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1, double beta2,
                 double eps, bool amsgrad);
// The same with the step count read from state.step_tensor() (AdamOptions::capturable).
void adam_update_capturable(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1,
                            double beta2, double eps, bool amsgrad);
}  // namespace detail

}  // namespace wick::optim
