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

// Batches of examples of similar length, for variable-length sequences, so that padding each batch to its
// longest sequence (or packing it) wastes little: each epoch shuffles the examples, sorts every pool of
// pool_batches batches by length, longest first (the order pack_padded_sequence wants), cuts the pools into
// batches and shuffles the batches. Seeded as RandomSampler. The batch size is the loader's.
class BucketSampler : public Sampler {
 public:
  explicit BucketSampler(std::vector<int64_t> lengths, std::optional<uint64_t> seed = std::nullopt,
                         size_t pool_batches = 32);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

 private:
  void make_batches(size_t batch_size);

  std::vector<int64_t> lengths_;
  std::optional<uint64_t> seed_;
  size_t pool_batches_;
  uint64_t epoch_ = 0;  // epochs started
  std::vector<size_t> order_;
  std::vector<std::vector<size_t>> batches_;
  size_t next_batch_ = 0, batch_size_ = 0;
};

// A permutation of 0..n-1 that depends only on (seed, stream): Fisher-Yates over SplitMix64.
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed, uint64_t stream = 0);

}  // namespace wick::data::samplers

// As LibTorch's <torch/data/samplers.h>, this header brings the distributed samplers too (they derive from Sampler,
// defined above).
#include "wick/data/samplers/distributed.h"  // IWYU pragma: export
