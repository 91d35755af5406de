// Deterministic numerics: the same output bits on every CPU.
//
//   wick::DeterministicNumericsGuard guard;  // or wick::set_deterministic_numerics(true)
//   wick::Tensor action = policy->forward(observation);  // bit-identical on x86-64 (any kernel set) and AArch64
//
// For lockstep multiplayer, replays and regression tests that compare outputs between an x86 development machine
// and an ARM target. While the mode is on, the CPU backend runs one canonical summation order (independent of the
// vector width and the thread count), no fused multiply-add the source does not write, and one implementation of
// exp, log, log1p, expm1, tanh and erf (and so of sigmoid, GELU, SiLU, softplus, ELU). README: "Deterministic
// numerics" states what is covered exactly. It costs speed (the portable kernels instead of the vector and oneDNN
// ones); the default is off. Process-wide, as torch.use_deterministic_algorithms: set it before starting threads
// that compute.
#pragma once

namespace wick {

// Turns the mode on or off; returns the previous setting.
bool set_deterministic_numerics(bool on);
bool deterministic_numerics_enabled();

// Turns the mode on (or off) for a scope and restores the previous setting.
class DeterministicNumericsGuard {
 public:
  explicit DeterministicNumericsGuard(bool on = true) : previous_(set_deterministic_numerics(on)) {}
  ~DeterministicNumericsGuard() { set_deterministic_numerics(previous_); }
  DeterministicNumericsGuard(const DeterministicNumericsGuard&) = delete;
  DeterministicNumericsGuard& operator=(const DeterministicNumericsGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace wick
