#include "wick/grad_mode.h"

#include <atomic>

#include "wick/deterministic_numerics.h"
#include "wick/ops.h"

namespace wick {

namespace detail {
GradState& grad_state() {
  thread_local GradState state;
  return state;
}
}  // namespace detail

bool is_grad_enabled() { return detail::grad_state().enabled; }
void set_grad_enabled(bool enabled) { detail::grad_state().enabled = enabled; }

AutoGradMode::AutoGradMode(bool enabled) : previous_(detail::grad_state().enabled) {
  detail::grad_state().enabled = enabled;
}
AutoGradMode::~AutoGradMode() { detail::grad_state().enabled = previous_; }

namespace {
std::atomic<bool> g_inference_flushes_denormals{true};
}  // namespace

InferenceMode::InferenceMode(bool enabled)
    : previous_grad_(detail::grad_state().enabled),
      previous_inference_(detail::grad_state().inference),
      previous_flush_(flush_denormal_enabled()) {
  if (enabled) {
    detail::grad_state().enabled = false;
    detail::grad_state().inference = true;
    // Not in deterministic numerics mode: x86's flush (FTZ+DAZ) and AArch64's (FZ) treat tiny results differently,
    // and the pool's threads do not flush; IEEE denormals are the same everywhere.
    if (g_inference_flushes_denormals.load(std::memory_order_relaxed) && !previous_flush_ &&
        !deterministic_numerics_enabled())
      flushing_ = set_flush_denormal(true);
  }
}
InferenceMode::~InferenceMode() {
  detail::grad_state().enabled = previous_grad_;
  detail::grad_state().inference = previous_inference_;
  if (flushing_) set_flush_denormal(false);
}
bool InferenceMode::is_enabled() { return detail::grad_state().inference; }
void InferenceMode::set_flushes_denormals(bool on) { g_inference_flushes_denormals.store(on); }
bool InferenceMode::flushes_denormals() { return g_inference_flushes_denormals.load(); }

}  // namespace wick
