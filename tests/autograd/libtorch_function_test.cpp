// LibTorch's C++ autograd API as its tutorial (pytorch.org/tutorials/advanced/cpp_autograd.html) and LibTorch 1.13
// itself use it, ported by the namespace change: custom Functions taking and returning tensor_list, ctx->saved_data
// as IValues, gradients for defaulted and non-tensor arguments, grad_fn() nodes with LibTorch's names and
// next_edges(). Every expected name and message below was printed by LibTorch 1.13 for the same expression.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/gradcheck_samples.h"
#include "support/fixtures.h"

using namespace wick::autograd;  // as the tutorial's `using namespace torch::autograd;`
using wick::Tensor;
using wick::testing::leaf;

// ---- the tutorial's functions, verbatim but for torch:: -> wick:: ------------------------------------------------

// At global scope, as in the tutorial, so that its node is "wick::autograd::CppNode<LinearFunction>".
class LinearFunction : public Function<LinearFunction> {
 public:
  // Note that both forward and backward are static functions

  // bias is an optional argument
  static Tensor forward(AutogradContext* ctx, Tensor input, Tensor weight, Tensor bias = Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) {
      output += bias.unsqueeze(0).expand_as(output);
    }
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];

    auto grad_output = grad_outputs[0];
    auto grad_input = grad_output.mm(weight);
    auto grad_weight = grad_output.t().mm(input);
    auto grad_bias = Tensor();
    if (bias.defined()) {
      grad_bias = grad_output.sum(0);
    }

    return {grad_input, grad_weight, grad_bias};
  }
};

class MulConstant : public Function<MulConstant> {
 public:
  static Tensor forward(AutogradContext* ctx, Tensor tensor, double constant) {
    // ctx is a context object that can be used to stash information
    // for backward computation
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    // We return as many input gradients as there were arguments.
    // Gradients of non-tensor arguments to forward must be `torch::Tensor()`.
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), Tensor()};
  }
};

// ---- functions that exercise the rest of the contract ----------------------------------------------------------

// A defined gradient for the double: LibTorch refuses it.
struct GradForDouble : Function<GradForDouble> {
  static Tensor forward(AutogradContext*, Tensor t, double c) { return t * c; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
// One gradient too many, and it is defined.
struct TooMany : Function<TooMany> {
  static Tensor forward(AutogradContext*, Tensor t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
struct TooFew : Function<TooFew> {
  static Tensor forward(AutogradContext*, Tensor t, Tensor u) { return t * u; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0]}; }
};
// needs_input_grad counts the tensor arguments only.
static std::vector<bool> g_scalar_first_needs;
struct ScalarFirst : Function<ScalarFirst> {
  static Tensor forward(AutogradContext*, double c, Tensor t, Tensor u) { return t * c + u; }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    g_scalar_first_needs = {ctx->needs_input_grad(0), ctx->needs_input_grad(1)};
    return {Tensor(), g[0] * 2, g[0]};
  }
};
// Two outputs: backward sees zeros for the one the loss does not use, unless grads do not materialize.
static bool g_two_second_defined = false;
struct Two : Function<Two> {
  static tensor_list forward(AutogradContext* ctx, Tensor t, bool materialize) {
    ctx->set_materialize_grads(materialize);
    return {t * 2, t * 3};
  }
  static tensor_list backward(AutogradContext*, tensor_list g) {
    g_two_second_defined = g[1].defined();
    Tensor gt = g[0] * 2;
    if (g[1].defined()) gt = gt + g[1] * 3;
    return {gt, Tensor()};
  }
};
// An argmax output marked non-differentiable.
struct WithIndex : Function<WithIndex> {
  static tensor_list forward(AutogradContext* ctx, Tensor t) {
    Tensor idx = t.argmax();
    ctx->mark_non_differentiable({idx});
    return {t * 2, idx};
  }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
};
// Returns its input as it is.
struct Identity : Function<Identity> {
  static Tensor forward(AutogradContext*, Tensor t) { return t; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0]}; }
};
// Doubles its input in place.
struct DoubleInPlace : Function<DoubleInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor t) {
    t.mul_(2);
    ctx->mark_dirty({t});
    return t;
  }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
};
// An optional tensor argument, LibTorch's c10::optional<Tensor>: an input when it holds a tensor.
struct ScaleBy : Function<ScaleBy> {
  static Tensor forward(AutogradContext* ctx, Tensor a, std::optional<Tensor> b) {
    ctx->save_for_backward({a, b ? *b : Tensor()});
    return b ? a * *b : a * 1;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    auto s = ctx->get_saved_variables();
    if (!s[1].defined()) return {g[0], Tensor()};
    return {g[0] * s[1], g[0] * s[0]};
  }
};

