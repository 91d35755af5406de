// Tensor printing, character for character as PyTorch's repr() (torch/_tensor_str.py): one formatter
// picks int/fixed/scientific notation and a common width from the values shown, then rows nest with
// PyTorch's indents, line wrapping and "..." elision.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/tensor.h"

namespace wick {

namespace {

// Atomics so that a set_printoptions on one thread never tears a print on another.
std::atomic<int> g_precision{4}, g_threshold{1000}, g_edgeitems{3}, g_linewidth{80};

// Reads elements of a host tensor through its strides, whatever the dtype, without copying it.
class ElementReader {
 public:
  explicit ElementReader(const Tensor& t)
      : base_(static_cast<const char*>(t.data_ptr())),
        dtype_(t.dtype()),
        elem_(t.element_size()),
        strides_(t.strides().begin(), t.strides().end()) {}

  int64_t stride(size_t d) const { return strides_[d]; }
  bool floating() const { return is_floating_point(dtype_); }
  bool boolean() const { return dtype_ == kBool; }

  double real(int64_t offset) const {
    const char* p = base_ + offset * elem_;
    switch (dtype_) {
      case kHalf: return double(float(load<Half>(p)));
      case kBFloat16: return double(float(load<BFloat16>(p)));
      case kFloat: return double(load<float>(p));
      case kDouble: return load<double>(p);
      default: return double(integer(offset));
    }
  }
  int64_t integer(int64_t offset) const {
    const char* p = base_ + offset * elem_;
    switch (dtype_) {
      case kBool: return load<uint8_t>(p) != 0;
      case kUInt8: return load<uint8_t>(p);
      case kInt8: return load<int8_t>(p);
      case kInt32: return load<int32_t>(p);
      case kInt64: return load<int64_t>(p);
      default: return int64_t(real(offset));
    }
  }

 private:
  template <class T>
  static T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
  const char* base_;
  ScalarType dtype_;
  int64_t elem_;
  std::vector<int64_t> strides_;
};

// The element offsets shown: all of them, or with summarize the first and last `edge` of every dim longer
// than 2 * edge (PyTorch's get_summarized_data), in row-major order.
void shown_offsets(const std::vector<int64_t>& sizes, const ElementReader& r, size_t d, int64_t base, bool summarize,
                   int64_t edge, std::vector<int64_t>& out) {
  if (d == sizes.size()) {
    out.push_back(base);
    return;
  }
  const int64_t n = sizes[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * edge && i == edge) i = n - edge;
    shown_offsets(sizes, r, d + 1, base + i * r.stride(d), summarize, edge, out);
  }
}

// Python's format(value, ".{p}f") / ".{p}e": printf agrees (both round the exact binary value half-to-even)
// except for the spelling of non-finite values.
std::string format_real(double v, int precision, char conversion) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  const char spec[] = {'%', '.', '*', conversion, '\0'};
  const int n = std::snprintf(nullptr, 0, spec, precision, v);
  std::string s(size_t(n), '\0');
  std::snprintf(s.data(), size_t(n) + 1, spec, precision, v);
  return s;
}

