// 2-D convolution and its two backward passes: im2col / col2im kernels around cuBLAS GEMMs, in batches of
// images sized so the column buffer stays under kColumnBudget. NCHW, all views contiguous.
//   forward:         Y[n, g] = W_g @ cols(x[n, g])                    (cols: [Cg*KH*KW, OH*OW])
//   backward input:  cols = W_g^T @ gY[n, g], then col2im gathers them back onto the input positions
//   backward weight: gW_g = gY_g @ cols_g^T, with the batch folded into the GEMM's inner dimension
#include <algorithm>

#include "allocator.h"
#include "backend_impl.h"
#include "blas.h"
#include "common.cuh"

namespace wick::cuda {
namespace {

constexpr size_t kColumnBudget = size_t(256) << 20;

struct Geometry {
  int64_t N, C, H, W, OC, KH, KW, OH, OW, G;
  int64_t s0, s1, p0, p1, d0, d1;
  __host__ __device__ int64_t Cg() const { return C / G; }
  __host__ __device__ int64_t OCg() const { return OC / G; }
  __host__ __device__ int64_t K() const { return Cg() * KH * KW; }
  __host__ __device__ int64_t OHW() const { return OH * OW; }
  __host__ __device__ int64_t HW() const { return H * W; }
  bool pointwise() const {
    return KH == 1 && KW == 1 && s0 == 1 && s1 == 1 && p0 == 0 && p1 == 0 && OH == H && OW == W;
  }
};

Geometry geometry(const View& input, const View& weight, const View& out, const ConvParams& p) {
  return Geometry{input.sizes[0],  input.sizes[1], input.sizes[2], input.sizes[3], weight.sizes[0], weight.sizes[2],
                  weight.sizes[3], out.sizes[2],   out.sizes[3],   p.groups,       p.stride[0],     p.stride[1],
                  p.padding[0],    p.padding[1],   p.dilation[0],  p.dilation[1]};
}

// Where column (n, g, k, ohw) of a chunk lives: n * sn + g * sg + k * sk + ohw.
struct ColumnLayout {
  int64_t sn, sg, sk;
};

// cols[n, g, k, ohw] = x[n0 + n, g*Cg + c, oh*s0 - p0 + kh*d0, ow*s1 - p1 + kw*d1] (zero outside).
// Rows (n, g, k) go over grid.y, output positions over x, so a row's index math happens once per block.
template <class T>
__global__ void __launch_bounds__(kBlock)
    im2col_kernel(const T* x, T* cols, Geometry g, ColumnLayout lay, int64_t n0, int64_t nb) {
  const int64_t rows = nb * g.G * g.K(), ohw_total = g.OHW();
  for (int64_t row = blockIdx.y; row < rows; row += gridDim.y) {
    const int64_t k = row % g.K(), ng = row / g.K();
    const int64_t grp = ng % g.G, n = ng / g.G;
    const int64_t kw = k % g.KW, kh = (k / g.KW) % g.KH, c = k / (g.KW * g.KH);
    const T* xp = x + ((n0 + n) * g.C + grp * g.Cg() + c) * g.HW();
    T* cp = cols + n * lay.sn + grp * lay.sg + k * lay.sk;
    for (int64_t j = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; j < ohw_total;
         j += int64_t(gridDim.x) * blockDim.x) {
      const int64_t oh = j / g.OW, ow = j % g.OW;
      const int64_t ih = oh * g.s0 - g.p0 + kh * g.d0, iw = ow * g.s1 - g.p1 + kw * g.d1;
      cp[j] = (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? xp[ih * g.W + iw] : from_value<T>(0.0f);
    }
  }
}

// gx[n0 + n, c, ih, iw] = sum of the columns that read that input position (each input element sums its
// own contributions: deterministic, no atomics).
template <class T>
__global__ void __launch_bounds__(kBlock)
    col2im_kernel(const T* cols, T* gx, Geometry g, ColumnLayout lay, int64_t n0, int64_t nb) {
  using A = acc_t<T>;
  const int64_t total = nb * g.C * g.HW();
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t iw = i % g.W, ih = (i / g.W) % g.H, cf = (i / g.HW()) % g.C, n = i / (g.HW() * g.C);
    const int64_t grp = cf / g.Cg(), c = cf % g.Cg();
    const T* cp = cols + n * lay.sn + grp * lay.sg;
    A acc = 0;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const int64_t th = ih + g.p0 - kh * g.d0;
      if (th < 0 || th % g.s0 != 0) continue;
      const int64_t oh = th / g.s0;
      if (oh >= g.OH) continue;
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t tw = iw + g.p1 - kw * g.d1;
        if (tw < 0 || tw % g.s1 != 0) continue;
        const int64_t ow = tw / g.s1;
        if (ow >= g.OW) continue;
        const int64_t k = (c * g.KH + kh) * g.KW + kw;
        acc += to_acc(cp[k * lay.sk + oh * g.OW + ow]);
      }
    }
    gx[(n0 + n) * g.C * g.HW() + cf * g.HW() + ih * g.W + iw] = from_value<T>(acc);
  }
}