namespace {

Tensor d(std::initializer_list<double> v) { return wick::tensor(v, wick::dtype(wick::kDouble)); }
std::string name_of(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : std::string("<leaf>"); }

}  // namespace

TEST_CASE("libtorch function: the tutorial's LinearFunction, with and without its defaulted bias",
          "[autograd][function][libtorch]") {
  // LibTorch 1.13, x = linspace(-1, 1, 6).view({2, 3}), weight = linspace(0.1, 1.2, 12).view({4, 3}):
  // LinearFunction::apply(x, weight).sum().backward() gives x.grad = [2.2, 2.6, 3.0] (both rows) and weight.grad
  // = [-0.8, 0, 0.8] (all four rows).
  Tensor x = wick::linspace(-1, 1, 6).view({2, 3}).requires_grad_();
  Tensor weight = wick::linspace(0.1, 1.2, 12).view({4, 3}).requires_grad_();
  Tensor y = LinearFunction::apply(x, weight);  // backward returns 3 gradients for these 2 arguments
  CHECK(y.grad_fn()->name() == "wick::autograd::CppNode<LinearFunction>");
  y.sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), wick::tensor({2.2f, 2.6f, 3.0f}).expand({2, 3}));
  CHECK_TENSOR(weight.grad(), wick::tensor({-0.8f, 0.f, 0.8f}).expand({4, 3}), (::wick::testing::Tolerance{1e-5, 1e-6}));

  // Both forms against finite differences, in float64.
  auto without_bias = [](const variable_list& in) { return variable_list{LinearFunction::apply(in[0], in[1])}; };
  auto with_bias = [](const variable_list& in) { return variable_list{LinearFunction::apply(in[0], in[1], in[2])}; };
  CHECK(gradcheck(without_bias, {leaf({2, 3}), leaf({4, 3}, -1, 2, 3)}) == "");
  CHECK(gradcheck(with_bias, {leaf({2, 3}), leaf({4, 3}, -1, 2, 3), leaf({4}, 0.5, 2)}) == "");
  // Its backward is built from differentiable ops, so second derivatives work too.
  CHECK(gradgradcheck(with_bias, {leaf({2, 3}), leaf({4, 3}, -1, 2, 3), leaf({4}, 0.5, 2)}) == "");

  // A bias that needs no gradient still shifts the output and gets none.
  Tensor b = d({1, 2, 3, 4});
  Tensor x64 = leaf({2, 3});
  Tensor y64 = LinearFunction::apply(x64, leaf({4, 3}), b);
  CHECK_TENSOR_CLOSE(y64.detach(), x64.detach().mm(leaf({4, 3}).detach().t()) + b);
  y64.sum().backward();
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("libtorch function: the tutorial's MulConstant keeps its double in ctx->saved_data",
          "[autograd][function][libtorch]") {
  // LibTorch 1.13: MulConstant::apply(x, 5.5) for x = {1, 2}: x.grad = [5.5, 5.5].
  Tensor x = wick::tensor({1.f, 2.f}, wick::requires_grad());
  Tensor y = MulConstant::apply(x, 5.5);
  CHECK_TENSOR_CLOSE(y.detach(), wick::tensor({5.5f, 11.f}));
  y.sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), wick::tensor({5.5f, 5.5f}));
  CHECK(gradcheck([](const variable_list& in) { return variable_list{MulConstant::apply(in[0], -2.5)}; },
                  {leaf({2, 3})}) == "");
  CHECK(gradgradcheck([](const variable_list& in) { return variable_list{MulConstant::apply(in[0] * in[0], 1.5)}; },
                      {leaf({3})}) == "");
}

