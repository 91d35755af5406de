// Batches from a dataset, as LibTorch's torch::data::make_data_loader:
//   auto loader = data::make_data_loader(std::move(dataset), data::DataLoaderOptions().batch_size(64).workers(2));
//   for (auto& batch : *loader) { batch.data; batch.target; }
// Each range-for is one epoch (the sampler is reset, so a RandomSampler reshuffles). With workers > 0, that
// many threads build batches ahead of the training loop (up to max_jobs at a time); batches still arrive in
// the sampler's order, so a seeded run gives the same batches with or without workers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "wick/arg.h"
#include "wick/data/dataset.h"
#include "wick/data/samplers.h"
#include "wick/grad_mode.h"

namespace wick::data {

struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}

  WICK_ARG(size_t, batch_size) = 1;
  // Threads that build batches in the background; 0 builds them on the calling thread.
  WICK_ARG(size_t, workers) = 0;
  // Batches in flight at once (default 2 * workers).
  WICK_ARG(std::optional<size_t>, max_jobs);
  // Accepted for LibTorch compatibility: batches are always delivered in order.
  WICK_ARG(bool, enforce_ordering) = true;
  // Drops the last batch of an epoch when it is smaller than batch_size.
  WICK_ARG(bool, drop_last) = false;
  // Seeds the default RandomSampler; without it, shuffling draws from wick's global generator.
  WICK_ARG(std::optional<uint64_t>, seed);
};

namespace detail {

// Threads that run jobs from a queue. wait(done) blocks until done() holds; it is re-checked, under the pool's
// lock, each time a job finishes.
class WorkerPool {
 public:
  explicit WorkerPool(size_t workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  void submit(std::function<void()> job);
  void wait(const std::function<bool()>& done);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace detail

template <class Dataset, class Sampler>
class StatelessDataLoader {
 public:
  using BatchType = typename Dataset::BatchType;

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = BatchType;
    using difference_type = std::ptrdiff_t;
    using pointer = BatchType*;
    using reference = BatchType&;

    explicit Iterator(StatelessDataLoader* loader) : loader_(loader) {}
    BatchType& operator*() const { return *loader_->current_; }
    BatchType* operator->() const { return &*loader_->current_; }
    Iterator& operator++() {
      loader_->advance();
      return *this;
    }
    // Only "at the end or not" is meaningful for an input iterator.
    bool operator==(const Iterator& other) const { return at_end() == other.at_end(); }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    bool at_end() const { return loader_ == nullptr || !loader_->current_; }
    StatelessDataLoader* loader_;
  };

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : dataset_(std::move(dataset)), sampler_(std::move(sampler)), options_(std::move(options)) {
    WICK_CHECK(options_.batch_size() > 0, "data::DataLoader", "batch_size must be positive");
    if (options_.workers() > 0) pool_ = std::make_unique<detail::WorkerPool>(options_.workers());
  }
  ~StatelessDataLoader() { drain(); }
  StatelessDataLoader(const StatelessDataLoader&) = delete;
  StatelessDataLoader& operator=(const StatelessDataLoader&) = delete;

  // Starts an epoch and returns an iterator at its first batch.
  Iterator begin() {
    drain();
    sampler_.reset();
    fill();
    advance();
    return Iterator(this);
  }
  Iterator end() { return Iterator(nullptr); }
  // Waits for the workers' batches in flight (LibTorch's join(); the destructor does it too).
  void join() { drain(); }

  const DataLoaderOptions& options() const noexcept { return options_; }
  Dataset& dataset() noexcept { return dataset_; }
  Sampler& sampler() noexcept { return sampler_; }

 private:
  struct Job {
    std::vector<size_t> indices;
    std::optional<BatchType> batch;
    std::exception_ptr error;
    std::atomic<bool> ready{false};
  };

  std::optional<std::vector<size_t>> next_indices() {
    std::optional<std::vector<size_t>> indices = sampler_.next(options_.batch_size());
    if (!indices || indices->empty()) return std::nullopt;
    if (options_.drop_last() && indices->size() < options_.batch_size()) return std::nullopt;
    return indices;
  }

  // Keeps max_jobs batches in flight on the workers.
  void fill() {
    if (!pool_) return;
    const size_t max_jobs = options_.max_jobs().value_or(2 * options_.workers());
    while (in_flight_.size() < std::max<size_t>(max_jobs, 1)) {
      std::optional<std::vector<size_t>> indices = next_indices();
      if (!indices) return;
      auto job = std::make_shared<Job>();
      job->indices = std::move(*indices);
      in_flight_.push_back(job);
      pool_->submit([this, job] {
        try {
          job->batch.emplace(dataset_.get_batch(job->indices));
        } catch (...) {
          job->error = std::current_exception();
        }
        job->ready.store(true, std::memory_order_release);
      });
    }
  }

  void advance() {
    current_.reset();
    if (!pool_) {
      std::optional<std::vector<size_t>> indices = next_indices();
      if (!indices) return;
      NoGradGuard no_grad;
      current_.emplace(dataset_.get_batch(*indices));
      return;
    }
    if (in_flight_.empty()) return;
    std::shared_ptr<Job> job = std::move(in_flight_.front());
    in_flight_.pop_front();
    pool_->wait([&job] { return job->ready.load(std::memory_order_acquire); });
    fill();
    // The error leaves the job before it is thrown, so the exception is released on this thread even when a
    // worker drops the job's last reference (libstdc++ counts exception references in code ThreadSanitizer
    // cannot see, so a release there reads as a race with the catch handler).
    if (job->error) std::rethrow_exception(std::exchange(job->error, nullptr));
    current_.emplace(std::move(*job->batch));
  }

  // Lets the batches of an unfinished epoch complete, and drops them.
  void drain() {
    current_.reset();
    if (!pool_) return;
    for (const std::shared_ptr<Job>& job : in_flight_)
      pool_->wait([&job] { return job->ready.load(std::memory_order_acquire); });
    in_flight_.clear();
  }

  Dataset dataset_;
  Sampler sampler_;
  DataLoaderOptions options_;
  std::unique_ptr<detail::WorkerPool> pool_;
  std::deque<std::shared_ptr<Job>> in_flight_;
  std::optional<BatchType> current_;
};

// The loader for `dataset` with the given sampler.
template <class Sampler, class Dataset, class = std::enable_if_t<std::is_base_of_v<samplers::Sampler, Sampler>>>
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset, Sampler sampler,
                                                                        DataLoaderOptions options = {}) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                                 std::move(options));
}

// The loader for `dataset` with a Sampler over its size: a RandomSampler (seeded by options.seed()) unless
// another is named, as make_data_loader<samplers::SequentialSampler>(dataset, 64).
template <class Sampler = samplers::RandomSampler, class Dataset,
          class = std::enable_if_t<!std::is_base_of_v<samplers::Sampler, Dataset>>>
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset,
                                                                        DataLoaderOptions options = {}) {
  const std::optional<size_t> size = dataset.size();
  WICK_CHECK(size.has_value(), "data::make_data_loader", "the dataset has no size; pass a sampler");
  if constexpr (std::is_same_v<Sampler, samplers::RandomSampler>) {
    Sampler sampler(*size, options.seed());
    return make_data_loader(std::move(dataset), std::move(sampler), std::move(options));
  } else {
    return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
  }
}

}  // namespace wick::data
