// One LSTM or GRU time step's gate arithmetic in a single pass over each batch row, so that a recurrent
// layer records one tape entry per step instead of a dozen elementwise ops. sigmoid and tanh are the same
// vectorised loops the unary ops run (so fused and composed steps agree to the last bit where the
// arithmetic order matches); the products in between are plain loops the compiler vectorises.
#include "cpu_backend.h"
#include "dispatch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

template <class T>
T* ptr(const View& v) {
  return static_cast<T*>(v.data);
}

// The vectorised sigmoid and tanh for T, applied to n contiguous values (in place is allowed).
template <class T>
struct Activations {
  SimdTable::Unary sigmoid_fn, tanh_fn;
  Activations() {
    const int k = sizeof(T) == sizeof(float) ? 0 : 1;
    sigmoid_fn = simd_table().unary[int(UnaryOp::Sigmoid)][k];
    tanh_fn = simd_table().unary[int(UnaryOp::Tanh)][k];
  }
  void sigmoid(const T* in, T* out, int64_t n) const { sigmoid_fn(in, out, n, 0, 0); }
  void tanh(const T* in, T* out, int64_t n) const { tanh_fn(in, out, n, 0, 0); }
};

// Runs row(b) for each of the B rows; rows are split across the pool only when a step is large enough to
// pay for waking it (a batch-1 step never does).
template <class F>
void for_each_row(int64_t B, int64_t row_elements, F&& row) {
  const int64_t grain =
      row_elements >= kElementwiseGrain ? 1 : kElementwiseGrain / (row_elements > 0 ? row_elements : 1);
  parallel_for(0, B, grain, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) row(b);
  });
}

}  // namespace

void CpuBackend::lstm_cell(const View& hy, const View& cy, const View& workspace, const View& input_gates,
                           const View& hidden_gates, const View& cx) {
  const int64_t H = cx.sizes[cx.ndim - 1], B = H > 0 ? cx.numel() / H : 0;
  dispatch_floating(cx.dtype, "lstm_cell", [&]<class T>() {
    const Activations<T> act;
    for_each_row(B, 5 * H, [&](int64_t b) {
      const T* xg = ptr<T>(input_gates) + b * 4 * H;
      const T* hg = ptr<T>(hidden_gates) + b * 4 * H;
      const T* c = ptr<T>(cx) + b * H;
      T* w = ptr<T>(workspace) + b * 5 * H;  // i, f, g, o, tanh(cy)
      T* c_next = ptr<T>(cy) + b * H;
      T* h_next = ptr<T>(hy) + b * H;
      for (int64_t j = 0; j < 4 * H; ++j) w[j] = xg[j] + hg[j];
      act.sigmoid(w, w, 2 * H);
      act.tanh(w + 2 * H, w + 2 * H, H);
      act.sigmoid(w + 3 * H, w + 3 * H, H);
      const T *i = w, *f = w + H, *g = w + 2 * H, *o = w + 3 * H;
      for (int64_t j = 0; j < H; ++j) c_next[j] = f[j] * c[j] + i[j] * g[j];
      T* tanh_c = w + 4 * H;
      act.tanh(c_next, tanh_c, H);
      for (int64_t j = 0; j < H; ++j) h_next[j] = o[j] * tanh_c[j];
    });
  });
}

