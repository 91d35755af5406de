// The profiler's records as the recording threads write them, before Profile::stop turns them into Events.
#pragma once

#include <cstdint>
#include <vector>

#include "wick/profiler.h"

namespace wick::profiler::detail {

// One event as recorded. begin() fills all but the end fields; end() fills those (end_ns stays 0 while open).
struct RawEvent {
  const char* name;
  int64_t begin_ns, end_ns;           // steady clock
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

struct Session {
  uint32_t serial = 0;
  ProfileOptions options;
  int64_t origin_ns = 0;
  std::vector<ThreadEvents> exited;  // events of threads that ended while it ran (guarded by the registry)
};

int64_t now_ns();
// Events of every thread, timed from `origin_ns`; events still open end at `stop_ns`.
std::vector<Event> assemble(std::vector<ThreadEvents> threads, int64_t origin_ns, int64_t stop_ns);

}  // namespace wick::profiler::detail
