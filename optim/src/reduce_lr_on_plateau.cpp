// ReduceLROnPlateau: PyTorch 1.13's bookkeeping of best value, bad epochs and cooldown.
#include "wick/optim/reduce_lr_on_plateau.h"

#include <algorithm>
#include <limits>

namespace wick::optim {

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode, double factor,
                                                       int64_t patience, double threshold, ThresholdMode threshold_mode,
                                                       int64_t cooldown, const std::vector<double>& min_lr, double eps)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      eps_(eps) {
  const char* op = "optim::ReduceLROnPlateauScheduler";
  WICK_CHECK(factor < 1.0, op, "factor should be < 1.0, got ", factor);
  const size_t groups = optimizer.param_groups().size();
  if (min_lr.empty())
    min_lrs_.assign(groups, 0.0);
  else if (min_lr.size() == 1)
    min_lrs_.assign(groups, min_lr[0]);
  else
    min_lrs_ = min_lr;
  WICK_CHECK(min_lrs_.size() == groups, op, "expected ", groups, " min_lrs, got ", min_lr.size());
  best_ = mode_ == min ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateauScheduler::is_better(double a) const {
  if (mode_ == min && threshold_mode_ == rel) return a < best_ * (1. - threshold_);
  if (mode_ == min) return a < best_ - threshold_;
  if (threshold_mode_ == rel) return a > best_ * (threshold_ + 1.);
  return a > best_ + threshold_;
}

void ReduceLROnPlateauScheduler::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > patience_) {
    std::vector<OptimizerParamGroup>& groups = optimizer_.param_groups();
    for (size_t i = 0; i < groups.size(); ++i) {
      const double old_lr = groups[i].options().get_lr();
      const double new_lr = std::max(old_lr * factor_, min_lrs_[i]);
      if (old_lr - new_lr > eps_) groups[i].options().set_lr(new_lr);
    }
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

std::vector<double> ReduceLROnPlateauScheduler::get_last_lr() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

}  // namespace wick::optim
