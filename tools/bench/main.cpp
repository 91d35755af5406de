// wick_bench: the same workloads on wick, on LibTorch and on the raw baselines (oneDNN's sgemm, memcpy), one
// thread each, in one process. Prints one table of medians and wick/reference ratios against the issues' targets.
//
//   wick_bench [--reps N] [--rep-ms MS] [--filter TEXT] [--markdown] [--compile-results FILE]
//   wick_bench --loop KEY [--seconds S]   runs one workload (e.g. mul_grad_1.wick) for S seconds, for a profiler
//
// Method: each workload is warmed up, then calibrated so that one repetition lasts about --rep-ms; the
// repetitions of wick and of its references are interleaved (wick, LibTorch, baseline, then rotated) so that load
// from other processes hits both sides alike. A value is the median over --reps repetitions; "noise" is the
// larger of the two sides' interquartile range over median; "best/best" is the ratio of the two best
// repetitions, which load cannot flatter (when it disagrees with wick/ref, the run was disturbed).
// tools/bench/run adds the edit-compile-run rows (--compile-results) and is the usual way in.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int reps = 51;
  double rep_seconds = 0.01;
  std::string filter;
  bool markdown = false;
  std::string compile_results;
  std::string loop;  // --loop: run this workload only, untimed, for a profiler
  double loop_seconds = 5;
};

// One workload's seconds per iteration over the repetitions. Load from other processes only ever adds time,
// so the best repetition is a second, load-robust estimate next to the median.
struct Stat {
  double median = 0;
  double noise = 0;  // interquartile range / median
  double best = 0;
};

Stat summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const double pos = q * double(v.size() - 1);
    const size_t lo = size_t(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
  };
  Stat s;
  s.median = at(0.5);
  s.noise = s.median > 0 ? (at(0.75) - at(0.25)) / s.median : 0;
  s.best = v.front();
  return s;
}

