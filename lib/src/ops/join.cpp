// Joining and rearranging: cat, stack, repeat, flip, tril/triu, pad. cat records its own derivative; the
// rest are compositions of views, cat and index_select, so their gradients come for free.
#include <algorithm>

#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  WICK_PROFILE_OP("cat", tensors);
  if (detail::AutocastOp ac{detail::autocast_lists::join, tensors}) return cat(ac(tensors), dim);
  WICK_CHECK(!tensors.empty(), "cat", "expected a non-empty list of tensors");
  // PyTorch skips legacy empty 1-D tensors of shape [0] when others have more dims.
  std::vector<const Tensor*> parts;
  const Tensor* ref = nullptr;
  for (const Tensor& t : tensors) {
    WICK_CHECK(t.defined(), "cat", "got an undefined tensor");
    if (t.dim() == 1 && t.size(0) == 0 && tensors.size() > 1) continue;
    if (!ref) ref = &t;
    parts.push_back(&t);
  }
  if (!ref) return tensors[0].clone();
  WICK_CHECK(ref->dim() > 0, "cat", "zero-dimensional tensor (at position 0) cannot be concatenated");
  const int64_t d = wrap_dim("cat", dim, ref->dim());
  ScalarType dtype = ref->dtype();
  int64_t total = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    const Tensor& t = *parts[k];
    check_same_device("cat", *ref, t);
    dtype = promote_types(dtype, t.dtype());
    WICK_CHECK(t.dim() == ref->dim(), "cat", "tensors must have the same number of dimensions: got ", ref->dim(),
               " and ", t.dim(), " (tensor ", int64_t(k), ")");
    for (int64_t i = 0; i < t.dim(); ++i)
      WICK_CHECK(i == d || t.size(i) == ref->size(i), "cat", "sizes of tensors must match except in dimension ", d,
                 ": expected size ", ref->size(i), " but got size ", t.size(i), " for tensor ", int64_t(k), " at dim ",
                 i, " (shapes ", shape_str(ref->sizes()), " and ", shape_str(t.sizes()), ")");
    total += t.size(d);
  }
  SizeVec shape(ref->sizes());
  shape[size_t(d)] = total;
  Tensor out = make_empty(shape, dtype, ref->device());
  int64_t offset = 0;
  std::vector<int64_t> sizes;
  for (const Tensor* t : parts) {
    const int64_t n = t->size(d);
    sizes.push_back(n);
    if (n == 0) continue;
    SizeVec strides(out.strides());
    Tensor region = make_alias(out, t->sizes(), strides, offset * out.stride(d));
    backend_for(out.device()).copy(view_of(region), view_of(*t));
    offset += n;
  }
  std::vector<Tensor*> outputs{&out};
  if (detail::grad_mode_enabled() &&
      std::any_of(parts.begin(), parts.end(), [](const Tensor* t) { return t->requires_grad(); }))
    detail::record_list("cat", parts, outputs, [d, sizes](Grads g) {
      int64_t start = 0;
      for (size_t k = 0; k < sizes.size(); ++k) {
        if (g.needed(int(k))) g.in[k] = g.out[0].narrow(d, start, sizes[k]);
        start += sizes[k];
      }
    });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  WICK_PROFILE_OP("stack", tensors);
  if (detail::AutocastOp ac{detail::autocast_lists::join, tensors}) return stack(ac(tensors), dim);
  WICK_CHECK(!tensors.empty(), "stack", "expected a non-empty list of tensors");
  const int64_t d = wrap_dim("stack", dim, tensors[0].dim() + 1);
  std::vector<Tensor> lifted;
  lifted.reserve(tensors.size());
  for (size_t k = 0; k < tensors.size(); ++k) {
    WICK_CHECK(IntArrayRef(tensors[k].sizes()).equals(tensors[0].sizes()), "stack",
               "stack expects each tensor to be equal size, but got ", shape_str(tensors[0].sizes()),
               " at entry 0 and ", shape_str(tensors[k].sizes()), " at entry ", int64_t(k));
    lifted.push_back(tensors[k].unsqueeze(d));
  }
  const uint64_t since = detail::tape_position();
  return detail::named(cat(lifted, d), "stack", since);
}

Tensor repeat(const Tensor& x, IntArrayRef repeats) {
  WICK_PROFILE_OP("repeat", x);
  WICK_CHECK(int64_t(repeats.size()) >= x.dim(), "repeat", "number of repeat dims (", int64_t(repeats.size()),
             ") can not be smaller than the number of tensor dims (", x.dim(), ")");
  const size_t n = repeats.size();
  SizeVec padded(n, 1);
  for (int64_t i = 0; i < x.dim(); ++i) padded[n - size_t(x.dim()) + size_t(i)] = x.size(i);
  // Tile by viewing each dim as (1, s) and expanding it to (r, s): index k*s + j along the result.
  SizeVec lifted, expanded, result;
  for (size_t i = 0; i < n; ++i) {
    WICK_CHECK(repeats[i] >= 0, "repeat", "repeats must be non-negative, got ", shape_str(repeats));
    lifted.push_back(1);
    lifted.push_back(padded[i]);
    expanded.push_back(repeats[i]);
    expanded.push_back(padded[i]);
    int64_t tiled = 0;
    WICK_CHECK(!__builtin_mul_overflow(repeats[i], padded[i], &tiled), "repeat", "repeats ", shape_str(repeats),
               " give more elements than int64 counts");
    result.push_back(tiled);
  }
  const uint64_t since = detail::tape_position();
  return detail::named(x.reshape(lifted).expand(expanded).reshape(result), "repeat", since);
}

