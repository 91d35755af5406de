// wick's side of the benchmark: the shared workloads in workloads.inc, compiled against wick.
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include <wick/wick.h>

#include "bench.h"

namespace lib = wick;
#define BENCH_SIDE "wick"
#if __has_include(<wick/nn.h>)
#define BENCH_HAVE_NN 1
#else
#define BENCH_HAVE_NN 0
#endif
#if __has_include(<wick/optim.h>)
#define BENCH_HAVE_OPTIM 1
#else
#define BENCH_HAVE_OPTIM 0
#endif
#include "workloads.inc"

void bench::add_wick_workloads(Workloads& out) {
  wick::set_num_threads(1);
  add_all(out);
}
