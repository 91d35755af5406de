// CosineSimilarity and PairwiseDistance, composed from public ops (each gradient comes from the ops it is made of).
#include "wick/nn/modules/distance.h"

#include <ostream>
#include <vector>

#include "wick/grad_mode.h"
#include "wick/nn/functional.h"
#include "wick/ops.h"

namespace wick::nn {

namespace {

// Integer inputs compute in the default floating dtype, as PyTorch's do.
Tensor floating(const Tensor& x) { return is_floating_point(x.dtype()) ? x : x.to(kFloat); }

// The inputs' broadcast shape, after checking that they can meet.
std::vector<int64_t> common_shape(const char* op, const Tensor& x1, const Tensor& x2) {
  WICK_CHECK(x1.defined() && x2.defined(), op, "both inputs must be defined tensors");
  WICK_CHECK(x1.device() == x2.device(), op, "inputs on different devices: ", x1.device().str(), " and ",
             x2.device().str());
  try {
    return broadcast_shapes(x1.sizes(), x2.sizes());
  } catch (const Error&) {
    fail(op, "inputs of shapes ", shape_str(x1.sizes()), " and ", shape_str(x2.sizes()),
         " cannot be broadcast together");
  }
}

}  // namespace

namespace functional {

// PyTorch 2's form: each input divided by its own norm clamped at eps, then their dot product, so that the result
// stays in [-1, 1]. (1.13 divided the dot product by the product of the norms
// clamped at eps; the two agree unless a norm is below eps.) The clamps change values only: gradients flow as
// through the unclamped norms, as PyTorch's in-place clamp under NoGradGuard does.
Tensor cosine_similarity(const Tensor& input1, const Tensor& input2, const CosineSimilarityFuncOptions& options) {
  const char* op = "nn::functional::cosine_similarity";
  const std::vector<int64_t> shape = common_shape(op, input1, input2);
  const Tensor x1 = floating(input1).expand(shape), x2 = floating(input2).expand(shape);
  const int64_t dim = wrap_dim(op, options.dim(), int64_t(shape.size()));
  Tensor norm1 = x1.norm(2, {dim}, true).clone(), norm2 = x2.norm(2, {dim}, true).clone();
  {
    NoGradGuard no_grad;
    norm1.clamp_(options.eps());
    norm2.clamp_(options.eps());
  }
  return ((x1 / norm1) * (x2 / norm2)).sum({dim});
}

// The p-norm of x1 - x2 + eps over the last dim of the broadcast shape, as PyTorch's.
Tensor pairwise_distance(const Tensor& input1, const Tensor& input2, const PairwiseDistanceFuncOptions& options) {
  const int64_t last = int64_t(common_shape("nn::functional::pairwise_distance", input1, input2).size()) - 1;
  return (floating(input1) - floating(input2) + options.eps()).norm(options.p(), {last}, options.keepdim());
}

}  // namespace functional

void CosineSimilarityImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::CosineSimilarity(dim=" << options.dim() << ", eps=" << options.eps() << ")";
}

Tensor CosineSimilarityImpl::forward(const Tensor& input1, const Tensor& input2) {
  return functional::cosine_similarity(input1, input2, options);
}

void PairwiseDistanceImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::PairwiseDistance(p=" << options.p() << ", eps=" << options.eps()
         << ", keepdim=" << (options.keepdim() ? "true" : "false") << ")";
}

Tensor PairwiseDistanceImpl::forward(const Tensor& input1, const Tensor& input2) {
  return functional::pairwise_distance(input1, input2, options);
}

}  // namespace wick::nn
