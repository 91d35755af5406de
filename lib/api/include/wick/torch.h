// The porting umbrella: what <torch/torch.h> gives a LibTorch program, so that a port is `torch::` -> `wick::`,
// `<torch/` -> `<wick/` and `TORCH_MODULE` -> `WICK_MODULE`. It is <wick/wick.h> plus LibTorch's names that are
// not wick's own: the at:: and c10:: namespaces, TORCH_CHECK and its siblings, torch::optional, and the standard
// headers LibTorch's umbrella includes on its way (ported programs use std::isnan or std::map without including
// them). New code should include <wick/wick.h>. README's porting section lists what still differs.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iomanip>
#include <iostream>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "wick/wick.h"

namespace wick {
using std::nullopt;
using std::optional;  // torch::optional, c10::optional
namespace autograd {
using tensor_list = std::vector<Tensor>;
using variable_list = std::vector<Tensor>;
}  // namespace autograd
namespace detail {
// TORCH_CHECK's message: the parts given, or LibTorch's wording for the bare condition.
template <class... Parts>
[[noreturn]] void torch_check_failed(const char* condition, const char* file, int line, const Parts&... parts) {
  if constexpr (sizeof...(Parts) == 0)
    throw_error(cat("Expected ", condition, " to be true, but got false. (", file, ":", line, ")"));
  else
    throw_error(cat(parts...));
}
template <class... Parts>
void torch_warn(const char* file, int line, const Parts&... parts) {
  std::cerr << "Warning: " << cat(parts...) << " (" << file << ":" << line << ")\n";
}
}  // namespace detail
}  // namespace wick

// ATen's and c10's names for the same library: at::Tensor, at::kFloat, at::indexing::Slice, c10::optional.
namespace at = wick;
namespace c10 = wick;

// LibTorch's checks: a failure throws wick::Error (LibTorch throws c10::Error; both are std::exceptions).
#define TORCH_CHECK(cond, ...)                                                                 \
  do {                                                                                         \
    if (!(cond)) ::wick::detail::torch_check_failed(#cond, __FILE__, __LINE__, ##__VA_ARGS__); \
  } while (0)
#define TORCH_INTERNAL_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define AT_ASSERT(cond, ...) TORCH_CHECK(cond, ##__VA_ARGS__)
#define TORCH_WARN(...) ::wick::detail::torch_warn(__FILE__, __LINE__, __VA_ARGS__)
