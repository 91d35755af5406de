// Options of the activation layers and of their functional forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "wick/arg.h"
#include "wick/dtype.h"

namespace wick::nn {

struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}
  WICK_ARG(bool, inplace);
};

struct LeakyReLUOptions {
  WICK_ARG(double, negative_slope) = 1e-2;
  WICK_ARG(bool, inplace) = false;
};

struct ELUOptions {
  WICK_ARG(double, alpha) = 1.0;
  WICK_ARG(bool, inplace) = false;
};

// Hardtanh: x clamped to [min_val, max_val]; ReLU6 is Hardtanh(0, 6).
struct HardtanhOptions {
  WICK_ARG(double, min_val) = -1.0;
  WICK_ARG(double, max_val) = 1.0;
  WICK_ARG(bool, inplace) = false;
};

struct ReLU6Options {
  ReLU6Options(bool inplace = false) : inplace_(inplace) {}
  WICK_ARG(bool, inplace);
};

struct GELUOptions {
  WICK_ARG(std::string, approximate) = "none";  // or "tanh"
};

struct SoftplusOptions {
  WICK_ARG(double, beta) = 1.0;
  WICK_ARG(double, threshold) = 20.0;
};

struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  WICK_ARG(int64_t, dim);
};

struct LogSoftmaxOptions {
  LogSoftmaxOptions(int64_t dim) : dim_(dim) {}
  WICK_ARG(int64_t, dim);
};

namespace functional {
using ReLUFuncOptions = ReLUOptions;
using LeakyReLUFuncOptions = LeakyReLUOptions;
using ELUFuncOptions = ELUOptions;
using HardtanhFuncOptions = HardtanhOptions;
using ReLU6FuncOptions = ReLU6Options;
using GELUFuncOptions = GELUOptions;
using SoftplusFuncOptions = SoftplusOptions;

struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}
  WICK_ARG(int64_t, dim);
  WICK_ARG(std::optional<ScalarType>, dtype) = std::nullopt;
};

struct LogSoftmaxFuncOptions {
  LogSoftmaxFuncOptions(int64_t dim) : dim_(dim) {}
  WICK_ARG(int64_t, dim);
  WICK_ARG(std::optional<ScalarType>, dtype) = std::nullopt;
};

struct GumbelSoftmaxFuncOptions {
  WICK_ARG(double, tau) = 1.0;
  WICK_ARG(bool, hard) = false;
  WICK_ARG(int64_t, dim) = -1;
};
}  // namespace functional

}  // namespace wick::nn
