// The list of public ops. Adding an op to ops.h means adding a line here; tests enumerate this list to
// gradcheck every differentiable op and feed every op bad input.
#include "wick/op_registry.h"

namespace wick {

namespace {
constexpr DtypeSet kAll = kAllDtypes;
constexpr DtypeSet kFloats = kFloatingDtypes;
constexpr DtypeSet kNumeric = kNumericDtypes;
}  // namespace

const std::vector<OpInfo>& op_registry() {
  static const std::vector<OpInfo> ops = {
      // creation
      {"empty", OpKind::Creation, kAll, false},
      {"zeros", OpKind::Creation, kAll, false},
      {"ones", OpKind::Creation, kAll, false},
      {"full", OpKind::Creation, kAll, false},
      {"arange", OpKind::Creation, kNumeric, false},
      {"linspace", OpKind::Creation, kNumeric, false},
      {"eye", OpKind::Creation, kAll, false},
      {"tensor", OpKind::Creation, kAll, false},
      {"from_blob", OpKind::Creation, kAll, false},
      {"rand", OpKind::Random, kFloats, false},
      {"randn", OpKind::Random, kFloats, false},
      {"randint", OpKind::Random, kNumeric, false},
      {"randperm", OpKind::Random, kNumeric, false},
      {"bernoulli", OpKind::Random, kFloats, false},
      // conversion
      {"contiguous", OpKind::Conversion, kAll, true},
      {"clone", OpKind::Conversion, kAll, true},
      {"to", OpKind::Conversion, kAll, true},
      {"copy_", OpKind::Conversion, kAll, true},
      // unary
      {"neg", OpKind::Unary, kNumeric, true},
      {"abs", OpKind::Unary, kNumeric, true},
      {"sign", OpKind::Unary, kAll, true},
      {"exp", OpKind::Unary, kAll, true},
      {"log", OpKind::Unary, kAll, true},
      {"log1p", OpKind::Unary, kAll, true},
      {"expm1", OpKind::Unary, kAll, true},
      {"sqrt", OpKind::Unary, kAll, true},
      {"rsqrt", OpKind::Unary, kAll, true},
      {"reciprocal", OpKind::Unary, kAll, true},
      {"square", OpKind::Unary, kAll, true},
      {"sin", OpKind::Unary, kAll, true},
      {"cos", OpKind::Unary, kAll, true},
      {"tanh", OpKind::Unary, kAll, true},
      {"sigmoid", OpKind::Unary, kAll, true},
      {"erf", OpKind::Unary, kAll, true},
      {"relu", OpKind::Unary, kNumeric, true},
      {"gelu", OpKind::Unary, kFloats, true},
      {"silu", OpKind::Unary, kFloats, true},
      {"softplus", OpKind::Unary, kFloats, true},
      {"leaky_relu", OpKind::Unary, kFloats, true},
      {"elu", OpKind::Unary, kFloats, true},
      {"hardtanh", OpKind::Unary, kNumeric, true},  // uint8 only with limits >= 0, as in PyTorch
      {"relu6", OpKind::Unary, kNumeric, true},
      {"floor", OpKind::Unary, kNumeric, true},
      {"ceil", OpKind::Unary, kNumeric, true},
      {"round", OpKind::Unary, kNumeric, true},
      {"trunc", OpKind::Unary, kNumeric, true},
      {"clamp", OpKind::Unary, kAll, true},  // bool promotes to the bounds' type, as in PyTorch
      {"logical_not", OpKind::Comparison, kAll, false},
      {"isnan", OpKind::Comparison, kAll, false},
      {"isinf", OpKind::Comparison, kAll, false},
      {"isfinite", OpKind::Comparison, kAll, false},
      // binary
      {"add", OpKind::Binary, kAll, true},
      {"sub", OpKind::Binary, kNumeric, true},
      {"mul", OpKind::Binary, kAll, true},
      {"div", OpKind::Binary, kAll, true},
      {"remainder", OpKind::Binary, kNumeric, true},
      {"pow", OpKind::Binary, kNumeric, true},
      {"maximum", OpKind::Binary, kAll, true},
      {"minimum", OpKind::Binary, kAll, true},
      {"atan2", OpKind::Binary, kAll, true},
      {"lerp", OpKind::Binary, kFloats, true},
      {"where", OpKind::Binary, kAll, true},
      {"masked_fill", OpKind::Binary, kAll, true},
      {"eq", OpKind::Comparison, kAll, false},
      {"ne", OpKind::Comparison, kAll, false},
      {"lt", OpKind::Comparison, kAll, false},
      {"le", OpKind::Comparison, kAll, false},
      {"gt", OpKind::Comparison, kAll, false},
      {"ge", OpKind::Comparison, kAll, false},
      {"logical_and", OpKind::Comparison, kAll, false},
      {"logical_or", OpKind::Comparison, kAll, false},
      {"logical_xor", OpKind::Comparison, kAll, false},
      // reductions
      {"sum", OpKind::Reduction, kAll, true},
      {"mean", OpKind::Reduction, kFloats, true},
      {"prod", OpKind::Reduction, kAll, true},
      {"max", OpKind::Reduction, kAll, true},
      {"min", OpKind::Reduction, kAll, true},
      {"amax", OpKind::Reduction, kAll, true},
      {"amin", OpKind::Reduction, kAll, true},
      {"argmax", OpKind::Reduction, kNumeric, false},
      {"argmin", OpKind::Reduction, kNumeric, false},
      {"var", OpKind::Reduction, kFloats, true},
      {"std", OpKind::Reduction, kFloats, true},
      {"norm", OpKind::Reduction, kFloats, true},
      {"logsumexp", OpKind::Reduction, kAll, true},
      {"all", OpKind::Reduction, kAll, false},
      {"any", OpKind::Reduction, kAll, false},
      {"softmax", OpKind::Reduction, kFloats, true},
      {"log_softmax", OpKind::Reduction, kFloats, true},
      {"cumsum", OpKind::Reduction, kAll, true},
      {"sort", OpKind::Reduction, kAll, true},
      {"topk", OpKind::Reduction, kNumeric, true},
      // linear algebra
      {"matmul", OpKind::Linalg, kFloats, true},
      {"mm", OpKind::Linalg, kFloats, true},
      {"bmm", OpKind::Linalg, kFloats, true},
      {"addmm", OpKind::Linalg, kFloats, true},
      {"linear", OpKind::Linalg, kFloats, true},
      {"outer", OpKind::Linalg, kAll, true},
      {"dot", OpKind::Linalg, kFloats, true},
      {"einsum", OpKind::Linalg, kFloats, true},
      // shape and views
      {"view", OpKind::Shape, kAll, true},
      {"reshape", OpKind::Shape, kAll, true},
      {"flatten", OpKind::Shape, kAll, true},
      {"unflatten", OpKind::Shape, kAll, true},
      {"squeeze", OpKind::Shape, kAll, true},
      {"unsqueeze", OpKind::Shape, kAll, true},
      {"permute", OpKind::Shape, kAll, true},
      {"transpose", OpKind::Shape, kAll, true},
      {"t", OpKind::Shape, kAll, true},
      {"expand", OpKind::Shape, kAll, true},
      {"repeat", OpKind::Shape, kAll, true},
      {"cat", OpKind::Shape, kAll, true},
      {"stack", OpKind::Shape, kAll, true},
      {"split", OpKind::Shape, kAll, true},
      {"chunk", OpKind::Shape, kAll, true},
      {"unbind", OpKind::Shape, kAll, true},
      {"narrow", OpKind::Shape, kAll, true},
      {"select", OpKind::Shape, kAll, true},
      {"slice", OpKind::Shape, kAll, true},
      {"diagonal", OpKind::Shape, kAll, true},
      {"flip", OpKind::Shape, kAll, true},
      {"tril", OpKind::Shape, kAll, true},
      {"triu", OpKind::Shape, kAll, true},
      {"pad", OpKind::Shape, kAll, true},
      // indexing
      {"index", OpKind::Indexing, kAll, true},
      {"index_put_", OpKind::Indexing, kAll, true},  // differentiable with slice/integer indices
      {"index_select", OpKind::Indexing, kAll, true},
      {"index_add", OpKind::Indexing, kAll, true},
      {"gather", OpKind::Indexing, kAll, true},
      {"scatter", OpKind::Indexing, kAll, true},
      {"scatter_add", OpKind::Indexing, kAll, true},
      {"masked_select", OpKind::Indexing, kAll, true},
      {"nonzero", OpKind::Indexing, kAll, false},
      // convolution, pooling, resampling (nn_ops.h)
      {"conv1d", OpKind::Linalg, kFloats, true},
      {"conv2d", OpKind::Linalg, kFloats, true},
      {"conv_transpose1d", OpKind::Linalg, kFloats, true},
      {"conv_transpose2d", OpKind::Linalg, kFloats, true},
      {"conv3d", OpKind::Linalg, kFloats, true},
      {"conv_transpose3d", OpKind::Linalg, kFloats, true},
      {"max_pool1d", OpKind::Reduction, kFloats, true},
      {"max_pool2d", OpKind::Reduction, kFloats, true},
      {"avg_pool1d", OpKind::Reduction, kFloats, true},
      {"avg_pool2d", OpKind::Reduction, kFloats, true},
      {"max_pool3d", OpKind::Reduction, kFloats, true},
      {"avg_pool3d", OpKind::Reduction, kFloats, true},
      {"adaptive_avg_pool1d", OpKind::Reduction, kFloats, true},
      {"adaptive_avg_pool2d", OpKind::Reduction, kFloats, true},
      {"adaptive_avg_pool3d", OpKind::Reduction, kFloats, true},
      {"upsample_nearest2d", OpKind::Indexing, kFloats, true},
      {"upsample_bilinear2d", OpKind::Indexing, kFloats, true},
      {"upsample_nearest3d", OpKind::Indexing, kFloats, true},
      {"upsample_trilinear3d", OpKind::Indexing, kFloats, true},
      // normalisation (nn_ops.h)
      {"batch_norm", OpKind::Normalization, kFloats, true},
      {"layer_norm", OpKind::Normalization, kFloats, true},
      {"group_norm", OpKind::Normalization, kFloats, true},
      // recurrent steps (nn_ops.h)
      {"fused_lstm_cell", OpKind::Recurrent, kFloats, true},
      {"fused_gru_cell", OpKind::Recurrent, kFloats, true},
  };
  return ops;
}

const OpInfo* find_op(std::string_view name) {
  for (const OpInfo& op : op_registry())
    if (name == op.name) return &op;
  return nullptr;
}

}  // namespace wick
