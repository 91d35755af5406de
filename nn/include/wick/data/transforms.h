// Transforms for Dataset::map, as in LibTorch's torch::data::transforms. A BatchTransform maps a whole
// batch; a Transform maps each example of it; a TensorTransform maps each example's data tensor.
#pragma once

#include <functional>
#include <tuple>
#include <utility>
#include <vector>

#include "wick/data/example.h"

namespace wick::data::transforms {

template <class InputBatch, class OutputBatch>
class BatchTransform {
 public:
  using InputBatchType = InputBatch;
  using OutputBatchType = OutputBatch;
  virtual ~BatchTransform() = default;
  virtual OutputBatch apply_batch(InputBatch input_batch) = 0;
};

template <class Input, class Output>
class Transform : public BatchTransform<std::vector<Input>, std::vector<Output>> {
 public:
  using InputType = Input;
  using OutputType = Output;
  virtual Output apply(Input input) = 0;
  std::vector<Output> apply_batch(std::vector<Input> input_batch) override {
    std::vector<Output> out;
    out.reserve(input_batch.size());
    for (Input& in : input_batch) out.push_back(apply(std::move(in)));
    return out;
  }
};

// Turns a vector of examples into one batch.
template <class Batch, class Examples = std::vector<Batch>>
using Collation = BatchTransform<Examples, Batch>;

template <class Input, class Output = Input>
class Lambda : public Transform<Input, Output> {
 public:
  using FunctionType = std::function<Output(Input)>;
  explicit Lambda(FunctionType function) : function_(std::move(function)) {}
  Output apply(Input input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

template <class InputBatch, class OutputBatch = InputBatch>
class BatchLambda : public BatchTransform<InputBatch, OutputBatch> {
 public:
  using FunctionType = std::function<OutputBatch(InputBatch)>;
  explicit BatchLambda(FunctionType function) : function_(std::move(function)) {}
  OutputBatch apply_batch(InputBatch input_batch) override { return function_(std::move(input_batch)); }

 private:
  FunctionType function_;
};

template <class Target = Tensor>
class TensorTransform : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
 public:
  using E = Example<Tensor, Target>;
  virtual Tensor operator()(Tensor input) = 0;
  E apply(E input) override {
    input.data = (*this)(std::move(input.data));
    return input;
  }
};

template <class Target = Tensor>
class TensorLambda : public TensorTransform<Target> {
 public:
  using FunctionType = std::function<Tensor(Tensor)>;
  explicit TensorLambda(FunctionType function) : function_(std::move(function)) {}
  Tensor operator()(Tensor input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

namespace detail {
// mean and stddev as float [C, 1, 1] tensors (one entry per channel of a [C, H, W] image).
Tensor channel_tensor(const std::vector<double>& values, const char* what);
Tensor normalize(const Tensor& input, const Tensor& mean, const Tensor& stddev);
// Per-column mean and population stddev of rows [N, F], each [F]; a column that never varies gets stddev 1.
std::pair<Tensor, Tensor> column_statistics(const Tensor& rows);
}  // namespace detail

// (data - mean) / stddev, per channel: Normalize<>(0.1307, 0.3081) for MNIST, or one value per channel.
template <class Target = Tensor>
class Normalize : public TensorTransform<Target> {
 public:
  Normalize(double mean, double stddev) : Normalize(std::vector<double>{mean}, std::vector<double>{stddev}) {}
  Normalize(const std::vector<double>& mean, const std::vector<double>& stddev)
      : mean(detail::channel_tensor(mean, "mean")), stddev(detail::channel_tensor(stddev, "stddev")) {}
  Tensor operator()(Tensor input) override { return detail::normalize(input, mean, stddev); }

  Tensor mean, stddev;
};

// (data - mean) / stddev per feature of tabular data (an example's data [F], or rows [N, F]), with the statistics
// of the training rows only, as sklearn's StandardScaler fitted on a training split and applied to every split:
//   transforms::Standardize<> standardize(train_features);   // [N, F]
//   dataset.map(standardize), or standardize(rows) directly
template <class Target = Tensor>
class Standardize : public TensorTransform<Target> {
 public:
  explicit Standardize(const Tensor& train_rows) { std::tie(mean, stddev) = detail::column_statistics(train_rows); }
  Tensor operator()(Tensor input) override { return detail::normalize(input, mean, stddev); }

  Tensor mean, stddev;
};

// Stacks the examples of a batch: data [B, ...] and target [B, ...] (undefined targets stay undefined).
template <class T = Example<>>
struct Stack;

template <>
struct Stack<Example<>> : public Collation<Example<>> {
  Example<> apply_batch(std::vector<Example<>> examples) override;
};

}  // namespace wick::data::transforms
