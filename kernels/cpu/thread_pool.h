// Intra-op parallelism: a fixed pool of workers that split a range. Small ranges run inline on the
// caller and never wake the pool, so tiny models pay nothing for it.
#pragma once

#include <cstdint>

namespace wick::cpu {

// A non-owning reference to a callable void(int64_t begin, int64_t end): no std::function, no allocation.
class RangeFn {
 public:
  template <class F>
  RangeFn(F& f) : object_(&f), call_([](void* o, int64_t b, int64_t e) { (*static_cast<F*>(o))(b, e); }) {}
  void operator()(int64_t b, int64_t e) const { call_(object_, b, e); }

 private:
  void* object_;
  void (*call_)(void*, int64_t, int64_t);
};

void set_num_threads(int n);
int get_num_threads();
// How many parallel regions have woken the pool since the process started (small work never does).
uint64_t pool_dispatches();

// Runs fn over [begin, end) in chunks of at least `grain` iterations; inline when the range is smaller
// than two grains or the pool has one thread. Exceptions from any chunk are rethrown on the caller.
void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, RangeFn fn);

template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end - begin < 2 * grain || get_num_threads() == 1) {
    if (begin < end) fn(begin, end);
    return;
  }
  parallel_for_impl(begin, end, grain, RangeFn(fn));
}

// Elements per chunk below which elementwise work stays on one thread.
inline constexpr int64_t kElementwiseGrain = 32768;

}  // namespace wick::cpu
