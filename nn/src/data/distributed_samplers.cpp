// The distributed samplers. The random order is std::shuffle over std::mt19937(epoch), as LibTorch's, so a port
// sees LibTorch's index sequences (both depend on the standard library: LibTorch 1.13 and wick built with the same
// libstdc++ agree).
#include "wick/data/samplers/distributed.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

#include "wick/error.h"

namespace wick::data::samplers {

namespace {

// The next batch's range [sample, end) of a share that ends at `last`, advancing `sample`; nullopt at the end.
std::optional<std::pair<size_t, size_t>> next_range(size_t& sample, size_t last, size_t batch_size) {
  if (sample == last) return std::nullopt;
  const size_t first = sample;
  sample = std::min(sample + batch_size, last);
  return std::pair(first, sample);
}

}  // namespace

DistributedSampler::DistributedSampler(const char* sampler, size_t size, size_t num_replicas, size_t rank,
                                       bool allow_duplicates)
    : size_(size), num_replicas_(num_replicas), rank_(rank), allow_duplicates_(allow_duplicates) {
  WICK_CHECK(num_replicas > 0, sampler, "num_replicas must be positive (got 0, with rank ", rank, ")");
  WICK_CHECK(rank < num_replicas, sampler, "rank ", rank, " is out of range for num_replicas ", num_replicas,
             " (ranks are 0 to ", num_replicas - 1, ")");
}

DistributedRandomSampler::DistributedRandomSampler(size_t size, size_t num_replicas, size_t rank, bool allow_duplicates)
    : DistributedSampler("DistributedRandomSampler", size, num_replicas, rank, allow_duplicates) {
  DistributedRandomSampler::reset();
}

void DistributedRandomSampler::reset(std::optional<size_t> new_size) {
  size_ = new_size.value_or(size_);
  populate_indices();
  std::mt19937 generator(epoch_);
  std::shuffle(all_indices_.begin(), all_indices_.end(), generator);
  sample_index_ = begin_index_;
}

// All ranks' indices before the shuffle: 0..size-1, then the padding from index 0 again (with allow_duplicates),
// or 0..count-1 of them (without).
void DistributedRandomSampler::populate_indices() {
  const size_t local = local_sample_count();
  const size_t count = num_replicas_ == 1 ? size_ : local * num_replicas_;
  all_indices_.resize(count);
  std::iota(all_indices_.begin(), all_indices_.end(), size_t(0));
  for (size_t i = size_; i < count; ++i) all_indices_[i] = i % size_;
  begin_index_ = rank_ * local;
  end_index_ = begin_index_ + local;
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedRandomSampler::next(size_t batch_size) {
  const auto range = next_range(sample_index_, end_index_, batch_size);
  if (!range) return std::nullopt;
  return std::vector<size_t>(all_indices_.begin() + long(range->first), all_indices_.begin() + long(range->second));
}

DistributedSequentialSampler::DistributedSequentialSampler(size_t size, size_t num_replicas, size_t rank,
                                                           bool allow_duplicates)
    : DistributedSampler("DistributedSequentialSampler", size, num_replicas, rank, allow_duplicates) {
  populate_indices();
}

void DistributedSequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size && *new_size != size_) {
    size_ = *new_size;
    populate_indices();
  }
  sample_index_ = begin_index_;
}

void DistributedSequentialSampler::populate_indices() {
  begin_index_ = rank_ * local_sample_count();
  end_index_ = begin_index_ + local_sample_count();
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedSequentialSampler::next(size_t batch_size) {
  const auto range = next_range(sample_index_, end_index_, batch_size);
  if (!range) return std::nullopt;
  std::vector<size_t> batch(range->second - range->first);
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = (range->first + i) % size_;  // the padding wraps to 0
  return batch;
}

}  // namespace wick::data::samplers
