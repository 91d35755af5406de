// Reading the PyTorch reference fixtures, comparing tensors, and running fixture cases (see fixtures.h).
#include "fixtures.h"

#include <wick/cuda.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace wick::testing {

// ---- comparison ---------------------------------------------------------------------------------------------
Tolerance default_tolerance(ScalarType t) {
  switch (t) {
    case kDouble: return {1e-9, 1e-11};
    case kFloat: return {1e-5, 1e-6};
    case kHalf: return {2e-3, 1e-3};
    case kBFloat16: return {1.6e-2, 1e-2};
    default: return {0, 0};
  }
}

std::vector<double> to_doubles(const Tensor& t) {
  const Tensor c = t.device().is_cpu() ? t.contiguous() : t.cpu().contiguous();
  const int64_t n = c.numel();
  std::vector<double> out(static_cast<size_t>(n));
  const void* p = n ? c.data_ptr() : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    switch (c.dtype()) {
      case kBool: v = static_cast<const uint8_t*>(p)[i] != 0; break;
      case kUInt8: v = static_cast<const uint8_t*>(p)[i]; break;
      case kInt8: v = static_cast<const int8_t*>(p)[i]; break;
      case kInt32: v = static_cast<const int32_t*>(p)[i]; break;
      case kInt64: v = double(static_cast<const int64_t*>(p)[i]); break;
      case kHalf: v = Half::to_float(static_cast<const uint16_t*>(p)[i]); break;
      case kBFloat16: v = BFloat16::to_float(static_cast<const uint16_t*>(p)[i]); break;
      case kFloat: v = static_cast<const float*>(p)[i]; break;
      case kDouble: v = static_cast<const double*>(p)[i]; break;
    }
    out[size_t(i)] = v;
  }
  return out;
}

namespace {
std::string describe(const Tensor& t) {
  if (!t.defined()) return "undefined";
  return std::string(dtype_name(t.dtype())) + " " + shape_str(t.sizes());
}
bool close(double a, double e, Tolerance tol) {
  if (std::isnan(a) || std::isnan(e)) return std::isnan(a) && std::isnan(e);
  if (std::isinf(a) || std::isinf(e)) return a == e;
  return std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
}
}  // namespace

std::string compare(const Tensor& actual, const Tensor& expected, Tolerance tol, bool check_dtype) {
  if (!actual.defined()) return "actual is undefined (expected " + describe(expected) + ")";
  std::ostringstream msg;
  if (check_dtype && actual.dtype() != expected.dtype())
    msg << "dtype " << dtype_name(actual.dtype()) << " != expected " << dtype_name(expected.dtype()) << "; ";
  if (!IntArrayRef(actual.sizes()).equals(expected.sizes())) {
    msg << "shape " << shape_str(actual.sizes()) << " != expected " << shape_str(expected.sizes());
    return msg.str();
  }
  const std::vector<double> a = to_doubles(actual), e = to_doubles(expected);
  int64_t bad = 0;
  double worst = 0;
  std::ostringstream first;
  first.precision(17);
  for (size_t i = 0; i < a.size(); ++i) {
    if (close(a[i], e[i], tol)) continue;
    if (bad < 4) first << " [" << i << "] got " << a[i] << " expected " << e[i] << ";";
    ++bad;
    if (std::isfinite(a[i]) && std::isfinite(e[i])) worst = std::max(worst, std::fabs(a[i] - e[i]));
  }
  if (bad)
    msg << bad << " of " << a.size() << " elements differ (rtol " << tol.rtol << ", atol " << tol.atol
        << ", max |diff| " << worst << "):" << first.str();
  return msg.str();
}

std::string compare(const Tensor& actual, const Tensor& expected) {
  return compare(actual, expected, default_tolerance(expected.scalar_type()));
}

ScalarType dtype_from_name(const std::string& name) {
  for (int i = 0; i < kNumScalarTypes; ++i)
    if (name == dtype_name(ScalarType(i))) return ScalarType(i);
  throw std::runtime_error("unknown dtype name '" + name + "'");
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(sep, start);
    const std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty()) parts.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

// ---- fixture files ----------------------------------------------------------------------------------------
RefFile::RefFile(const std::string& file) : path_(std::string(WICK_FIXTURES_DIR) + "/" + file) {
  tensors_ = load_safetensors(path_);
  meta_ = load_safetensors_metadata(path_);
}

Tensor RefFile::get(const std::string& key) const {
  auto it = tensors_.find(key);
  if (it == tensors_.end()) throw std::runtime_error("fixture " + path_ + " has no tensor '" + key + "'");
  return it->second;
}

std::string RefFile::meta(const std::string& key, const std::string& fallback) const {
  auto it = meta_.find(key);
  return it == meta_.end() ? fallback : it->second;
}

// ---- arguments --------------------------------------------------------------------------------------------
Args::Args(const std::string& text) {
  for (const std::string& kv : split(text, ';')) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) throw std::runtime_error("bad fixture argument '" + kv + "'");
    values_[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
}

const std::string& Args::str(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::runtime_error("fixture case has no argument '" + key + "'");
  return it->second;
}
int64_t Args::i(const std::string& key) const { return std::stoll(str(key)); }
double Args::d(const std::string& key) const { return std::strtod(str(key).c_str(), nullptr); }
bool Args::b(const std::string& key, bool fallback) const { return has(key) ? str(key) == "True" : fallback; }