template <class T>
void im2col(const T* x, T* cols, const Geometry& g, const ColumnLayout& lay, int64_t n0, int64_t nb, cudaStream_t s) {
  const int64_t rows = nb * g.G * g.K();
  const dim3 grid(blocks_for(g.OHW(), kBlock), unsigned(std::min<int64_t>(rows, 65535)));
  im2col_kernel<T><<<grid, kBlock, 0, s>>>(x, cols, g, lay, n0, nb);
  check_launch("conv2d", "im2col_kernel");
}

// Images per chunk so that `per_image` elements each stay within the column budget.
int64_t chunk_images(const Geometry& g, int64_t per_image, int64_t esize) {
  const int64_t fit = int64_t(kColumnBudget) / std::max<int64_t>(1, per_image * esize);
  return std::clamp<int64_t>(fit, 1, g.N);
}

}  // namespace

void CudaBackend::conv2d(const View& out, const View& input, const View& weight, const View* bias,
                         const ConvParams& p) {
  const Geometry g = geometry(input, weight, out, p);
  const cudaStream_t stream = launch_stream(out.data);
  const int device = current_device();
  dispatch_floating(input.dtype, "conv2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = static_cast<const T*>(input.data);
    const T* w = static_cast<const T*>(weight.data);
    T* y = static_cast<T*>(out.data);
    const int64_t nb = g.pointwise() ? g.N : chunk_images(g, g.G * g.K() * g.OHW(), sizeof(T));
    ScratchBuffer cols(g.pointwise() ? 0 : size_t(nb * g.G * g.K() * g.OHW()) * sizeof(T), device);
    for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
      const int64_t m = std::min(nb, g.N - n0);
      const T* c = x + n0 * g.C * g.HW();
      ColumnLayout lay{g.C * g.HW(), g.Cg() * g.HW(), g.HW()};  // the input is its own column matrix
      if (!g.pointwise()) {
        lay = ColumnLayout{g.G * g.K() * g.OHW(), g.K() * g.OHW(), g.OHW()};
        im2col(x, cols.get<T>(), g, lay, n0, m, stream);
        c = cols.get<T>();
      }
      T* yc = y + n0 * g.OC * g.OHW();
      // Y[n, g] = W_g @ cols[n, g]: batched over images (one call per group), or over groups when those
      // outnumber the images (depthwise convolutions).
      if (g.G <= m) {
        for (int64_t grp = 0; grp < g.G; ++grp)
          gemm("conv2d", input.dtype, g.OCg(), g.OHW(), g.K(), GemmOperand{w + grp * g.OCg() * g.K(), false, g.K(), 0},
               GemmOperand{c + grp * lay.sg, false, g.OHW(), lay.sn}, yc + grp * g.OCg() * g.OHW(), g.OHW(),
               g.OC * g.OHW(), m, 1.0, 0.0);
      } else {
        for (int64_t n = 0; n < m; ++n)
          gemm("conv2d", input.dtype, g.OCg(), g.OHW(), g.K(), GemmOperand{w, false, g.K(), g.OCg() * g.K()},
               GemmOperand{c + n * lay.sn, false, g.OHW(), lay.sg}, yc + n * g.OC * g.OHW(), g.OHW(), g.OCg() * g.OHW(),
               g.G, 1.0, 0.0);
      }
    }
    if (bias) {
      const int64_t sizes[3] = {g.N, g.OC, g.OHW()}, ys[3] = {g.OC * g.OHW(), g.OHW(), 1}, bs[3] = {0, 1, 0};
      const View yv{out.data, out.dtype, 3, sizes, ys};
      binary(BinaryOp::Add, yv, yv, View{bias->data, bias->dtype, 3, sizes, bs});
    }
  });
}

