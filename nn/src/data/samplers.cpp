// Sequential and random samplers. The seeded permutation uses its own small generator (SplitMix64 and a
// multiply-shift range reduction) so that a seed means the same order on every platform and standard library.
#include "wick/data/samplers.h"

#include <algorithm>

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
  if (seed_) {
    indices_ = seeded_permutation(size_, *seed_, epoch_);
  } else {
    const Tensor perm = randperm(int64_t(size_));
    const int64_t* p = perm.data_ptr<int64_t>();
    indices_.assign(p, p + size_);
  }
  ++epoch_;
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  if (indices_.size() != size_) reset();  // used before any reset(): start the first epoch
  return take(&indices_, size_, index_, batch_size);
}

}  // namespace wick::data::samplers