Scalar Args::scalar(const std::string& key) const {
  const std::string& v = str(key);
  if (v == "True" || v == "False") return Scalar(v == "True");
  if (v.find_first_of(".eEn") != std::string::npos) return Scalar(std::strtod(v.c_str(), nullptr));  // inf, nan
  return Scalar(int64_t(std::stoll(v)));
}

std::optional<Scalar> Args::opt_scalar(const std::string& key) const {
  if (is_none(key)) return std::nullopt;
  return scalar(key);
}

std::vector<int64_t> Args::ints(const std::string& key) const {
  std::vector<int64_t> out;
  for (const std::string& p : split(str(key), ',')) out.push_back(std::stoll(p));
  return out;
}

std::optional<ScalarType> Args::dtype(const std::string& key) const {
  if (is_none(key)) return std::nullopt;
  return dtype_from_name(str(key));
}

std::string Args::describe() const {
  std::string s;
  for (const auto& [k, v] : values_) s += (s.empty() ? "" : "; ") + k + "=" + v;
  return s.empty() ? "none" : s;
}

// ---- views and generated inputs ---------------------------------------------------------------------------
Tensor apply_view(Tensor t, const std::string& spec) {
  for (const std::string& step : split(spec, '|')) {
    if (step == "T") {
      t = t.transpose(-1, -2);
    } else if (step == "step2") {
      t = t.slice(-1, 0, std::nullopt, 2);
    } else if (step.rfind("perm:", 0) == 0) {
      t = t.permute(Args("v=" + step.substr(5)).ints("v"));
    } else if (step.rfind("expand:", 0) == 0) {
      t = t.expand(Args("v=" + step.substr(7)).ints("v"));
    } else if (step.rfind("slice:", 0) == 0) {
      const std::vector<int64_t> v = Args("v=" + step.substr(6)).ints("v");
      t = t.slice(v.at(0), v.at(1), v.at(2), v.at(3));
    } else {
      throw std::runtime_error("unknown fixture view step '" + step + "'");
    }
  }
  return t;
}

Tensor generate_input(const std::string& spec) {
  const std::vector<std::string> p = split(spec, ':');
  if (p.size() != 6 || p[0] != "wave") throw std::runtime_error("bad fixture generator '" + spec + "'");
  std::vector<int64_t> shape;
  for (const std::string& s : split(p[1], 'x')) shape.push_back(std::stoll(s));
  const ScalarType dt = dtype_from_name(p[2]);
  const int64_t seed = std::stoll(p[3]);
  const double lo = std::strtod(p[4].c_str(), nullptr), hi = std::strtod(p[5].c_str(), nullptr);
  const int64_t n = product(shape);
  Tensor out = empty(shape, dtype(dt));
  void* d = out.data_ptr();
  for (int64_t i = 0; i < n; ++i) {
    // the same float64 operations, in the same order, as the generator's wave()
    const double v = double((i * 7919 + seed * 104729) % 10007) / 10007.0 * (hi - lo) + lo;
    switch (dt) {
      case kBool: static_cast<uint8_t*>(d)[i] = v != 0; break;
      case kUInt8: static_cast<uint8_t*>(d)[i] = uint8_t(int64_t(v)); break;
      case kInt8: static_cast<int8_t*>(d)[i] = int8_t(int64_t(v)); break;
      case kInt32: static_cast<int32_t*>(d)[i] = int32_t(int64_t(v)); break;
      case kInt64: static_cast<int64_t*>(d)[i] = int64_t(v); break;
      case kHalf: static_cast<uint16_t*>(d)[i] = Half::from_float(float(v)); break;
      case kBFloat16: static_cast<uint16_t*>(d)[i] = BFloat16::from_float(float(v)); break;
      case kFloat: static_cast<float*>(d)[i] = float(v); break;
      case kDouble: static_cast<double*>(d)[i] = v; break;
    }
  }
  return out;
}

