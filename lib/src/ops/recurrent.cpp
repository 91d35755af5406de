// One LSTM or GRU time step's gate arithmetic as one op and one tape entry (ATen's _thnn_fused_lstm_cell and
// _thnn_fused_gru_cell). Where the backend fuses recurrent cells (the CPU: float32 and float64, half and
// bfloat16 computed in float32) the forward and the backward are one kernel each; elsewhere the step is
// composed from elementwise ops, which record themselves. A higher-order gradient always takes the
// derivative written below with differentiable ops, which is also what the float64 gradgradchecks verify.
#include <array>
#include <string>
#include <vector>

#include "fused.h"
#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/detail/shape_of.h"
#include "wick/deterministic_numerics.h"
#include "wick/grad_mode.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;
using detail::shape_of;

namespace {

// input_gates and hidden_gates [B, gates*H] (or [gates*H]), state [B, H] (or [H]): one dtype, one device.
void check_step(const char* op, const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& state,
                const char* state_name, int64_t gates) {
  WICK_CHECK(input_gates.defined() && hidden_gates.defined() && state.defined(), op,
             "expected input_gates, hidden_gates and ", state_name, ", got ", shape_of(input_gates), ", ",
             shape_of(hidden_gates), " and ", shape_of(state));
  WICK_CHECK(is_floating_point(input_gates.dtype()), op, "expected floating point gates, got ",
             dtype_name(input_gates.dtype()));
  WICK_CHECK(hidden_gates.dtype() == input_gates.dtype() && state.dtype() == input_gates.dtype(), op,
             "expected one dtype, got input_gates ", dtype_name(input_gates.dtype()), ", hidden_gates ",
             dtype_name(hidden_gates.dtype()), " and ", state_name, " ", dtype_name(state.dtype()));
  check_same_device(op, input_gates, hidden_gates);
  check_same_device(op, input_gates, state);
  const bool ranks_ok = (input_gates.dim() == 1 || input_gates.dim() == 2) && state.dim() == input_gates.dim();
  WICK_CHECK(ranks_ok && hidden_gates.sizes() == input_gates.sizes() &&
                 state.size(-1) * gates == input_gates.size(-1) &&
                 (state.dim() == 1 || state.size(0) == input_gates.size(0)),
             op, "expected input_gates and hidden_gates [B, ", gates, "*H] and ", state_name, " [B, H], got ",
             shape_of(input_gates), ", ", shape_of(hidden_gates), " and ", shape_of(state));
}

// An output gradient the engine passes as undefined (zero), made explicit for composed arithmetic.
Tensor or_zeros(const Tensor& grad, const Tensor& like) { return grad.defined() ? grad : zeros_like(like); }

// The K gate blocks [..., H] of gates [..., K * H] (chunk would return fewer than K blocks when H = 0), in an
// array: a step allocates nothing on the heap, as with the fused kernels.
template <int64_t K>
std::array<Tensor, K> gate_blocks(const Tensor& gates) {
  const int64_t H = gates.size(-1) / K;
  std::array<Tensor, K> blocks;
  for (int64_t i = 0; i < K; ++i) blocks[size_t(i)] = gates.narrow(-1, i * H, H);
  return blocks;
}

// Whether a step runs the backend's fused cell: where it has one for the compute dtype and, in deterministic
// numerics mode (which promises the same bits with fused kernels on and off), only where the fused cell's bits are
// the composed step's: its forward is the composed step's operations in their order on the same sigmoid and tanh
// kernels, but only when it computes in the tensors' own dtype, and its backward is not the composed ops' recorded
// backward, so a step the tape records composes.
bool fused_step(Device device, FusedOp op, ScalarType dtype, ScalarType compute,
                std::initializer_list<const Tensor*> inputs) {
  if (!detail::fused_for(device, op, compute)) return false;
  return !deterministic_numerics_enabled() || (compute == dtype && !record_needed(inputs));
}

// ---- LSTM ---------------------------------------------------------------------------------------------------

std::tuple<Tensor, Tensor> composed_lstm(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& cx) {
  const auto g = gate_blocks<4>(input_gates + hidden_gates);
  const Tensor cy = sigmoid(g[1]) * cx + sigmoid(g[0]) * tanh(g[2]);
  return {sigmoid(g[3]) * tanh(cy), cy};
}

// d(loss)/d(gates) and d(loss)/d(cx), written with differentiable ops (for create_graph and composed backends).
std::tuple<Tensor, Tensor> composed_lstm_backward(const Tensor& input_gates, const Tensor& hidden_gates,
                                                  const Tensor& cx, const Tensor& grad_hy, const Tensor& grad_cy) {
  const auto g = gate_blocks<4>(input_gates + hidden_gates);
  const Tensor i = sigmoid(g[0]), f = sigmoid(g[1]), c = tanh(g[2]), o = sigmoid(g[3]);
  const Tensor tanh_cy = tanh(f * cx + i * c);
  const Tensor dh = or_zeros(grad_hy, cx);
  const Tensor dc = or_zeros(grad_cy, cx) + dh * o * (1 - tanh_cy * tanh_cy);
  const Tensor grad_gates =
      cat({dc * c * i * (1 - i), dc * cx * f * (1 - f), dc * i * (1 - c * c), dh * tanh_cy * o * (1 - o)}, -1);
  return {grad_gates, dc * f};
}

// ---- GRU ----------------------------------------------------------------------------------------------------

Tensor composed_gru(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& hx) {
  const auto x = gate_blocks<3>(input_gates), h = gate_blocks<3>(hidden_gates);
  const Tensor r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1]);
  const Tensor n = tanh(x[2] + r * h[2]);
  return n + z * (hx - n);  // (1 - z) n + z hx
}

