// Learning-rate schedules with PyTorch's semantics (torch.optim.lr_scheduler): constructing one sets the
// epoch-0 rates, and each step() (called after optimizer.step()) moves to the next epoch. The rates follow
// PyTorch's recursive (chainable) formulas, so they agree with it step by step.
//   wick::optim::StepLR sched(opt, /*step_size=*/30, /*gamma=*/0.1);
//   for (epoch ...) { train(); sched.step(); }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wick/arg.h"
#include "wick/optim/optimizer.h"

namespace wick::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  // Advances one epoch (or batch, for OneCycleLR) and writes the new rates into the parameter groups.
  void step();
  // The rates the last step() set, one per parameter group.
  const std::vector<double>& get_last_lr() const noexcept { return last_lrs_; }
  int64_t last_epoch() const noexcept { return last_epoch_; }

 protected:
  // Derived constructors call this last: it sets the epoch-0 rates, as PyTorch's constructor does.
  void initial_step();
  // The rates for epoch last_epoch_ (already advanced).
  virtual std::vector<double> get_lrs() = 0;
  std::vector<double> get_current_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  std::vector<double> last_lrs_;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lrs() override;
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma at each milestone epoch (a milestone listed twice decays twice).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lrs() override;
  std::vector<int64_t> milestones_;
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lrs() override;
  double gamma_;
};

// Cosine from the initial lr down to eta_min over T_max epochs (and back up after, as PyTorch's).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);

 protected:
  std::vector<double> get_lrs() override;
  int64_t T_max_;
  double eta_min_;
};

// Warm-up: the lr factor moves linearly from start_factor to end_factor over total_iters epochs.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  std::vector<double> get_lrs() override;
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

struct OneCycleLROptions {
  OneCycleLROptions(double max_lr, int64_t total_steps) : max_lr_(max_lr), total_steps_(total_steps) {}
  WICK_ARG(double, max_lr);
  WICK_ARG(int64_t, total_steps);
  WICK_ARG(double, pct_start) = 0.3;
  WICK_ARG(std::string, anneal_strategy) = "cos";  // "cos" or "linear"
  WICK_ARG(bool, cycle_momentum) = true;           // cycles `momentum` (SGD, RMSprop) or `betas.0` (Adam)
  WICK_ARG(double, base_momentum) = 0.85;
  WICK_ARG(double, max_momentum) = 0.95;
  WICK_ARG(double, div_factor) = 25;
  WICK_ARG(double, final_div_factor) = 1e4;
  WICK_ARG(bool, three_phase) = false;
};

// The 1cycle policy (Smith): lr rises from max_lr / div_factor to max_lr, then anneals far below the start,
// stepped once per batch; momentum moves the other way.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps)
      : OneCycleLR(optimizer, OneCycleLROptions(max_lr, total_steps)) {}

 protected:
  std::vector<double> get_lrs() override;

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // indices into GroupBounds::values
  };
  struct GroupBounds {
    double values[5];  // initial_lr, max_lr, min_lr, max_momentum, base_momentum
  };
  double anneal(double start, double end, double pct) const;

  OneCycleLROptions options_;
  std::vector<Phase> phases_;
  std::vector<GroupBounds> bounds_;
  std::string momentum_name_;
};

}  // namespace wick::optim
