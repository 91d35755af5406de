// Timing two or more ways of doing one thing in the same run: each is calibrated to ~5 ms per repetition, their
// repetitions interleave (the order rotates every round) and the result is each one's median, so that load from
// other processes hits them alike. For the wick-against-wick benchmarks (quantization, deterministic numerics).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace bench {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Calls per repetition such that one repetition lasts about 5 ms, after warm-up calls (a first call may pack
// weights or grow buffers).
inline int calibrate(const std::function<void()>& f) {
  for (int i = 0; i < 3; ++i) f();
  int n = 1;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) f();
    if (std::chrono::steady_clock::now() - t0 > std::chrono::milliseconds(5) || n > (1 << 20)) return n;
    n *= 2;
  }
}

// Median microseconds per call of each function.
inline std::vector<double> time_interleaved(const std::vector<std::function<void()>>& fs, int reps) {
  std::vector<int> calls;
  for (const auto& f : fs) calls.push_back(calibrate(f));
  std::vector<std::vector<double>> us(fs.size());
  for (int r = 0; r < reps; ++r)
    for (size_t k = 0; k < fs.size(); ++k) {
      const size_t i = (k + size_t(r)) % fs.size();
      const auto t0 = std::chrono::steady_clock::now();
      for (int c = 0; c < calls[i]; ++c) fs[i]();
      us[i].push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                      calls[i]);
    }
  std::vector<double> medians;
  for (auto& v : us) medians.push_back(median(v));
  return medians;
}

}  // namespace bench
