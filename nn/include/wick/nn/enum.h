// The named choices of nn options, spelled as LibTorch's torch::kMean, torch::kSame, torch::kReLU, ...:
// each is a tag type in wick::enumtype and a constant in wick. Option fields that take one of several
// tags store a small Choice (instead of std::variant, to keep headers light).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

namespace wick {

namespace enumtype {
#define WICK_ENUM_TAGS(X)                                                                                           \
  X(None, "none") X(Mean, "mean") X(Sum, "sum") X(BatchMean, "batchmean") X(Zeros, "zeros") X(Reflect, "reflect")   \
  X(Replicate, "replicate") X(Circular, "circular") X(Same, "same") X(Valid, "valid") X(Nearest, "nearest")         \
  X(Linear, "linear") X(Bilinear, "bilinear") X(Trilinear, "trilinear") X(FanIn, "fan_in") X(FanOut, "fan_out") X(ReLU, "relu")               \
  X(LeakyReLU, "leaky_relu") X(Tanh, "tanh") X(Sigmoid, "sigmoid") X(Conv1D, "conv1d") X(Conv2D, "conv2d")          \
  X(Conv3D, "conv3d") X(ConvTranspose1D, "conv_transpose1d") X(ConvTranspose2D, "conv_transpose2d")                \
  X(ConvTranspose3D, "conv_transpose3d") X(GELU, "gelu") X(SiLU, "silu") X(Constant, "constant")

enum class Tag : uint8_t {
#define WICK_ENUM_VALUE(name, text) name,
  WICK_ENUM_TAGS(WICK_ENUM_VALUE)
#undef WICK_ENUM_VALUE
};

#define WICK_ENUM_TYPE(name, text) \
  struct k##name {                 \
    static constexpr Tag tag = Tag::name; \
  };
WICK_ENUM_TAGS(WICK_ENUM_TYPE)
#undef WICK_ENUM_TYPE

const char* name_of(Tag tag);  // "mean", "same", ...
}  // namespace enumtype

#define WICK_ENUM_CONSTANT(name, text) inline constexpr enumtype::k##name k##name{};
WICK_ENUM_TAGS(WICK_ENUM_CONSTANT)
#undef WICK_ENUM_CONSTANT

// One of a fixed set of tags: Choice<enumtype::kNone, enumtype::kMean, enumtype::kSum> takes exactly those.
template <class... Allowed>
class Choice {
 public:
  template <class T, std::enable_if_t<(std::is_same_v<T, Allowed> || ...), int> = 0>
  constexpr Choice(T) : tag_(T::tag) {}
  template <class T>
  bool is() const {
    return tag_ == T::tag;
  }
  enumtype::Tag tag() const { return tag_; }
  const char* name() const { return enumtype::name_of(tag_); }
  bool operator==(const Choice& o) const { return tag_ == o.tag_; }

 private:
  enumtype::Tag tag_;
};

// ATen's integer reductions, for the top-level loss functions: wick::mse_loss(x, y, wick::Reduction::Sum).
namespace Reduction {
enum Reduction { None, Mean, Sum, END };
}  // namespace Reduction

// How a loss reduces over elements. Takes the tags (kNone, kMean, kSum) or the ATen integers.
class LossReduction {
 public:
  constexpr LossReduction(enumtype::kNone) : tag_(enumtype::Tag::None) {}
  constexpr LossReduction(enumtype::kMean) : tag_(enumtype::Tag::Mean) {}
  constexpr LossReduction(enumtype::kSum) : tag_(enumtype::Tag::Sum) {}
  LossReduction(Reduction::Reduction r)
      : tag_(r == Reduction::None ? enumtype::Tag::None : r == Reduction::Sum ? enumtype::Tag::Sum
                                                                             : enumtype::Tag::Mean) {}
  template <class T>
  bool is() const {
    return tag_ == T::tag;
  }
  enumtype::Tag tag() const { return tag_; }
  const char* name() const { return enumtype::name_of(tag_); }

 private:
  enumtype::Tag tag_;
};

}  // namespace wick
