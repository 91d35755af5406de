// The profiler's cost (issue 20): per op and per training step, with no profile running, with one running on
// another thread (this thread's ops then check and find none), and with one recording this thread (input shapes
// on and off). wick against wick, one thread, medians of interleaved repetitions; then the key_averages table
// of one profiled MLP training step, as README shows it. (The profile-off cost against the code without the
// profiler is what wick_bench's per-op rows show, built from before and after.)
//
//   build/tools/bench/profiler_bench [--reps N]
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace wick;

namespace {

using Body = std::function<void(int64_t n)>;

double seconds(const Body& body, int64_t n) {
  const auto t0 = std::chrono::steady_clock::now();
  body(n);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

enum class Mode { Off, OtherThread, On, OnNoShapes };
constexpr Mode kModes[] = {Mode::Off, Mode::OtherThread, Mode::On, Mode::OnNoShapes};
constexpr const char* kModeNames[] = {"no profile", "profile on another thread", "profiling (shapes)",
                                      "profiling (no shapes)"};

// A thread of its own that starts and stops a per-thread profile when asked: while one runs there, every op
// anywhere checks for a profile covering its own thread. One thread for the whole run, so that no repetition
// pays for starting a thread.
class OtherThread {
 public:
  OtherThread() : thread_([this] { serve(); }) {}
  ~OtherThread() {
    ask(Request::Exit);
    thread_.join();
  }
  void start_profile() { ask(Request::Start); }
  void stop_profile() { ask(Request::Stop); }

 private:
  enum class Request { None, Start, Stop, Exit };
  void ask(Request r) {
    std::unique_lock<std::mutex> lock(mutex_);
    request_ = r;
    changed_.notify_all();
    changed_.wait(lock, [this] { return request_ == Request::None; });
  }
  void serve() {
    std::unique_ptr<profiler::Profile> profile;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return request_ != Request::None; });
      const Request r = request_;
      if (r == Request::Start) profile = std::make_unique<profiler::Profile>();
      if (r == Request::Stop) profile.reset();
      request_ = Request::None;
      changed_.notify_all();
      if (r == Request::Exit) return;
    }
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  Request request_ = Request::None;
  std::thread thread_;
};

OtherThread& other_thread() {
  static OtherThread t;
  return t;
}

// One repetition of `n` iterations in a mode; a profile is started and stopped (events assembled) inside it.
double repetition(Mode mode, const Body& body, int64_t n) {
  if (mode == Mode::OtherThread) other_thread().start_profile();
  // Every mode waits the same before it is timed: the helper thread's hand-over settles, whichever mode runs.
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (mode == Mode::Off) return seconds(body, n);
  if (mode == Mode::OtherThread) {
    const double t = seconds(body, n);
    other_thread().stop_profile();
    return t;
  }
  return seconds(
      [&](int64_t k) {
        profiler::Profile p(profiler::ProfileOptions().record_shapes(mode == Mode::On));
        body(k);
        p.stop();
      },
      n);
}

struct Workload {
  const char* title;
  const char* unit;
  double scale;  // seconds per iteration -> unit
  Body body;
};

void run(const Workload& w, int reps) {
  int64_t n = 1;  // calibrated without a profile: ~10 ms per repetition
  while (seconds(w.body, n) < 0.005) n *= 2;
  std::vector<std::vector<double>> times(std::size(kModes));
  for (int r = 0; r < reps; ++r)
    for (size_t m = 0; m < std::size(kModes); ++m) {
      const size_t k = (m + size_t(r)) % std::size(kModes);  // rotate the order, as wick_bench does
      times[k].push_back(repetition(kModes[k], w.body, n) / double(n));
    }
  std::vector<double> median(std::size(kModes));
  for (size_t m = 0; m < std::size(kModes); ++m) {
    std::sort(times[m].begin(), times[m].end());
    median[m] = times[m][times[m].size() / 2] * w.scale;
  }
  std::printf("| %s | %s |", w.title, w.unit);
  for (size_t m = 0; m < std::size(kModes); ++m) std::printf(" %.1f |", median[m]);
  std::printf(" %.2f |\n", median[2] / median[0]);
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 21;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
  set_num_threads(1);
  manual_seed(0);

  const Tensor a = ones({1}), b = ones({1});
  const Tensor x = ones({1}, requires_grad());
  nn::Sequential mlp(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10));
  optim::SGD sgd(mlp->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  const Tensor images = randn({64, 784}), labels = randint(10, {64});
  auto step = [&] {
    sgd.zero_grad();
    nn::functional::cross_entropy(mlp->forward(images), labels).backward();
    sgd.step();
  };

  std::printf("| workload | unit |");
  for (const char* m : kModeNames) std::printf(" %s |", m);
  std::printf(" profiling / none |\n|---|---|--:|--:|--:|--:|--:|\n");
  const Workload workloads[] = {
      {"a + b, 1-element float32", "ns/op", 1e9,
       [&](int64_t n) {
         for (int64_t i = 0; i < n; ++i) Tensor c = a + b;
       }},
      {"x * b, 1 element, x requires grad", "ns/op", 1e9,
       [&](int64_t n) {
         for (int64_t i = 0; i < n; ++i) Tensor y = x * b;
       }},
      {"MLP 784-256-10, batch 64, SGD-momentum step", "us/step", 1e6,
       [&](int64_t n) {
         for (int64_t i = 0; i < n; ++i) step();
       }},
  };
  for (const Workload& w : workloads) run(w, reps);

  profiler::Profile prof;
  step();
  prof.stop();
  std::printf("\nOne MLP step (784-256-10, batch 64, SGD with momentum), profiled:\n\n%s",
              prof.key_averages().table("self_cpu_time_total", 12).c_str());
}