// ---- the op table -----------------------------------------------------------------------------------------
namespace {
using V = std::vector<Tensor>;

OpFn unary(Tensor (*f)(const Tensor&)) {
  return [f](const V& in, const Args&) { return V{f(in.at(0))}; };
}
OpFn binary(Tensor (*f)(const Tensor&, const Tensor&)) {
  return [f](const V& in, const Args&) { return V{f(in.at(0), in.at(1))}; };
}
OpFn with_scalar(Tensor (*f)(const Tensor&, Scalar)) {
  return [f](const V& in, const Args& a) { return V{f(in.at(0), a.scalar("s"))}; };
}
std::vector<int64_t> dims_or_all(const Args& a) { return a.has("dims") ? a.ints("dims") : std::vector<int64_t>{}; }

// Creation options from an optional "dtype" argument (None: the op's own default).
TensorOptions options_of(const Args& a) {
  const std::optional<ScalarType> dt = a.dtype("dtype");
  return dt ? TensorOptions().dtype(*dt) : TensorOptions();
}
std::optional<int64_t> opt_int(const Args& a, const std::string& key) {
  return a.is_none(key) ? std::nullopt : std::optional<int64_t>(a.i(key));
}

// The "idx" argument of index/index_put_ cases (the item syntax is in tools/gen_fixtures.py's docstring).
std::vector<TensorIndex> index_items(const V& in, const Args& a) {
  std::vector<TensorIndex> items;
  for (const std::string& item : split(a.str("idx"), '|')) {
    const size_t colon = item.find(':');
    const std::string kind = item.substr(0, colon), rest = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (kind == "i") {
      items.emplace_back(int64_t(std::stoll(rest)));
    } else if (kind == "s") {
      const std::vector<std::string> p = split(rest, ':');
      auto bound = [](const std::string& v) {
        return v == "n" ? std::optional<int64_t>() : std::optional<int64_t>(std::stoll(v));
      };
      items.emplace_back(indexing::Slice(bound(p.at(0)), bound(p.at(1)), bound(p.at(2))));
    } else if (kind == "none") {
      items.emplace_back(indexing::None);
    } else if (kind == "ell") {
      items.emplace_back(indexing::Ellipsis);
    } else if (kind == "b") {
      items.emplace_back(rest == "1");
    } else if (kind == "t") {
      items.emplace_back(in.at(1 + std::stoul(rest)));
    } else {
      throw std::runtime_error("unknown fixture index item '" + item + "'");
    }
  }
  return items;
}

// Tensor::index_put_ takes an initializer list, so the fixture's items are spelled out by count.
template <class Value>
void index_put(const Tensor& y, const std::vector<TensorIndex>& ix, const Value& v) {
  switch (ix.size()) {
    case 1: y.index_put_({ix[0]}, v); return;
    case 2: y.index_put_({ix[0], ix[1]}, v); return;
    case 3: y.index_put_({ix[0], ix[1], ix[2]}, v); return;
    default: throw std::runtime_error("the fixtures' index_put_ cases have 1 to 3 index items");
  }
}

// tensor(values, options) from a fixture tensor's values, through the std::vector overload of its element type.
Tensor tensor_from(const Tensor& x, const TensorOptions& o) {
  const Tensor c = x.cpu().contiguous();
  const int64_t n = c.numel();
  switch (c.dtype()) {
    case kDouble: {
      const double* p = n ? c.data_ptr<double>() : nullptr;
      return tensor(std::vector<double>(p, p + n), o);
    }
    case kInt64: {
      const int64_t* p = n ? c.data_ptr<int64_t>() : nullptr;
      return tensor(std::vector<int64_t>(p, p + n), o);
    }
    case kBool: {
      const bool* p = n ? c.data_ptr<bool>() : nullptr;
      return tensor(std::vector<bool>(p, p + n), o);
    }
    default: throw std::runtime_error("the fixtures' tensor() cases take float64, int64 or bool values");
  }
}
}  // namespace

