// L-BFGS (Liu & Nocedal 1989) as PyTorch's torch.optim.LBFGS and LibTorch's torch::optim::LBFGS: step(closure)
// runs up to max_iter quasi-Newton iterations, each along the direction that the last history_size steps'
// curvature pairs give the two-loop recursion, with a fixed step lr or a strong-Wolfe line search
// (line_search_fn = "strong_wolfe"). The closure re-evaluates the loss and its gradient (zero_grad, forward,
// backward) and returns the loss; step() calls it several times. One parameter group only, as PyTorch.
//
// The state is global, kept (as PyTorch keeps it) under the first parameter: state.0.func_evals, n_iter, d, t,
// old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss and al, with d and prev_flat_grad flat vectors over
// all parameters and the lists stacked (state.0.old_dirs is [history, numel]).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wick/optim/optimizer.h"

namespace wick::optim {

struct LBFGSOptions : public OptimizerCloneableOptions<LBFGSOptions> {
  LBFGSOptions(double lr = 1) : lr_(lr) {}
  WICK_ARG(double, lr);
  WICK_ARG(int64_t, max_iter) = 20;
  // Loss evaluations per step() at most; unset: max_iter * 5 / 4, fixed when the optimizer is made.
  WICK_ARG(std::optional<int64_t>, max_eval) = std::nullopt;
  WICK_ARG(double, tolerance_grad) = 1e-7;
  WICK_ARG(double, tolerance_change) = 1e-9;
  WICK_ARG(int64_t, history_size) = 100;
  // "strong_wolfe" or none (a fixed step of lr).
  WICK_ARG(std::optional<std::string>, line_search_fn) = std::nullopt;

 public:
  void visit(FieldVisitor& v) override;
};

struct LBFGSParamState : public OptimizerCloneableParamState<LBFGSParamState> {
  WICK_ARG(int64_t, func_evals) = 0;  // loss evaluations over all steps
  WICK_ARG(int64_t, n_iter) = 0;      // iterations over all steps
  WICK_ARG(double, t) = 0;            // the last step length
  WICK_ARG(double, prev_loss) = 0;
  WICK_ARG(Tensor, d);                      // the last direction, flat
  WICK_ARG(Tensor, H_diag);                 // 0-dim: the initial inverse Hessian's scale, s'y / y'y
  WICK_ARG(Tensor, prev_flat_grad);         // flat
  WICK_ARG(std::vector<Tensor>, old_dirs);  // y = gradient differences, oldest first
  WICK_ARG(std::vector<Tensor>, old_stps);  // s = parameter steps
  WICK_ARG(std::vector<Tensor>, ro);        // 1 / y's, 0-dim each
  WICK_ARG(std::vector<Tensor>, al);        // the two-loop recursion's coefficients, scratch kept as PyTorch does

 public:
  void visit(FieldVisitor& v) override;
};

class LBFGS : public Optimizer {
 public:
  explicit LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults = {});
  explicit LBFGS(std::vector<Tensor> params, LBFGSOptions defaults = {})
      : LBFGS(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}

  // Returns the loss the closure gave at the start of the step. As in LibTorch, the closure is required (no
  // default argument; through an Optimizer& a missing one is an error).
  Tensor step(LossClosure closure) override;
  const char* name() const override { return "LBFGS"; }

 protected:
  std::unique_ptr<OptimizerParamState> make_state() const override { return std::make_unique<LBFGSParamState>(); }
  void check_loaded_state(const OptimizerParamState& state, const std::string& prefix,
                          std::vector<std::string>& problems) const override;

 private:
  const std::vector<Tensor>& params() const { return param_groups_.front().params(); }
  int64_t numel() const;
  Tensor gather_flat_grad() const;
  void add_grad(double step_size, const Tensor& update) const;
  void set_params(const std::vector<Tensor>& values) const;
  // Loss and flat gradient at x + t * d, the parameters put back to x afterwards.
  std::pair<double, Tensor> directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x, double t,
                                                 const Tensor& d) const;
};

}  // namespace wick::optim