void CpuBackend::lstm_cell_backward(const View& grad_gates, const View& grad_cx, const View* grad_hy,
                                    const View* grad_cy, const View& workspace, const View& cx) {
  const int64_t H = cx.sizes[cx.ndim - 1], B = H > 0 ? cx.numel() / H : 0;
  dispatch_floating(cx.dtype, "lstm_cell_backward", [&]<class T>() {
    for_each_row(B, 10 * H, [&](int64_t b) {
      const T* w = ptr<T>(workspace) + b * 5 * H;
      const T *i = w, *f = w + H, *g = w + 2 * H, *o = w + 3 * H, *tanh_c = w + 4 * H;
      const T* c = ptr<T>(cx) + b * H;
      const T* dh = grad_hy ? ptr<T>(*grad_hy) + b * H : nullptr;
      const T* dc = grad_cy ? ptr<T>(*grad_cy) + b * H : nullptr;
      T* dg = ptr<T>(grad_gates) + b * 4 * H;
      T* dcx = ptr<T>(grad_cx) + b * H;
      for (int64_t j = 0; j < H; ++j) {
        const T dh_j = dh ? dh[j] : T(0);
        // Everything that reaches cy: its own gradient and hy's through o * tanh(cy).
        const T dc_total = (dc ? dc[j] : T(0)) + dh_j * o[j] * (T(1) - tanh_c[j] * tanh_c[j]);
        dg[j] = dc_total * g[j] * i[j] * (T(1) - i[j]);
        dg[H + j] = dc_total * c[j] * f[j] * (T(1) - f[j]);
        dg[2 * H + j] = dc_total * i[j] * (T(1) - g[j] * g[j]);
        dg[3 * H + j] = dh_j * tanh_c[j] * o[j] * (T(1) - o[j]);
        dcx[j] = dc_total * f[j];
      }
    });
  });
}

void CpuBackend::gru_cell(const View& hy, const View& workspace, const View& input_gates, const View& hidden_gates,
                          const View& hx) {
  const int64_t H = hx.sizes[hx.ndim - 1], B = H > 0 ? hx.numel() / H : 0;
  dispatch_floating(hx.dtype, "gru_cell", [&]<class T>() {
    const Activations<T> act;
    for_each_row(B, 4 * H, [&](int64_t b) {
      const T* xg = ptr<T>(input_gates) + b * 3 * H;
      const T* hg = ptr<T>(hidden_gates) + b * 3 * H;
      const T* h = ptr<T>(hx) + b * H;
      T* w = ptr<T>(workspace) + b * 4 * H;  // r, z, n, hn
      T* h_next = ptr<T>(hy) + b * H;
      for (int64_t j = 0; j < 2 * H; ++j) w[j] = xg[j] + hg[j];
      act.sigmoid(w, w, 2 * H);
      const T *r = w, *z = w + H;
      T *n = w + 2 * H, *hn = w + 3 * H;
      for (int64_t j = 0; j < H; ++j) {
        hn[j] = hg[2 * H + j];
        n[j] = xg[2 * H + j] + r[j] * hn[j];
      }
      act.tanh(n, n, H);
      for (int64_t j = 0; j < H; ++j) h_next[j] = n[j] + z[j] * (h[j] - n[j]);
    });
  });
}

void CpuBackend::gru_cell_backward(const View& grad_input_gates, const View& grad_hidden_gates, const View& grad_hx,
                                   const View& grad_hy, const View& workspace, const View& hx) {
  const int64_t H = hx.sizes[hx.ndim - 1], B = H > 0 ? hx.numel() / H : 0;
  dispatch_floating(hx.dtype, "gru_cell_backward", [&]<class T>() {
    for_each_row(B, 12 * H, [&](int64_t b) {
      const T* w = ptr<T>(workspace) + b * 4 * H;
      const T *r = w, *z = w + H, *n = w + 2 * H, *hn = w + 3 * H;
      const T* h = ptr<T>(hx) + b * H;
      const T* dh = ptr<T>(grad_hy) + b * H;
      T* dxg = ptr<T>(grad_input_gates) + b * 3 * H;
      T* dhg = ptr<T>(grad_hidden_gates) + b * 3 * H;
      T* dhx = ptr<T>(grad_hx) + b * H;
      for (int64_t j = 0; j < H; ++j) {
        const T dn = dh[j] * (T(1) - z[j]) * (T(1) - n[j] * n[j]);
        const T dz = dh[j] * (h[j] - n[j]) * z[j] * (T(1) - z[j]);
        const T dr = dn * hn[j] * r[j] * (T(1) - r[j]);
        dxg[j] = dhg[j] = dr;
        dxg[H + j] = dhg[H + j] = dz;
        dxg[2 * H + j] = dn;
        dhg[2 * H + j] = dn * r[j];
        dhx[j] = dh[j] * z[j];
      }
    });
  });
}

}  // namespace wick::cpu