const OpTable& reference_ops() {
  static const OpTable table = [] {
    OpTable t;
    // unary
    t["neg"] = unary(neg);
    t["abs"] = unary(abs);
    t["sign"] = unary(sign);
    t["exp"] = unary(exp);
    t["log"] = unary(log);
    t["log1p"] = unary(log1p);
    t["expm1"] = unary(expm1);
    t["sqrt"] = unary(sqrt);
    t["rsqrt"] = unary(rsqrt);
    t["reciprocal"] = unary(reciprocal);
    t["square"] = unary(square);
    t["sin"] = unary(sin);
    t["cos"] = unary(cos);
    t["tanh"] = unary(tanh);
    t["sigmoid"] = unary(sigmoid);
    t["erf"] = unary(erf);
    t["relu"] = unary(relu);
    t["silu"] = unary(silu);
    t["floor"] = unary(floor);
    t["ceil"] = unary(ceil);
    t["round"] = unary(round);
    t["trunc"] = unary(trunc);
    t["logical_not"] = unary(logical_not);
    t["isnan"] = unary(isnan);
    t["isinf"] = unary(isinf);
    t["isfinite"] = unary(isfinite);
    t["gelu"] = [](const V& in, const Args& a) { return V{gelu(in.at(0), a.str("approximate"))}; };
    t["softplus"] = [](const V& in, const Args& a) { return V{softplus(in.at(0), a.d("beta"), a.d("threshold"))}; };
    t["leaky_relu"] = [](const V& in, const Args& a) { return V{leaky_relu(in.at(0), a.d("negative_slope"))}; };
    t["elu"] = [](const V& in, const Args& a) { return V{elu(in.at(0), a.d("alpha"))}; };
    t["clamp"] = [](const V& in, const Args& a) {
      return V{clamp(in.at(0), a.opt_scalar("min"), a.opt_scalar("max"))};
    };
    t["clamp_t"] = [](const V& in, const Args& a) {
      const std::optional<Tensor> lo = a.b("has_min") ? std::optional<Tensor>(in.at(1)) : std::nullopt;
      const std::optional<Tensor> hi = a.b("has_max") ? std::optional<Tensor>(in.back()) : std::nullopt;
      return V{clamp(in.at(0), lo, hi)};
    };
    t["clamp_min"] = [](const V& in, const Args& a) { return V{clamp_min(in.at(0), a.scalar("min"))}; };
    t["clamp_max"] = [](const V& in, const Args& a) { return V{clamp_max(in.at(0), a.scalar("max"))}; };
    t["hardtanh"] = [](const V& in, const Args& a) {
      return V{hardtanh(in.at(0), a.scalar("min_val"), a.scalar("max_val"))};
    };
    t["relu6"] = unary(relu6);
    // binary
    t["add"] = [](const V& in, const Args& a) {
      return V{a.has("alpha") ? add(in.at(0), in.at(1), a.scalar("alpha")) : add(in.at(0), in.at(1))};
    };
    t["sub"] = [](const V& in, const Args& a) {
      return V{a.has("alpha") ? sub(in.at(0), in.at(1), a.scalar("alpha")) : sub(in.at(0), in.at(1))};
    };
    t["mul"] = binary(mul);
    t["div"] = binary(div);
    t["remainder"] = binary(remainder);
    t["pow"] = binary(pow);
    t["maximum"] = binary(maximum);
    t["minimum"] = binary(minimum);
    t["max_t"] = [](const V& in, const Args&) { return V{max(in.at(0), in.at(1))}; };
    t["min_t"] = [](const V& in, const Args&) { return V{in.at(0).min(in.at(1))}; };  // the method form
    t["atan2"] = binary(atan2);
    t["eq"] = binary(eq);
    t["ne"] = binary(ne);
    t["lt"] = binary(lt);
    t["le"] = binary(le);
    t["gt"] = binary(gt);
    t["ge"] = binary(ge);
    t["logical_and"] = binary(logical_and);
    t["logical_or"] = binary(logical_or);
    t["logical_xor"] = binary(logical_xor);
    t["add_s"] = [](const V& in, const Args& a) {
      return V{a.has("alpha") ? add(in.at(0), a.scalar("s"), a.scalar("alpha")) : add(in.at(0), a.scalar("s"))};
    };
    t["sub_s"] = [](const V& in, const Args& a) {
      return V{a.has("alpha") ? sub(in.at(0), a.scalar("s"), a.scalar("alpha")) : sub(in.at(0), a.scalar("s"))};
    };
    t["mul_s"] = with_scalar(mul);
    t["div_s"] = with_scalar(div);
    t["remainder_s"] = with_scalar(remainder);
    t["pow_s"] = with_scalar(pow);
    t["rpow_s"] = [](const V& in, const Args& a) { return V{pow(a.scalar("s"), in.at(0))}; };
    t["rsub_s"] = [](const V& in, const Args& a) { return V{a.scalar("s") - in.at(0)}; };
    t["rdiv_s"] = [](const V& in, const Args& a) { return V{a.scalar("s") / in.at(0)}; };
    t["eq_s"] = with_scalar(eq);
    t["ne_s"] = with_scalar(ne);
    t["lt_s"] = with_scalar(lt);
    t["le_s"] = with_scalar(le);
    t["gt_s"] = with_scalar(gt);
    t["ge_s"] = with_scalar(ge);
    t["where"] = [](const V& in, const Args&) { return V{where(in.at(0), in.at(1), in.at(2))}; };
    t["where_s"] = [](const V& in, const Args& a) { return V{where(in.at(0), in.at(1), a.scalar("s"))}; };
    t["where_sa"] = [](const V& in, const Args& a) { return V{where(in.at(0), a.scalar("s"), in.at(1))}; };
    t["masked_fill_s"] = [](const V& in, const Args& a) { return V{masked_fill(in.at(0), in.at(1), a.scalar("s"))}; };
    t["masked_fill_t"] = [](const V& in, const Args&) { return V{masked_fill(in.at(0), in.at(1), in.at(2))}; };
    t["lerp"] = [](const V& in, const Args& a) {
      return V{in.size() == 3 ? lerp(in.at(0), in.at(1), in.at(2)) : lerp(in.at(0), in.at(1), a.scalar("weight"))};
    };
    // reductions
    t["sum"] = [](const V& in, const Args& a) {
      return V{a.has("dims") ? sum(in.at(0), a.ints("dims"), a.b("keepdim"), a.dtype("dtype"))
                             : sum(in.at(0), a.dtype("dtype"))};
    };
    t["mean"] = [](const V& in, const Args& a) {
      return V{a.has("dims") ? mean(in.at(0), a.ints("dims"), a.b("keepdim"), a.dtype("dtype"))
                             : mean(in.at(0), a.dtype("dtype"))};
    };
    t["prod"] = [](const V& in, const Args& a) {
      return V{a.has("dim") ? prod(in.at(0), a.i("dim"), a.b("keepdim"), a.dtype("dtype"))
                            : prod(in.at(0), a.dtype("dtype"))};
    };
    t["max"] = unary(max);
    t["min"] = unary(min);
    t["max_dim"] = [](const V& in, const Args& a) {
      auto [v, i] = max(in.at(0), a.i("dim"), a.b("keepdim"));
      return V{v, i};
    };
    t["min_dim"] = [](const V& in, const Args& a) {
      auto [v, i] = min(in.at(0), a.i("dim"), a.b("keepdim"));
      return V{v, i};
    };
    t["amax"] = [](const V& in, const Args& a) { return V{amax(in.at(0), dims_or_all(a), a.b("keepdim"))}; };
    t["amin"] = [](const V& in, const Args& a) { return V{amin(in.at(0), dims_or_all(a), a.b("keepdim"))}; };
    t["argmax"] = [](const V& in, const Args& a) {
      return V{argmax(in.at(0), a.is_none("dim") ? std::nullopt : std::optional<int64_t>(a.i("dim")), a.b("keepdim"))};
    };
    t["argmin"] = [](const V& in, const Args& a) {
      return V{argmin(in.at(0), a.is_none("dim") ? std::nullopt : std::optional<int64_t>(a.i("dim")), a.b("keepdim"))};
    };
    t["var"] = [](const V& in, const Args& a) {
      return V{a.has("dims") ? var(in.at(0), IntArrayRef(a.ints("dims")), a.b("unbiased"), a.b("keepdim"))
                             : var(in.at(0), a.b("unbiased"))};
    };
    t["std"] = [](const V& in, const Args& a) {
      return V{a.has("dims") ? std(in.at(0), IntArrayRef(a.ints("dims")), a.b("unbiased"), a.b("keepdim"))
                             : std(in.at(0), a.b("unbiased"))};
    };
    t["norm"] = [](const V& in, const Args& a) {
      return V{a.has("dims") ? norm(in.at(0), a.scalar("p"), a.ints("dims"), a.b("keepdim"))
                             : norm(in.at(0), a.scalar("p"))};
    };
    t["logsumexp"] = [](const V& in, const Args& a) { return V{logsumexp(in.at(0), a.ints("dims"), a.b("keepdim"))}; };
    t["all"] = [](const V& in, const Args& a) {
      return V{a.has("dim") ? all(in.at(0), a.i("dim"), a.b("keepdim")) : all(in.at(0))};
    };
    t["any"] = [](const V& in, const Args& a) {
      return V{a.has("dim") ? any(in.at(0), a.i("dim"), a.b("keepdim")) : any(in.at(0))};
    };
    t["softmax"] = [](const V& in, const Args& a) { return V{softmax(in.at(0), a.i("dim"), a.dtype("dtype"))}; };
    t["log_softmax"] = [](const V& in, const Args& a) {
      return V{log_softmax(in.at(0), a.i("dim"), a.dtype("dtype"))};
    };
    t["cumsum"] = [](const V& in, const Args& a) { return V{cumsum(in.at(0), a.i("dim"), a.dtype("dtype"))}; };
    t["sort"] = [](const V& in, const Args& a) {
      auto [v, i] = sort(in.at(0), a.i("dim"), a.b("descending"));
      return V{v, i};
    };
    t["topk"] = [](const V& in, const Args& a) {
      auto [v, i] = in.at(0).topk(a.i("k"), a.i("dim"), a.b("largest", true));
      return V{v, i};
    };
    t["topk_values"] = [](const V& in, const Args& a) {
      return V{std::get<0>(topk(in.at(0), a.i("k"), a.i("dim"), a.b("largest", true)))};
    };
    // linear algebra
    t["matmul"] = binary(matmul);
    t["mm"] = binary(mm);
    t["bmm"] = binary(bmm);
    t["addmm"] = [](const V& in, const Args& a) {
      return V{addmm(in.at(0), in.at(1), in.at(2), a.has("beta") ? a.scalar("beta") : Scalar(1),
                     a.has("alpha") ? a.scalar("alpha") : Scalar(1))};
    };
    t["linear"] = [](const V& in, const Args&) {
      return V{linear(in.at(0), in.at(1), in.size() > 2 ? in.at(2) : Tensor())};
    };
    t["outer"] = binary(outer);
    t["dot"] = binary(dot);
    t["einsum"] = [](const V& in, const Args& a) { return V{einsum(a.str("equation"), in)}; };
    // shape and views (ops_shape)
    t["view"] = [](const V& in, const Args& a) { return V{view(in.at(0), a.ints("shape"))}; };
    t["reshape"] = [](const V& in, const Args& a) { return V{reshape(in.at(0), a.ints("shape"))}; };
    t["flatten"] = [](const V& in, const Args& a) { return V{flatten(in.at(0), a.i("start"), a.i("end"))}; };
    t["unflatten"] = [](const V& in, const Args& a) { return V{unflatten(in.at(0), a.i("dim"), a.ints("sizes"))}; };
    t["squeeze"] = [](const V& in, const Args& a) {
      return V{a.has("dim") ? squeeze(in.at(0), a.i("dim")) : squeeze(in.at(0))};
    };
    t["unsqueeze"] = [](const V& in, const Args& a) { return V{unsqueeze(in.at(0), a.i("dim"))}; };
    t["permute"] = [](const V& in, const Args& a) { return V{permute(in.at(0), a.ints("dims"))}; };
    t["transpose"] = [](const V& in, const Args& a) { return V{transpose(in.at(0), a.i("dim0"), a.i("dim1"))}; };
    t["t"] = unary(wick::t);
    t["expand"] = [](const V& in, const Args& a) { return V{expand(in.at(0), a.ints("sizes"))}; };
    t["narrow"] = [](const V& in, const Args& a) {
      return V{narrow(in.at(0), a.i("dim"), a.i("start"), a.i("length"))};
    };
    t["select"] = [](const V& in, const Args& a) { return V{select(in.at(0), a.i("dim"), a.i("index"))}; };
    t["diagonal"] = [](const V& in, const Args& a) {
      return V{diagonal(in.at(0), a.i("offset"), a.i("dim1"), a.i("dim2"))};
    };
    t["slice"] = [](const V& in, const Args& a) {
      return V{slice(in.at(0), a.i("dim"), opt_int(a, "start"), opt_int(a, "end"), a.i("step"))};
    };
    t["repeat"] = [](const V& in, const Args& a) { return V{repeat(in.at(0), a.ints("repeats"))}; };
    t["cat"] = [](const V& in, const Args& a) { return V{cat(in, a.i("dim"))}; };
    t["stack"] = [](const V& in, const Args& a) { return V{stack(in, a.i("dim"))}; };
    t["split"] = [](const V& in, const Args& a) {
      return a.has("sizes") ? split(in.at(0), IntArrayRef(a.ints("sizes")), a.i("dim"))
                            : split(in.at(0), a.i("size"), a.i("dim"));
    };
    t["chunk"] = [](const V& in, const Args& a) { return chunk(in.at(0), a.i("chunks"), a.i("dim")); };
    t["unbind"] = [](const V& in, const Args& a) { return unbind(in.at(0), a.i("dim")); };
    t["flip"] = [](const V& in, const Args& a) { return V{flip(in.at(0), a.ints("dims"))}; };
    t["tril"] = [](const V& in, const Args& a) { return V{tril(in.at(0), a.i("diagonal"))}; };
    t["triu"] = [](const V& in, const Args& a) { return V{triu(in.at(0), a.i("diagonal"))}; };
    t["pad"] = [](const V& in, const Args& a) {
      return V{pad(in.at(0), a.ints("pad"), a.str("mode"), a.has("value") ? a.d("value") : 0.0)};
    };
    // indexing
    t["index"] = [](const V& in, const Args& a) { return V{in.at(0).index(index_items(in, a))}; };
    t["index_put_"] = [](const V& in, const Args& a) {
      const Tensor y = in.at(0).clone();  // a leaf that requires grad cannot be written in place
      if (a.has("s"))
        index_put(y, index_items(in, a), a.scalar("s"));
      else
        index_put(y, index_items(in, a), in.back());
      return V{y};
    };
    t["index_select"] = [](const V& in, const Args& a) { return V{index_select(in.at(0), a.i("dim"), in.at(1))}; };
    t["index_add"] = [](const V& in, const Args& a) { return V{index_add(in.at(0), a.i("dim"), in.at(1), in.at(2))}; };
    t["gather"] = [](const V& in, const Args& a) { return V{gather(in.at(0), a.i("dim"), in.at(1))}; };
    t["scatter"] = [](const V& in, const Args& a) {
      return V{a.has("s") ? scatter(in.at(0), a.i("dim"), in.at(1), a.scalar("s"))
                          : scatter(in.at(0), a.i("dim"), in.at(1), in.at(2))};
    };
    t["scatter_add"] = [](const V& in, const Args& a) {
      return V{scatter_add(in.at(0), a.i("dim"), in.at(1), in.at(2))};
    };
    t["masked_select"] = binary(masked_select);
    t["nonzero"] = unary(nonzero);
    // creation ("empty": values unspecified, so both sides zero them and shape and dtype are compared)
    t["empty"] = [](const V&, const Args& a) {
      const Tensor e = empty(a.ints("size"), options_of(a));
      e.zero_();
      return V{e};
    };
    t["zeros"] = [](const V&, const Args& a) { return V{zeros(a.ints("size"), options_of(a))}; };
    t["ones"] = [](const V&, const Args& a) { return V{ones(a.ints("size"), options_of(a))}; };
    t["full"] = [](const V&, const Args& a) { return V{full(a.ints("size"), a.scalar("value"), options_of(a))}; };
    t["arange"] = [](const V&, const Args& a) {
      return V{a.has("start") ? arange(a.scalar("start"), a.scalar("end"), a.scalar("step"), options_of(a))
                              : arange(a.scalar("end"), options_of(a))};
    };
    t["linspace"] = [](const V&, const Args& a) {
      return V{linspace(a.d("start"), a.d("end"), a.i("steps"), options_of(a))};
    };
    t["eye"] = [](const V&, const Args& a) {
      return V{a.has("m") ? eye(a.i("n"), a.i("m"), options_of(a)) : eye(a.i("n"), options_of(a))};
    };
    t["tensor"] = [](const V& in, const Args& a) { return V{tensor_from(in.at(0), options_of(a))}; };
    t["from_blob"] = [](const V& in, const Args& a) {
      const Tensor x = in.at(0).cpu().contiguous();
      char* base = static_cast<char*>(x.numel() ? x.data_ptr() : nullptr);
      void* data = base ? base + a.i("offset") * x.element_size() : nullptr;
      // A copy: the wrapped memory belongs to x, which dies here.
      return V{from_blob(data, a.ints("sizes"), a.ints("strides"), dtype(x.dtype())).clone()};
    };
    // random: the deterministic properties the generator stores (draws in range become a constant)
    t["rand"] = [](const V&, const Args& a) {
      const Tensor x = rand(a.ints("size"), options_of(a));
      return V{where(logical_and(x >= 0, x < 1), zeros_like(x), x)};
    };
    t["randn"] = [](const V&, const Args& a) {
      const Tensor x = randn(a.ints("size"), options_of(a));
      return V{where(isfinite(x), zeros_like(x), x)};
    };
    t["randint"] = [](const V&, const Args& a) {
      const int64_t lo = a.i("low"), hi = a.i("high");
      const Tensor x = randint(lo, hi, a.ints("size"), dtype(a.dtype("dtype").value_or(kInt64)));
      return V{where(logical_and(x >= lo, x < hi), full_like(x, lo), x)};
    };
    t["randperm"] = [](const V&, const Args& a) {
      const int64_t n = a.i("n");
      const Tensor p = randperm(n, dtype(a.dtype("dtype").value_or(kInt64)));
      const Tensor hits = zeros({n}, dtype(kInt64)).scatter_add(0, p.to(kInt64), ones({n}, dtype(kInt64)));
      return V{hits, zeros_like(p)};
    };
    t["bernoulli"] = [](const V& in, const Args&) {
      const Tensor& p = in.at(0);
      const Tensor y = bernoulli(p);
      return V{where(logical_or(p == 0, p == 1), y, zeros_like(y)), logical_or(y == 0, y == 1)};
    };
    // conversion
    t["contiguous"] = [](const V& in, const Args&) { return V{in.at(0).contiguous()}; };
    t["clone"] = [](const V& in, const Args&) { return V{in.at(0).clone()}; };
    t["to"] = [](const V& in, const Args& a) { return V{in.at(0).to(a.dtype("dtype").value())}; };
    t["copy_"] = [](const V& in, const Args& a) {
      const Tensor y = in.at(0).clone();
      (a.b("into_T") ? y.transpose(-1, -2) : y).copy_(in.at(1));
      return V{y};
    };
    return t;
  }();
  return table;
}