TEST_CASE("libtorch function: backward's gradient count and non-tensor slots are checked as LibTorch checks them",
          "[autograd][function][libtorch]") {
  // LibTorch 1.13's messages:
  //   function torch::autograd::CppNode<BadExtra> returned a gradient different that is defined at position 2,
  //     but the corresponding forward input was not a Variable
  //   function torch::autograd::CppNode<TooMany> returned an incorrect number of gradients (expected 1, got 2)
  //   function torch::autograd::CppNode<TooFew> returned an incorrect number of gradients (expected 2, got 1)
  Tensor x = wick::tensor({1.0, 2.0}, wick::requires_grad());
  CHECK_THROWS_WITH(GradForDouble::apply(x, 2.0).sum().backward(),
                    Catch::Contains("function wick::autograd::CppNode<GradForDouble> returned a gradient different "
                                    "that is defined at position 2, but the corresponding forward input was not a "
                                    "Variable"));
  CHECK_THROWS_WITH(TooMany::apply(x).sum().backward(),
                    Catch::Contains("function wick::autograd::CppNode<TooMany> returned an incorrect number of "
                                    "gradients (expected 1, got 2)"));
  CHECK_THROWS_WITH(TooFew::apply(x, x).sum().backward(),
                    Catch::Contains("function wick::autograd::CppNode<TooFew> returned an incorrect number of "
                                    "gradients (expected 2, got 1)"));
  // Undefined gradients past the last argument are dropped (the tutorial's defaulted bias); MulConstant's undefined
  // gradient for its double is fine.
  CHECK_NOTHROW(LinearFunction::apply(x.view({1, 2}), x.view({1, 2})).sum().backward());
}

TEST_CASE("libtorch function: needs_input_grad counts tensor arguments; outputs without a gradient get zeros",
          "[autograd][function][libtorch]") {
  // LibTorch 1.13: ScalarFirst::apply(2.0, x, x.detach()) sees needs_input_grad(0) = 1, (1) = 0.
  Tensor x = d({1, 2});
  x.requires_grad_();
  Tensor f = ScalarFirst::apply(2.0, x, x.detach());
  CHECK(f.grad_fn()->next_edges().size() == 2);  // the two tensors; the double has no edge
  f.sum().backward();
  CHECK(g_scalar_first_needs == std::vector<bool>{true, false});
  CHECK_TENSOR_CLOSE(x.grad(), d({2, 2}));

  // LibTorch 1.13: Two's backward gets a defined zero gradient for its unused second output.
  x.mutable_grad() = Tensor();
  auto outs = Two::apply(x, true);
  CHECK(outs[0].grad_fn() == outs[1].grad_fn());  // one node, two outputs
  outs[0].sum().backward();
  CHECK(g_two_second_defined);
  CHECK_TENSOR_CLOSE(x.grad(), d({2, 2}));
  // set_materialize_grads(false): undefined instead.
  x.mutable_grad() = Tensor();
  auto raw = Two::apply(x, false);
  raw[0].sum().backward();
  CHECK_FALSE(g_two_second_defined);
  CHECK_TENSOR_CLOSE(x.grad(), d({2, 2}));
  // Both outputs used: 2 + 3.
  x.mutable_grad() = Tensor();
  auto both = Two::apply(x, true);
  (both[0] + both[1]).sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), d({5, 5}));
}