void CudaBackend::conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                        const ConvParams& p) {
  const Geometry g = geometry(grad_input, weight, grad_out, p);
  const cudaStream_t stream = launch_stream(grad_input.data);
  const int device = current_device();
  dispatch_floating(grad_out.dtype, "conv2d_backward_input", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gy = static_cast<const T*>(grad_out.data);
    const T* w = static_cast<const T*>(weight.data);
    T* gx = static_cast<T*>(grad_input.data);
    const bool direct = g.pointwise();  // the columns are the input gradient itself
    const int64_t nb = direct ? g.N : chunk_images(g, g.G * g.K() * g.OHW(), sizeof(T));
    ScratchBuffer cols(direct ? 0 : size_t(nb * g.G * g.K() * g.OHW()) * sizeof(T), device);
    for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
      const int64_t m = std::min(nb, g.N - n0);
      const T* gyc = gy + n0 * g.OC * g.OHW();
      T* c = direct ? gx + n0 * g.C * g.HW() : cols.get<T>();
      const ColumnLayout lay = direct ? ColumnLayout{g.C * g.HW(), g.Cg() * g.HW(), g.HW()}
                                      : ColumnLayout{g.G * g.K() * g.OHW(), g.K() * g.OHW(), g.OHW()};
      // cols[n, g] = W_g^T @ gY[n, g]
      for (int64_t grp = 0; grp < g.G; ++grp)
        gemm("conv2d_backward_input", grad_out.dtype, g.K(), g.OHW(), g.OCg(),
             GemmOperand{w + grp * g.OCg() * g.K(), true, g.K(), 0},
             GemmOperand{gyc + grp * g.OCg() * g.OHW(), false, g.OHW(), g.OC * g.OHW()}, c + grp * lay.sg, g.OHW(),
             lay.sn, m, 1.0, 0.0);
      if (!direct) {
        col2im_kernel<T><<<blocks_for(m * g.C * g.HW(), kBlock), kBlock, 0, stream>>>(cols.get<T>(), gx, g, lay, n0, m);
        check_launch("conv2d_backward_input", "col2im_kernel");
      }
    }
  });
}

void CudaBackend::conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                         const View& input, const ConvParams& p) {
  const Geometry g = geometry(input, grad_weight, grad_out, p);
  const cudaStream_t stream = launch_stream(grad_weight.data);
  const int device = current_device();
  dispatch_floating(input.dtype, "conv2d_backward_weight", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gy = static_cast<const T*>(grad_out.data);
    const T* x = static_cast<const T*>(input.data);
    T* gw = static_cast<T*>(grad_weight.data);
    // Columns laid out [g][k][n][ohw] and gY permuted to [oc][n][ohw]: the images of a chunk become part of
    // the GEMM's inner dimension, so one call per chunk reduces over all of them.
    const int64_t nb = chunk_images(g, g.G * g.K() * g.OHW() + g.OC * g.OHW(), sizeof(T));
    ScratchBuffer cols(size_t(nb * g.G * g.K() * g.OHW()) * sizeof(T), device);
    ScratchBuffer gyt(size_t(nb * g.OC * g.OHW()) * sizeof(T), device);
    for (int64_t n0 = 0; n0 < g.N; n0 += nb) {
      const int64_t m = std::min(nb, g.N - n0);
      const int64_t L = m * g.OHW();
      const ColumnLayout lay{g.OHW(), g.K() * L, L};
      im2col(x, cols.get<T>(), g, lay, n0, m, stream);
      const int64_t sizes[3] = {m, g.OC, g.OHW()};
      const int64_t src_strides[3] = {g.OC * g.OHW(), g.OHW(), 1}, dst_strides[3] = {g.OHW(), L, 1};
      copy(View{gyt.get(), grad_out.dtype, 3, sizes, dst_strides},
           View{const_cast<T*>(gy + n0 * g.OC * g.OHW()), grad_out.dtype, 3, sizes, src_strides});
      // gW_g (+)= gYt_g [OCg, L] @ cols_g^T [L, K]
      gemm("conv2d_backward_weight", input.dtype, g.OCg(), g.K(), L, GemmOperand{gyt.get<T>(), false, L, g.OCg() * L},
           GemmOperand{cols.get<T>(), true, L, g.K() * L}, gw, g.K(), g.OCg() * g.K(), g.G, 1.0, n0 == 0 ? 0.0 : 1.0);
    }
    if (grad_bias) {
      const int64_t sizes[3] = {g.N, g.OC, g.OHW()}, ys[3] = {g.OC * g.OHW(), g.OHW(), 1}, bs[3] = {0, 1, 0};
      reduce(ReduceOp::Sum, View{grad_bias->data, grad_bias->dtype, 3, sizes, bs},
             View{grad_out.data, grad_out.dtype, 3, sizes, ys});
    }
  });
}

}  // namespace wick::cuda
