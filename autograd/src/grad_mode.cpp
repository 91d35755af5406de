#include "wick/autograd/grad_mode.h"

#include "wick/detail/record.h"

namespace wick {

bool is_grad_enabled() { return detail::grad_state().enabled; }
void set_grad_enabled(bool enabled) { detail::grad_state().enabled = enabled; }

AutoGradMode::AutoGradMode(bool enabled) : previous_(detail::grad_state().enabled) {
  detail::grad_state().enabled = enabled;
}
AutoGradMode::~AutoGradMode() { detail::grad_state().enabled = previous_; }

InferenceMode::InferenceMode(bool enabled)
    : previous_grad_(detail::grad_state().enabled), previous_inference_(detail::grad_state().inference) {
  if (enabled) {
    detail::grad_state().enabled = false;
    detail::grad_state().inference = true;
  }
}
InferenceMode::~InferenceMode() {
  detail::grad_state().enabled = previous_grad_;
  detail::grad_state().inference = previous_inference_;
}
bool InferenceMode::is_enabled() { return detail::grad_state().inference; }

}  // namespace wick