Tensor flip(const Tensor& x, IntArrayRef dims) {
  WICK_PROFILE_OP("flip", x);
  const uint64_t since = detail::tape_position();
  Tensor out = x;
  SizeVec seen(size_t(x.dim()), 0);
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim("flip", dim, x.dim());
    WICK_CHECK(!seen[size_t(d)], "flip", "dim ", d, " appears multiple times in the list of dims");
    seen[size_t(d)] = 1;
    const int64_t n = x.size(d);
    out = out.index_select(d, arange(n - 1, -1, -1, TensorOptions().dtype(kInt64).device(x.device())));
  }
  return detail::named(dims.empty() ? x.clone() : out, "flip", since);
}

namespace {
Tensor triangle(const char* op, const Tensor& x, int64_t diagonal, bool lower) {
  WICK_CHECK(x.dim() >= 2, op, "input tensor must have at least 2 dimensions, got shape ", shape_str(x.sizes()));
  const TensorOptions o = TensorOptions().dtype(kInt64).device(x.device());
  const Tensor rows = arange(x.size(-2), o).unsqueeze(1), cols = arange(x.size(-1), o).unsqueeze(0);
  const Tensor keep = lower ? (cols - rows) <= diagonal : (cols - rows) >= diagonal;
  const uint64_t since = detail::tape_position();
  return detail::named(where(keep, x, zeros({}, x.options())), op, since);
}
}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) {
  WICK_PROFILE_OP("tril", x);
  return triangle("tril", x, diagonal, true);
}
Tensor triu(const Tensor& x, int64_t diagonal) {
  WICK_PROFILE_OP("triu", x);
  return triangle("triu", x, diagonal, false);
}

Tensor pad(const Tensor& x, IntArrayRef pad, const std::string& mode, double value) {
  WICK_PROFILE_OP("pad", x);
  WICK_CHECK(pad.size() % 2 == 0, "pad", "padding length must be divisible by 2, got ", int64_t(pad.size()));
  WICK_CHECK(int64_t(pad.size()) / 2 <= x.dim(), "pad", "padding length ", int64_t(pad.size()),
             " is too large for a tensor of ", x.dim(), " dims");
  WICK_CHECK(mode == "constant" || mode == "reflect" || mode == "replicate", "pad", "unknown mode '", mode,
             "' (expected 'constant', 'reflect' or 'replicate')");
  const uint64_t since = detail::tape_position();
  Tensor out = x;
  const TensorOptions index_options = TensorOptions().dtype(kInt64).device(x.device());
  for (size_t k = 0; k < pad.size() / 2; ++k) {
    const int64_t d = x.dim() - 1 - int64_t(k);
    int64_t left = pad[2 * k], right = pad[2 * k + 1];
    const int64_t n = out.size(d);
    WICK_CHECK(n + std::min<int64_t>(left, 0) + std::min<int64_t>(right, 0) >= 0, "pad", "padding (", left, ", ", right,
               ") crops dim ", d, " of size ", n, " below 0");
    if (mode == "constant") {
      // Negative padding crops.
      if (left < 0) {
        out = out.narrow(d, -left, out.size(d) + left);
        left = 0;
      }
      if (right < 0) {
        out = out.narrow(d, 0, out.size(d) + right);
        right = 0;
      }
      std::vector<Tensor> pieces;
      SizeVec block(out.sizes());
      if (left > 0) {
        block[size_t(d)] = left;
        pieces.push_back(full(block, value, out.options()));
      }
      pieces.push_back(out);
      if (right > 0) {
        block[size_t(d)] = right;
        pieces.push_back(full(block, value, out.options()));
      }
      if (pieces.size() > 1) out = cat(pieces, d);
      continue;
    }
    // Negative padding crops, as in PyTorch: the loop below starts/stops inside the dim, still reflecting or
    // replicating about the uncropped edges.
    WICK_CHECK(n + left + right >= 1, "pad", "padding (", left, ", ", right, ") leaves no elements of dim ", d,
               " of size ", n, " in ", mode, " mode");
    if (mode == "reflect")
      WICK_CHECK(left < n && right < n, "pad", "padding (", left, ", ", right, ") should be less than the input size ",
                 n, " at dim ", d, " in reflect mode");
    else
      WICK_CHECK(n > 0, "pad", "cannot replicate-pad an empty dim ", d);
    std::vector<int64_t> idx;
    for (int64_t i = -left; i < n + right; ++i) {
      int64_t j = i;
      if (mode == "reflect") {
        if (j < 0) j = -j;
        if (j >= n) j = 2 * (n - 1) - j;
      } else {
        j = std::clamp<int64_t>(j, 0, n - 1);
      }
      idx.push_back(j);
    }
    out = out.index_select(d, tensor(idx, index_options));
  }
  // LibTorch's nodes: ConstantPadNdBackward0; ReflectionPad1DBackward0 ... ReplicationPad3DBackward0 by the number
  // of padded dims.
  static const char* const kReflect[] = {"reflection_pad1d", "reflection_pad2d", "reflection_pad3d"};
  static const char* const kReplicate[] = {"replication_pad1d", "replication_pad2d", "replication_pad3d"};
  const size_t padded = pad.size() / 2;
  const char* node = "constant_pad_nd";
  if (mode != "constant" && padded >= 1 && padded <= 3) node = (mode == "reflect" ? kReflect : kReplicate)[padded - 1];
  return detail::named(out, node, since);
}

Tensor constant_pad_nd(const Tensor& x, IntArrayRef pad, Scalar value) {
  WICK_PROFILE_OP("constant_pad_nd", x);
  return wick::pad(x, pad, "constant", value.toDouble());
}

std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  return broadcast_shape("broadcast_shapes", a, b).vec();
}

}  // namespace wick
