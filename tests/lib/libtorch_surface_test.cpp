// LibTorch's spellings that a port by namespace change meets (tests/porting runs whole programs; these pin each
// piece): tensor() literals nested to any depth with LibTorch's dtypes, to()'s (non_blocking, copy) order,
// memory formats, new_* and data(), dtype() as a TypeMeta, IntArrayRef printing and slicing, c10::Scalar's accessors,
// F::pad, and <wick/torch.h>'s at::/c10:: names and TORCH_CHECK. Expected values are LibTorch 1.13's, printed by the
// same calls compiled against it.
#include <catch2/catch.hpp>
#include <wick/torch.h>

#include <sstream>

using namespace wick;
namespace F = wick::nn::functional;

namespace {
// A switch over dtype(), as ported code writes it against ScalarType.
bool caffe2_style_is_double(TypeMeta t) {
  switch (t) {
    case kDouble: return true;
    default: return false;
  }
}
}  // namespace

TEST_CASE("libtorch surface: tensor() literals have LibTorch's shapes and dtypes", "[porting]") {
  // LibTorch 1.13: {{0.f}, {1.f}} -> Float [2, 1]; {{{1.5}}} -> Float [1, 1, 1]; {} -> Float [0]; {{}, {}} ->
  // Float [2, 0]; {1.0, 2.0} -> Float; std::vector<double> -> Float; {1, 2} -> Long; std::vector<uint8_t> -> Byte.
  const Tensor column = tensor({{0.f}, {1.f}, {1.f}, {0.f}});
  CHECK(column.sizes() == IntArrayRef({4, 1}));
  CHECK(column.dtype() == kFloat);
  CHECK(column[2][0].item<float>() == 1.f);
  CHECK(tensor({{{1.5}}}).sizes() == IntArrayRef({1, 1, 1}));
  CHECK(tensor({}).sizes() == IntArrayRef({0}));
  CHECK(tensor({}).dtype() == kFloat);
  CHECK(tensor({{}, {}}).sizes() == IntArrayRef({2, 0}));
  CHECK(tensor({1.0, 2.0}).dtype() == kFloat);
  CHECK(tensor(std::vector<double>{1.0, 2.0}).dtype() == kFloat);
  CHECK(tensor({1, 2}).dtype() == kInt64);
  CHECK(tensor(std::vector<int>{1, 2}).dtype() == kInt64);
  CHECK(tensor(std::vector<uint8_t>{1, 2}).dtype() == kUInt8);
  CHECK(tensor({true, false}).dtype() == kBool);
  CHECK(tensor(1.5).dim() == 0);
  CHECK(tensor(3).dtype() == kInt64);
  const Tensor grid = tensor({{1, 2}, {3, 4}, {5, 6}});
  CHECK(grid.sizes() == IntArrayRef({3, 2}));
  CHECK(grid[2][1].item<int64_t>() == 6);
  CHECK(tensor({{1.5, 2.5}}, kInt64)[0][1].item<int64_t>() == 2);          // options decide; floats truncate
  CHECK(tensor(std::vector<double>{0.1}, kDouble).item<double>() == 0.1);  // no detour through float32
  // Ragged and mixed lists are errors, as in LibTorch.
  CHECK_THROWS_WITH(tensor({{1, 2}, {3}}), Catch::Contains("tensor") && Catch::Contains("[2]"));
  CHECK_THROWS_WITH(tensor({{1, 2}, {3.5, 4.5}}), Catch::Contains("int64") && Catch::Contains("float32"));
}

TEST_CASE("libtorch surface: to() takes (non_blocking, copy) in LibTorch's order; memory formats", "[porting]") {
  const Tensor x = ones({2, 3});
  CHECK(x.to(kFloat, /*non_blocking=*/true).data_ptr() == x.data_ptr());  // a hint, not a copy
  CHECK(x.to(kFloat, false, /*copy=*/true).data_ptr() != x.data_ptr());
  CHECK(x.to(kCPU, true).data_ptr() == x.data_ptr());
  CHECK(x.to(x, false, true).data_ptr() != x.data_ptr());
  CHECK(x.to(kDouble, false, false, MemoryFormat::Preserve).dtype() == kDouble);
  CHECK(x.t().contiguous(MemoryFormat::Contiguous).is_contiguous());
  CHECK_THROWS_WITH(x.contiguous(MemoryFormat::ChannelsLast),
                    Catch::Contains("contiguous") && Catch::Contains("ChannelsLast"));
  CHECK_THROWS_WITH(x.to(kFloat, false, false, MemoryFormat::ChannelsLast3d), Catch::Contains("ChannelsLast3d"));
}

TEST_CASE("libtorch surface: new_* keep dtype and device, data() aliases outside the graph", "[porting]") {
  const Tensor x = ones({2}, dtype(kDouble).requires_grad(true));
  const Tensor z = x.new_zeros({3, 1});
  CHECK(z.dtype() == kDouble);
  CHECK(z.sizes() == IntArrayRef({3, 1}));
  CHECK(z.sum().item<double>() == 0);
  CHECK(!z.requires_grad());
  CHECK(x.new_ones({2}, kInt32).dtype() == kInt32);
  CHECK(x.new_full({2}, 7).sum().item<double>() == 14);
  CHECK(x.new_empty({4}).numel() == 4);
  const Tensor d = x.data();
  CHECK(d.data_ptr() == x.data_ptr());
  CHECK(!d.requires_grad());
}

