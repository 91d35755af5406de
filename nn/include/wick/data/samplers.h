// Samplers hand out the indices of each batch, as LibTorch's torch::data::samplers. reset() starts an epoch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace wick::data::samplers {

class Sampler {
 public:
  using BatchRequestType = std::vector<size_t>;
  virtual ~Sampler() = default;
  // Starts a new epoch (over new_size examples, if given).
  virtual void reset(std::optional<size_t> new_size = std::nullopt) = 0;
  // The next batch_size indices (fewer at the end of an epoch), or nullopt when the epoch is over.
  virtual std::optional<std::vector<size_t>> next(size_t batch_size) = 0;
};

// 0, 1, 2, ... in order.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(size_t size) : size_(size) {}
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  size_t size_;
  size_t index_ = 0;
};

// A fresh random permutation every epoch. With a seed, epoch k's order depends only on (seed, k), the same on
// every machine; without one, it comes from wick's global generator (reproducible after wick::manual_seed).
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(size_t size, std::optional<uint64_t> seed = std::nullopt);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }
  uint64_t epoch() const noexcept { return epoch_; }

 private:
  size_t size_;
  std::optional<uint64_t> seed_;
  uint64_t epoch_ = 0;  // permutations drawn so far
  std::vector<size_t> indices_;
  size_t index_ = 0;
};

// A permutation of 0..n-1 that depends only on (seed, stream): Fisher-Yates over SplitMix64.
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed, uint64_t stream = 0);

}  // namespace wick::data::samplers
