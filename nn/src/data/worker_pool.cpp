// The DataLoader's worker threads: a job queue, and a condition that wakes the loader when any job finishes.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "wick/data/dataloader.h"

namespace wick::data::detail {

struct WorkerPool::State {
  std::mutex mutex;
  std::condition_variable job_added, job_done;
  std::deque<std::function<void()>> jobs;
  std::vector<std::thread> threads;
  bool stopping = false;

  void run() {
    set_grad_enabled(false);  // batches are data, never part of a graph
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        job_added.wait(lock, [this] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;  // stopping, and nothing left to do
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();  // the loader's jobs catch their own exceptions
      { std::lock_guard<std::mutex> lock(mutex); }
      job_done.notify_all();
    }
  }
};

WorkerPool::WorkerPool(size_t workers) : state_(std::make_unique<State>()) {
  for (size_t i = 0; i < workers; ++i) state_->threads.emplace_back([s = state_.get()] { s->run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->job_added.notify_all();
  for (std::thread& t : state_->threads) t.join();
}

void WorkerPool::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->jobs.push_back(std::move(job));
  }
  state_->job_added.notify_one();
}

void WorkerPool::wait(const std::function<bool()>& done) {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->job_done.wait(lock, done);
}

}  // namespace wick::data::detail
