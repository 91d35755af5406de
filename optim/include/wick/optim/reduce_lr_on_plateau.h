// Lowers the learning rate when a watched metric stops improving, as PyTorch's ReduceLROnPlateau and
// LibTorch's ReduceLROnPlateauScheduler (same arguments): sched.step(validation_loss) once per epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "wick/optim/optimizer.h"

namespace wick::optim {

class ReduceLROnPlateauScheduler {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };

  // min_lr: one bound for all groups, one per group, or none (0).
  explicit ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min, double factor = 0.1,
                                      int64_t patience = 10, double threshold = 1e-4,
                                      ThresholdMode threshold_mode = rel, int64_t cooldown = 0,
                                      const std::vector<double>& min_lr = {}, double eps = 1e-8);

  void step(double metric);
  std::vector<double> get_last_lr() const;
  int64_t num_bad_epochs() const noexcept { return num_bad_epochs_; }
  double best() const noexcept { return best_; }

 private:
  bool is_better(double a) const;

  Optimizer& optimizer_;
  SchedulerMode mode_;
  double factor_;
  int64_t patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int64_t cooldown_;
  std::vector<double> min_lrs_;
  double eps_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
};

using ReduceLROnPlateau = ReduceLROnPlateauScheduler;

}  // namespace wick::optim
