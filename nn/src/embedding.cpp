// Embedding lookups (index_select, so the gradient scatters back into the table), one_hot.
#include "wick/nn/modules/embedding.h"

#include <ostream>

#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/nn/aliases.h"
#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/ops.h"

namespace wick {

namespace {

Tensor lookup(const char* op, const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx,
              std::optional<double> max_norm, double norm_type) {
  WICK_PROFILE_OP("embedding", weight, indices);
  WICK_CHECK(weight.defined() && weight.dim() == 2, op, "expected a 2-D weight [num_embeddings, embedding_dim], got ",
             weight.defined() ? shape_str(weight.sizes()) : std::string("an undefined tensor"));
  WICK_CHECK(indices.defined() && (indices.dtype() == kInt64 || indices.dtype() == kInt32), op,
             "expected int64 or int32 indices, got ",
             indices.defined() ? dtype_name(indices.dtype()) : std::string("an undefined tensor"));
  const Tensor flat = indices.reshape({-1}).to(kInt64);
  const uint64_t since = detail::tape_position();
  if (max_norm) {  // renormalise the rows about to be read, in place and unrecorded (as PyTorch)
    NoGradGuard no_grad;
    const Tensor rows = weight.index_select(0, flat);
    const Tensor norms = rows.norm(norm_type, {1}, true);
    const Tensor scale = where(norms > *max_norm, *max_norm / (norms + 1e-7), ones_like(norms));
    Tensor w = weight;
    w.index_put_({flat}, rows * scale);
  }
  std::vector<int64_t> shape = indices.sizes().vec();
  shape.push_back(weight.size(1));
  Tensor out = weight.index_select(0, flat).view(shape);
  if (padding_idx && out.requires_grad()) {
    // The padding row's value is read, but no gradient flows back into it.
    const Tensor pad_rows = (indices == *padding_idx).unsqueeze(-1);
    out = where(pad_rows, out.detach(), out);
  }
  return detail::named(out, "embedding", since);  // LibTorch's EmbeddingBackward0
}

std::optional<int64_t> wrap_padding_idx(const char* op, std::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx) return padding_idx;
  const int64_t p = *padding_idx;
  WICK_CHECK(p >= -num_embeddings && p < num_embeddings, op, "padding_idx ", p, " must be within num_embeddings (",
             num_embeddings, ")");
  return p < 0 ? p + num_embeddings : p;
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool, bool) {
  return lookup("embedding", weight, indices, padding_idx < 0 ? std::nullopt : std::optional<int64_t>(padding_idx),
                std::nullopt, 2.0);
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  WICK_PROFILE_OP("one_hot", self);
  const char* op = "one_hot";
  WICK_CHECK(self.defined() && self.dtype() == kInt64, op, "is only applicable to int64 index tensors, got ",
             self.defined() ? dtype_name(self.dtype()) : std::string("an undefined tensor"));
  if (self.numel() == 0) {
    WICK_CHECK(num_classes > 0, op, "can not infer the total number of classes from an empty tensor");
  } else {
    WICK_CHECK(self.min().item<int64_t>() >= 0, op, "class values must be non-negative");
    const int64_t max = self.max().item<int64_t>();
    if (num_classes == -1) num_classes = max + 1;
    WICK_CHECK(max < num_classes, op, "class values must be smaller than num_classes (", num_classes, "), got ", max);
  }
  std::vector<int64_t> shape = self.sizes().vec();
  shape.push_back(num_classes);
  return zeros(shape, dtype(kInt64).device(self.device())).scatter(-1, self.unsqueeze(-1), 1);
}

namespace nn {

namespace functional {
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& o) {
  const char* op = "nn::functional::embedding";
  return lookup(op, weight, input, wrap_padding_idx(op, o.padding_idx(), weight.defined() ? weight.size(0) : 0),
                o.max_norm(), o.norm_type());
}
Tensor one_hot(const Tensor& tensor, int64_t num_classes) { return wick::one_hot(tensor, num_classes); }
}  // namespace functional

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options) : options(options) { reset(); }

void EmbeddingImpl::reset() {
  const char* op = "nn::Embedding";
  WICK_CHECK(options.num_embeddings() >= 0 && options.embedding_dim() >= 0, op,
             "num_embeddings and embedding_dim must be non-negative");
  options.padding_idx(wrap_padding_idx(op, options.padding_idx(), options.num_embeddings()));
  if (options._weight().defined()) {
    WICK_CHECK(options._weight().sizes() == IntArrayRef({options.num_embeddings(), options.embedding_dim()}), op,
               "_weight has shape ", shape_str(options._weight().sizes()), ", expected [", options.num_embeddings(),
               ", ", options.embedding_dim(), "]");
    weight = register_parameter("weight", options._weight());
  } else {
    weight = register_parameter("weight", wick::empty({options.num_embeddings(), options.embedding_dim()}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard no_grad;
    weight[*options.padding_idx()].fill_(0);
  }
}

void EmbeddingImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::Embedding(num_embeddings=" << options.num_embeddings()
    << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx()) s << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) s << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) s << ", norm_type=" << options.norm_type();
  s << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return traced(
      lookup("nn::Embedding", weight, indices, options.padding_idx(), options.max_norm(), options.norm_type()));
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options) {
  WICK_CHECK(embeddings.defined() && embeddings.dim() == 2, "nn::Embedding::from_pretrained",
             "embeddings must be 2-D, got ",
             embeddings.defined() ? shape_str(embeddings.sizes()) : std::string("undefined"));
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                  ._weight(embeddings.detach())
                  .padding_idx(options.padding_idx())
                  .max_norm(options.max_norm())
                  .norm_type(options.norm_type()));
  e->weight.requires_grad_(!options.freeze());
  return e;
}

}  // namespace nn
}  // namespace wick