double seconds_of(const bench::Loop& loop, int64_t n) {
  const auto start = Clock::now();
  loop(n);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Warms a workload up (caches, allocator free lists, oneDNN/OpenBLAS buffers) and returns how many iterations
// make one repetition of about `seconds`.
int64_t calibrate(const bench::Loop& loop, double seconds) {
  int64_t n = 1;
  double t = seconds_of(loop, n);
  while (t < seconds / 2) {
    n *= 2;
    t = seconds_of(loop, n);
  }
  return std::max<int64_t>(1, int64_t(double(n) * seconds / t));
}

// Measures every workload of a group ("mm_256" -> mm_256.wick, mm_256.torch, mm_256.dnnl), interleaved.
// The group's set-ups run first and its data is freed afterwards, so groups do not share caches or memory.
void measure_group(const bench::Workloads& workloads, const std::vector<std::string>& names, const Options& opt,
                   std::map<std::string, Stat>& stats) {
  std::vector<std::pair<std::string, bench::Loop>> members;
  for (const auto& [key, setup] : workloads)
    for (const auto& name : names)
      if (key.compare(0, name.size() + 1, name + ".") == 0) members.emplace_back(key, setup());
  std::vector<int64_t> iterations;
  for (const auto& member : members) iterations.push_back(calibrate(member.second, opt.rep_seconds));
  std::vector<std::vector<double>> samples(members.size());
  // The order rotates every repetition, so that no side always runs first (after another side's cache traffic).
  for (int rep = 0; rep < opt.reps; ++rep)
    for (size_t j = 0; j < members.size(); ++j) {
      const size_t m = (size_t(rep) + j) % members.size();
      samples[m].push_back(seconds_of(members[m].second, iterations[m]) / double(iterations[m]));
    }
  for (size_t m = 0; m < members.size(); ++m) stats[members[m].first] = summarize(samples[m]);
}

// ---- the table --------------------------------------------------------------------------------------------

enum class Better { Lower, Higher };

// One line of the table. Values are computed from seconds per iteration: time rows divide by `per` (ops or
// steps per iteration) and scale to the unit; throughput rows divide the work of one iteration by it.
struct Row {
  std::string title;
  std::string unit;
  std::string wick_key;
  std::string ref_name;
  std::string ref_key;
  Better better = Better::Lower;
  double target = NAN;                 // on wick/reference; NAN: no target, shown for information
  double wick_work = 1, ref_work = 1;  // per iteration: ops (time rows) or FLOP/bytes (throughput rows)
  double unit_scale = 1;               // seconds -> unit (time rows), or per-second -> unit (throughput rows)
  std::string missing;                 // why the wick side is absent, if it is
};

struct Cell {
  std::optional<double> value;  // from the median
  double noise = 0;
  double best = 0;  // from the best repetition
};

Cell value_of(const Row& row, const std::map<std::string, Stat>& stats, const std::string& key, double work) {
  auto it = stats.find(key);
  if (it == stats.end()) return {};
  auto scaled = [&](double seconds) {
    return row.better == Better::Lower ? seconds / work * row.unit_scale : work / seconds * row.unit_scale;
  };
  return {scaled(it->second.median), it->second.noise, scaled(it->second.best)};
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Three significant digits, without exponent notation for the ranges that occur here.
std::string sig3(double v) {
  const double a = std::fabs(v);
  return fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : 4);
}

std::vector<Row> table_rows() {
  std::vector<Row> rows;
  auto time_row = [&](std::string title, std::string unit, double scale, std::string key, double per, double target) {
    Row r;
    r.title = std::move(title);
    r.unit = std::move(unit);
    r.unit_scale = scale;
    r.wick_key = key + ".wick";
    r.ref_name = "LibTorch";
    r.ref_key = key + ".torch";
    r.wick_work = r.ref_work = per;
    r.target = target;
    return r;
  };
  rows.push_back(time_row("a + b, 1-element float32", "ns/op", 1e9, "add_1", 1, 0.1));
  rows.push_back(time_row("x * b, 1 element, x requires grad", "ns/op", 1e9, "mul_grad_1", 1, 0.1));
  rows.push_back(
      time_row("a + b, 1 element, under RecordProfile (trace included)", "ns/op", 1e9, "add_1_profiled", 1, NAN));
  rows.push_back(time_row("100 x (y*1.0001+0.0001), fwd+bwd, per step", "ns/step", 1e9, "chain_100", 100, 0.05));
  // A matmul throughput row: n x n x n products, wick's key against a reference's.
  auto matmul_row = [](const std::string& title, int64_t n, std::string wick_key, std::string ref_name,
                       std::string ref_key, double target) {
    Row r;
    r.title = title;
    r.unit = "GFLOP/s";
    r.better = Better::Higher;
    r.wick_key = std::move(wick_key);
    r.wick_work = r.ref_work = 2.0 * double(n) * double(n) * double(n);
    r.unit_scale = 1e-9;
    r.ref_name = std::move(ref_name);
    r.ref_key = std::move(ref_key);
    r.target = target;
    return r;
  };
  for (int size : {256, 1024}) {
    const std::string n = std::to_string(size), title = "matmul " + n + "x" + n + " float32";
    rows.push_back(matmul_row(title, size, "mm_" + n + ".wick", "LibTorch", "mm_" + n + ".torch", 1.0));
    rows.push_back(matmul_row(title, size, "mm_" + n + ".wick", "dnnl_sgemm", "mm_" + n + ".dnnl", 0.95));
  }
  // Bandwidth counts each byte read or written once: a + b moves 3 x 64 MiB, memcpy 2 x 64 MiB.
  Row add;
  add.title = "a + b, 16M float32 (GB/s moved)";
  add.unit = "GB/s";
  add.better = Better::Higher;
  add.wick_key = "add_16m.wick";
  add.wick_work = 3.0 * 4 * (16 << 20);
  add.unit_scale = 1e-9;
  add.ref_name = "memcpy";
  add.ref_key = "copy_16m.memcpy";
  add.ref_work = 2.0 * 4 * (16 << 20);
  add.target = 0.8;
  rows.push_back(add);
  add.ref_name = "LibTorch";
  add.ref_key = "add_16m.torch";
  add.ref_work = add.wick_work;
  add.target = NAN;
  rows.push_back(add);
  rows.push_back(time_row("MLP 784-256-10, batch 64, SGD-momentum step", "us/step", 1e6, "mlp_sgd", 1, 0.7));
  rows.push_back(time_row("LeNet-5, batch 64, Adam step", "us/step", 1e6, "lenet_adam", 1, 0.7));
  // bfloat16 autocast (issue 20): against LibTorch's CPU autocast, and against wick's own float32, where the
  // target is 1.6x float32's throughput (a time ratio of 1 / 1.6).
  for (const char* key : {"mlp_sgd", "lenet_adam"}) {
    const std::string title = std::string(key) == "mlp_sgd"
                                  ? "MLP 784-256-10, batch 64, SGD-momentum step, bf16 autocast"
                                  : "LeNet-5, batch 64, Adam step, bf16 autocast";
    Row r = time_row(title, "us/step", 1e6, std::string(key) + "_bf16", 1, 1.0);
    rows.push_back(r);
    r.ref_name = "wick float32";
    r.ref_key = std::string(key) + ".wick";
    r.target = 1 / 1.6;
    rows.push_back(r);
  }
  rows.push_back(
      matmul_row("matmul 1024x1024 bfloat16", 1024, "mm_1024_bf16.wick", "LibTorch", "mm_1024_bf16.torch", 1.0));
  rows.push_back(
      matmul_row("matmul 1024x1024 bfloat16", 1024, "mm_1024_bf16.wick", "wick float32", "mm_1024.wick", 1.6));
  rows.push_back(time_row("policy MLP 16-64-64-4 Tanh, batch 1, no grad", "ns/call", 1e9, "policy_infer", 1, 0.125));
  rows.push_back(
      time_row("BatchNorm2d(16) on 64x16x14x14, forward + backward", "us/step", 1e6, "batchnorm_fwd_bwd", 1, 1.0));
  rows.push_back(
      time_row("LayerNorm(256) on 1024x256, forward + backward", "us/step", 1e6, "layernorm_fwd_bwd", 1, 1.0));
  rows.push_back(time_row("softmax(dim -1) on 64x128x128, forward", "us/call", 1e6, "softmax_fwd", 1, 1.0));
  rows.push_back(time_row("dropout(p = 0.1) on 32x128x256, training forward", "us/call", 1e6, "dropout_fwd", 1, 1.0));
  rows.push_back(time_row("AvgPool2d(3, stride 2, pad 1) on 64x16x28x28, forward + backward", "us/step", 1e6,
                          "avgpool_fwd_bwd", 1, 1.0));
  rows.push_back(
      time_row("LSTM(32, 128), 35 steps, batch 16, forward + backward", "us/step", 1e6, "lstm_fwd_bwd", 1, 0.7));
  rows.push_back(time_row("TransformerEncoderLayer(128, 4 heads), 64 x 16, forward + backward", "us/step", 1e6,
                          "transformer_fwd_bwd", 1, 1.0));
  rows.push_back(time_row("MaxPool2d(2) on 64x6x24x24, forward + backward", "us/step", 1e6, "maxpool_fwd_bwd", 1, 1.0));
  rows.push_back(
      time_row("Conv3d(8,16,3) on 8x8x16x32x32, forward + backward", "ms/step", 1e3, "conv3d_fwd_bwd", 1, 1.0));
  return rows;
}

// Rows from tools/bench/run's edit-compile-run measurements: "key median noise best" lines (seconds, KiB).
std::vector<Row> compile_rows(const std::string& path, std::map<std::string, Stat>& stats) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "wick_bench: cannot read --compile-results " << path << "\n";
    std::exit(2);
  }
  for (std::string key; in >> key;) {
    Stat& s = stats[key];
    in >> s.median >> s.noise >> s.best;
  }
  auto row = [](std::string title, std::string unit, double scale, std::string key, double target) {
    Row r;
    r.title = std::move(title);
    r.unit = std::move(unit);
    r.unit_scale = scale;
    r.wick_key = key + ".wick";
    r.ref_name = "LibTorch";
    r.ref_key = key + ".torch";
    r.target = target;
    return r;
  };
  return {row("10-line program: compile+link at -O0", "s", 1, "compile", 0.125),
          row("10-line program: peak compiler memory", "MiB", 1.0 / 1024, "compile_kib", NAN),
          row("10-line program: process start to exit", "ms", 1e3, "start_exit", 0.05),
          row("embedded_policy: process start to first action", "ms", 1e3, "cold_start", NAN)};
}

