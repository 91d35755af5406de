// One LSTM or GRU time step's gate arithmetic as one kernel, forward and backward (the contract and the
// workspace layouts are in fused_kernels.h; kernels/cpu/recurrent.cpp is the CPU's twin). Composed from
// elementwise ops, a step costs a dozen launches forward and two dozen backward, which is what a recurrent
// layer on the GPU is bound by at the sizes people train. One thread per (row, hidden unit); sigmoid and tanh
// are the unary ops' own definitions, and every value the workspace keeps is rounded to T as the CPU stores it.
#include "backend_impl.h"
#include "common.cuh"
#include "common/elementwise_math.h"

namespace wick::cuda {
namespace {

template <class A>
__device__ __forceinline__ A sigmoid_of(A x) {
  return kernels::float_unary<UnaryOp::Sigmoid, kernels::ScalarMath>(x, A(0), A(0));
}
template <class A>
__device__ __forceinline__ A tanh_of(A x) {
  return kernels::float_unary<UnaryOp::Tanh, kernels::ScalarMath>(x, A(0), A(0));
}
// v stored as T and read back: what the next use sees on the CPU, which keeps its workspace in T.
template <class T>
__device__ __forceinline__ acc_t<T> rounded(acc_t<T> v) {
  return to_acc(from_value<T>(v));
}

template <class T>
__global__ void __launch_bounds__(kBlock) lstm_cell_kernel(T* hy, T* cy, T* workspace, const T* input_gates,
                                                           const T* hidden_gates, const T* cx, int64_t B, int64_t H) {
  using A = acc_t<T>;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < B * H; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / H, j = t % H;
    const T* xg = input_gates + b * 4 * H + j;
    const T* hg = hidden_gates + b * 4 * H + j;
    T* w = workspace + b * 5 * H + j;  // i, f, g, o, tanh(cy)
    A gate[4];
    for (int k = 0; k < 4; ++k) {
      const A sum = rounded<T>(to_acc(xg[k * H]) + to_acc(hg[k * H]));
      gate[k] = rounded<T>(k == 2 ? tanh_of(sum) : sigmoid_of(sum));
      w[k * H] = from_value<T>(gate[k]);
    }
    const A c_next = rounded<T>(gate[1] * to_acc(cx[t]) + gate[0] * gate[2]);
    cy[t] = from_value<T>(c_next);
    const A tanh_c = rounded<T>(tanh_of(c_next));
    w[4 * H] = from_value<T>(tanh_c);
    hy[t] = from_value<T>(gate[3] * tanh_c);
  }
}

template <class T>
__global__ void __launch_bounds__(kBlock)
    lstm_cell_backward_kernel(T* grad_gates, T* grad_cx, const T* grad_hy, const T* grad_cy, const T* workspace,
                              const T* cx, int64_t B, int64_t H) {
  using A = acc_t<T>;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < B * H; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / H, j = t % H;
    const T* w = workspace + b * 5 * H + j;
    const A i = to_acc(w[0]), f = to_acc(w[H]), g = to_acc(w[2 * H]), o = to_acc(w[3 * H]), tanh_c = to_acc(w[4 * H]);
    const A dh = grad_hy ? to_acc(grad_hy[t]) : A(0);
    // Everything that reaches cy: its own gradient and hy's through o * tanh(cy).
    const A dc = (grad_cy ? to_acc(grad_cy[t]) : A(0)) + dh * o * (A(1) - tanh_c * tanh_c);
    T* dg = grad_gates + b * 4 * H + j;
    dg[0] = from_value<T>(dc * g * i * (A(1) - i));
    dg[H] = from_value<T>(dc * to_acc(cx[t]) * f * (A(1) - f));
    dg[2 * H] = from_value<T>(dc * i * (A(1) - g * g));
    dg[3 * H] = from_value<T>(dh * tanh_c * o * (A(1) - o));
    grad_cx[t] = from_value<T>(dc * f);
  }
}

template <class T>
__global__ void __launch_bounds__(kBlock) gru_cell_kernel(T* hy, T* workspace, const T* input_gates,
                                                          const T* hidden_gates, const T* hx, int64_t B, int64_t H) {
  using A = acc_t<T>;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < B * H; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / H, j = t % H;
    const T* xg = input_gates + b * 3 * H + j;
    const T* hg = hidden_gates + b * 3 * H + j;
    T* w = workspace + b * 4 * H + j;  // r, z, n, hn
    const A r = rounded<T>(sigmoid_of(rounded<T>(to_acc(xg[0]) + to_acc(hg[0]))));
    const A z = rounded<T>(sigmoid_of(rounded<T>(to_acc(xg[H]) + to_acc(hg[H]))));
    const A hn = to_acc(hg[2 * H]);
    const A n = rounded<T>(tanh_of(rounded<T>(to_acc(xg[2 * H]) + r * hn)));
    w[0] = from_value<T>(r);
    w[H] = from_value<T>(z);
    w[2 * H] = from_value<T>(n);
    w[3 * H] = hg[2 * H];
    hy[t] = from_value<T>(n + z * (to_acc(hx[t]) - n));
  }
}

