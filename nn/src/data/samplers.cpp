// Sequential and random samplers. The seeded permutation uses its own small generator (SplitMix64 and a
// multiply-shift range reduction) so that a seed means the same order on every platform and standard library.
#include "wick/data/samplers.h"

#include <algorithm>
#include <utility>

#include "wick/error.h"
#include "wick/ops.h"

namespace wick::data::samplers {

namespace {

std::optional<std::vector<size_t>> take(const std::vector<size_t>* order, size_t size, size_t& index,
                                        size_t batch_size) {
  if (index >= size) return std::nullopt;
  const size_t n = std::min(batch_size, size - index);
  std::vector<size_t> batch(n);
  for (size_t i = 0; i < n; ++i) batch[i] = order ? (*order)[index + i] : index + i;
  index += n;
  return batch;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// An epoch's order: from the seed when there is one, else from wick's global generator.
std::vector<size_t> epoch_order(size_t size, const std::optional<uint64_t>& seed, uint64_t stream) {
  if (seed) return seeded_permutation(size, *seed, stream);
  const Tensor perm = randperm(int64_t(size));
  const int64_t* p = perm.data_ptr<int64_t>();
  return std::vector<size_t>(p, p + size);
}

}  // namespace

std::vector<size_t> seeded_permutation(size_t n, uint64_t seed, uint64_t stream) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ull);
  for (size_t i = n; i > 1; --i) {
    const size_t j = size_t((unsigned __int128)splitmix64(state) * i >> 64);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  return take(nullptr, size_, index_, batch_size);
}

RandomSampler::RandomSampler(size_t size, std::optional<uint64_t> seed) : size_(size), seed_(seed) {}

void RandomSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  indices_ = epoch_order(size_, seed_, epoch_);
  ++epoch_;
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  if (indices_.size() != size_) reset();  // used before any reset(): start the first epoch
  return take(&indices_, size_, index_, batch_size);
}

BucketSampler::BucketSampler(std::vector<int64_t> lengths, std::optional<uint64_t> seed, size_t pool_batches)
    : lengths_(std::move(lengths)), seed_(seed), pool_batches_(pool_batches) {
  WICK_CHECK(pool_batches_ > 0, "BucketSampler", "pool_batches must be positive");
}

void BucketSampler::reset(std::optional<size_t> new_size) {
  WICK_CHECK(!new_size || *new_size == lengths_.size(), "BucketSampler", "the dataset has ", new_size.value_or(0),
             " examples but the sampler was given ", lengths_.size(), " lengths");
  // Even streams order the examples, odd ones the batches, so the two shuffles of a seeded epoch differ.
  order_ = epoch_order(lengths_.size(), seed_, 2 * epoch_);
  ++epoch_;
  batches_.clear();
  next_batch_ = 0;
}

void BucketSampler::make_batches(size_t batch_size) {
  WICK_CHECK(batch_size > 0, "BucketSampler", "batch_size must be positive");
  batches_.clear();
  const size_t pool = batch_size * pool_batches_;
  for (size_t start = 0; start < order_.size(); start += pool) {
    const auto first = order_.begin() + long(start),
               last = order_.begin() + long(std::min(start + pool, order_.size()));
    std::stable_sort(first, last, [&](size_t a, size_t b) { return lengths_[a] > lengths_[b]; });
    for (auto it = first; it < last; it += long(std::min<size_t>(batch_size, size_t(last - it))))
      batches_.emplace_back(it, it + long(std::min<size_t>(batch_size, size_t(last - it))));
  }
  const std::vector<size_t> shuffled = epoch_order(batches_.size(), seed_, 2 * epoch_ + 1);
  std::vector<std::vector<size_t>> reordered;
  for (size_t i : shuffled) reordered.push_back(std::move(batches_[i]));
  batches_ = std::move(reordered);
  batch_size_ = batch_size;
}

std::optional<std::vector<size_t>> BucketSampler::next(size_t batch_size) {
  if (epoch_ == 0) reset();  // used before any reset(): start the first epoch
  if (next_batch_ == 0 && (batches_.empty() || batch_size != batch_size_)) make_batches(batch_size);
  if (next_batch_ >= batches_.size()) return std::nullopt;
  return batches_[next_batch_++];
}

}  // namespace wick::data::samplers
