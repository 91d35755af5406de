// The global random state. Every random op draws from a counter-based stream (Philox), so one seed
// reproduces a run exactly, on any thread count.
#pragma once

#include <cstdint>

namespace wick {

void manual_seed(uint64_t seed);
uint64_t initial_seed();

namespace detail {
// Reserves `count` consecutive counters of the global stream; returns (seed, first counter).
struct RandomSlice {
  uint64_t seed, offset;
};
RandomSlice reserve_random(uint64_t count);
// The generator's seed and next counter, and setting them back: code that must replay a stretch of draws
// (gradient checkpointing re-runs a forward with the same dropout masks) saves one and restores it.
RandomSlice random_state();
void set_random_state(RandomSlice state);
}  // namespace detail

}  // namespace wick
