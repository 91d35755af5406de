// Dynamic int8 inference (issue 22): a model quantized by quantization::quantize_dynamic against the same float32
// model, and, when built with LibTorch (Debian's libtorch-dev), LibTorch's float32 model and its dynamic int8 one
// (quantization_bench_torch.cpp), forward passes under InferenceMode / NoGradGuard on one thread and on every
// thread. Rows: the embedded policy MLP 16-64-64-4 and an MLP 784-512-512-10, at batch 1 and batch 64.
// Repetitions of all sides alternate and the table gives medians, so machine load hits them alike.
//
//   build/tools/bench/quantization_bench [--markdown] [--reps N] [--no-torch]
#include <wick/wick.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "int8/int8_kernels.h"  // kernels/cpu: which int8 set runs
#include "interleaved_timing.h"
#include "onednn_switch.h"
#ifdef WICK_BENCH_HAVE_TORCH
#include "quantization_bench_torch.h"
#endif

using namespace wick;

namespace {

nn::Sequential mlp(const std::vector<int64_t>& sizes, bool tanh) {
  nn::Sequential s;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    s->push_back(nn::Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.size()) {
      if (tanh)
        s->push_back(nn::Tanh());
      else
        s->push_back(nn::ReLU());
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false;
  [[maybe_unused]] bool with_torch = true;
  int reps = 31;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--markdown")) markdown = true;
    if (!std::strcmp(argv[i], "--no-torch")) with_torch = false;
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
  }
  manual_seed(0);
  struct Model {
    const char* name;
    std::vector<int64_t> sizes;
    bool tanh;
    nn::Sequential float_model, int8_model;
  };
  std::vector<Model> models;
  for (auto [name, sizes, tanh] : {std::tuple{"policy MLP 16-64-64-4", std::vector<int64_t>{16, 64, 64, 4}, true},
                                   std::tuple{"MLP 784-512-512-10", std::vector<int64_t>{784, 512, 512, 10}, false}}) {
    nn::Sequential f = mlp(sizes, tanh);
    models.push_back({name, sizes, tanh, f, quantization::quantize_dynamic(f)});
  }
  const int all_threads = get_num_threads();
#ifdef WICK_BENCH_HAVE_TORCH
  const std::string torch_engine = torch_side::int8_engine();
  const bool torch_int8 = !torch_engine.empty();
  const std::string torch_note =
      torch_int8 ? "LibTorch 1.13 int8 on its " + torch_engine + " engine" : "LibTorch has no quantized engine here";
#else
  [[maybe_unused]] const bool torch_int8 = false;
  const std::string torch_note = "built without LibTorch";
#endif
  std::printf("int8 kernels: %s; float32 matmul: %s; %s; %d reps, median us per forward\n", cpu::int8_kernels().name,
              cpu::onednn_available() ? "oneDNN sgemm above 1 MFLOP, xsimd below" : "xsimd", torch_note.c_str(), reps);
  if (markdown)
    std::printf(
        "| model | batch | threads | wick float32 (us) | wick int8 (us) | int8 speed-up | LibTorch float32 (us) "
        "| LibTorch int8 (us) | wick int8 / LibTorch int8 |\n|---|---|---|---|---|---|---|---|---|\n");
  else
    std::printf("%-22s %5s %7s %10s %10s %8s %10s %10s %11s\n", "model", "batch", "threads", "wick f32", "wick i8",
                "i8 gain", "torch f32", "torch i8", "wick/torch");
  InferenceMode inference;
  for (int threads : {1, all_threads}) {
    set_num_threads(threads);
#ifdef WICK_BENCH_HAVE_TORCH
    torch_side::set_threads(threads);
#endif
    for (Model& m : models)
      for (int64_t batch : {int64_t(1), int64_t(64)}) {
        const Tensor x = randn({batch, m.sizes.front()});
        std::vector<std::function<void()>> sides = {[&] { m.float_model->forward(x); },
                                                    [&] { m.int8_model->forward(x); }};
#ifdef WICK_BENCH_HAVE_TORCH
        if (with_torch) {
          sides.push_back(torch_side::float_mlp(m.sizes, m.tanh, batch));
          if (torch_int8) sides.push_back(torch_side::int8_mlp(m.sizes, m.tanh, batch));
        }
#endif
        const std::vector<double> t = bench::time_interleaved(sides, reps);
        const double tf = t[0], tq = t[1], torch_f = t.size() > 2 ? t[2] : 0, torch_q = t.size() > 3 ? t[3] : 0;
        char torch_cols[128] = "";
        if (markdown)
          std::snprintf(torch_cols, sizeof torch_cols, " %.2f | %.2f | %.2fx |", torch_f, torch_q,
                        torch_q > 0 ? tq / torch_q : 0.0);
        else
          std::snprintf(torch_cols, sizeof torch_cols, " %10.2f %10.2f %10.2fx", torch_f, torch_q,
                        torch_q > 0 ? tq / torch_q : 0.0);
        if (markdown)
          std::printf("| %s | %lld | %d | %.2f | %.2f | %.2fx |%s\n", m.name, (long long)batch, threads, tf, tq,
                      tf / tq, t.size() > 2 ? torch_cols : " - | - | - |");
        else
          std::printf("%-22s %5lld %7d %10.2f %10.2f %7.2fx%s\n", m.name, (long long)batch, threads, tf, tq, tf / tq,
                      t.size() > 2 ? torch_cols : "");
      }
    if (all_threads == 1) break;
  }
  set_num_threads(all_threads);
  return 0;
}
