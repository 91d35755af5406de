// Loss scaling for float16 training, as torch.cuda.amp.GradScaler: the loss is multiplied by a large scale
// before backward so that small float16 gradients do not flush to zero; step() divides the gradients by the
// scale again and skips the optimizer's update when any of them came out inf or NaN (the scale was too
// large), and update() halves the scale after such a step and doubles it after growth_interval clean ones.
//
//   wick::GradScaler scaler;
//   scaler.scale(loss).backward();
//   scaler.step(optimizer);  // or scaler.unscale_(optimizer); clip_grad_norm_(...); scaler.step(optimizer);
//   scaler.update();
//
// The arithmetic follows PyTorch's kernels exactly: the scale is a float32 value; gradients are multiplied by
// float32(1 / double(scale)); a gradient counts as non-finite when it was before unscaling; a grown scale that
// would overflow float32 is not taken.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "wick/arg.h"
#include "wick/optim/optimizer.h"

namespace wick {

struct GradScalerOptions {
  WICK_ARG(double, init_scale) = 65536.0;
  WICK_ARG(double, growth_factor) = 2.0;
  WICK_ARG(double, backoff_factor) = 0.5;
  WICK_ARG(int64_t, growth_interval) = 2000;
  WICK_ARG(bool, enabled) = true;
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});

  // outputs * scale (outputs unchanged when the scaler is disabled).
  Tensor scale(const Tensor& outputs) const;
  std::vector<Tensor> scale(const std::vector<Tensor>& outputs) const;
  // Divides the optimizer's gradients by the scale, in place, and notes whether any is inf/NaN. At most once
  // per optimizer between two update() calls, and not after step().
  void unscale_(optim::Optimizer& optimizer);
  // unscale_ (unless done already), then optimizer.step(closure) unless a gradient was inf/NaN. Returns the
  // step's result, or an undefined tensor when the step was skipped.
  Tensor step(optim::Optimizer& optimizer, optim::LossClosure closure = nullptr);
  // The next scale: backoff after a step that found inf/NaN, growth after growth_interval clean ones; or
  // new_scale when given. Forgets which optimizers were unscaled/stepped.
  void update(std::optional<double> new_scale = std::nullopt);

  double get_scale() const { return options_.enabled() ? double(scale_) : 1.0; }
  int64_t growth_tracker() const { return growth_tracker_; }
  bool is_enabled() const { return options_.enabled(); }
  // Whether the last step() of this optimizer was skipped.
  bool step_skipped(const optim::Optimizer& optimizer) const;
  double get_growth_factor() const { return options_.growth_factor(); }
  void set_growth_factor(double f) { options_.growth_factor(f); }
  double get_backoff_factor() const { return options_.backoff_factor(); }
  void set_backoff_factor(double f) { options_.backoff_factor(f); }
  int64_t get_growth_interval() const { return options_.growth_interval(); }
  void set_growth_interval(int64_t n) { options_.growth_interval(n); }

  // PyTorch's keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker (float64 scalars).
  std::map<std::string, Tensor> state_dict() const;
  void load_state_dict(const std::map<std::string, Tensor>& state);

 private:
  enum class Stage : uint8_t { Ready, Unscaled, Stepped };
  struct PerOptimizer {
    Stage stage = Stage::Ready;
    bool found_inf = false;
  };
  GradScalerOptions options_;
  float scale_;
  int64_t growth_tracker_ = 0;
  std::unordered_map<const optim::Optimizer*, PerOptimizer> per_optimizer_;
};

namespace amp {
using wick::GradScaler;
using wick::GradScalerOptions;
}  // namespace amp

}  // namespace wick
