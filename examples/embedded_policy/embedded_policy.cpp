// A robot's control loop: a policy trained in PyTorch (an MLP 16-64-64-4 with Tanh, tools/gen_policy_fixtures.py)
// loads from safetensors by PyTorch's parameter names, then steers a simulated machine at 1 kHz for 100,000 ticks
// (100 simulated seconds, run as fast as the CPU allows). Each tick observes, runs the policy under
// InferenceMode on a tensor that views the loop's own buffer, and applies the action. It prints the latency of
// the policy call (p50, p99, max), the heap allocations made inside the loop (there should be none), and how
// closely the policy tracks its targets next to the PD controller it imitates.
//
//   embedded_policy [--int8] [policy.safetensors] [ticks]    (defaults: the fixture policy, 100000)
//
// --int8 runs the policy's hidden and output layers quantized (quantization::quantize_dynamic: int8 weights,
// activations quantized per call) and also steers with the float policy, to compare how closely each tracks.
// With 0 ticks it stops after the first action: tools/bench/run times that as the cold start.
// Exits non-zero if the loop allocated, the policy failed to track its targets, or (--int8) the int8 policy's
// tracking error is more than 1.2 times the float policy's.
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "malloc_counter.h"
#include "plant.h"

namespace nn = wick::nn;
using Clock = std::chrono::steady_clock;
using wick_example::Plant;

namespace {

// Drives a fresh plant for `ticks` ticks with `act(obs, force)` and returns the mean distance to the target in
// the settling windows. The same loop runs the policy and the PD controller it is compared with.
template <class Act>
double settled_error(int64_t ticks, float* obs, Act&& act) {
  Plant plant(42);
  float force[Plant::kAxes];
  double sum = 0;
  int64_t n = 0;
  for (int64_t t = 0; t < ticks; ++t) {
    plant.observe(obs);
    act(obs, force);
    plant.step(force);
    if (plant.settling_window()) {
      sum += plant.error();
      ++n;
    }
  }
  return n ? sum / double(n) : 0;
}

double microseconds(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const auto started = Clock::now();
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool int8 = !args.empty() && args[0] == "--int8";
  if (int8) args.erase(args.begin());
  const std::string path = args.size() > 0 ? args[0] : WICK_DEFAULT_POLICY;
  const int64_t ticks = args.size() > 1 ? std::stoll(args[1]) : 100000;

  nn::Sequential float_policy(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
  try {
    wick::load(float_policy, path);  // strict: names ("0.weight", ...) and shapes must match the file's
  } catch (const wick::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  // int8 weights with one scale per output channel, as PyTorch's quantize_dynamic makes them, for the hidden and
  // output layers. The input layer stays float: the observations mix scales (position errors of a few thousandths
  // beside targets and velocities of +-2), and one activation scale per call would round the small ones away.
  nn::Sequential policy = int8 ? wick::quantization::quantize_dynamic(float_policy, {"2", "4"}) : float_policy;

  wick::InferenceMode inference;  // no tape, and denormals flushed for this thread
  float obs[Plant::kObservations], force[Plant::kAxes];
  const wick::Tensor obs_tensor = wick::from_blob(obs, {1, Plant::kObservations});  // views obs: no copy per tick
  auto run_policy = [&](float* f) {                                                 // acts on what obs holds
    const wick::Tensor action = policy->forward(obs_tensor);
    std::copy_n(action.data_ptr<float>(), Plant::kAxes, f);
  };

  // The first call builds what every later one reuses (the allocator's blocks, pooled tensor headers).
  Plant warmup(7);
  warmup.observe(obs);
  run_policy(force);
  const double first_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  if (ticks <= 0) {
    std::printf("policy %s: first action %.1f ms after main(): %g %g %g %g\n", path.c_str(), first_ms, force[0],
                force[1], force[2], force[3]);
    return 0;
  }

  std::vector<Clock::duration> latency(static_cast<size_t>(ticks));
  size_t tick = 0;
  wick_example::start_counting_mallocs();
  const double policy_error = settled_error(ticks, obs, [&](const float*, float* f) {
    const auto t0 = Clock::now();
    run_policy(f);
    latency[tick++] = Clock::now() - t0;
  });
  const uint64_t allocations = wick_example::stop_counting_mallocs();

  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) { return microseconds(latency[size_t(double(ticks - 1) * p)]); };
  float pd_obs[Plant::kObservations];
  const double pd_error = settled_error(ticks, pd_obs, [](const float* o, float* f) { Plant::pd_force(o, f); });

  std::printf("policy %s: 16-64-64-4 Tanh%s, loaded and first action %.1f ms after main()\n", path.c_str(),
              int8 ? ", layers 2 and 4 int8 (quantize_dynamic)" : "", first_ms);
  std::printf("%lld ticks at 1 kHz (%.0f simulated s): policy call p50 %.2f us, p99 %.2f us, max %.2f us\n",
              static_cast<long long>(ticks), double(ticks) * Plant::kDt, pct(0.5), pct(0.99), pct(1.0));
  if (wick_example::malloc_counter_available())
    std::printf("heap allocations inside the loop: %llu\n", static_cast<unsigned long long>(allocations));
  else
    std::printf("heap allocations inside the loop: not counted (needs glibc)\n");
  std::printf("settled distance to target: policy %.4f, the PD controller it imitates %.4f\n", policy_error, pd_error);

  bool ok = true;
  if (int8) {
    const double float_error = settled_error(ticks, obs, [&](const float*, float* f) {
      const wick::Tensor action = float_policy->forward(obs_tensor);
      std::copy_n(action.data_ptr<float>(), Plant::kAxes, f);
    });
    std::printf("settled distance to target of the float policy: %.4f (int8 / float: %.3f)\n", float_error,
                policy_error / float_error);
    if (!(policy_error <= 1.2 * float_error)) {
      std::fprintf(stderr, "FAILED: the int8 policy tracks worse than 1.2x the float policy (%.4f vs %.4f)\n",
                   policy_error, float_error);
      ok = false;
    }
  }
  if (allocations != 0) {
    std::fprintf(stderr, "FAILED: the control loop allocated %llu times\n",
                 static_cast<unsigned long long>(allocations));
    ok = false;
  }
  if (ticks >= Plant::kStepsPerTarget && !(policy_error < 2 * pd_error + 0.02)) {
    std::fprintf(stderr, "FAILED: the policy does not track its targets (%.4f vs the PD controller's %.4f)\n",
                 policy_error, pd_error);
    ok = false;
  }
  return ok ? 0 : 1;
}
