// The packed GEMM behind SimdTable::gemm: the matmul fallback when oneDNN is off, for float64, and for tiny
// shapes, written once against xsimd::batch<T, Arch>.
#pragma once

#include <cstdlib>

#include "simd/simd_arch.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

// A growable 64-byte aligned scratch buffer, one per thread and element type.
template <class T>
struct Scratch {
  T* data = nullptr;
  size_t capacity = 0;
  T* get(size_t n) {
    if (n > capacity) {
      std::free(data);
      capacity = (n * sizeof(T) + 63) / 64 * 64 / sizeof(T);
      data = static_cast<T*>(std::aligned_alloc(64, capacity * sizeof(T)));
    }
    return data;
  }
  ~Scratch() { std::free(data); }
};

// ---- matrix multiply (the fallback when oneDNN is off, float64, and tiny shapes) --------------------
// Goto-style: B is packed into panels of NR columns, A into panels of MR rows, and an MR x NR block of C
// stays in registers across the K loop.
//
// kOrdered (SimdTable::ordered_gemm, deterministic numerics mode): an order that depends only on B's layout, so
// that every vector width gives the scalar loops' bits (simd_scalar.cpp). B stored transposed (b_rs == 1, b_cs != 1:
// a Linear layer's weight): each element is ordered_dot's 16-lane dot product. Otherwise: C's start (0, or C when
// accumulating) plus a[i, k] * b[k, j] for k = 0, 1, ... in order, each a fused multiply-add; the lanes run over j,
// never over k, and the accumulators of a K block start from C's running value instead of being added to it. Both
// fuse every multiply-add (fused_multiply_add: one rounding on every kernel set, the instruction where there is one):
// half the instructions of a multiply then an add.
template <class T, bool kOrdered = false>
struct GemmKernel {
  static constexpr int64_t W = Vec<T>::size;
  static constexpr int64_t MR = 6, NR = 2 * W;
  static constexpr int64_t KC = 256, MC = 96, NC = 2048;

  static Vec<T> multiply_add(const Vec<T>& a, const Vec<T>& b, const Vec<T>& acc) {
    if constexpr (kOrdered)
      return fused_multiply_add(a, b, acc);
    else
      return fast_multiply_add(a, b, acc);
  }

