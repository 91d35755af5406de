// Options of Dropout/Dropout2d and functional::dropout/dropout2d.
#pragma once

#include "wick/arg.h"

namespace wick::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  WICK_ARG(double, p) = 0.5;
  WICK_ARG(bool, inplace) = false;
};
using Dropout2dOptions = DropoutOptions;

namespace functional {
struct DropoutFuncOptions {
  WICK_ARG(double, p) = 0.5;
  WICK_ARG(bool, training) = true;
  WICK_ARG(bool, inplace) = false;
};
using Dropout2dFuncOptions = DropoutFuncOptions;
}  // namespace functional

}  // namespace wick::nn
