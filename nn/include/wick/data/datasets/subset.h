// A view of some examples of another dataset, and random_split, as PyTorch's Subset and random_split:
//   auto [train, val] = random_split(std::move(dataset), {8000, 2000}, /*seed=*/0);   (a std::vector)
// The parts share the source dataset.
#pragma once

#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "wick/data/dataset.h"
#include "wick/data/samplers.h"
#include "wick/error.h"

namespace wick::data::datasets {

template <class Source>
class Subset : public BatchDataset<Subset<Source>, typename Source::BatchType> {
 public:
  using BatchType = typename Source::BatchType;

  Subset(std::shared_ptr<Source> dataset, std::vector<size_t> indices)
      : dataset_(std::move(dataset)), indices_(std::move(indices)) {}

  BatchType get_batch(const BatchRequest& request) override {
    BatchRequest mapped;
    mapped.reserve(request.size());
    for (size_t i : request) mapped.push_back(at(i));
    return dataset_->get_batch(mapped);
  }
  // One example, for sources that have get().
  auto get(size_t index) { return dataset_->get(at(index)); }
  std::optional<size_t> size() const override { return indices_.size(); }
  const std::vector<size_t>& indices() const noexcept { return indices_; }
  Source& dataset() const noexcept { return *dataset_; }

 private:
  size_t at(size_t i) const {
    WICK_CHECK(i < indices_.size(), "data::Subset", "index ", (unsigned long)i, " is out of range for a subset of ",
               (unsigned long)indices_.size(), " examples");
    return indices_[i];
  }

  std::shared_ptr<Source> dataset_;
  std::vector<size_t> indices_;
};

// Splits a dataset into non-overlapping random parts of the given lengths (they must add up to its size).
// The split depends only on the seed.
template <class Source>
std::vector<Subset<Source>> random_split(Source dataset, const std::vector<size_t>& lengths, uint64_t seed = 0) {
  const size_t total = std::accumulate(lengths.begin(), lengths.end(), size_t(0));
  const std::optional<size_t> size = dataset.size();
  WICK_CHECK(size && *size == total, "data::random_split", "the lengths add up to ", (unsigned long)total,
             " but the dataset has ", size ? (unsigned long)*size : 0ul, " examples");
  auto shared = std::make_shared<Source>(std::move(dataset));
  const std::vector<size_t> order = samplers::seeded_permutation(total, seed, /*stream=*/0x5eed);
  std::vector<Subset<Source>> parts;
  size_t start = 0;
  for (size_t n : lengths) {
    parts.emplace_back(
        shared, std::vector<size_t>(order.begin() + std::ptrdiff_t(start), order.begin() + std::ptrdiff_t(start + n)));
    start += n;
  }
  return parts;
}

}  // namespace wick::data::datasets
