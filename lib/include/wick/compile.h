// wick::compile: capture an eager step once, replay it fused, planned and allocation-free.
//
//   auto step = wick::compile([&](const wick::Tensor& x, const wick::Tensor& y) {
//     optimizer.zero_grad();
//     auto loss = wick::nn::functional::cross_entropy(model->forward(x), y);
//     loss.backward();
//     optimizer.step();
//     return loss;
//   });
//   for (auto& batch : loader) float l = step(batch.data, batch.target).item<float>();
//
//   auto fast = wick::compile(model);  // inference: fast(x) == model->forward(x)
//
// The function stays ordinary eager code. A call runs it eagerly while recording every backend primitive it
// executes (the forward, the backward the tape runs, in-place optimizer updates). Once two captures in a row
// with the same argument shapes, strides, dtypes and devices and the same grad/autocast modes record the same
// primitives on the same memory with the same constants, that recording becomes a plan, and later calls replay
// it: consecutive elementwise steps (and reductions that keep the leading dim) fused into one pass over cache-
// sized tiles, intermediates that never leave such a group kept in a tile-sized scratch, every other temporary
// placed by lifetime in one arena; no allocation, no tape, no per-op dispatch. Anything else falls back to eager
// and re-captures, counted in stats(): new argument shapes, a value read to the host (item(), a bounds check)
// that differs from the capture's, memory the plan uses being freed, a capture that differs from the last one
// (a changed scalar, such as a learning rate or Adam's bias correction, or a branch taking another path).
//
// What a replay gives back. The returned tensor is the plan's own result buffer, overwritten by the next call
// (as a CUDA graph's output is): read it, or clone() it to keep it. Tensors the function reads without taking
// them as arguments (parameters, optimizer state, gradients) are bound by their memory: in-place updates are
// seen, a tensor replaced by a new one is not (freeing the old one makes the plan re-capture). The result must
// not need a backward outside the function: call backward() inside it. Replayed values equal eager ones bit for
// bit on the CPU (each fused tile runs the same kernel on the same rows); the graph's tape, version counters and
// profiler op rows are not replayed (a fused group is one profiler scope). Plans replay on the CPU; a step on
// a CUDA device runs eagerly (its CUDA-graph replay is not built yet).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "wick/tensor.h"

namespace wick {

struct CompileStats {
  int64_t calls = 0;
  int64_t captures = 0;     // eager runs that recorded a capture
  int64_t replays = 0;      // calls served by the plan
  int64_t eager_calls = 0;  // eager runs that did not record (the step cannot be replayed)
  int64_t recaptures = 0;   // plans dropped: new signature, freed memory, or a guard that failed
};

namespace detail {

// A borrowed callable, called once per capture: no allocation for the lambda.
class StepRef {
 public:
  template <class F>
  StepRef(F& f) : object_(&f), call_([](void* o) { return (*static_cast<F*>(o))(); }) {}
  Tensor operator()() const { return call_(object_); }

 private:
  void* object_;
  Tensor (*call_)(void*);
};

class CompileCache {
 public:
  CompileCache();
  ~CompileCache();
  CompileCache(CompileCache&&) noexcept;
  CompileCache& operator=(CompileCache&&) noexcept;

  Tensor call(std::span<const Tensor> inputs, StepRef run);
  CompileStats stats() const;
  // Why the last capture did not become (or stay) a plan; empty while a plan is in use.
  std::string fallback_reason() const;
  std::string plan_string() const;
  std::string plan_dot() const;
  size_t arena_bytes() const;
  size_t eager_peak_bytes() const;
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace detail

template <class F>
class CompiledFunction {
 public:
  explicit CompiledFunction(F fn) : fn_(std::move(fn)) {}

  template <class... Args>
  Tensor operator()(const Args&... args) {
    static_assert((std::is_same_v<Args, Tensor> && ...), "wick::compile: a compiled function takes Tensor arguments");
    const std::array<Tensor, sizeof...(Args)> inputs{args...};
    auto run = [&] { return Tensor(fn_(args...)); };
    return cache_.call(inputs, detail::StepRef(run));
  }

  CompileStats stats() const { return cache_.stats(); }
  std::string fallback_reason() const { return cache_.fallback_reason(); }
  // The plan in use: its fused groups, each step's memory, and the arena's layout ("" before there is one).
  std::string plan_string() const { return cache_.plan_string(); }
  // The plan as a Graphviz digraph: one node per fused group or step, edges along the data.
  std::string plan_dot() const { return cache_.plan_dot(); }
  // Temporary memory of one call: the plan's arena, and the most the eager run held at once (both leave out what
  // outlives the call: the result, gradients, optimizer state). 0 before there is a plan.
  size_t arena_bytes() const { return cache_.arena_bytes(); }
  size_t eager_peak_bytes() const { return cache_.eager_peak_bytes(); }
  // Drops the plan: the next calls capture again (after changing a scalar the function reads, say).
  void reset() { cache_.reset(); }

 private:
  F fn_;
  detail::CompileCache cache_;
};

// A function of Tensors returning a Tensor, or a module (anything with ->forward(Tensor)): its forward.
template <class F>
auto compile(F fn) {
  if constexpr (requires(F & m, const Tensor& x) { m->forward(x); }) {
    return CompiledFunction([module = std::move(fn)](const Tensor& x) { return Tensor(module->forward(x)); });
  } else {
    return CompiledFunction<F>(std::move(fn));
  }
}

}  // namespace wick
