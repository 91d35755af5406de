// The simulated machine of the embedded_policy example: four point masses on rails, each pushed by a force in
// [-1, 1] towards a target that jumps to a new place every two seconds, stepped at 1 kHz. Its observation is
// what tools/gen_policy_fixtures.py trained the policy on: per axis (position error, velocity, target, last force).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace wick_example {

class Plant {
 public:
  static constexpr int kAxes = 4;
  static constexpr int kObservations = 4 * kAxes;
  static constexpr double kDt = 1e-3;  // 1 kHz
  static constexpr int kStepsPerTarget = 2000;

  explicit Plant(uint64_t seed) : rng_(seed) { new_targets(); }

  void observe(float* obs) const {
    for (int a = 0; a < kAxes; ++a) {
      obs[4 * a + 0] = float(pos_[a] - target_[a]);
      obs[4 * a + 1] = float(vel_[a]);
      obs[4 * a + 2] = float(target_[a]);
      obs[4 * a + 3] = float(force_[a]);
    }
  }

  // Applies one tick of force (clamped to [-1, 1]); the targets move every kStepsPerTarget ticks.
  void step(const float* force) {
    for (int a = 0; a < kAxes; ++a) {
      force_[a] = std::clamp(double(force[a]), -1.0, 1.0);
      vel_[a] += kDt * (kGain * force_[a] - kDamping * vel_[a]);
      pos_[a] += kDt * vel_[a];
    }
    if (++ticks_ % kStepsPerTarget == 0) new_targets();
  }

  // Mean distance to the targets, over the axes.
  double error() const {
    double sum = 0;
    for (int a = 0; a < kAxes; ++a) sum += std::abs(pos_[a] - target_[a]);
    return sum / kAxes;
  }
  // The controller the policy imitates, from an observation: a clamped PD law on (error, velocity).
  static void pd_force(const float* obs, float* force) {
    for (int a = 0; a < kAxes; ++a)
      force[a] = float(std::clamp(-2.0 * obs[4 * a + 0] - 0.6 * obs[4 * a + 1], -1.0, 1.0));
  }
  // True in the last quarter of each target's time, when a good controller has settled.
  bool settling_window() const { return ticks_ % kStepsPerTarget >= kStepsPerTarget * 3 / 4; }

 private:
  static constexpr double kGain = 20, kDamping = 0.5;

  void new_targets() {
    for (double& t : target_) t = uniform() * 2 - 1;
  }
  double uniform() {  // splitmix64: the same targets on every machine
    uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return double((z ^ (z >> 31)) >> 11) / double(1ULL << 53);
  }

  uint64_t rng_;
  uint64_t ticks_ = 0;
  double pos_[kAxes] = {}, vel_[kAxes] = {}, target_[kAxes] = {}, force_[kAxes] = {};
};

}  // namespace wick_example
