// Matrix products. One primitive, batched matmul over 3-D views, carries the derivative; matmul's 1-D,
// 2-D and broadcast-batch forms are compositions of views around it, as torch.matmul defines them.
#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

using detail::AutocastOp;
namespace lists = detail::autocast_lists;
using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;

namespace {

void check_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  check_same_device(op, a, b);
  WICK_CHECK(a.dtype() == b.dtype(), op, "expected both operands to have the same dtype, but got ",
             dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  WICK_CHECK(is_floating_point(a.dtype()), op, "expected floating point operands, got ", dtype_name(a.dtype()));
}

// The dtype a product is computed in: the operands' own where the backend multiplies it (bfloat16 on CPUs
// with bf16 dot-product instructions, float32 accumulation inside), else float32.
ScalarType matmul_dtype(Device device, ScalarType t) {
  return backend_for(device).matmul_natively(t) ? t : compute_dtype(device, t);
}

// [B, M, K] @ [B, K, N] -> [B, M, N], any strides; the only op here that records a derivative.
Tensor batched_mm(const char* op, const Tensor& a, const Tensor& b) {
  const int64_t B = a.size(0), M = a.size(1), K = a.size(2), N = b.size(2);
  const ScalarType compute = matmul_dtype(a.device(), a.dtype());
  const Tensor ca = a.dtype() == compute ? a : a.to(compute);
  const Tensor cb = b.dtype() == compute ? b : b.to(compute);
  Tensor out = make_empty({B, M, N}, compute, a.device());
  if (out.numel() > 0) {
    if (K == 0)
      backend_for(a.device()).fill(view_of(out), 0);
    else
      backend_for(a.device()).matmul(view_of(out), view_of(ca), view_of(cb));
  }
  if (compute != a.dtype()) out = out.to(a.dtype());
  if (record_needed(a, b))
    record(op, {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      if (g.needed(0)) g.in[0] = bmm(g.out[0], sb.get().transpose(1, 2));
      if (g.needed(1)) g.in[1] = bmm(sa.get().transpose(1, 2), g.out[0]);
    });
  return out;
}

// a [M, K] @ b [K, N] for 2-D tensors of one dtype, straight to the backend: the batch dim is a stride-0
// dim on the stack, not a view op (this is the per-layer path of every MLP).
Tensor mm_kernel(const Tensor& a, const Tensor& b) {
  const ScalarType compute = matmul_dtype(a.device(), a.dtype());
  const Tensor ca = a.dtype() == compute ? a : a.to(compute);
  const Tensor cb = b.dtype() == compute ? b : b.to(compute);
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  Tensor out = make_empty({M, N}, compute, a.device());
  if (out.numel() > 0) {
    if (K == 0) {
      backend_for(a.device()).fill(view_of(out), 0);
    } else {
      const int64_t a_sizes[3] = {1, M, K}, b_sizes[3] = {1, K, N}, o_sizes[3] = {1, M, N};
      const int64_t a_strides[3] = {0, ca.stride(0), ca.stride(1)}, b_strides[3] = {0, cb.stride(0), cb.stride(1)},
                    o_strides[3] = {0, N, 1};
      backend_for(a.device())
          .matmul(View{out.data_ptr(), compute, 3, o_sizes, o_strides},
                  View{ca.data_ptr(), compute, 3, a_sizes, a_strides},
                  View{cb.data_ptr(), compute, 3, b_sizes, b_strides});
    }
  }
  return compute != a.dtype() ? out.to(a.dtype()) : out;
}

}  // namespace