// ---- running cases ----------------------------------------------------------------------------------------
const std::map<std::string, std::string>& known_deviations() {
  static const std::map<std::string, std::string> list = {
      // PyTorch quirks wick does not copy
      {"all.uint8", "torch.all/any of a uint8 tensor return uint8 (legacy); wick returns bool"},
      {"any.uint8", "torch.all/any of a uint8 tensor return uint8 (legacy); wick returns bool"},
      // not supported by wick
      {"matmul.int", "wick's matmul is floating point only; PyTorch multiplies integer matrices"},
  };
  return list;
}

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& x : v)
    if (x == s) return true;
  return false;
}

Tolerance case_tolerance(const RefFile& f, const std::string& name, ScalarType t) {
  Tolerance tol = default_tolerance(t);
  if (f.has_meta(name + ".rtol")) tol.rtol = std::strtod(f.meta(name + ".rtol").c_str(), nullptr);
  if (f.has_meta(name + ".atol")) tol.atol = std::strtod(f.meta(name + ".atol").c_str(), nullptr);
  return tol;
}

// The checks of one case, collected as messages (empty: the case matches PyTorch).
class CaseRun {
 public:
  CaseRun(const RefFile& f, const std::string& name) : f_(f), name_(name) {}
  std::vector<std::string> problems;

