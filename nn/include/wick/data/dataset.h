// Datasets as in LibTorch's torch::data: a BatchDataset answers get_batch(indices) and size(); a Dataset
// answers get(index) for one example and builds batches from it. dataset.map(transform) wraps a dataset in a
// MapDataset that applies the transform to every batch it returns:
//   auto ds = datasets::MNIST(root).map(transforms::Normalize<>(0.1307, 0.3081)).map(transforms::Stack<>());
// A DataLoader with workers calls get_batch from several threads at once, so get/get_batch must only read.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "wick/data/example.h"

namespace wick::data {

using BatchRequest = std::vector<size_t>;

namespace datasets {

template <class Source, class Transform>
class MapDataset;

template <class Self, class Batch = std::vector<Example<>>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;

  virtual ~BatchDataset() = default;
  virtual Batch get_batch(const BatchRequest& indices) = 0;
  // Number of examples; nullopt for a dataset of unknown size.
  virtual std::optional<size_t> size() const = 0;

  template <class Transform>
  MapDataset<Self, Transform> map(Transform transform) & {
    return MapDataset<Self, Transform>(static_cast<Self&>(*this), std::move(transform));
  }
  template <class Transform>
  MapDataset<Self, Transform> map(Transform transform) && {
    return MapDataset<Self, Transform>(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

template <class Self, class SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;

  virtual ExampleType get(size_t index) = 0;

  std::vector<ExampleType> get_batch(const BatchRequest& indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

// A dataset whose batches pass through a transform (transforms::Normalize, Stack, Lambda, ...).
template <class Source, class Transform>
class MapDataset : public BatchDataset<MapDataset<Source, Transform>, typename Transform::OutputBatchType> {
 public:
  using DatasetType = Source;
  using TransformType = Transform;
  using BatchType = typename Transform::OutputBatchType;

  MapDataset(Source dataset, Transform transform) : dataset_(std::move(dataset)), transform_(std::move(transform)) {}

  BatchType get_batch(const BatchRequest& indices) override {
    return transform_.apply_batch(dataset_.get_batch(indices));
  }
  std::optional<size_t> size() const override { return dataset_.size(); }

  const Source& dataset() const noexcept { return dataset_; }
  Source& dataset() noexcept { return dataset_; }
  const Transform& transform() const noexcept { return transform_; }

 private:
  Source dataset_;
  Transform transform_;
};

template <class Source, class Transform>
MapDataset<Source, Transform> map(Source dataset, Transform transform) {
  return MapDataset<Source, Transform>(std::move(dataset), std::move(transform));
}

}  // namespace datasets
}  // namespace wick::data
