// The profiler's records as the recording threads write them, before Profile::stop turns them into Events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "wick/profiler.h"

namespace wick::profiler::detail {

// One event as recorded. begin() fills all but the end fields; end() fills those.
struct RawEvent {
  const char* name;
  int64_t begin_ticks, end_ticks;     // ticks(); end_ticks stays 0 while open
  int64_t begin_bytes, end_bytes;     // the thread's net CPU tensor bytes at begin and end
  int32_t parent;                     // index in the same ThreadEvents, -1 at the top
  uint32_t inputs_begin, inputs_end;  // range of ThreadEvents::inputs
  EventKind kind;
};

// One thread's events in one profile. Each tensor input is a packed word (kInputHeader), then its sizes.
struct ThreadEvents {
  int thread = 0;
  int64_t bytes_at_stop = 0;  // closes the memory of events still open when the profile stopped
  std::vector<RawEvent> events;
  std::vector<int64_t> inputs;
};

// The packed word of one tensor input: ndim | dtype << 8 | device type << 16 | device index << 24.
inline int64_t input_header(int64_t ndim, ScalarType dtype, Device device) {
  return ndim | int64_t(dtype) << 8 | int64_t(device.type) << 16 | int64_t(uint8_t(device.index)) << 24;
}

int64_t now_ns();  // steady clock

// Event times come from the CPU's counter where it has a constant-rate one (rdtscp on x86-64, the virtual counter
// on aarch64): ~10 ns a read against ~45 ns for steady_clock on a VM, and an event reads it twice. Profile::stop
// converts them to nanoseconds at the rate the counter kept against steady_clock since the first profile.
#if defined(__x86_64__)
inline int64_t ticks() {
  unsigned aux;
  return int64_t(__rdtscp(&aux));  // waits for the instructions before it, so events nest in program order
}
inline constexpr bool kTicksAreNs = false;
#elif defined(__aarch64__)
inline int64_t ticks() {
  int64_t v;
  asm volatile("isb\n mrs %0, cntvct_el0" : "=r"(v));
  return v;
}
inline constexpr bool kTicksAreNs = false;
#else
inline int64_t ticks() { return now_ns(); }
inline constexpr bool kTicksAreNs = true;
#endif

// A moment on both clocks: a profile's start and stop.
struct Instant {
  int64_t ticks, ns;
  static Instant now() { return {detail::ticks(), now_ns()}; }
};

struct Session {
  uint32_t serial = 0;
  ProfileOptions options;
  Instant origin{};
  std::vector<ThreadEvents> exited;  // events of threads that ended while it ran (guarded by the registry)
};

// An event's input shapes as Python prints a list of lists and JSON reads it: "[[64, 784], [10, 784], []]".
std::string shapes_str(const std::vector<TensorMeta>& inputs);

// Events of every thread, in nanoseconds from `origin`; events still open end at `stop`.
std::vector<Event> assemble(std::vector<ThreadEvents> threads, Instant origin, Instant stop);

}  // namespace wick::profiler::detail
