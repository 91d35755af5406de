// wick::nn::functional (alias F in user code: `namespace F = wick::nn::functional;`): the stateless forms of
// every layer, and the losses, as in LibTorch. Losses work in log space (log_softmax, logsigmoid forms), so
// they stay finite at logits of +-1e4.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "wick/nn/options/activation.h"
#include "wick/nn/options/conv.h"
#include "wick/nn/options/distance.h"
#include "wick/nn/options/dropout.h"
#include "wick/nn/options/embedding.h"
#include "wick/nn/options/linear.h"
#include "wick/nn/options/loss.h"
#include "wick/nn/options/normalization.h"
#include "wick/nn/options/padding.h"
#include "wick/nn/options/pooling.h"
#include "wick/nn/options/upsampling.h"
#include "wick/tensor.h"

namespace wick::nn::functional {

// ---- layers ---------------------------------------------------------------------------------------------
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});
Tensor conv3d(const Tensor& input, const Tensor& weight, const Conv3dFuncOptions& options = {});
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const ConvTranspose1dFuncOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const ConvTranspose2dFuncOptions& options = {});
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const ConvTranspose3dFuncOptions& options = {});
Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options);
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, const MaxPool3dFuncOptions& options);
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& options);
Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool3d(const Tensor& input, const AdaptiveAvgPool3dFuncOptions& options);
// 3-D input: nearest / linear along the last dim; 4-D input: nearest / bilinear over the last two.
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});
// Pads the last dims: constant (value), reflect, replicate or circular, as F::pad.
Tensor pad(const Tensor& input, const PadFuncOptions& options);

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);
// x / max(||x||_p, eps) along options.dim().
Tensor normalize(const Tensor& input, const NormalizeFuncOptions& options = {});

// x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along options.dim() of the broadcast inputs (PyTorch 2's form).
Tensor cosine_similarity(const Tensor& input1, const Tensor& input2, const CosineSimilarityFuncOptions& options = {});
// ||x1 - x2 + eps||_p over the last dim.
Tensor pairwise_distance(const Tensor& input1, const Tensor& input2, const PairwiseDistanceFuncOptions& options = {});

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});
// Zeroes whole channels: input [N, C, ...] (or unbatched [C, ...]).
Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& options = {});

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});
// [..., num_classes] int64 with a 1 at each index; num_classes = -1 takes max(index) + 1.
Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

// ---- activations ----------------------------------------------------------------------------------------
Tensor relu(const Tensor& input, const ReLUFuncOptions& options = {});
Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& options = {});
Tensor elu(const Tensor& input, const ELUFuncOptions& options = {});
Tensor hardtanh(const Tensor& input, const HardtanhFuncOptions& options = {});
Tensor relu6(const Tensor& input, const ReLU6FuncOptions& options = {});
Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {});
Tensor silu(const Tensor& input);
Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options = {});
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options);
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options);
Tensor logsigmoid(const Tensor& input);
// softmax((logits + g) / tau) with g drawn from Gumbel(0, 1) (the generator's stream); hard: the one-hot of its
// argmax in the forward pass and the soft sample's gradient in the backward (straight-through), as PyTorch's.
Tensor gumbel_softmax(const Tensor& logits, const GumbelSoftmaxFuncOptions& options = {});

// ---- losses ---------------------------------------------------------------------------------------------
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {});
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {});
// input: logits [N, C, ...] (or [C]); target: class indices [N, ...] (int64) or probabilities shaped as input.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {});
// input: log-probabilities [N, C, ...]; target: class indices [N, ...].
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
// input: probabilities in [0, 1] (log terms clamped at -100, as PyTorch).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options = {});
// input: log-probabilities; target: probabilities (or log-probabilities with log_target).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});
// max(d(anchor, positive) - d(anchor, negative) + margin, 0), d the pairwise p-distance over the last dim (with swap:
// the negative's distance is the smaller of its distances to the anchor and to the positive).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginLossFuncOptions& options = {});

}  // namespace wick::nn::functional
