#include "onednn.h"

#include <atomic>

#include "deterministic_numerics.h"
#include "onednn_switch.h"

namespace wick::cpu {
namespace {
std::atomic<bool> g_use_onednn{true};
}  // namespace

bool onednn_available() {
#ifdef WICK_HAVE_ONEDNN
  return true;
#else
  return false;
#endif
}
// Never in deterministic numerics mode: oneDNN picks its kernels (and so its summation order) by the CPU.
bool use_onednn() {
  return onednn_available() && g_use_onednn.load(std::memory_order_relaxed) && !deterministic_numerics();
}
void set_use_onednn(bool use) { g_use_onednn.store(use); }

#ifdef WICK_HAVE_ONEDNN
dnnl::engine& onednn_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& onednn_stream() {
  thread_local dnnl::stream stream{onednn_engine()};
  return stream;
}
#endif

}  // namespace wick::cpu