TEST_CASE("libtorch function: mark_non_differentiable, mark_dirty, returned inputs and optional tensors",
          "[autograd][function][libtorch]") {
  Tensor x = d({1, 3, 2});
  x.requires_grad_();
  // LibTorch 1.13: the index output does not require grad, the value does.
  auto outs = WithIndex::apply(x);
  CHECK(outs[0].requires_grad());
  CHECK_FALSE(outs[1].requires_grad());
  CHECK(outs[1].item<int64_t>() == 1);
  outs[0].sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), d({2, 2, 2}));

  // An input returned as it is comes back as a new tensor with the function's node; the input stays a leaf
  // (LibTorch 1.13: a different TensorImpl, grad_fn CppNode<ReturnsInput>).
  Tensor same = Identity::apply(x);
  CHECK(x.is_leaf());
  CHECK(same.grad_fn()->name() == "wick::autograd::CppNode<Identity>");
  CHECK(same.impl() != x.impl());

  // mark_dirty: the modified input takes the function's history over, as after an in-place op.
  Tensor h = x * 1;
  Tensor doubled = DoubleInPlace::apply(h);
  CHECK(doubled.impl() == h.impl());
  CHECK(h.grad_fn()->name() == "wick::autograd::CppNode<DoubleInPlace>");
  CHECK(h.grad_fn()->next_edges()[0].function->name() == "MulBackward1");
  x.mutable_grad() = Tensor();
  h.sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), d({2, 2, 2}));
  CHECK_THROWS_WITH(DoubleInPlace::apply(x), Catch::Contains("marked a leaf tensor that requires grad dirty"));
  // A view's base would keep its old history: refused (LibTorch rebases the base).
  Tensor base = x.detach() * 1;
  base.requires_grad_();
  Tensor of_base = base * 1;
  CHECK_THROWS_WITH(DoubleInPlace::apply(of_base.narrow(0, 0, 1)), Catch::Contains("marked a view dirty"));

  // std::optional<Tensor>: an input when it holds a tensor (LibTorch 1.13: one edge for apply(a, nullopt)).
  Tensor a = d({1, 2}), b = d({3, 4});
  a.requires_grad_();
  b.requires_grad_();
  Tensor scaled = ScaleBy::apply(a, std::optional<Tensor>(b));
  CHECK(scaled.grad_fn()->next_edges().size() == 2);
  CHECK(ScaleBy::apply(a, std::nullopt).grad_fn()->next_edges().size() == 1);
  CHECK(gradcheck([](const variable_list& in) { return variable_list{ScaleBy::apply(in[0], in[1])}; },
                  {leaf({3}), leaf({3}, 0.5, 2)}) == "");
}

