// One collective in flight: what ProcessGroup's calls return at once, while the group runs the collective. As
// c10d's Work: wait() blocks until it has finished and rethrows its failure.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

#include "wick/distributed/types.h"

namespace wick::distributed {

class Work;

// A group whose collectives advance only while some thread polls them (MPI's non-blocking calls): Work::wait()
// polls through it on the waiting thread, until the work is completed or `until` has passed, instead of sleeping
// until the group's own thread has seen the completion (two thread wake-ups saved per collective).
class WorkDriver {
 public:
  virtual void drive(const Work& work, std::chrono::steady_clock::time_point until) = 0;

 protected:
  ~WorkDriver() = default;
};

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

  // The group, before the Work is handed out: wait() drives it through `driver` while the driver exists (wait()
  // holds it alive meanwhile, so a group destroyed by another thread is not polled).
  void set_driver(std::weak_ptr<WorkDriver> driver) { driver_ = std::move(driver); }

 private:
  const std::string collective_;
  const int rank_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool completed_ = false;
  std::exception_ptr error_;
  std::weak_ptr<WorkDriver> driver_;
};

}  // namespace wick::distributed