// torch._tensor_str._Formatter.
class Formatter {
 public:
  Formatter(const ElementReader& r, const std::vector<int64_t>& offsets, int precision)
      : reader_(r), precision_(precision), floating_(r.floating()) {
    if (!floating_) {
      for (int64_t o : offsets) width_ = std::max(width_, format_integer(r.integer(o)).size());
      return;
    }
    std::vector<double> finite;  // nonzero finite values
    for (int64_t o : offsets) {
      const double v = r.real(o);
      if (std::isfinite(v) && v != 0) finite.push_back(v);
    }
    if (finite.empty()) return;
    double lo = std::abs(finite[0]), hi = lo;
    for (double v : finite) {
      lo = std::min(lo, std::abs(v));
      hi = std::max(hi, std::abs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    // Integer-valued floats never switch on a small minimum: they are all at least 1.
    sci_mode_ = hi / lo > 1000.0 || hi > 1.0e8 || (!int_mode_ && lo < 1.0e-4);
    for (double v : finite) {
      const size_t w = sci_mode_   ? format_real(v, precision_, 'e').size()
                       : int_mode_ ? format_real(v, 0, 'f').size() + 1
                                   : format_real(v, precision_, 'f').size();
      width_ = std::max(width_, w);
    }
  }

  size_t width() const { return width_; }

  // The element at `offset`, right-aligned to the common width (longer strings such as "-inf" stay whole).
  std::string format(int64_t offset) const {
    std::string s;
    if (!floating_) {
      s = format_integer(reader_.integer(offset));
    } else {
      const double v = reader_.real(offset);
      if (sci_mode_) {
        s = format_real(v, precision_, 'e');
      } else if (int_mode_) {
        s = format_real(v, 0, 'f');
        if (std::isfinite(v)) s += '.';
      } else {
        s = format_real(v, precision_, 'f');
      }
    }
    if (s.size() < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  std::string format_integer(int64_t v) const {
    if (reader_.boolean()) return v ? "True" : "False";
    return std::to_string(v);
  }

  const ElementReader& reader_;
  int precision_;
  bool floating_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t width_ = 1;
};

struct Printer {
  const std::vector<int64_t>& sizes;
  const ElementReader& reader;
  const Formatter& formatter;
  const PrintOptions& opts;
  bool summarize;

  bool elide(int64_t n) const { return summarize && n > 2 * int64_t(opts.edgeitems); }

  // torch._tensor_str._vector_str: wraps so that a line holds what fits in linewidth after the indent.
  void vector(int64_t base, int64_t indent, std::string& out) const {
    const int64_t n = sizes.back();
    const int64_t stride = reader.stride(sizes.size() - 1);
    std::vector<std::string> items;
    for (int64_t i = 0; i < n; ++i) {
      if (elide(n) && i == opts.edgeitems) {
        items.push_back(" ...");
        i = n - opts.edgeitems;
      }
      items.push_back(formatter.format(base + i * stride));
    }
    const double element_length = double(formatter.width() + 2);
    const int64_t per_line =
        std::max<int64_t>(1, int64_t(std::floor(double(opts.linewidth - indent) / element_length)));
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) {
        if (i % size_t(per_line) == 0) {
          out += ",\n";
          out.append(size_t(indent + 1), ' ');
        } else {
          out += ", ";
        }
      }
      out += items[i];
    }
    out += ']';
  }

  // torch._tensor_str._tensor_str_with_formatter for dim >= 1.
  void tensor(size_t d, int64_t base, int64_t indent, std::string& out) const {
    if (d + 1 == sizes.size()) return vector(base, indent, out);
    const int64_t n = sizes[d];
    const size_t dims_left = sizes.size() - d;
    // Built by appending: GCC 12 warns falsely (-Wrestrict) about `"," + std::string(...)` once inlined here.
    std::string separator(1, ',');
    separator.append(dims_left - 1, '\n');
    separator.append(size_t(indent + 1), ' ');
    out += '[';
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0) out += separator;
      if (elide(n) && i == opts.edgeitems) {
        out += "...";
        out += separator;
        i = n - opts.edgeitems;
      }
      tensor(d + 1, base + i * reader.stride(d), indent + 1, out);
    }
    out += ']';
  }
};

// Python's str(tuple): (0,) and (2, 0, 3).
std::string tuple_str(IntArrayRef sizes) {
  std::string s = "(";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(sizes[i]);
  }
  return s + (sizes.size() == 1 ? ",)" : ")");
}

// torch._tensor_str._add_suffixes, including its count of the last line's length (two more than it is).
std::string add_suffixes(std::string text, const std::vector<std::string>& suffixes, int64_t indent, int linewidth) {
  const size_t newline = text.rfind('\n');
  int64_t last_line = int64_t(text.size()) - (newline == std::string::npos ? -1 : int64_t(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    const int64_t len = int64_t(suffix.size());
    if (last_line + len + 2 > linewidth) {
      text += ",\n" + std::string(size_t(indent), ' ') + suffix;
      last_line = indent + len;
    } else {
      text += ", " + suffix;
      last_line += len + 2;
    }
  }
  return text + ")";
}

}  // namespace

