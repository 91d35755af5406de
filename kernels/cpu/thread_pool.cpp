#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#ifdef WICK_HAVE_OPENMP
#include <omp.h>
#endif

#include "fp_control.h"

namespace wick::cpu {
namespace {

// 64 elements: four of AVX-512's float vectors, any unrolled vector loop's step.
constexpr int64_t kSplitAlignment = 64;

std::atomic<uint64_t> g_dispatches{0};

class ThreadPool {
 public:
  explicit ThreadPool(int n) { resize(n); }
  ~ThreadPool() { stop_all(); }

  int size() const { return num_threads_; }

  void resize(int n) {
    if (n < 1) n = 1;
    stop_all();
    num_threads_ = n;
    stopping_ = false;
    // Workers start from the current generation: a job that already ran must not run again.
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, g = generation_] { work(i, g); });
  }

  // Splits [begin, end) into num_threads_ contiguous parts; part 0 runs on the caller.
  void run(int64_t begin, int64_t end, int64_t grain, RangeFn fn) {
    std::unique_lock<std::mutex> call_lock(call_mutex_);  // one parallel region at a time
    g_dispatches.fetch_add(1, std::memory_order_relaxed);
    const int64_t n = end - begin;
    int parts = int(std::min<int64_t>(num_threads_, (n + grain - 1) / grain));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      job_begin_ = begin;
      job_end_ = end;
      job_parts_ = parts;
      job_grain_ = grain;
      pending_ = parts - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    run_part(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_part(int part) {
    const int64_t b = part_start(part), e = part_start(part + 1);
    try {
      if (b < e) (*job_)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }

  // Where part `part` starts. With a grain of at least kSplitAlignment, parts start at multiples of it from begin,
  // so that a vector kernel's lanes fall on the same element positions whichever thread runs a chunk, and at any
  // thread count: some vector math (exp, on AVX-512) rounds an element differently in another lane.
  int64_t part_start(int part) const {
    const int64_t n = job_end_ - job_begin_;
    if (part >= job_parts_) return job_end_;
    int64_t offset = n * part / job_parts_;
    if (job_grain_ >= kSplitAlignment) offset -= offset % kSplitAlignment;
    return job_begin_ + offset;
  }

  void work(int index, uint64_t seen) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (index >= job_parts_) continue;
      }
      run_part(index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  void stop_all() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::mutex call_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  int num_threads_ = 1;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  RangeFn* job_ = nullptr;
  int64_t job_begin_ = 0, job_end_ = 0, job_grain_ = 1;
  int job_parts_ = 0, pending_ = 0;
  std::exception_ptr error_;
};

int default_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(hw);
}

ThreadPool& pool() {
  static ThreadPool p(default_threads());
  return p;
}

// A parallel region started from inside a worker runs inline: nested regions would deadlock the pool.
thread_local bool t_in_parallel = false;

}  // namespace

void set_num_threads(int n) {
  pool().resize(n);
#ifdef WICK_HAVE_OPENMP
  omp_set_num_threads(n < 1 ? 1 : n);  // oneDNN's threads
#endif
}

int get_num_threads() { return pool().size(); }

uint64_t pool_dispatches() { return g_dispatches.load(std::memory_order_relaxed); }

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, RangeFn fn) {
  if (t_in_parallel) {
    fn(begin, end);
    return;
  }
  struct Mark {
    Mark() { t_in_parallel = true; }
    ~Mark() { t_in_parallel = false; }
  };
  // Workers compute as the caller does: with its denormal flushing (InferenceMode's default) or without.
  const uint64_t caller_fp = fp_control();
  auto guarded = [&](int64_t b, int64_t e) {
    Mark m;
    DenormalBitsScope fp(caller_fp);
    fn(b, e);
  };
  pool().run(begin, end, grain, RangeFn(guarded));
}

}  // namespace wick::cpu
