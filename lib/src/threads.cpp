// Intra-op thread count: the CPU backend's pool (and oneDNN's threads).
#include "backend_registry.h"
#include "wick/ops.h"

namespace wick {

void set_num_threads(int n) {
  WICK_CHECK(n >= 1, "set_num_threads", "expected a positive thread count, got ", n);
  backend_for(kCPU).set_num_threads(n);
}

int get_num_threads() { return backend_for(kCPU).get_num_threads(); }

}  // namespace wick