PrintOptions get_printoptions() {
  return {g_precision.load(std::memory_order_relaxed), g_threshold.load(std::memory_order_relaxed),
          g_edgeitems.load(std::memory_order_relaxed), g_linewidth.load(std::memory_order_relaxed)};
}

void set_printoptions(int precision, int threshold, int edgeitems, int linewidth) {
  WICK_CHECK(precision >= 0, "set_printoptions", "precision must be >= 0, got ", precision);
  WICK_CHECK(threshold >= 0, "set_printoptions", "threshold must be >= 0, got ", threshold);
  // PyTorch takes 0 but then prints every item after the "..." (x[-0:] is all of x); refuse it instead.
  WICK_CHECK(edgeitems >= 1, "set_printoptions", "edgeitems must be >= 1, got ", edgeitems);
  g_precision.store(precision, std::memory_order_relaxed);
  g_threshold.store(threshold, std::memory_order_relaxed);
  g_edgeitems.store(edgeitems, std::memory_order_relaxed);
  g_linewidth.store(linewidth, std::memory_order_relaxed);
}

std::string Tensor::str() const {
  if (!defined()) return "[ Tensor (undefined) ]";
  const PrintOptions opts = get_printoptions();
  const std::string prefix = "tensor(";
  const int64_t indent = int64_t(prefix.size());
  std::vector<std::string> suffixes;
  if (!is_cpu()) suffixes.push_back("device='" + device().str() + "'");

  std::string body;
  if (numel() == 0) {
    // No element says the dtype, so every non-default one is named (int64 and bool included).
    if (dim() != 1) suffixes.push_back("size=" + tuple_str(sizes()));
    if (dtype() != kFloat) suffixes.push_back(std::string("dtype=torch.") + dtype_name(dtype()));
    body = "[]";
  } else {
    if (dtype() != kFloat && dtype() != kInt64 && dtype() != kBool) {
      suffixes.push_back(std::string("dtype=torch.") + dtype_name(dtype()));
    }
    Tensor host;
    {
      NoGradGuard no_grad;
      host = is_cpu() ? *this : cpu();
    }
    const std::vector<int64_t> shape(sizes().begin(), sizes().end());
    const ElementReader reader(host);
    const bool summarize = numel() > opts.threshold;
    std::vector<int64_t> offsets;
    shown_offsets(shape, reader, 0, 0, summarize, opts.edgeitems, offsets);
    const Formatter formatter(reader, offsets, opts.precision);
    if (shape.empty()) {
      body = formatter.format(0);
    } else {
      Printer{shape, reader, formatter, opts, summarize}.tensor(0, 0, indent, body);
    }
  }

  // Built-in ops' nodes as LibTorch names them (MulBackward0); a custom function's as PyTorch's repr shows a
  // Function subclass: its class name and "Backward".
  if (!is_leaf()) {
    const detail::Node* node = impl()->grad_fn;
    const bool custom = node->overload == detail::kCustomFunction;
    suffixes.push_back("grad_fn=<" + (custom ? std::string(node->name) + "Backward" : grad_fn_name()) + ">");
  } else if (requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  return add_suffixes(prefix + body, suffixes, indent, opts.linewidth);
}

std::string Tensor::toString() const {
  if (!defined()) return "UndefinedType";
  // LibTorch's ScalarType names, which differ from the Python dtype names.
  static const char* names[] = {"Bool", "Byte", "Char", "Int", "Long", "Half", "BFloat16", "Float", "Double"};
  static_assert(sizeof(names) / sizeof(names[0]) == kNumScalarTypes);
  return std::string(is_cuda() ? "CUDA" : "CPU") + names[int(scalar_type())] + "Type";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace wick
