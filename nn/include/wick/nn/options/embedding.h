// Options of Embedding and functional::embedding.
#pragma once

#include <cstdint>
#include <optional>

#include "wick/arg.h"
#include "wick/tensor.h"

namespace wick::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  WICK_ARG(int64_t, num_embeddings);
  WICK_ARG(int64_t, embedding_dim);
  // This row's output is looked up but never receives a gradient (and starts at zero).
  WICK_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  // Rows looked up are first rescaled in place to at most this norm.
  WICK_ARG(std::optional<double>, max_norm) = std::nullopt;
  WICK_ARG(double, norm_type) = 2.;
  WICK_ARG(Tensor, _weight);  // initial weight instead of N(0, 1)
};

struct EmbeddingFromPretrainedOptions {
  WICK_ARG(bool, freeze) = true;
  WICK_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  WICK_ARG(std::optional<double>, max_norm) = std::nullopt;
  WICK_ARG(double, norm_type) = 2.;
};

namespace functional {
struct EmbeddingFuncOptions {
  WICK_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  WICK_ARG(std::optional<double>, max_norm) = std::nullopt;
  WICK_ARG(double, norm_type) = 2.;
};
}  // namespace functional

}  // namespace wick::nn
