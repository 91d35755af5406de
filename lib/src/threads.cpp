// Intra-op thread count: the CPU backend's pool (and oneDNN's threads); the calling thread's denormal flushing.
#include "backend_registry.h"
#include "fp_control.h"
#include "wick/ops.h"

namespace wick {

void set_num_threads(int n) {
  WICK_CHECK(n >= 1, "set_num_threads", "expected a positive thread count, got ", n);
  backend_for(kCPU).set_num_threads(n);
}

int get_num_threads() { return backend_for(kCPU).get_num_threads(); }

bool set_flush_denormal(bool on) {
  if (!cpu::kCanFlushDenormals) return false;
  const uint64_t v = cpu::fp_control();
  cpu::set_fp_control(on ? v | cpu::kFlushDenormalBits : v & ~cpu::kFlushDenormalBits);
  return true;
}

bool flush_denormal_enabled() {
  return cpu::kCanFlushDenormals && (cpu::fp_control() & cpu::kFlushDenormalBits) == cpu::kFlushDenormalBits;
}

}  // namespace wick
