// Guards that switch recording on the calling thread, as in LibTorch.
#pragma once

namespace wick {

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

// No recording, and tensors made inside are flagged as inference tensors: the cheapest forward path.
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;
  static bool is_enabled();

 private:
  bool previous_grad_, previous_inference_;
};

}  // namespace wick
