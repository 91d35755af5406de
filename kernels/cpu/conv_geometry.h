// The shape of one 2-D convolution, as both CPU engines (conv.cpp's im2col + GEMM, conv_onednn.cpp's
// primitives) read it from the backend's views.
#pragma once

#include <cstdint>

#include "backend.h"

namespace wick::cpu {

// input [N, C, H, W], weight [OC, C/G, KH, KW], output [N, OC, OH, OW]; a 3-D convolution (oneDNN's only) adds
// the depth dim: input [N, C, D, H, W], weight [OC, C/G, KD, KH, KW], output [N, OC, OD, OH, OW].
struct Geometry {
  int64_t N, C, H, W, OC, KH, KW, OH, OW, G;
  int64_t s0, s1, p0, p1, d0, d1;
  bool volumetric = false;
  int64_t D = 1, KD = 1, OD = 1, sd = 1, pd = 0, dd = 1;
  int64_t Cg() const { return C / G; }
  int64_t OCg() const { return OC / G; }
  int64_t K() const { return Cg() * KH * KW; }  // rows of one group's column matrix
  int64_t OHW() const { return OH * OW; }
  int64_t HW() const { return H * W; }
  // 1x1, stride 1, no padding: the input already is its own column matrix.
  bool pointwise() const {
    return KH == 1 && KW == 1 && s0 == 1 && s1 == 1 && p0 == 0 && p1 == 0 && OH == H && OW == W;
  }
};

inline Geometry geometry(const View& input, const View& weight, const View& out, const ConvParams& p) {
  return Geometry{input.sizes[0],  input.sizes[1], input.sizes[2], input.sizes[3], weight.sizes[0], weight.sizes[2],
                  weight.sizes[3], out.sizes[2],   out.sizes[3],   p.groups,       p.stride[0],     p.stride[1],
                  p.padding[0],    p.padding[1],   p.dilation[0],  p.dilation[1]};
}

// From NCDHW views.
inline Geometry geometry3d(const View& input, const View& weight, const View& out, const ConvParams& p) {
  Geometry g{input.sizes[0],  input.sizes[1], input.sizes[3], input.sizes[4], weight.sizes[0], weight.sizes[3],
             weight.sizes[4], out.sizes[3],   out.sizes[4],   p.groups,       p.stride[0],     p.stride[1],
             p.padding[0],    p.padding[1],   p.dilation[0],  p.dilation[1]};
  g.volumetric = true;
  g.D = input.sizes[2];
  g.KD = weight.sizes[2];
  g.OD = out.sizes[2];
  g.sd = p.depth_stride;
  g.pd = p.depth_padding;
  g.dd = p.depth_dilation;
  return g;
}

}  // namespace wick::cpu
