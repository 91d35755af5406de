// How ops, backward rules and the allocator report to the profiler (wick/profiler.h). Every public op opens
//
//   WICK_PROFILE_OP("add", a, b);   // the op's name and its tensor inputs (a Tensor, a list, an optional)
//
// as its first line. While no profile runs that costs one relaxed load of a global counter and a branch, so the
// line can sit on the per-op path; while one runs, the op becomes an event from that line to the function's end
// (exceptions included). An op called directly inside an op of the same name (add(a, b, alpha) forwarding to
// add(a, b)) is part of that op, not an event of its own, so overloads that forward need no care.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "wick/profiler.h"
#include "wick/tensor.h"

namespace wick::detail {
struct Node;
}

namespace wick::profiler::detail {

// Profiles running now, on any thread.
extern std::atomic<int> g_running;
inline bool profiling() { return __builtin_expect(g_running.load(std::memory_order_relaxed) != 0, 0); }

// An op's tensor inputs, one argument at a time: a tensor, a list of them, an optional one.
struct Inputs {
  Inputs(const Tensor& t) : data(&t), size(1) {}
  Inputs(const std::vector<Tensor>& v) : data(v.data()), size(v.size()) {}
  Inputs(const std::optional<Tensor>& t) : data(t ? &*t : nullptr), size(t ? 1 : 0) {}
  const Tensor* data;
  size_t size;
};

// An open event on the calling thread: its index in the thread's buffer and the profile it belongs to.
struct Slot {
  int32_t index = -1;
  uint32_t epoch = 0;
};
Slot begin(const char* name, EventKind kind, std::initializer_list<Inputs> inputs);
Slot begin_backward(const wick::detail::Node* node, const Tensor* grads, int num_grads);
void end(Slot slot);

// CPU tensor memory allocated (> 0) or freed (< 0) on the calling thread; lib's storage calls it while profiling.
void count_cpu_bytes(int64_t delta);

// An event from construction to destruction: an op's (WICK_PROFILE_OP), or, in the engine, a tape entry's backward
// rule, named as LibTorch names the node, with the gradients it receives, or another step of the backward walk.
class OpScope {
 public:
  template <class... Ts>
  explicit OpScope(const char* name, const Ts&... inputs) {
    if (profiling()) slot_ = begin(name, EventKind::Op, {Inputs(inputs)...});
  }
  OpScope(const wick::detail::Node* node, const Tensor* grads, int num_grads) {
    if (profiling()) slot_ = begin_backward(node, grads, num_grads);
  }
  OpScope(EventKind kind, const char* name, const Tensor& input) {
    if (profiling()) slot_ = begin(name, kind, {Inputs(input)});
  }
  ~OpScope() {
    if (__builtin_expect(slot_.index >= 0, 0)) end(slot_);
  }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  Slot slot_;
};

}  // namespace wick::profiler::detail

#define WICK_PROFILE_OP(...) const ::wick::profiler::detail::OpScope wick_profile_op_scope_(__VA_ARGS__)