TEST_CASE("libtorch function: grad_fn() nodes and next_edges() as LibTorch builds them",
          "[autograd][function][libtorch]") {
  // LibTorch 1.13 for x = tensor({1., 2.}, requires_grad()), w = ones({2}), z = (x * w + 1).sum():
  //   SumBackward0 1
  //    -> AddBackward1 0
  //     -> MulBackward0 0
  //      -> torch::autograd::AccumulateGrad 0 valid 1
  //      -> null 0 valid 0
  //   num_inputs 1 num_outputs 2
  //   acc same 1            (x's AccumulateGrad node is one node, whichever op reaches it)
  //   MulConstant: name torch::autograd::CppNode<MulConstant>, next 1 torch::autograd::AccumulateGrad nr 0
  Tensor x = wick::tensor({1., 2.}, wick::requires_grad());
  Tensor w = wick::ones({2});
  Tensor z = (x * w + 1).sum();
  CHECK(x.grad_fn() == nullptr);
  CHECK_FALSE(x.grad_fn());
  CHECK(!w.grad_fn());

  auto f = z.grad_fn();
  REQUIRE(f);
  CHECK(f->name() == "SumBackward0");
  REQUIRE(f->next_edges().size() == 1);
  auto add = f->next_edges()[0].function;
  CHECK(f->next_edges()[0].input_nr == 0);
  CHECK(add->name() == "AddBackward1");
  auto mul = add->next_edges()[0].function;
  CHECK(mul->name() == "MulBackward0");
  const edge_list edges = mul->next_functions();  // PyTorch's name for next_edges()
  REQUIRE(edges.size() == 2);
  CHECK(edges[0].is_valid());
  CHECK(edges[0].function->name() == "wick::autograd::AccumulateGrad");
  CHECK_FALSE(edges[1].is_valid());
  CHECK(edges[1].function == nullptr);
  CHECK(mul->num_inputs() == 1);
  CHECK(mul->num_outputs() == 2);
  CHECK(edges[0].function == (x * 3).grad_fn()->next_edges()[0].function);  // one AccumulateGrad per leaf
  CHECK(edges[0].function->next_edges().empty());
  CHECK(mul == add->next_edge(0).function);
  CHECK(mul != add);
  CHECK(mul->sequence_nr() < add->sequence_nr());

  // A handle keeps its node alive after the tensors are gone, and converts to LibTorch's std::shared_ptr<Node>.
  std::shared_ptr<Node> held;
  {
    Tensor t = x * 2;
    held = t.grad_fn();
  }
  CHECK(held->name() == "MulBackward1");
  CHECK(held->next_edges()[0].function->name() == "wick::autograd::AccumulateGrad");

  Tensor y = MulConstant::apply(x, 5.5);
  CHECK(y.grad_fn()->name() == "wick::autograd::CppNode<MulConstant>");
  REQUIRE(y.grad_fn()->next_edges().size() == 1);
  CHECK(y.grad_fn()->next_edges()[0].function->name() == "wick::autograd::AccumulateGrad");

  // Output number of a multi-output node (LibTorch 1.13: unbind's second part is input_nr 1 of (s[1] * 2)'s edge).
  auto parts = x.unbind(0);
  CHECK(parts[1].grad_fn()->name() == "UnbindBackward0");
  CHECK((parts[1] * 2).grad_fn()->next_edges()[0].input_nr == 1);
}

