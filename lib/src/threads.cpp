// Intra-op thread count: the CPU backend's pool (and oneDNN's threads); the calling thread's denormal flushing.
#include "backend_registry.h"
#include "wick/ops.h"

namespace wick {

void set_num_threads(int n) {
  WICK_CHECK(n >= 1, "set_num_threads", "expected a positive thread count, got ", n);
  backend_for(kCPU).set_num_threads(n);
}

int get_num_threads() { return backend_for(kCPU).get_num_threads(); }

bool set_flush_denormal(bool on) { return backend_for(kCPU).set_flush_denormal(on); }

bool flush_denormal_enabled() { return backend_for(kCPU).flush_denormal(); }

}  // namespace wick
