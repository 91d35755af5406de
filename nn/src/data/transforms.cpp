// The non-template parts of the transforms: Normalize's and Standardize's arithmetic and Stack for Example<>.
#include "wick/data/transforms.h"

#include "wick/ops.h"

namespace wick::data::transforms {

namespace detail {

Tensor channel_tensor(const std::vector<double>& values, const char* what) {
  WICK_CHECK(!values.empty(), "data::transforms::Normalize", what, " needs at least one value");
  return tensor(values, kFloat).view({int64_t(values.size()), 1, 1});
}

Tensor normalize(const Tensor& input, const Tensor& mean, const Tensor& stddev) { return input.sub(mean).div(stddev); }

std::pair<Tensor, Tensor> column_statistics(const Tensor& rows) {
  WICK_CHECK(rows.dim() == 2 && rows.size(0) > 0, "data::transforms::Standardize",
             "needs training rows [N, F] with N > 0, got shape ", shape_str(rows.sizes()));
  const Tensor x = rows.to(kFloat);
  const Tensor stddev = x.std({0}, /*unbiased=*/false);
  // A constant column carries no information; dividing by 1 keeps it at 0 instead of NaN.
  return {x.mean({0}), where(stddev.gt(0), stddev, 1.0)};
}

}  // namespace detail

Example<> Stack<Example<>>::apply_batch(std::vector<Example<>> examples) {
  std::vector<Tensor> data, targets;
  data.reserve(examples.size());
  targets.reserve(examples.size());
  for (Example<>& e : examples) {
    data.push_back(std::move(e.data));
    if (e.target.defined()) targets.push_back(std::move(e.target));
  }
  WICK_CHECK(targets.empty() || targets.size() == data.size(), "data::transforms::Stack",
             "some examples have a target and some do not");
  return {stack(data), targets.empty() ? Tensor() : stack(targets)};
}

}  // namespace wick::data::transforms