struct GruGrads {
  Tensor input_gates, hidden_gates, hx;
};
GruGrads composed_gru_backward(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& hx,
                               const Tensor& grad_hy) {
  const auto x = gate_blocks<3>(input_gates), h = gate_blocks<3>(hidden_gates);
  const Tensor r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1]);
  const Tensor n = tanh(x[2] + r * h[2]);
  const Tensor dn = grad_hy * (1 - z) * (1 - n * n);
  const Tensor dz = grad_hy * (hx - n) * z * (1 - z);
  const Tensor dr = dn * h[2] * r * (1 - r);
  return {cat({dr, dz, dn}, -1), cat({dr, dz, dn * r}, -1), grad_hy * z};
}

}  // namespace

std::tuple<Tensor, Tensor> fused_lstm_cell(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& cx) {
  WICK_PROFILE_OP("fused_lstm_cell", input_gates, hidden_gates, cx);
  const char* op = "fused_lstm_cell";
  check_step(op, input_gates, hidden_gates, cx, "cx", 4);
  const ScalarType ct = compute_dtype(cx.device(), cx.dtype());
  if (!fused_step(cx.device(), FusedOp::LstmCell, cx.dtype(), ct, {&input_gates, &hidden_gates, &cx}))
    return composed_lstm(input_gates, hidden_gates, cx);

  Tensor hy, cy, workspace;  // workspace: i, f, g, o and tanh(cy) of each row, for the backward
  {
    NoGradGuard no_grad;
    const Tensor ig = as_compute(input_gates, ct), hg = as_compute(hidden_gates, ct), c = as_compute(cx, ct);
    hy = make_empty(c.sizes(), ct, cx.device());
    cy = make_empty(c.sizes(), ct, cx.device());
    workspace = make_empty({c.numel() * 5}, ct, cx.device());
    if (c.numel() > 0)
      detail::fused_kernels_of(cx.device())
          .lstm_cell(view_of(hy), view_of(cy), view_of(workspace), view_of(ig), view_of(hg), view_of(c));
    if (ct != cx.dtype()) {
      hy = hy.to(cx.dtype());
      cy = cy.to(cx.dtype());
    }
  }
  if (record_needed({&input_gates, &hidden_gates, &cx}))
    record(op, {&input_gates, &hidden_gates, &cx}, {&hy, &cy},
           [sig = save(input_gates), shg = save(hidden_gates), scx = save(cx), workspace, ct](Grads g) {
             const Tensor cx = scx.get();
             Tensor grad_gates, grad_cx;
             if (detail::grad_mode_enabled()) {
               std::tie(grad_gates, grad_cx) = composed_lstm_backward(sig.get(), shg.get(), cx, g.out[0], g.out[1]);
             } else {
               const Tensor c = as_compute(cx, ct);
               const Tensor dh = g.out[0].defined() ? as_compute(g.out[0], ct) : Tensor();
               const Tensor dc = g.out[1].defined() ? as_compute(g.out[1], ct) : Tensor();
               SizeVec gate_sizes(c.sizes());
               gate_sizes.back() *= 4;
               grad_gates = make_empty(gate_sizes, ct, c.device());
               grad_cx = make_empty(c.sizes(), ct, c.device());
               View dh_view, dc_view;
               if (c.numel() > 0)
                 detail::fused_kernels_of(c.device())
                     .lstm_cell_backward(
                         view_of(grad_gates), view_of(grad_cx), dh.defined() ? &(dh_view = view_of(dh)) : nullptr,
                         dc.defined() ? &(dc_view = view_of(dc)) : nullptr, view_of(workspace), view_of(c));
             }
             g.in[0] = grad_gates;
             g.in[1] = grad_gates;
             g.in[2] = grad_cx;
           });
  return {hy, cy};
}

