// Two counters per device, counting while a MemoryStatsGuard exists: each allocation and release pays one atomic
// add (and, at a new high-water mark, a compare-and-swap); otherwise one relaxed load of the guard count.
#include "wick/memory_stats.h"

#include <atomic>

#include "wick/error.h"

namespace wick {
namespace {

struct alignas(64) Counters {
  std::atomic<int64_t> alive{0}, peak{0};
};
constexpr int kIndices = 128;  // Device::index is an int8_t
Counters g_counters[kNumDeviceTypes][kIndices];

Counters& counters_of(const char* op, Device device) {
  WICK_CHECK(device.index >= 0, op, "device ", device.str(), " has a negative index");
  return g_counters[int(device.type)][device.index];
}

}  // namespace

int64_t memory_allocated(Device device) {
  return counters_of("memory_allocated", device).alive.load(std::memory_order_relaxed);
}

int64_t max_memory_allocated(Device device) {
  return counters_of("max_memory_allocated", device).peak.load(std::memory_order_relaxed);
}

void reset_peak_memory_stats(Device device) {
  Counters& c = counters_of("reset_peak_memory_stats", device);
  c.peak.store(c.alive.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

MemoryStatsGuard::MemoryStatsGuard() { detail::g_memory_stats_guards.fetch_add(1); }
MemoryStatsGuard::~MemoryStatsGuard() { detail::g_memory_stats_guards.fetch_sub(1); }

namespace detail {

std::atomic<int> g_memory_stats_guards{0};

void count_tensor_memory_now(Device device, int64_t delta) {
  Counters& c = g_counters[int(device.type)][device.index & (kIndices - 1)];
  const int64_t alive = c.alive.fetch_add(delta, std::memory_order_relaxed) + delta;
  int64_t peak = c.peak.load(std::memory_order_relaxed);
  while (alive > peak && !c.peak.compare_exchange_weak(peak, alive, std::memory_order_relaxed)) {}
}

}  // namespace detail
}  // namespace wick
