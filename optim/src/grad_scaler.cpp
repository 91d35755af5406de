#include "wick/optim/grad_scaler.h"

#include <cmath>

#include "wick/error.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

namespace {
constexpr const char* kOp = "GradScaler";

void check_options(const GradScalerOptions& o) {
  WICK_CHECK(o.init_scale() > 0 && std::isfinite(o.init_scale()), kOp,
             "init_scale must be a positive finite number, got ", o.init_scale());
  WICK_CHECK(o.growth_factor() > 1, kOp, "growth_factor must be > 1, got ", o.growth_factor());
  WICK_CHECK(o.backoff_factor() > 0 && o.backoff_factor() < 1, kOp, "backoff_factor must be in (0, 1), got ",
             o.backoff_factor());
  WICK_CHECK(o.growth_interval() > 0, kOp, "growth_interval must be positive, got ", o.growth_interval());
}
}  // namespace

GradScaler::GradScaler(GradScalerOptions options) : options_(options), scale_(float(options.init_scale())) {
  check_options(options_);
}

Tensor GradScaler::scale(const Tensor& outputs) const {
  if (!options_.enabled()) return outputs;
  WICK_CHECK(outputs.defined() && is_floating_point(outputs.dtype()), kOp,
             "scale() expects a floating point tensor (the loss), got ",
             outputs.defined() ? dtype_name(outputs.dtype()) : "an undefined tensor");
  // A float32 scale, as PyTorch's: multiplying a float16 loss promotes it to float32, which backward handles.
  return outputs * scalar_tensor(double(scale_), TensorOptions().dtype(kFloat).device(outputs.device()));
}

std::vector<Tensor> GradScaler::scale(const std::vector<Tensor>& outputs) const {
  std::vector<Tensor> scaled;
  scaled.reserve(outputs.size());
  for (const Tensor& t : outputs) scaled.push_back(scale(t));
  return scaled;
}

void GradScaler::unscale_(optim::Optimizer& optimizer) {
  if (!options_.enabled()) return;
  PerOptimizer& state = per_optimizer_[&optimizer];
  WICK_CHECK(state.stage != Stage::Unscaled, kOp,
             "unscale_() has already been called on this optimizer since the last update()");
  WICK_CHECK(state.stage != Stage::Stepped, kOp, "unscale_() is being called after step()");
  // PyTorch: the reciprocal in float64, then rounded to float32.
  const double inv_scale = double(float(1.0 / double(scale_)));
  NoGradGuard no_grad;
  bool found_inf = false;
  for (auto& group : optimizer.param_groups())
    for (Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      WICK_CHECK(is_floating_point(g.dtype()), kOp, "cannot unscale a gradient of dtype ", dtype_name(g.dtype()));
      // Checked before the multiplication, as PyTorch's kernel does: a finite gradient that unscaling would
      // overflow (a scale below 1) is not a skipped step.
      if (!found_inf && !isfinite(g).all().item<bool>()) found_inf = true;
      g.mul_(inv_scale);
    }
  state.found_inf = found_inf;
  state.stage = Stage::Unscaled;
}

Tensor GradScaler::step(optim::Optimizer& optimizer, optim::LossClosure closure) {
  if (!options_.enabled()) return optimizer.step(std::move(closure));
  WICK_CHECK(!closure, kOp,
             "closure use is not supported with step(): the closure would run backward again on unscaled "
             "gradients (as PyTorch, which refuses it too)");
  PerOptimizer& state = per_optimizer_[&optimizer];
  WICK_CHECK(state.stage != Stage::Stepped, kOp, "step() has already been called since the last update()");
  if (state.stage == Stage::Ready) unscale_(optimizer);
  PerOptimizer& after = per_optimizer_[&optimizer];
  after.stage = Stage::Stepped;
  if (after.found_inf) return Tensor();
  return optimizer.step();
}

bool GradScaler::step_skipped(const optim::Optimizer& optimizer) const {
  auto it = per_optimizer_.find(&optimizer);
  return it != per_optimizer_.end() && it->second.stage == Stage::Stepped && it->second.found_inf;
}

void GradScaler::update(std::optional<double> new_scale) {
  if (!options_.enabled()) return;
  if (new_scale) {
    WICK_CHECK(*new_scale > 0 && std::isfinite(*new_scale), kOp, "new_scale must be a positive finite number, got ",
               *new_scale);
    scale_ = float(*new_scale);
  } else {
    WICK_CHECK(!per_optimizer_.empty(), kOp, "no inf checks were recorded prior to update()");
    bool found_inf = false;
    for (const auto& [opt, state] : per_optimizer_) found_inf = found_inf || state.found_inf;
    // PyTorch's _amp_update_scale_, in float32.
    if (found_inf) {
      scale_ = scale_ * float(options_.backoff_factor());
      growth_tracker_ = 0;
    } else if (++growth_tracker_ == options_.growth_interval()) {
      const float grown = scale_ * float(options_.growth_factor());
      if (std::isfinite(grown)) scale_ = grown;
      growth_tracker_ = 0;
    }
  }
  per_optimizer_.clear();
}

std::map<std::string, Tensor> GradScaler::state_dict() const {
  if (!options_.enabled()) return {};
  auto f64 = [](double v) { return scalar_tensor(v, TensorOptions().dtype(kDouble)); };
  return {{"scale", f64(double(scale_))},
          {"growth_factor", f64(options_.growth_factor())},
          {"backoff_factor", f64(options_.backoff_factor())},
          {"growth_interval", f64(double(options_.growth_interval()))},
          {"_growth_tracker", f64(double(growth_tracker_))}};
}

void GradScaler::load_state_dict(const std::map<std::string, Tensor>& state) {
  WICK_CHECK(options_.enabled(), kOp, "load_state_dict() on a disabled GradScaler");
  WICK_CHECK(!state.empty(), kOp, "the state dict is empty: was it saved from a disabled GradScaler?");
  auto get = [&](const char* key) {
    auto it = state.find(key);
    WICK_CHECK(it != state.end(), kOp, "the state dict has no \"", key, "\"");
    WICK_CHECK(it->second.numel() == 1, kOp, "\"", key, "\" must hold one value, got shape ",
               shape_str(it->second.sizes()));
    return it->second.to(kDouble).item<double>();
  };
  GradScalerOptions o = options_;
  o.init_scale(get("scale")).growth_factor(get("growth_factor")).backoff_factor(get("backoff_factor"));
  o.growth_interval(int64_t(get("growth_interval")));
  const double tracker = get("_growth_tracker");
  check_options(o);
  WICK_CHECK(tracker >= 0, kOp, "_growth_tracker must be non-negative, got ", tracker);
  options_ = o;
  scale_ = float(o.init_scale());
  growth_tracker_ = int64_t(tracker);
}

}  // namespace wick