Tensor fused_gru_cell(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& hx) {
  WICK_PROFILE_OP("fused_gru_cell", input_gates, hidden_gates, hx);
  const char* op = "fused_gru_cell";
  check_step(op, input_gates, hidden_gates, hx, "hx", 3);
  const ScalarType ct = compute_dtype(hx.device(), hx.dtype());
  if (!fused_step(hx.device(), FusedOp::GruCell, hx.dtype(), ct, {&input_gates, &hidden_gates, &hx}))
    return composed_gru(input_gates, hidden_gates, hx);

  Tensor hy, workspace;  // workspace: r, z, n and the hidden state's new-gate projection of each row
  {
    NoGradGuard no_grad;
    const Tensor ig = as_compute(input_gates, ct), hg = as_compute(hidden_gates, ct), h = as_compute(hx, ct);
    hy = make_empty(h.sizes(), ct, hx.device());
    workspace = make_empty({h.numel() * 4}, ct, hx.device());
    if (h.numel() > 0)
      detail::fused_kernels_of(hx.device())
          .gru_cell(view_of(hy), view_of(workspace), view_of(ig), view_of(hg), view_of(h));
    if (ct != hx.dtype()) hy = hy.to(hx.dtype());
  }
  if (record_needed({&input_gates, &hidden_gates, &hx}))
    record(op, {&input_gates, &hidden_gates, &hx}, hy,
           [sig = save(input_gates), shg = save(hidden_gates), shx = save(hx), workspace, ct](Grads g) {
             if (!g.out[0].defined()) return;
             const Tensor hx = shx.get();
             GruGrads grads;
             if (detail::grad_mode_enabled()) {
               grads = composed_gru_backward(sig.get(), shg.get(), hx, g.out[0]);
             } else {
               const Tensor h = as_compute(hx, ct), dh = as_compute(g.out[0], ct);
               SizeVec gate_sizes(h.sizes());
               gate_sizes.back() *= 3;
               grads = {make_empty(gate_sizes, ct, h.device()), make_empty(gate_sizes, ct, h.device()),
                        make_empty(h.sizes(), ct, h.device())};
               if (h.numel() > 0)
                 detail::fused_kernels_of(h.device())
                     .gru_cell_backward(view_of(grads.input_gates), view_of(grads.hidden_gates), view_of(grads.hx),
                                        view_of(dh), view_of(workspace), view_of(h));
             }
             g.in[0] = grads.input_gates;
             g.in[1] = grads.hidden_gates;
             g.in[2] = grads.hx;
           });
  return hy;
}

}  // namespace wick