  // C[0, mr) x [0, nr) = A's packed panel pa times kc rows of V * W columns of B, row k at pb + k * ldb (nr <= V * W).
  // V = 1 serves a panel of at most W columns (a classifier's 10 outputs) at half the arithmetic of V = 2.
  template <int V>
  static void micro(int64_t kc, const T* pa, const T* pb, int64_t ldb, T* c, int64_t c_rs, int64_t mr, int64_t nr,
                    bool accumulate) {
    constexpr int64_t N = V * W;
    Vec<T> acc[MR][V];
    const bool full = mr == MR && nr == N;
    if (kOrdered && accumulate) {  // continue C's running sums
      alignas(64) T tmp[MR * N] = {};
      for (int64_t r = 0; r < mr; ++r)
        for (int64_t j = 0; j < nr; ++j) tmp[r * N + j] = c[r * c_rs + j];
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < V; ++v)
          acc[r][v] = full ? Vec<T>::load_unaligned(c + r * c_rs + v * W) : Vec<T>::load_aligned(tmp + r * N + v * W);
    } else {
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < V; ++v) acc[r][v] = Vec<T>(T(0));
    }
    for (int64_t k = 0; k < kc; ++k) {
      Vec<T> b[V];
      for (int v = 0; v < V; ++v) b[v] = Vec<T>::load_unaligned(pb + k * ldb + v * W);
      for (int r = 0; r < MR; ++r) {
        const Vec<T> a(pa[k * MR + r]);
        for (int v = 0; v < V; ++v) acc[r][v] = multiply_add(a, b[v], acc[r][v]);
      }
    }
    if (kOrdered) accumulate = false;  // C's values are in the sums already
    if (full) {
      for (int r = 0; r < MR; ++r) {
        T* row = c + r * c_rs;
        for (int v = 0; v < V; ++v) {
          if (accumulate) acc[r][v] += Vec<T>::load_unaligned(row + v * W);
          acc[r][v].store_unaligned(row + v * W);
        }
      }
      return;
    }
    alignas(64) T tmp[MR * N];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < V; ++v) acc[r][v].store_aligned(tmp + r * N + v * W);
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t j = 0; j < nr; ++j) c[r * c_rs + j] = accumulate ? c[r * c_rs + j] + tmp[r * N + j] : tmp[r * N + j];
  }

  // A few rows (batch-1 inference, policy networks): packing would cost more than the arithmetic, so
  // each output row is either a sum of scaled B rows (B row-major) or a set of dot products (B^T row-major,
  // i.e. a Linear layer's weight).
  static bool small_m(int64_t M, int64_t N, int64_t K, const T* A, int64_t a_rs, int64_t a_cs, const T* B, int64_t b_rs,
                      int64_t b_cs, T* C, int64_t c_rs, bool accumulate) {
    if (M > 4 || (b_cs != 1 && b_rs != 1) || (kOrdered && b_cs != 1)) return false;
    for (int64_t i = 0; i < M; ++i) {
      const T* a = A + i * a_rs;
      T* c = C + i * c_rs;
      if (b_cs == 1) {
        int64_t j = 0;
        for (; j + W <= N; j += W) {
          Vec<T> acc = accumulate ? Vec<T>::load_unaligned(c + j) : Vec<T>(T(0));
          for (int64_t k = 0; k < K; ++k)
            acc = multiply_add(Vec<T>(a[k * a_cs]), Vec<T>::load_unaligned(B + k * b_rs + j), acc);
          acc.store_unaligned(c + j);
        }
        for (; j < N; ++j) {
          T acc = accumulate ? c[j] : T(0);
          for (int64_t k = 0; k < K; ++k)
            acc =
                kOrdered ? fused_multiply_add(a[k * a_cs], B[k * b_rs + j], acc) : acc + a[k * a_cs] * B[k * b_rs + j];
          c[j] = acc;
        }
      } else {
        int64_t j = 0;
        if (a_cs == 1 && K >= W) {
          // Four dot products at once: four independent FMA chains hide the FMA latency, and a shuffle-tree
          // horizontal add replaces summing the lanes one by one.
          for (; j + 4 <= N; j += 4) {
            const T* c0 = B + j * b_cs;
            const T* c1 = c0 + b_cs;
            const T* c2 = c1 + b_cs;
            const T* c3 = c2 + b_cs;
            Vec<T> v0(T(0)), v1(T(0)), v2(T(0)), v3(T(0));
            int64_t k = 0;
            for (; k + W <= K; k += W) {
              const Vec<T> x = Vec<T>::load_unaligned(a + k);
              v0 = fast_multiply_add(x, Vec<T>::load_unaligned(c0 + k), v0);
              v1 = fast_multiply_add(x, Vec<T>::load_unaligned(c1 + k), v1);
              v2 = fast_multiply_add(x, Vec<T>::load_unaligned(c2 + k), v2);
              v3 = fast_multiply_add(x, Vec<T>::load_unaligned(c3 + k), v3);
            }
            T s0 = xsimd::hadd(v0), s1 = xsimd::hadd(v1), s2 = xsimd::hadd(v2), s3 = xsimd::hadd(v3);
            for (; k < K; ++k) {
              s0 += a[k] * c0[k];
              s1 += a[k] * c1[k];
              s2 += a[k] * c2[k];
              s3 += a[k] * c3[k];
            }
            c[j] = (accumulate ? c[j] : T(0)) + s0;
            c[j + 1] = (accumulate ? c[j + 1] : T(0)) + s1;
            c[j + 2] = (accumulate ? c[j + 2] : T(0)) + s2;
            c[j + 3] = (accumulate ? c[j + 3] : T(0)) + s3;
          }
        }
        for (; j < N; ++j) {
          const T* col = B + j * b_cs;  // contiguous over k
          T acc = accumulate ? c[j] : T(0);
          int64_t k = 0;
          if (a_cs == 1 && K >= W) {
            Vec<T> v(T(0));
            for (; k + W <= K; k += W)
              v = fast_multiply_add(Vec<T>::load_unaligned(a + k), Vec<T>::load_unaligned(col + k), v);
            alignas(64) T lanes[W];
            v.store_aligned(lanes);
            for (int64_t l = 0; l < W; ++l) acc += lanes[l];
          }
          for (; k < K; ++k) acc += a[k * a_cs] * col[k];
          c[j] = acc;
        }
      }
    }
    return true;
  }

  // The canonical dot product (kOrdered, B stored transposed): 16 partial sums, lane l adding a[k] b[k] for k = l,
  // l + 16, ... in order by fused multiply-adds (a last partial block padded with zeros), then combined pairwise:
  // lane l adds lane l + 8, then l + 4, l + 2, l + 1. Each vector width holds the same 16 lanes (simd_scalar.cpp's
  // ordered_dot is the loop).
  //
  // The I x J dot products of a[0..I) with b[0..J) at once: independent chains hide the multiply-adds' latency
  // (I x J x R of them), and each load of a or b is shared by J or I of them. Each output's chain is the one above,
  // however many run beside it.
  template <int I, int J>
  static void ordered_dots_of(const T* const* a, const T* const* b, int64_t K, T (*out)[J]) {
    constexpr int64_t L = 16, R = L / W;
    Vec<T> acc[I][J][R];
    for (int i = 0; i < I; ++i)
      for (int c = 0; c < J; ++c)
        for (int64_t r = 0; r < R; ++r) acc[i][c][r] = Vec<T>(T(0));
    // One block of L products per chain; `load` reads vector r of a block.
    auto add_block = [&](int64_t k, auto&& load) {
      for (int64_t r = 0; r < R; ++r) {
        Vec<T> x[I];
        for (int i = 0; i < I; ++i) x[i] = load(a[i] + k + r * W, r);
        for (int c = 0; c < J; ++c) {
          const Vec<T> y = load(b[c] + k + r * W, r);
          for (int i = 0; i < I; ++i) acc[i][c][r] = fused_multiply_add(x[i], y, acc[i][c][r]);
        }
      }
    };
    int64_t k = 0;
    for (; k + L <= K; k += L) add_block(k, [](const T* p, int64_t) { return Vec<T>::load_unaligned(p); });
    if (k < K)  // the last partial block, padded with zeros
      add_block(k, [left = K - k](const T* p, int64_t r) { return load_leading(p, left - r * W); });
    alignas(64) T lanes[L];
    for (int i = 0; i < I; ++i)
      for (int c = 0; c < J; ++c) {
        for (int64_t r = 0; r < R; ++r) acc[i][c][r].store_aligned(lanes + r * W);
        // Lane l adds lane l + 8, then l + 4, l + 2, l + 1: loops of constant length, which the compiler turns
        // into vector adds of halves (the same sums, in the same order).
        for (int l = 0; l < 8; ++l) lanes[l] = lanes[l] + lanes[l + 8];
        for (int l = 0; l < 4; ++l) lanes[l] = lanes[l] + lanes[l + 4];
        for (int l = 0; l < 2; ++l) lanes[l] = lanes[l] + lanes[l + 2];
        out[i][c] = lanes[0] + lanes[1];
      }
  }

  // C = A B with B stored transposed (a Linear layer's weight), every element a canonical dot product. Threads split
  // blocks of rows; each B row is reused across a block while it sits in L1.
  static void ordered_dots(int64_t M, int64_t N, int64_t K, const T* A, int64_t a_rs, int64_t a_cs, const T* B,
                           int64_t b_cs, T* C, int64_t c_rs, bool accumulate) {
    constexpr int64_t kRows = 16;
    const int64_t blocks = (M + kRows - 1) / kRows;
    parallel_for(0, blocks, imax(1, 65536 / imax(1, kRows * N * K)), [&](int64_t b0, int64_t b1) {
      thread_local Scratch<T> rows;
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t i0 = blk * kRows, i1 = imin(M, i0 + kRows);
        // The block's rows of A, contiguous.
        const T* a = A + i0 * a_rs;
        int64_t lda = a_rs;
        if (a_cs != 1) {
          T* packed = rows.get(size_t(kRows * K));
          for (int64_t i = i0; i < i1; ++i)
            for (int64_t k = 0; k < K; ++k) packed[(i - i0) * K + k] = A[i * a_rs + k * a_cs];
          a = packed;
          lda = K;
        }
        auto store = [&](int64_t i, int64_t j, T d) {
          T& c = C[i * c_rs + j];
          c = accumulate ? c + d : d;
        };
        // Four rows at a time where a dot product is one vector (AVX-512's 32 registers): sixteen chains in flight,
        // each load of b serving four. Narrower sets already run 8 or 16 chains for one row, and AVX2's 16
        // registers spill with two (2.96x the fast path's time on the 784-512-512-10 MLP, against 2.44 with one).
        constexpr int kRowsAtOnce = W == 16 ? 4 : 1;
        const T* rows_of[kRowsAtOnce];
        int64_t j = 0;
        for (; j + 4 <= N; j += 4) {
          const T* cols[4] = {B + j * b_cs, B + (j + 1) * b_cs, B + (j + 2) * b_cs, B + (j + 3) * b_cs};
          int64_t i = i0;
          for (; i + kRowsAtOnce <= i1; i += kRowsAtOnce) {
            T d[kRowsAtOnce][4];
            for (int r = 0; r < kRowsAtOnce; ++r) rows_of[r] = a + (i + r - i0) * lda;
            ordered_dots_of<kRowsAtOnce, 4>(rows_of, cols, K, d);
            for (int r = 0; r < kRowsAtOnce; ++r)
              for (int c = 0; c < 4; ++c) store(i + r, j + c, d[r][c]);
          }
          for (; i < i1; ++i) {
            T d[1][4];
            const T* row = a + (i - i0) * lda;
            ordered_dots_of<1, 4>(&row, cols, K, d);
            for (int c = 0; c < 4; ++c) store(i, j + c, d[0][c]);
          }
        }
        for (; j < N; ++j) {
          const T* col = B + j * b_cs;
          for (int64_t i = i0; i < i1; ++i) {
            T d[1][1];
            const T* row = a + (i - i0) * lda;
            ordered_dots_of<1, 1>(&row, &col, K, d);
            store(i, j, d[0][0]);
          }
        }
      }
    });
  }

  // Rows [0, kc) of B's columns [0, nr) into a panel (row k at dst + k * NR, zero-padded to NR columns). B stored
  // transposed (a Linear layer's weight, b_rs == 1) is read as W x W blocks, contiguous along k, and transposed in
  // registers: element by element, its strided reads and writes took a sixth of a 64x784 by 784x256 product.
  static void pack_b_panel(const T* B, int64_t b_rs, int64_t b_cs, int64_t kc, int64_t nr, T* dst) {
    int64_t k = 0;
    if (b_rs == 1 && nr == NR) {
      for (; k + W <= kc; k += W) {
        for (int64_t j0 = 0; j0 < NR; j0 += W) {
          Vec<T> block[W];
          for (int64_t j = 0; j < W; ++j) block[j] = Vec<T>::load_unaligned(B + (j0 + j) * b_cs + k);
          transpose(block);
          for (int64_t i = 0; i < W; ++i) block[i].store_unaligned(dst + (k + i) * NR + j0);
        }
      }
    }
    for (; k < kc; ++k) {
      const T* src = B + k * b_rs;
      int64_t j = 0;
      for (; j < nr; ++j) dst[k * NR + j] = src[j * b_cs];
      for (; j < NR; ++j) dst[k * NR + j] = T(0);
    }
  }

  static void run(int64_t M, int64_t N, int64_t K, const void* vA, int64_t a_rs, int64_t a_cs, const void* vB,
                  int64_t b_rs, int64_t b_cs, void* vC, int64_t c_rs, bool accumulate) {
    const T* A = static_cast<const T*>(vA);
    const T* B = static_cast<const T*>(vB);
    T* C = static_cast<T*>(vC);
    if constexpr (kOrdered) {
      if (b_rs == 1 && b_cs != 1) return ordered_dots(M, N, K, A, a_rs, a_cs, B, b_cs, C, c_rs, accumulate);
    }
    if (small_m(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate)) return;
    if (K == 0) {
      if (!accumulate)
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j) C[i * c_rs + j] = T(0);
      return;
    }
    // A row-major B whose panels serve few of A's (a convolution's 8 or 16 output channels: 2 or 3) is read where it
    // lies, its full panels unpacked: packing copies B, which pays only when each panel is reused many times.
    const bool b_in_place = b_cs == 1 && M <= 4 * MR;
    thread_local Scratch<T> b_scratch;
    T* const packed_b = b_scratch.get(size_t(KC * (NC + NR)));
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = imin(NC, N - jc);
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = imin(KC, K - pc);
        const bool acc = accumulate || pc > 0;
        // pack B[pc:pc+kc, jc:jc+nc] as panels of NR columns, zero-padded; a panel read in place is left
        for (int64_t jr = 0; jr < nc; jr += NR) {
          T* dst = packed_b + jr * kc;
          const int64_t nr = imin(NR, nc - jr);
          if (b_in_place && nr == NR) continue;
          pack_b_panel(B + pc * b_rs + (jc + jr) * b_cs, b_rs, b_cs, kc, nr, dst);
        }
        const T* pb_all = packed_b;
        const int64_t m_blocks = (M + MC - 1) / MC;
        // Threads split rows of C; each packs its own A block.
        const int64_t grain = imax(1, 32768 / imax(1, kc * nc / MC));
        parallel_for(0, m_blocks, grain, [&](int64_t b0, int64_t b1) {
          thread_local Scratch<T> a_scratch;
          T* const packed_a = a_scratch.get(size_t(MC * KC + MR * KC));
          for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t ic = blk * MC, mc = imin(MC, M - ic);
            for (int64_t ir = 0; ir < mc; ir += MR) {
              T* dst = packed_a + ir * kc;
              const int64_t mr = imin(MR, mc - ir);
              for (int64_t k = 0; k < kc; ++k) {
                const T* src = A + (ic + ir) * a_rs + (pc + k) * a_cs;
                int64_t r = 0;
                for (; r < mr; ++r) dst[k * MR + r] = src[r * a_rs];
                for (; r < MR; ++r) dst[k * MR + r] = T(0);
              }
            }
            for (int64_t jr = 0; jr < nc; jr += NR) {
              for (int64_t ir = 0; ir < mc; ir += MR) {
                const int64_t nr = imin(NR, nc - jr);
                const bool in_place = b_in_place && nr == NR;
                const T* pb = in_place ? B + pc * b_rs + jc + jr : pb_all + jr * kc;
                T* c = C + (ic + ir) * c_rs + jc + jr;
                if (nr <= W)
                  micro<1>(kc, packed_a + ir * kc, pb, in_place ? b_rs : NR, c, c_rs, imin(MR, mc - ir), nr, acc);
                else
                  micro<2>(kc, packed_a + ir * kc, pb, in_place ? b_rs : NR, c, c_rs, imin(MR, mc - ir), nr, acc);
              }
            }
          }
        });
      }
    }
  }
};

template <class T, bool kOrdered>
void gemm_entry(int64_t M, int64_t N, int64_t K, const void* A, int64_t a_rs, int64_t a_cs, const void* B, int64_t b_rs,
                int64_t b_cs, void* C, int64_t c_rs, bool accumulate) {
  GemmKernel<T, kOrdered>::run(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate);
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