  void problem(const std::string& what) { problems.push_back(what); }

  // Compares `actual` with the tensor stored under `key`: whole, or (sampled) every k-th element plus the
  // [sum, sum of |x|] of all of them. `floor` loosens the tolerance (gradients flowing through a lower
  // precision than their own dtype).
  void check(const std::string& key, const Tensor& actual, int64_t sample, std::optional<Tolerance> floor = {}) {
    const Tensor expected = f_.get(key);
    Tolerance tol = case_tolerance(f_, name_, expected.dtype());
    if (floor) tol = looser(tol, *floor);
    if (!sample) {
      const std::string msg = compare(actual, expected, tol);
      if (!msg.empty()) problem(key + " (" + describe(actual) + "): " + msg);
      return;
    }
    if (!actual.defined()) return problem(key + ": undefined");
    const Tensor flat = actual.contiguous().reshape({-1});
    const std::string msg = compare(flat.slice(0, 0, std::nullopt, sample), expected, tol);
    if (!msg.empty()) problem(key + " sampled every " + std::to_string(sample) + " (" + describe(actual) + "): " + msg);
    const std::vector<double> all = to_doubles(actual), sums = to_doubles(f_.get(key + "_sum"));
    double s = 0, abs_sum = 0;
    for (double v : all) {
      s += v;
      abs_sum += std::fabs(v);
    }
    const double bound = tol.rtol * sums[1] + tol.atol * double(all.size()) + 1e-12 * sums[1];
    if (std::fabs(s - sums[0]) > bound || std::fabs(abs_sum - sums[1]) > bound) {
      std::ostringstream m;
      m.precision(17);
      m << key << " over all " << all.size() << " elements: sum " << s << " vs " << sums[0] << ", sum|x| " << abs_sum
        << " vs " << sums[1] << " (bound " << bound << ")";
      problem(m.str());
    }
  }