TEST_CASE("libtorch function: node names are LibTorch's, overload number included", "[autograd][libtorch]") {
  // Each expression as a LibTorch 1.13 program wrote it (x, y [2, 3], m [3, 4], v [3], img [1, 2, 5, 5], sig
  // [1, 2, 5], all requiring grad), and what y.grad_fn()->name() printed there:
  //   add_tt AddBackward0     add_ts AddBackward1     sub_tt SubBackward0      sub_ts SubBackward1
  //   rsub_st SubBackward0    mul_tt MulBackward0     mul_ts MulBackward1      rmul_st MulBackward1
  //   div_tt DivBackward0     div_ts DivBackward1     rdiv_st DivBackward0     pow_ts PowBackward0
  //   pow_tt PowBackward1     pow_st PowBackward2     remainder_tt RemainderBackward1
  //   remainder_ts RemainderBackward0                  square PowBackward0      log1p Log1PBackward0
  //   expm1 Expm1Backward0    relu ReluBackward0      sigmoid SigmoidBackward0 exp ExpBackward0
  //   clamp_ss ClampBackward1 clamp_min ClampMinBackward0                      clamp_max ClampMaxBackward0
  //   lerp_s LerpBackward0    where WhereBackward0    masked_fill MaskedFillBackward0
  //   sum SumBackward0        sum_dim SumBackward1    sum_dims_keep SumBackward1
  //   mean MeanBackward0      mean_dim MeanBackward1  prod ProdBackward0       prod_dim ProdBackward1
  //   max MaxBackward1        max_dim MaxBackward0    amax AmaxBackward0       var VarBackward0
  //   std StdBackward0        norm NormBackward0      norm_p_dim NormBackward1 logsumexp LogsumexpBackward0
  //   softmax SoftmaxBackward0                        log_softmax LogSoftmaxBackward0
  //   matmul_2d MmBackward0   matmul_1d DotBackward0  matmul_21 MvBackward0    matmul_12 SqueezeBackward3
  //   batched_matmul UnsafeViewBackward0              linear_3d_nb UnsafeViewBackward0             mm MmBackward0
  //   bmm BmmBackward0        addmm AddmmBackward0    linear_b AddmmBackward0  linear_nb MmBackward0
  //   dot DotBackward0        view ViewBackward0      reshape ReshapeAliasBackward0
  //   reshape_nc UnsafeViewBackward0                  squeeze SqueezeBackward0 squeeze_dim SqueezeBackward1
  //   unsqueeze UnsqueezeBackward0                    permute PermuteBackward0 transpose TransposeBackward0
  //   t TBackward0            expand ExpandBackward0  repeat RepeatBackward0   cat CatBackward0
  //   stack StackBackward0    split SplitBackward0    chunk SplitBackward0     unbind UnbindBackward0
  //   narrow SliceBackward0   select SelectBackward0  index_int SelectBackward0
  //   index_tensor IndexBackward0                     flip FlipBackward0       tril TrilBackward0
  //   pad ConstantPadNdBackward0                      index_select IndexSelectBackward0
  //   gather GatherBackward0  scatter_src ScatterBackward0                     scatter_value ScatterBackward1
  //   masked_select MaskedSelectBackward0             clone CloneBackward0     contiguous_nc CloneBackward0
  //   to_double ToCopyBackward0                       copy_ torch::autograd::CopyBackwards
  //   slice_assign torch::autograd::CopySlices        conv1d ConvolutionBackward0
  //   conv2d ConvolutionBackward0                     conv_transpose2d ConvolutionBackward0
  //   max_pool1d SqueezeBackward1                     max_pool2d MaxPool2DWithIndicesBackward0
  //   avg_pool2d AvgPool2DBackward0                   adaptive_avg_pool2d AdaptiveAvgPool2DBackward0
  //   upsample_nearest UpsampleNearest2DBackward0     upsample_bilinear UpsampleBilinear2DBackward0
  //   batch_norm NativeBatchNormBackward0             layer_norm NativeLayerNormBackward0
  //   group_norm NativeGroupNormBackward0             add_ AddBackward0        mul_s_ MulBackward1
  // (LibTorch's hand-written nodes are named after their C++ class: torch::autograd::CopyBackwards is wick's
  // wick::autograd::CopyBackwards.)
  using namespace wick;
  namespace F = wick::nn::functional;
  Tensor x = linspace(0.1, 0.9, 6).view({2, 3}).requires_grad_(true);
  Tensor y = linspace(0.2, 1.0, 6).view({2, 3}).requires_grad_(true);
  Tensor m = linspace(-1, 1, 12).view({3, 4}).requires_grad_(true);
  Tensor v = linspace(0.1, 0.3, 3).requires_grad_(true);
  Tensor img = linspace(-1, 1, 50).view({1, 2, 5, 5}).requires_grad_(true);
  Tensor sig = linspace(-1, 1, 10).view({1, 2, 5}).requires_grad_(true);
  Tensor w4 = linspace(-1, 1, 36).view({2, 2, 3, 3}).requires_grad_(true);
  Tensor w3 = linspace(-1, 1, 12).view({2, 2, 3}).requires_grad_(true);
  Tensor idx = tensor({0, 1}, kLong);
  Tensor nx = x * 1;
  const std::vector<std::pair<std::string, Tensor>> cases = {
      {"AddBackward0", x + y},
      {"AddBackward1", x + 2},
      {"SubBackward0", x - y},
      {"SubBackward1", x - 2},
      {"SubBackward0", 2 - x},
      {"MulBackward0", x * y},
      {"MulBackward1", x * 2},
      {"MulBackward1", 2 * x},
      {"DivBackward0", x / y},
      {"DivBackward1", x / 2},
      {"DivBackward0", 2 / x},
      {"PowBackward0", x.pow(2)},
      {"PowBackward1", x.pow(y)},
      {"PowBackward2", pow(2, x)},
      {"RemainderBackward1", remainder(x, y)},
      {"RemainderBackward0", remainder(x, 0.3)},
      {"PowBackward0", x.square()},
      {"Log1PBackward0", x.log1p()},
      {"Expm1Backward0", x.expm1()},
      {"ReluBackward0", x.relu()},
      {"SigmoidBackward0", x.sigmoid()},
      {"ExpBackward0", x.exp()},
      {"ClampBackward1", x.clamp(0.2, 0.5)},
      {"ClampMinBackward0", x.clamp_min(0.2)},
      {"ClampMaxBackward0", x.clamp_max(0.2)},
      {"LerpBackward0", lerp(x, y, 0.3)},
      {"WhereBackward0", where(x > 0.5, x, y)},
      {"MaskedFillBackward0", x.masked_fill(x > 0.5, 0.0)},
      {"SumBackward0", x.sum()},
      {"SumBackward1", x.sum(1)},
      {"SumBackward1", x.sum({0, 1}, true)},
      {"MeanBackward0", x.mean()},
      {"MeanBackward1", x.mean(1)},
      {"ProdBackward0", x.prod()},
      {"ProdBackward1", x.prod(1)},
      {"MaxBackward1", x.max()},
      {"MaxBackward0", std::get<0>(x.max(1))},
      {"AmaxBackward0", x.amax(1)},
      {"VarBackward0", x.var()},
      {"StdBackward0", x.std()},
      {"NormBackward0", x.norm()},
      {"NormBackward1", x.norm(2, 1)},
      {"LogsumexpBackward0", x.logsumexp(1)},
      {"SoftmaxBackward0", x.softmax(1)},
      {"LogSoftmaxBackward0", x.log_softmax(1)},
      {"MmBackward0", x.matmul(m)},
      {"DotBackward0", v.matmul(v)},
      {"MvBackward0", x.matmul(v)},
      {"SqueezeBackward3", x.select(0, 0).matmul(m)},
      {"UnsafeViewBackward0", x.view({1, 2, 3}).matmul(m)},
      {"UnsafeViewBackward0", F::linear(x.view({1, 2, 3}), m.t())},
      {"MmBackward0", x.mm(m)},
      {"BmmBackward0", bmm(x.view({1, 2, 3}), m.view({1, 3, 4}))},
      {"AddmmBackward0", addmm(zeros({2, 4}), x, m)},
      {"AddmmBackward0", F::linear(x, m.t(), zeros({4}))},
      {"MmBackward0", F::linear(x, m.t())},
      {"DotBackward0", dot(v, v)},
      {"ViewBackward0", x.view({3, 2})},
      {"ReshapeAliasBackward0", x.reshape({3, 2})},
      {"UnsafeViewBackward0", x.t().reshape({6})},
      {"SqueezeBackward0", x.view({2, 1, 3}).squeeze()},
      {"SqueezeBackward1", x.view({2, 1, 3}).squeeze(1)},
      {"UnsqueezeBackward0", x.unsqueeze(1)},
      {"PermuteBackward0", x.permute({1, 0})},
      {"TransposeBackward0", x.transpose(0, 1)},
      {"TBackward0", x.t()},
      {"ExpandBackward0", v.expand({2, 3})},
      {"RepeatBackward0", x.repeat({2, 1})},
      {"CatBackward0", cat({x, y}, 0)},
      {"StackBackward0", stack({x, y}, 0)},
      {"SplitBackward0", x.split(1, 0)[0]},
      {"SplitBackward0", x.chunk(2, 0)[0]},
      {"UnbindBackward0", x.unbind(0)[0]},
      {"SliceBackward0", x.narrow(1, 0, 2)},
      {"SelectBackward0", x.select(0, 1)},
      {"SelectBackward0", x.index({1})},
      {"IndexBackward0", x.index({idx})},
      {"FlipBackward0", x.flip({0})},
      {"TrilBackward0", tril(x)},
      {"ConstantPadNdBackward0", pad(x, {1, 1})},
      {"IndexSelectBackward0", x.index_select(0, idx)},
      {"GatherBackward0", x.gather(1, tensor({0, 1, 1, 2}, kLong).view({2, 2}))},
      {"ScatterBackward0", x.scatter(1, tensor({0, 1}, kLong).view({2, 1}), y)},
      {"ScatterBackward1", x.scatter(1, tensor({0, 1}, kLong).view({2, 1}), 1.5)},
      {"MaskedSelectBackward0", masked_select(x, x > 0.5)},
      {"CloneBackward0", x.clone()},
      {"CloneBackward0", x.t().contiguous()},
      {"ToCopyBackward0", x.to(kDouble)},
      {"wick::autograd::CopyBackwards", nx.clone().copy_(y)},
      {"wick::autograd::CopySlices",
       [&] {
         Tensor c = nx.clone();
         c.index_put_({indexing::Slice(0, 1)}, 0.0);
         return c;
       }()},
      {"ConvolutionBackward0", F::conv1d(sig, w3)},
      {"ConvolutionBackward0", F::conv2d(img, w4)},
      {"ConvolutionBackward0", F::conv_transpose2d(img, w4)},
      {"SqueezeBackward1", F::max_pool1d(sig, F::MaxPool1dFuncOptions(2))},
      {"MaxPool2DWithIndicesBackward0", F::max_pool2d(img, F::MaxPool2dFuncOptions(2))},
      {"AvgPool2DBackward0", F::avg_pool2d(img, F::AvgPool2dFuncOptions(2))},
      {"AdaptiveAvgPool2DBackward0", F::adaptive_avg_pool2d(img, F::AdaptiveAvgPool2dFuncOptions(2))},
      {"UpsampleNearest2DBackward0",
       F::interpolate(img, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(kNearest))},
      {"UpsampleBilinear2DBackward0",
       F::interpolate(
           img,
           F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(kBilinear).align_corners(false))},
      {"NativeBatchNormBackward0",
       F::batch_norm(img, zeros({2}), ones({2}), F::BatchNormFuncOptions().training(true))},
      {"NativeLayerNormBackward0", F::layer_norm(img, F::LayerNormFuncOptions({5}))},
      {"NativeGroupNormBackward0", F::group_norm(img, F::GroupNormFuncOptions(2))},
      {"AddBackward0", nx.clone().add_(y)},
      {"MulBackward1", nx.clone().mul_(3)},
  };
  for (const auto& [expected, t] : cases) {
    INFO("expected " << expected);
    CHECK(name_of(t) == expected);
    CHECK(t.grad_fn_name() == expected);
  }
  // A composite that returns its input as it is leaves the input's node alone: t() of a vector is the vector.
  Tensor doubled = v * 2;
  CHECK(doubled.t().grad_fn()->name() == "MulBackward1");
  // Wick's own messages keep the op's name.
  CHECK(autograd::to_dot(x.t()).find("label=\"t\"") != std::string::npos);
}

