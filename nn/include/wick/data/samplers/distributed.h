// Samplers for data-parallel training, as LibTorch's torch::data::samplers::Distributed*Sampler: each of
// num_replicas processes (ranks) takes its own contiguous share of the indices, so that together they cover the
// dataset once an epoch. Every rank gets local_sample_count() indices: with allow_duplicates, ceil(size /
// num_replicas), the shortfall filled by wrapping around to index 0 (so a few indices appear twice); without,
// floor(size / num_replicas), and the highest size % num_replicas indices are left out. The random sampler shuffles
// the whole padded list with std::mt19937(epoch) and std::shuffle before it is cut into shares, so all ranks must
// call set_epoch() with the same epoch (then reset(), which the DataLoader does at the start of every epoch):
//   auto loader = data::make_data_loader(std::move(dataset),
//                                        data::samplers::DistributedRandomSampler(size, world_size, rank), options);
//   for (size_t epoch = 0; ...) { loader->sampler().set_epoch(epoch); for (auto& batch : *loader) ...; }
// The index sequences are LibTorch's, with two differences: a bad num_replicas or rank throws wick::Error (LibTorch
// divides by zero or reads past its index list), and when num_replicas exceeds twice the size the random sampler's
// padding wraps around again (LibTorch's pads with indices >= size). There is no save()/load(), as for wick's other
// samplers.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "wick/data/samplers.h"

namespace wick::data::samplers {

// What the distributed samplers share: the partition's arithmetic and the epoch.
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(size_t size, size_t num_replicas = 1, size_t rank = 0, bool allow_duplicates = true)
      : DistributedSampler("DistributedSampler", size, num_replicas, rank, allow_duplicates) {}

  // The epoch the next reset() draws its order for (the random sampler's seed; the sequential one ignores it).
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }

 protected:
  // Checks num_replicas > 0 and rank < num_replicas, naming `sampler` if they fail.
  DistributedSampler(const char* sampler, size_t size, size_t num_replicas, size_t rank, bool allow_duplicates);

  // The number of indices each rank takes per epoch.
  size_t local_sample_count() const {
    return allow_duplicates_ ? (size_ + num_replicas_ - 1) / num_replicas_ : size_ / num_replicas_;
  }

  size_t size_;
  size_t num_replicas_;
  size_t rank_;
  size_t epoch_ = 0;
  bool allow_duplicates_;
};

// This rank's share of a random permutation that depends only on (size, num_replicas, epoch).
class DistributedRandomSampler : public DistributedSampler {
 public:
  DistributedRandomSampler(size_t size, size_t num_replicas = 1, size_t rank = 0, bool allow_duplicates = true);
  // Shuffles for the current epoch (over new_size examples, if given) and starts at this rank's first index.
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  // The position in the shuffled list of all ranks' indices (this rank's share starts at rank * local count).
  size_t index() const noexcept { return sample_index_; }

 private:
  void populate_indices();

  size_t begin_index_ = 0;
  size_t end_index_ = 0;
  size_t sample_index_ = 0;
  std::vector<size_t> all_indices_;
};

// This rank's share of 0, 1, 2, ... in order: rank r takes r * n, ..., r * n + n - 1 (modulo size).
class DistributedSequentialSampler : public DistributedSampler {
 public:
  DistributedSequentialSampler(size_t size, size_t num_replicas = 1, size_t rank = 0, bool allow_duplicates = true);
  // Starts again at this rank's first index (recomputing the shares if new_size changes the size).
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  // The next index to hand out, before wrapping around (this rank's share starts at rank * local count).
  size_t index() const noexcept { return sample_index_; }

 private:
  void populate_indices();

  size_t begin_index_ = 0;
  size_t end_index_ = 0;
  size_t sample_index_ = 0;
};

}  // namespace wick::data::samplers
