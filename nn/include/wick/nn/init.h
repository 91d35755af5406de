// Parameter initialisation, as torch::nn::init. Each function fills its tensor in place (without recording)
// and returns it. Gains and fans follow PyTorch's calculate_gain and _calculate_fan_in_and_fan_out.
#pragma once

#include <cstdint>
#include <tuple>

#include "wick/nn/enum.h"
#include "wick/tensor.h"

namespace wick::nn::init {

using NonlinearityType =
    Choice<enumtype::kLinear, enumtype::kConv1D, enumtype::kConv2D, enumtype::kConv3D, enumtype::kConvTranspose1D,
           enumtype::kConvTranspose2D, enumtype::kConvTranspose3D, enumtype::kSigmoid, enumtype::kTanh,
           enumtype::kReLU, enumtype::kLeakyReLU>;
using FanModeType = Choice<enumtype::kFanIn, enumtype::kFanOut>;

double calculate_gain(NonlinearityType nonlinearity, double param = 0.01);
// {fan_in, fan_out} of a weight of at least 2 dims: [out, in, receptive...].
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
Tensor constant_(Tensor tensor, Scalar value);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);
Tensor eye_(Tensor matrix);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanModeType mode = kFanIn,
                        NonlinearityType nonlinearity = kLeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanModeType mode = kFanIn,
                       NonlinearityType nonlinearity = kLeakyReLU);
// A (semi-)orthogonal matrix from the QR decomposition of a normal sample, scaled by gain.
Tensor orthogonal_(Tensor tensor, double gain = 1.0);

}  // namespace wick::nn::init