 private:
  const RefFile& f_;
  const std::string& name_;
};

std::vector<std::string> evaluate_case(const RefFile& f, const std::string& name, const OpFn& fn, const Args& args,
                                       const RunOptions& options, RunStats& stats, std::string& context) {
  CaseRun run(f, name);
  const std::vector<std::string> names = split(f.meta(name + ".inputs"), ',');
  const std::vector<std::string> grad_names = split(f.meta(name + ".grad"), ',');
  std::vector<Tensor> inputs, grad_leaves;
  for (const std::string& k : names) {
    const std::string gen = f.meta(name + ".gen." + k);
    // A private copy: the fixture's tensors are shared by every case of the run.
    Tensor base = gen.empty() ? f.get(name + ".in." + k).clone() : generate_input(gen);
    if (!options.device.is_cpu()) base = base.to(options.device);
    if (contains(grad_names, k)) {
      base.requires_grad_(true);
      grad_leaves.push_back(base);
    }
    inputs.push_back(apply_view(base, f.meta(name + ".view." + k)));
    context += " " + k + ": " + describe(inputs.back()) + (f.has_meta(name + ".view." + k) ? " (view)" : "") + ";";
  }

  if (f.meta(name + ".error") == "1") {
    ++stats.errors;
    try {
      const std::vector<Tensor> outs = fn(inputs, args);
      // A CUDA kernel that finds a bad index reports it at the next synchronisation (wick/cuda.h), as
      // PyTorch's device-side asserts do: wait here, so the error belongs to this case and not the next.
      if (options.device.is_cuda()) cuda::synchronize();
      run.problem("wick accepted a call that PyTorch rejects, returning " +
                  (outs.empty() ? std::string("nothing") : describe(outs[0])));
    } catch (const Error& e) {
      if (std::string(e.what()).rfind("wick::", 0) != 0)
        run.problem(std::string("message lacks 'wick::': ") + e.what());
    } catch (const std::exception& e) {
      run.problem(std::string("threw something other than wick::Error: ") + e.what());
    }
    return run.problems;
  }

  std::vector<Tensor> outs;
  try {
    outs = fn(inputs, args);
  } catch (const std::exception& e) {
    run.problem(std::string("threw: ") + e.what());
    return run.problems;
  }
  const size_t nout = size_t(std::stoul(f.meta(name + ".nout", "1")));
  if (outs.size() != nout) {
    run.problem("returned " + std::to_string(outs.size()) + " outputs, expected " + std::to_string(nout));
    return run.problems;
  }
  const int64_t sample = std::stoll(f.meta(name + ".sample", "0"));
  if (sample) ++stats.sampled;
  for (size_t i = 0; i < nout; ++i) run.check(name + ".out" + (i ? std::to_string(i) : std::string()), outs[i], sample);
  if (grad_leaves.empty()) return run.problems;

  ++stats.grads;
  if (!outs[0].requires_grad()) {
    run.problem("the output does not require grad, but PyTorch gives gradients for " + f.meta(name + ".grad"));
    return run.problems;
  }
  const bool hvp = f.meta(name + ".hvp") == "1";
  const bool create = options.create_graph || hvp;
  const std::string mode = create ? " (create_graph=true)" : "";
  // A gradient computed through a lower-precision output (float64 input, float32 result) has that precision.
  const Tolerance through = default_tolerance(outs[0].dtype());
  try {
    std::vector<Tensor> gout;
    if (f.has(name + ".gout"))
      gout.push_back(f.get(name + ".gout").to(options.device));
    else if (sample)
      gout.push_back(ones_like(outs[0]));
    std::vector<Tensor> grads =
        autograd::grad({outs[0]}, grad_leaves, gout, create ? std::optional<bool>(true) : std::nullopt, create, true);
    if (grads.size() != grad_leaves.size()) {
      run.problem("autograd::grad returned " + std::to_string(grads.size()) + " gradients");
      return run.problems;
    }
    const size_t before = run.problems.size();
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) grads[i] = zeros_like(grad_leaves[i]);
      const std::string& k = grad_names[i];
      const bool sampled = sample || f.has_meta(name + ".gen." + k);
      run.check(name + ".grad." + k, grads[i], sampled ? std::stoll(f.meta(name + ".sample", "97")) : 0, through);
    }
    for (size_t i = before; i < run.problems.size(); ++i) run.problems[i] += mode;
    if (hvp) {
      ++stats.hvps;
      Tensor dot;
      for (size_t i = 0; i < grads.size(); ++i) {
        const Tensor term = (grads[i] * f.get(name + ".v." + grad_names[i]).to(options.device)).sum();
        dot = dot.defined() ? dot + term : term;
      }
      if (!dot.requires_grad()) {
        run.problem("the gradients do not require grad with create_graph=true");
        return run.problems;
      }
      std::vector<Tensor> hv = autograd::grad({dot}, grad_leaves, {}, std::nullopt, false, true);
      for (size_t i = 0; i < hv.size(); ++i) {
        if (!hv[i].defined()) hv[i] = zeros_like(grad_leaves[i]);
        run.check(name + ".hvp." + grad_names[i], hv[i], 0, through);
      }
    }
  } catch (const std::exception& e) {
    run.problem(std::string("the backward pass threw: ") + e.what() + mode);
  }
  return run.problems;
}

}  // namespace

