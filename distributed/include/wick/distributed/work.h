// One collective in flight: what ProcessGroup's calls return at once, while the group's own thread runs the
// collective. As c10d's Work: wait() blocks until it has finished and rethrows its failure.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

#include "wick/distributed/types.h"

namespace wick::distributed {

class Work {
 public:
  // collective: "allreduce", ...; rank: the calling process's rank in its group (both go into error messages).
  Work(std::string collective, int rank);
  virtual ~Work() = default;
  Work(const Work&) = delete;
  Work& operator=(const Work&) = delete;

  // Whether the collective has finished, successfully or not. Never blocks.
  bool isCompleted() const;
  // Whether it finished without an error (false while it runs).
  bool isSuccess() const;
  // Its failure (a wick::Error naming the collective and the rank), or null.
  std::exception_ptr exception() const;
  // Blocks until it has finished and returns true, or throws its failure. timeout kNoTimeout waits as long as it
  // takes; a finite one throws wick::Error when it passes first (the collective itself runs on).
  bool wait(std::chrono::milliseconds timeout = kNoTimeout);
  // LibTorch's no-op for CPU work: the results are in the tensors once wait() returns.
  void synchronize() {}

  const std::string& collective() const { return collective_; }

  // The group: marks the work finished, with its error if it failed, and wakes the waiters.
  void finish(std::exception_ptr error = nullptr);

  // The group, for collectives that advance only while some thread polls them (MPI's non-blocking calls): wait()
  // then runs `drive` on the waiting thread, which polls until this work is completed or the given time has
  // passed, instead of sleeping until the group's thread has seen the completion (two thread wake-ups saved per
  // collective; tens of microseconds on a busy machine). Set before the Work is handed out.
  using Driver = std::function<void(const Work&, std::chrono::steady_clock::time_point until)>;
  void set_driver(Driver drive) { drive_ = std::move(drive); }

 private:
  const std::string collective_;
  const int rank_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool completed_ = false;
  std::exception_ptr error_;
  Driver drive_;
};

}  // namespace wick::distributed