Tensor bmm(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("bmm", a, b);
  if (AutocastOp ac{lists::bmm, a.device()}) return bmm(ac(a), ac(b));
  check_dtypes("bmm", a, b);
  WICK_CHECK(a.dim() == 3 && b.dim() == 3, "bmm", "expected 3-D tensors, got shapes ", shape_str(a.sizes()), " and ",
             shape_str(b.sizes()));
  WICK_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), "bmm", "shapes ", shape_str(a.sizes()), " and ",
             shape_str(b.sizes()), " cannot be multiplied");
  return batched_mm("bmm", a, b);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("mm", a, b);
  if (AutocastOp ac{lists::mm, a.device()}) return mm(ac(a), ac(b));
  check_dtypes("mm", a, b);
  WICK_CHECK(a.dim() == 2 && b.dim() == 2, "mm", "expected 2-D tensors, got shapes ", shape_str(a.sizes()), " and ",
             shape_str(b.sizes()));
  WICK_CHECK(a.size(1) == b.size(0), "mm", "shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()),
             " cannot be multiplied (", a.size(1), " != ", b.size(0), ")");
  Tensor out = mm_kernel(a, b);
  if (record_needed(a, b))
    record("mm", {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      if (g.needed(0)) g.in[0] = g.out[0].mm(sb.get().t());
      if (g.needed(1)) g.in[1] = sa.get().t().mm(g.out[0]);
    });
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("matmul", a, b);
  if (AutocastOp ac{lists::matmul, a.device()}) return matmul(ac(a), ac(b));
  check_dtypes("matmul", a, b);
  const int64_t da = a.dim(), db = b.dim();
  WICK_CHECK(da > 0 && db > 0, "matmul", "both arguments need at least 1 dimension, got shapes ", shape_str(a.sizes()),
             " and ", shape_str(b.sizes()));
  const int64_t ka = a.size(-1), kb = db == 1 ? b.size(0) : b.size(-2);
  WICK_CHECK(ka == kb, "matmul", "shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()),
             " cannot be multiplied (", ka, " != ", kb, ")");
  // Named as LibTorch's nodes: DotBackward0, SqueezeBackward3 (LibTorch squeezes in place, squeeze_(dim)),
  // MvBackward0, and UnsafeViewBackward0 for the batched case.
  const uint64_t since = detail::tape_position();
  if (da == 1 && db == 1) return detail::named((a * b).sum(), "dot", since);
  if (da == 2 && db == 2) return mm(a, b);
  if (da == 1 && db == 2) return detail::named(mm(a.unsqueeze(0), b).squeeze(0), {"squeeze", 3}, since);
  if (da == 2 && db == 1) return detail::named(mm(a, b.unsqueeze(1)).squeeze(1), "mv", since);
  // Batched: lift vectors to matrices, broadcast the batch dims, flatten them into one.
  const Tensor a2 = da == 1 ? a.unsqueeze(0) : a;
  const Tensor b2 = db == 1 ? b.unsqueeze(1) : b;
  const IntArrayRef ab(a2.sizes().data(), a2.dim() - 2), bb(b2.sizes().data(), b2.dim() - 2);
  const SizeVec batch = broadcast_shape("matmul", ab, bb);
  const int64_t n = a2.size(-2), k = a2.size(-1), m = b2.size(-1);
  SizeVec a_full(batch), b_full(batch), out_shape(batch);
  a_full.push_back(n);
  a_full.push_back(k);
  b_full.push_back(k);
  b_full.push_back(m);
  const int64_t B = product(batch);
  Tensor out = batched_mm("bmm", a2.expand(a_full).reshape({B, n, k}), b2.expand(b_full).reshape({B, k, m}));
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return detail::named(out.reshape(out_shape), "_unsafe_view", since);
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  WICK_PROFILE_OP("addmm", bias, a, b);
  if (AutocastOp ac{lists::addmm, a.device()}) return addmm(ac(bias), ac(a), ac(b), beta, alpha);
  WICK_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), "addmm", "shapes ", shape_str(a.sizes()), " and ",
             shape_str(b.sizes()), " cannot be multiplied");
  check_dtypes("addmm", a, b);
  const uint64_t since = detail::tape_position();
  Tensor prod = mm(a, b);
  if (alpha.to_double() != 1) prod = prod * alpha;
  // beta = 0 ignores bias values (even NaN)
  if (beta.to_double() == 0) return detail::named(prod + zeros_like(bias), "addmm", since);
  return detail::named(beta.to_double() == 1 ? prod + bias : prod + bias * beta, "addmm", since);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  WICK_PROFILE_OP("linear", x, weight, bias);
  if (AutocastOp ac{lists::linear, x.device()}) return linear(ac(x), ac(weight), ac(bias));
  WICK_CHECK(weight.dim() == 2, "linear", "weight must be 2-D [out_features, in_features], got shape ",
             shape_str(weight.sizes()));
  WICK_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear", "input of shape ", shape_str(x.sizes()),
             " does not match weight of shape ", shape_str(weight.sizes()), " (in_features ", weight.size(1), ")");
  if (x.dim() != 2) {
    Tensor out = matmul(x, weight.t());
    return bias.defined() ? out + bias : out;
  }
  // The common case records one entry for the whole layer: y = x W^T + b.
  check_dtypes("linear", x, weight);
  const Tensor wt = make_alias(weight, {weight.size(1), weight.size(0)}, {weight.stride(1), weight.stride(0)},
                               weight.storage_offset());
  Tensor out = mm_kernel(x, wt);
  if (bias.defined()) {
    check_same_device("linear", out, bias);
    WICK_CHECK(bias.dim() <= 1 && (bias.numel() == weight.size(0) || bias.numel() == 1), "linear", "bias of shape ",
               shape_str(bias.sizes()), " does not match out_features ", weight.size(0));
    const SizeVec bstrides = broadcast_strides(bias.dtype() == out.dtype() ? bias : bias.to(out.dtype()), out.sizes());
    const Tensor cb = bias.dtype() == out.dtype() ? bias : bias.to(out.dtype());
    Backend& backend = backend_for(out.device());
    if (backend.computes_natively(out.dtype())) {
      backend.binary(BinaryOp::Add, view_of(out), view_of(out), view_of(cb, out.impl()->sizes, bstrides));
    } else {  // float16/bfloat16 on the CPU: the add goes through float32; the linear entry below records it
      NoGradGuard no_grad;
      out = out + cb;
    }
  }
  // Named as LibTorch's linear records a 2-D input: addmm with a bias (AddmmBackward0), mm without (MmBackward0).
  if (record_needed({&x, &weight, &bias}))
    record(bias.defined() ? "addmm" : "mm", {&x, &weight, &bias}, out, [sx = save(x), sw = save(weight)](Grads g) {
      const Tensor& go = g.out[0];
      if (g.needed(0)) g.in[0] = go.mm(sw.get());
      if (g.needed(1)) g.in[1] = go.t().mm(sx.get());
      if (g.needed(2)) g.in[2] = go.sum({0});
    });
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("outer", a, b);
  WICK_CHECK(a.dim() == 1 && b.dim() == 1, "outer", "expected 1-D tensors, got shapes ", shape_str(a.sizes()), " and ",
             shape_str(b.sizes()));
  return a.unsqueeze(1) * b.unsqueeze(0);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("dot", a, b);
  WICK_CHECK(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0), "dot",
             "expected 1-D tensors of equal length, got shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
  check_dtypes("dot", a, b);
  const uint64_t since = detail::tape_position();
  return detail::named((a * b).sum(), "dot", since);
}

}  // namespace wick