template <class T>
__global__ void __launch_bounds__(kBlock)
    gru_cell_backward_kernel(T* grad_input_gates, T* grad_hidden_gates, T* grad_hx, const T* grad_hy,
                             const T* workspace, const T* hx, int64_t B, int64_t H) {
  using A = acc_t<T>;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < B * H; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / H, j = t % H;
    const T* w = workspace + b * 4 * H + j;
    const A r = to_acc(w[0]), z = to_acc(w[H]), n = to_acc(w[2 * H]), hn = to_acc(w[3 * H]);
    const A dh = to_acc(grad_hy[t]), h = to_acc(hx[t]);
    const A dn = dh * (A(1) - z) * (A(1) - n * n);
    const A dz = dh * (h - n) * z * (A(1) - z);
    const A dr = dn * hn * r * (A(1) - r);
    T* dx = grad_input_gates + b * 3 * H + j;
    T* dhg = grad_hidden_gates + b * 3 * H + j;
    dx[0] = dhg[0] = from_value<T>(dr);
    dx[H] = dhg[H] = from_value<T>(dz);
    dx[2 * H] = from_value<T>(dn);
    dhg[2 * H] = from_value<T>(dn * r);
    grad_hx[t] = from_value<T>(dh * z);
  }
}

template <class T>
T* ptr(const View& v) {
  return static_cast<T*>(v.data);
}
template <class T>
const T* ptr_or_null(const View* v) {
  return v ? static_cast<const T*>(v->data) : nullptr;
}

// The batch rows B and hidden size H of a step whose state (cx or hx) is [B, H] or [H].
struct Step {
  int64_t B, H;
};
Step step_of(const View& state) {
  const int64_t H = state.sizes[state.ndim - 1];
  return {H > 0 ? state.numel() / H : 0, H};
}

}  // namespace

void CudaBackend::lstm_cell(const View& hy, const View& cy, const View& workspace, const View& input_gates,
                            const View& hidden_gates, const View& cx) {
  const Step s = step_of(cx);
  const cudaStream_t stream = launch_stream(hy.data);
  dispatch_floating(cx.dtype, "lstm_cell", [&](auto tag) {
    using T = typename decltype(tag)::type;
    lstm_cell_kernel<T><<<blocks_for(s.B * s.H, kBlock), kBlock, 0, stream>>>(
        ptr<T>(hy), ptr<T>(cy), ptr<T>(workspace), ptr<T>(input_gates), ptr<T>(hidden_gates), ptr<T>(cx), s.B, s.H);
  });
  check_launch("lstm_cell", "lstm_cell_kernel");
}

void CudaBackend::lstm_cell_backward(const View& grad_gates, const View& grad_cx, const View* grad_hy,
                                     const View* grad_cy, const View& workspace, const View& cx) {
  const Step s = step_of(cx);
  const cudaStream_t stream = launch_stream(grad_gates.data);
  dispatch_floating(cx.dtype, "lstm_cell_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    lstm_cell_backward_kernel<T><<<blocks_for(s.B * s.H, kBlock), kBlock, 0, stream>>>(
        ptr<T>(grad_gates), ptr<T>(grad_cx), ptr_or_null<T>(grad_hy), ptr_or_null<T>(grad_cy), ptr<T>(workspace),
        ptr<T>(cx), s.B, s.H);
  });
  check_launch("lstm_cell_backward", "lstm_cell_backward_kernel");
}

void CudaBackend::gru_cell(const View& hy, const View& workspace, const View& input_gates, const View& hidden_gates,
                           const View& hx) {
  const Step s = step_of(hx);
  const cudaStream_t stream = launch_stream(hy.data);
  dispatch_floating(hx.dtype, "gru_cell", [&](auto tag) {
    using T = typename decltype(tag)::type;
    gru_cell_kernel<T><<<blocks_for(s.B * s.H, kBlock), kBlock, 0, stream>>>(
        ptr<T>(hy), ptr<T>(workspace), ptr<T>(input_gates), ptr<T>(hidden_gates), ptr<T>(hx), s.B, s.H);
  });
  check_launch("gru_cell", "gru_cell_kernel");
}

void CudaBackend::gru_cell_backward(const View& grad_input_gates, const View& grad_hidden_gates, const View& grad_hx,
                                    const View& grad_hy, const View& workspace, const View& hx) {
  const Step s = step_of(hx);
  const cudaStream_t stream = launch_stream(grad_hx.data);
  dispatch_floating(hx.dtype, "gru_cell_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    gru_cell_backward_kernel<T><<<blocks_for(s.B * s.H, kBlock), kBlock, 0, stream>>>(
        ptr<T>(grad_input_gates), ptr<T>(grad_hidden_gates), ptr<T>(grad_hx), ptr<T>(grad_hy), ptr<T>(workspace),
        ptr<T>(hx), s.B, s.H);
  });
  check_launch("gru_cell_backward", "gru_cell_backward_kernel");
}

}  // namespace wick::cuda