TEST_CASE("libtorch surface: dtype() prints as LibTorch's TypeMeta and acts as a ScalarType", "[porting]") {
  // LibTorch 1.13 prints x.dtype() (and x.options().dtype()) through caffe2::TypeMeta, x.scalar_type() through
  // ScalarType: one line per dtype of `dtype()|dtype().name()|dtype().itemsize()|scalar_type()`.
  const std::pair<ScalarType, const char*> expected[] = {
      {kBool, "bool|bool|1|Bool"},
      {kUInt8, "unsigned char|unsigned char|1|Byte"},
      {kInt32, "int|int|4|Int"},
      {kInt64, "long int|long int|8|Long"},
      {kHalf, "c10::Half|c10::Half|2|Half"},
      {kBFloat16, "c10::BFloat16|c10::BFloat16|2|BFloat16"},
      {kFloat, "float|float|4|Float"},
      {kDouble, "double|double|8|Double"},
  };
  for (const auto& [type, line] : expected) {
    const Tensor x = zeros({1}, type);
    std::ostringstream printed;
    printed << x.dtype() << "|" << x.dtype().name() << "|" << x.dtype().itemsize() << "|" << x.scalar_type();
    CHECK(printed.str() == line);
    std::ostringstream from_options;
    from_options << x.options().dtype();
    CHECK(from_options.str() == x.dtype().name());
  }
  // Everything that takes a ScalarType takes it: comparison both ways, a switch, creation and conversion.
  const Tensor x = ones({2}, kDouble);
  CHECK(x.dtype() == kDouble);
  CHECK(kDouble == x.dtype());
  CHECK(x.dtype() != kFloat);
  CHECK(x.dtype() == x.to(kDouble).dtype());
  CHECK(x.dtype().toScalarType() == kDouble);
  CHECK(x.dtype().Match<double>());
  CHECK_FALSE(x.dtype().Match<float>());
  CHECK(caffe2_style_is_double(x.dtype()));
  CHECK(zeros({3}, x.dtype()).scalar_type() == kDouble);
  CHECK(zeros({3}, kInt32).to(x.dtype()).scalar_type() == kDouble);
  CHECK(ones({1}, kFloat).type_as(x).scalar_type() == kDouble);
  CHECK(TypeMeta::Make<int64_t>() == kInt64);
}

TEST_CASE("libtorch surface: IntArrayRef prints and slices as c10's", "[porting]") {
  std::ostringstream out;
  out << ones({2, 3}).sizes() << " " << IntArrayRef() << " " << IntArrayRef({5, 6, 7}).slice(1);
  CHECK(out.str() == "[2, 3] [] [6, 7]");
  CHECK(IntArrayRef({5, 6, 7}).slice(1, 1) == IntArrayRef({6}));
  CHECK_THROWS_WITH(IntArrayRef({5, 6}).slice(1, 2), Catch::Contains("IntArrayRef::slice"));
  CHECK_THROWS(IntArrayRef({5, 6}).slice(3));
}

TEST_CASE("libtorch surface: Scalar's c10 accessors", "[porting]") {
  const Scalar half = 0.5, three = 3, yes = true;
  CHECK(half.toDouble() == 0.5);
  CHECK(half.toFloat() == 0.5f);
  CHECK(three.toLong() == 3);
  CHECK(three.toInt() == 3);
  CHECK(yes.toBool());
  CHECK(half.isFloatingPoint());
  CHECK(three.isIntegral(false));
  CHECK(!yes.isIntegral(false));
  CHECK(yes.isIntegral(true));
}

TEST_CASE("libtorch surface: F::pad with PadFuncOptions", "[porting][nn]") {
  const Tensor x = arange(4, dtype(kDouble)).reshape({1, 1, 4});
  // torch.nn.functional.pad(torch.arange(4.).reshape(1, 1, 4), (2, 1), mode) in PyTorch 1.13:
  const std::vector<double> reflect = {2, 1, 0, 1, 2, 3, 2}, replicate = {0, 0, 0, 1, 2, 3, 3},
                            constant = {-1, -1, 0, 1, 2, 3, -1};
  const Tensor r = F::pad(x, F::PadFuncOptions({2, 1}).mode(kReflect));
  const Tensor p = F::pad(x, F::PadFuncOptions({2, 1}).mode(kReplicate));
  const Tensor c = F::pad(x, F::PadFuncOptions({2, 1}).value(-1));
  REQUIRE(r.sizes() == IntArrayRef({1, 1, 7}));
  for (int64_t i = 0; i < 7; ++i) {
    CHECK(r[0][0][i].item<double>() == reflect[size_t(i)]);
    CHECK(p[0][0][i].item<double>() == replicate[size_t(i)]);
    CHECK(c[0][0][i].item<double>() == constant[size_t(i)]);
  }
  CHECK_THROWS_WITH(F::pad(x, F::PadFuncOptions({1, 1}).mode(kCircular)), Catch::Contains("circular"));
}

TEST_CASE("libtorch surface: <wick/torch.h> gives at::, c10:: and TORCH_CHECK", "[porting]") {
  const at::Tensor t = at::zeros({2}, at::kFloat);
  CHECK(t.dtype() == wick::kFloat);
  const c10::optional<int64_t> none = c10::nullopt;
  CHECK(!none.has_value());
  const at::autograd::tensor_list list = {t, t};
  CHECK(list.size() == 2);
  const int two = 2;
  CHECK_NOTHROW([&] { TORCH_CHECK(two == 2, "never"); }());
  CHECK_THROWS_WITH([&] { TORCH_CHECK(two == 3, "expected three, got ", two); }(),
                    Catch::Equals("expected three, got 2"));
  CHECK_THROWS_WITH([&] { TORCH_CHECK(two == 3); }(), Catch::StartsWith("Expected two == 3 to be true"));
  CHECK_THROWS_AS([&] { AT_ASSERT(two < 0); }(), wick::Error);
}
