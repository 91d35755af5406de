// LibTorch's side of the benchmark: the shared workloads in workloads.inc, compiled against LibTorch. Its own
// translation unit because torch/torch.h alone takes ~20 s to compile.
#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/profiler.h>
#include <torch/torch.h>

#include "bench.h"

namespace lib = torch;
// LibTorch's autocast switches live in at::; the workloads name them lib::autocast, as wick spells them.
namespace torch {
namespace autocast = ::at::autocast;
}
#define BENCH_SIDE "torch"
#define BENCH_HAVE_NN 1
#define BENCH_HAVE_OPTIM 1
#include "workloads.inc"

namespace {

// OpenBLAS's pthread build ignores OMP_NUM_THREADS and at::set_num_threads; it has its own knob.
template <class F>
F* blas_symbol(const char* name) {
  return reinterpret_cast<F*>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

void bench::add_torch_workloads(Workloads& out) {
  torch::set_num_threads(1);
  torch::set_num_interop_threads(1);
  if (auto* set = blas_symbol<void(int)>("openblas_set_num_threads")) set(1);
  add_all(out);
}

std::string bench::torch_build_info() {
  std::ostringstream info;
  info << "LibTorch " << TORCH_VERSION << ", intra-op threads " << torch::get_num_threads() << "\n";
  // show_config() is one long line of build settings; keep the ones that decide these numbers.
  const std::string config = at::show_config();
  info << "  show_config:";
  for (const char* key : {"BLAS_INFO=", "LAPACK_INFO=", "USE_MKLDNN=", "USE_OPENMP=", "CPU capability usage: "}) {
    const size_t at = config.find(key);
    if (at != std::string::npos) info << " " << config.substr(at, config.find_first_of(",\n", at) - at);
  }
  info << "\n";
  // Which BLAS the dynamic linker actually resolved (Debian switches it through /etc/alternatives).
  dl_iterate_phdr(
      [](dl_phdr_info* lib, size_t, void* data) {
        const std::string path = lib->dlpi_name ? lib->dlpi_name : "";
        if (path.find("blas") != std::string::npos || path.find("dnnl") != std::string::npos) {
          char real[PATH_MAX];
          *static_cast<std::ostringstream*>(data)
              << "  loaded: " << path << " -> " << (realpath(path.c_str(), real) ? real : "?") << "\n";
        }
        return 0;
      },
      &info);
  if (auto* config = blas_symbol<char*()>("openblas_get_config")) info << "  openblas_get_config: " << config() << "\n";
  if (auto* threads = blas_symbol<int()>("openblas_get_num_threads"))
    info << "  openblas_get_num_threads: " << threads() << "\n";
  return info.str();
}
