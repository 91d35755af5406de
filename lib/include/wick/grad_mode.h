// The calling thread's autograd switches (grad mode, inference mode, anomaly mode, scope label) and the
// guards that set them, as in LibTorch. Every op reads them, so they live in the core beside the ops.
#pragma once

namespace wick {

namespace detail {
struct GradState {
  bool enabled = true;
  bool inference = false;
  bool anomaly = false;
  const char* scope = nullptr;  // user label recorded with each entry, shown by anomaly mode
};
GradState& grad_state();  // the calling thread's
inline bool grad_mode_enabled() { return grad_state().enabled; }
}  // namespace detail

// Whether ops on this thread record themselves for backward.
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Recording off for the guard's scope (evaluation, optimizer updates).
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled);
  ~AutoGradMode();
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

class EnableGradGuard : public AutoGradMode {
 public:
  EnableGradGuard() : AutoGradMode(true) {}
};

// No recording, and tensors made inside are flagged as inference tensors: the cheapest forward path. By default
// the calling thread also flushes denormals to zero for the scope (set_flush_denormal), so that a tiny
// activation cannot turn into a latency spike; set_flushes_denormals(false) keeps IEEE denormals instead, as does
// deterministic numerics mode (CPUs flush differently).
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;
  static bool is_enabled();
  // Process-wide: whether InferenceMode scopes entered from now on flush denormals (default true).
  static void set_flushes_denormals(bool on);
  static bool flushes_denormals();

 private:
  bool previous_grad_, previous_inference_, previous_flush_, flushing_ = false;
};

}  // namespace wick
