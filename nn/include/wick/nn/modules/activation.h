// Activation layers: ReLU, ReLU6, LeakyReLU, ELU, Hardtanh, GELU, SiLU, Tanh, Sigmoid, Softplus, Softmax,
// LogSoftmax.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/activation.h"

namespace wick::nn {

#define WICK_ACTIVATION(Name, Options)                                     \
  class Name##Impl : public Cloneable<Name##Impl> {                        \
   public:                                                                 \
    explicit Name##Impl(const Options& options = {}) : options(options) {} \
    void pretty_print(std::ostream& stream) const override;                \
    Tensor forward(Tensor input);                                          \
    Options options;                                                       \
  };                                                                       \
  WICK_MODULE(Name)

WICK_ACTIVATION(ReLU, ReLUOptions);
WICK_ACTIVATION(ReLU6, ReLU6Options);
WICK_ACTIVATION(LeakyReLU, LeakyReLUOptions);
WICK_ACTIVATION(ELU, ELUOptions);
WICK_ACTIVATION(GELU, GELUOptions);
WICK_ACTIVATION(Softplus, SoftplusOptions);
#undef WICK_ACTIVATION

#define WICK_PLAIN_ACTIVATION(Name)                         \
  class Name##Impl : public Cloneable<Name##Impl> {         \
   public:                                                  \
    Name##Impl() = default;                                 \
    void pretty_print(std::ostream& stream) const override; \
    Tensor forward(const Tensor& input);                    \
  };                                                        \
  WICK_MODULE(Name)

WICK_PLAIN_ACTIVATION(SiLU);
WICK_PLAIN_ACTIVATION(Tanh);
WICK_PLAIN_ACTIVATION(Sigmoid);
#undef WICK_PLAIN_ACTIVATION

class HardtanhImpl : public Cloneable<HardtanhImpl> {
 public:
  // Throws unless max_val > min_val, as LibTorch's.
  explicit HardtanhImpl(const HardtanhOptions& options = {});
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);
  HardtanhOptions options;
};
WICK_MODULE(Hardtanh);

class SoftmaxImpl : public Cloneable<SoftmaxImpl> {
 public:
  explicit SoftmaxImpl(int64_t dim) : options(dim) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  SoftmaxOptions options;
};
WICK_MODULE(Softmax);

class LogSoftmaxImpl : public Cloneable<LogSoftmaxImpl> {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : options(dim) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  LogSoftmaxOptions options;
};
WICK_MODULE(LogSoftmax);

}  // namespace wick::nn
