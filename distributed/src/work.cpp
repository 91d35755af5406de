#include "wick/distributed/work.h"

#include <utility>

#include "wick/error.h"

namespace wick::distributed {

Work::Work(std::string collective, int rank) : collective_(std::move(collective)), rank_(rank) {}

bool Work::isCompleted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

bool Work::isSuccess() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ && !error_;
}

std::exception_ptr Work::exception() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

bool Work::wait(std::chrono::milliseconds timeout) {
  const bool bounded = timeout > kNoTimeout;
  const auto until =
      bounded ? std::chrono::steady_clock::now() + timeout : std::chrono::steady_clock::time_point::max();
  if (const std::shared_ptr<WorkDriver> driver = driver_.lock()) {
    if (!isCompleted()) driver->drive(*this, until);
  } else {
    // A short collective is often done within microseconds: look before sleeping on the condition variable, whose
    // wake-up can cost a scheduler time slice on a busy machine.
    for (int i = 0; i < 2000 && !isCompleted(); ++i) {}
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (!bounded) {
    done_.wait(lock, [&] { return completed_; });
  } else if (!done_.wait_until(lock, until, [&] { return completed_; })) {
    fail(("distributed::" + collective_).c_str(), "rank ", rank_, ": wait() gave up after ", int64_t(timeout.count()),
         " ms; the collective is still running");
  }
  if (error_) std::rethrow_exception(error_);
  return true;
}

void Work::finish(std::exception_ptr error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    completed_ = true;
    error_ = std::move(error);
  }
  done_.notify_all();
}

}  // namespace wick::distributed