TEST_CASE("libtorch function: IValue in saved_data is as strict as LibTorch's", "[autograd][function][libtorch]") {
  wick::IValue d_value = 2.5, i_value = 3, b_value = true, s_value = "mode";
  wick::IValue list = std::vector<int64_t>{2, 3}, none;
  CHECK(d_value.toDouble() == 2.5);
  CHECK(i_value.toInt() == 3);
  CHECK(b_value.toBool());
  CHECK(s_value.toStringRef() == "mode");
  CHECK(list.toIntVector() == std::vector<int64_t>{2, 3});
  CHECK(none.isNone());
  CHECK(wick::IValue(wick::Scalar(4)).isInt());
  CHECK(wick::IValue(wick::ones({2})).toTensor().numel() == 2);
  CHECK(wick::IValue(wick::ones({2, 3}).sizes()).toIntVector() == std::vector<int64_t>{2, 3});
  // LibTorch 1.13: IValue(3).toDouble() throws (an internal assert, isDouble()), IValue(2.5).toTensor() "Expected
  // Tensor but got Double".
  CHECK_THROWS_WITH(i_value.toDouble(), Catch::Contains("expected Double but got Int"));
  CHECK_THROWS_WITH(d_value.toTensor(), Catch::Contains("expected Tensor but got Double"));
  CHECK(i_value.toScalar().to_long() == 3);
}