std::string ratio_cell(const Cell& wick, const Cell& ref) {
  if (!wick.value || !ref.value) return "";
  return fixed(*wick.value / *ref.value, 3);
}

std::string best_ratio_cell(const Cell& wick, const Cell& ref) {
  if (!wick.value || !ref.value || ref.best == 0) return "";
  return fixed(wick.best / ref.best, 3);
}

std::string target_cell(const Row& row) {
  if (std::isnan(row.target)) return "";
  return std::string(row.better == Better::Lower ? "<= " : ">= ") + fixed(row.target, 3);
}

std::string verdict_cell(const Row& row, const Cell& wick, const Cell& ref) {
  if (!wick.value || !ref.value || std::isnan(row.target)) return "";
  const double ratio = *wick.value / *ref.value;
  const bool met = row.better == Better::Lower ? ratio <= row.target : ratio >= row.target;
  return met ? "met" : "NOT met";
}

void print_table(const std::vector<Row>& rows, const std::map<std::string, Stat>& stats, bool markdown) {
  const std::vector<std::string> head = {"workload", "unit",   "wick", "reference", "ref value",
                                         "wick/ref", "target", "",     "noise",     "best/best"};
  std::vector<std::vector<std::string>> cells;
  for (const Row& row : rows) {
    const Cell wick = value_of(row, stats, row.wick_key, row.wick_work);
    const Cell ref = value_of(row, stats, row.ref_key, row.ref_work);
    if (!ref.value && !wick.value) continue;  // filtered out
    std::string wick_text = wick.value ? sig3(*wick.value) : "n/a";
    if (!wick.value && !row.missing.empty()) wick_text += " (" + row.missing + ")";
    const double noise = std::max(wick.noise, ref.noise);
    cells.push_back({row.title, row.unit, wick_text, row.ref_name, ref.value ? sig3(*ref.value) : "n/a",
                     ratio_cell(wick, ref), target_cell(row), verdict_cell(row, wick, ref), fixed(100 * noise, 0) + "%",
                     best_ratio_cell(wick, ref)});
  }
  if (markdown) {
    auto line = [](const std::vector<std::string>& c) {
      std::string s = "|";
      for (const auto& x : c) s += " " + x + " |";
      return s + "\n";
    };
    std::cout << line(head) << "|---|---|--:|---|--:|--:|---|---|--:|--:|\n";
    for (const auto& c : cells) std::cout << line(c);
    return;
  }
  std::vector<size_t> width(head.size());
  for (size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
  for (const auto& c : cells)
    for (size_t i = 0; i < c.size(); ++i) width[i] = std::max(width[i], c[i].size());
  const std::vector<bool> right = {false, false, true, false, true, true, false, false, true, true};
  auto line = [&](const std::vector<std::string>& c) {
    std::string s;
    for (size_t i = 0; i < c.size(); ++i) {
      const std::string pad(width[i] - c[i].size(), ' ');
      s += right[i] ? pad + c[i] : c[i] + pad;
      if (i + 1 < c.size()) s += "  ";
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::cout << line(head);
  for (const auto& c : cells) std::cout << line(c);
}

// ---- set-up -----------------------------------------------------------------------------------------------

// OpenMP and OpenBLAS read their thread counts when they are loaded, before main: re-run with them pinned.
void pin_threads_or_reexec(char** argv) {
  bool pinned = true;
  for (const char* var : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
    const char* v = std::getenv(var);
    if (!v || std::strcmp(v, "1") != 0) {
      setenv(var, "1", 1);
      pinned = false;
    }
  }
  if (!pinned) {
    execv("/proc/self/exe", argv);
    std::perror("wick_bench: re-exec with one thread");
    std::exit(2);
  }
}

std::string first_line_of(const char* path) {
  std::ifstream in(path);
  std::string line;
  return std::getline(in, line) ? line : "?";
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "?";
}

int run_alone(const bench::Workloads& workloads, const Options& opt) {
  auto it = workloads.find(opt.loop);
  if (it == workloads.end()) {
    std::cerr << "wick_bench: no workload " << opt.loop << "; there are:";
    for (const auto& w : workloads) std::cerr << " " << w.first;
    std::cerr << "\n";
    return 2;
  }
  const bench::Loop loop = it->second();
  const int64_t n = calibrate(loop, 0.1);
  const auto end = Clock::now() + std::chrono::duration<double>(opt.loop_seconds);
  int64_t done = 0;
  while (Clock::now() < end) {
    loop(n);
    done += n;
  }
  std::cout << opt.loop << ": " << done << " iterations\n";
  return 0;
}

Options parse(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "wick_bench: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--reps")
      opt.reps = std::max(1, std::atoi(value().c_str()));
    else if (arg == "--rep-ms")
      opt.rep_seconds = std::max(1.0, std::atof(value().c_str())) / 1e3;
    else if (arg == "--filter")
      opt.filter = value();
    else if (arg == "--markdown")
      opt.markdown = true;
    else if (arg == "--compile-results")
      opt.compile_results = value();
    else if (arg == "--loop")
      opt.loop = value();
    else if (arg == "--seconds")
      opt.loop_seconds = std::atof(value().c_str());
    else {
      std::cerr << "usage: wick_bench [--reps N] [--rep-ms MS] [--filter TEXT] [--markdown] [--compile-results FILE]\n"
                   "       wick_bench --loop KEY [--seconds S]\n";
      std::exit(arg == "-h" || arg == "--help" ? 0 : 2);
    }
  }
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  pin_threads_or_reexec(argv);

  bench::Workloads workloads;
  bench::add_wick_workloads(workloads);
  bench::add_torch_workloads(workloads);
  bench::add_reference_workloads(workloads);
  if (!opt.loop.empty()) return run_alone(workloads, opt);

  std::cout << "wick_bench: one thread per library (OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1), median of " << opt.reps
            << " interleaved repetitions of ~" << opt.rep_seconds * 1e3 << " ms\n"
            << "cpu: " << cpu_model() << "\n"
            << bench::torch_build_info() << "load average at start: " << first_line_of("/proc/loadavg") << "\n\n";

  const std::vector<std::vector<std::string>> groups = {{"add_1"},
                                                        {"mul_grad_1"},
                                                        {"chain_100"},
                                                        {"mm_256"},
                                                        {"mm_1024", "mm_1024_bf16"},
                                                        {"add_16m", "copy_16m"},
                                                        {"mlp_sgd", "mlp_sgd_bf16"},
                                                        {"lenet_adam", "lenet_adam_bf16"},
                                                        {"policy_infer"},
                                                        {"batchnorm_fwd_bwd"},
                                                        {"layernorm_fwd_bwd"},
                                                        {"softmax_fwd"},
                                                        {"dropout_fwd"},
                                                        {"avgpool_fwd_bwd"},
                                                        {"maxpool_fwd_bwd"},
                                                        {"conv3d_fwd_bwd"},
                                                        {"lstm_fwd_bwd"},
                                                        {"transformer_fwd_bwd"},
                                                        {"add_1_profiled"}};
  std::map<std::string, Stat> stats;
  for (const auto& group : groups) {
    if (!opt.filter.empty() && group.front().find(opt.filter) == std::string::npos) continue;
    measure_group(workloads, group, opt, stats);
  }

  std::vector<Row> rows = table_rows();
  for (Row& row : rows)
    if (!workloads.count(row.wick_key)) row.missing = "not built: wick::nn/optim missing";
  if (!opt.compile_results.empty())
    for (Row& row : compile_rows(opt.compile_results, stats)) rows.push_back(row);
  print_table(rows, stats, opt.markdown);
  std::cout << "\nload average at end: " << first_line_of("/proc/loadavg") << "\n";
  return 0;
}