void run_case(const RefFile& f, const std::string& name, const OpTable& ops, const RunOptions& options,
              RunStats& stats) {
  const std::string op = f.meta(name + ".op");
  const Args args(f.meta(name + ".args"));
  INFO("case '" << name << "': op " << op << ", args " << args.describe() << " (" << f.path() << ")");
  auto fn = ops.find(op);
  if (fn == ops.end()) {
    FAIL_CHECK("the test has no op '" << op << "'");
    return;
  }
  ++stats.cases;
  stats.ops.insert(op);
  std::string inputs;
  std::vector<std::string> problems;
  try {
    problems = evaluate_case(f, name, fn->second, args, options, stats, inputs);
  } catch (const std::exception& e) {
    problems.push_back(std::string("the test harness threw: ") + e.what());
  }
  INFO("inputs:" << inputs);
  auto known = known_deviations().find(name);
  if (known != known_deviations().end()) {
    if (problems.empty()) {
      FAIL_CHECK("listed as a known deviation (" << known->second
                                                 << ") but matches PyTorch now: remove it from known_deviations()");
    } else {
      ++stats.known;
      WARN("known deviation from PyTorch in case '" << name << "': " << known->second);
    }
    return;
  }
  if (problems.empty()) SUCCEED();  // counts each matching case as one passed assertion
  for (const std::string& p : problems) FAIL_CHECK(p);
}

RunStats run_cases(const RefFile& f, const OpTable& ops, const RunOptions& options) {
  RunStats stats;
  for (const std::string& name : f.cases())
    if (!options.filter || options.filter(name)) run_case(f, name, ops, options, stats);
  return stats;
}

}  // namespace wick::testing
