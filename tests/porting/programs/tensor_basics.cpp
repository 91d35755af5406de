// porting: compare
// PyTorch's "Tensors" tutorial as a LibTorch user writes it: creation, indexing, views, dtypes, arithmetic,
// reductions. Deterministic inputs only, so every printed value must match LibTorch's.
#include <torch/torch.h>

#include <iostream>
#include <tuple>

using namespace torch::indexing;

int main() {
  // ---- creation ----
  torch::Tensor z = torch::zeros({2, 3});
  torch::Tensor o = torch::ones({2, 3}, torch::kInt64);
  torch::Tensor f = torch::full({2, 2}, 7.5);
  torch::Tensor e = torch::eye(3);
  torch::Tensor r = torch::arange(12);
  torch::Tensor rf = torch::arange(0, 3, 0.5);
  torch::Tensor l = torch::linspace(-1, 1, 5);
  torch::Tensor t = torch::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  torch::Tensor ti = torch::tensor({1, 2, 3});
  torch::Tensor column = torch::tensor({{0.f}, {1.f}, {1.f}, {0.f}});  // XOR targets, as often written
  torch::Tensor td = torch::tensor({1.5, 2.5}, torch::dtype(torch::kFloat64));
  float data[] = {1, 2, 3, 4, 5, 6};
  torch::Tensor b = torch::from_blob(data, {2, 3});
  std::cout << "zeros\n" << z << "\nones\n" << o << "\nfull\n" << f << "\neye\n" << e << "\n";
  std::cout << "arange\n" << r << "\narange(0, 3, 0.5)\n" << rf << "\nlinspace\n" << l << "\n";
  std::cout << "column\n" << column << "\n";
  std::cout << "tensor\n" << t << "\nint tensor\n" << ti << "\ndouble tensor\n" << td << "\nfrom_blob\n" << b << "\n";
  std::cout << "zeros_like " << torch::zeros_like(t) << "\nones_like " << torch::ones_like(ti) << "\n";
  std::cout << "full_like " << torch::full_like(t, 2) << "\n";
  std::cout << "sizes " << t.sizes() << " dim " << t.dim() << " numel " << t.numel() << " size(1) " << t.size(1)
            << "\n";
  std::cout << "dtype " << t.dtype() << " / " << ti.dtype() << "\n";

  // ---- indexing ----
  torch::Tensor a = torch::arange(24, torch::kFloat).reshape({2, 3, 4});
  std::cout << "a\n" << a << "\n";
  std::cout << "a[0]\n" << a.index({0}) << "\n";
  std::cout << "a[:, 1]\n" << a.index({Slice(), 1}) << "\n";
  std::cout << "a[..., 2]\n" << a.index({Ellipsis, 2}) << "\n";
  std::cout << "a[\"...\", -1]\n" << a.index({"...", -1}) << "\n";
  std::cout << "a[1, 1:, :3:2]\n" << a.index({1, Slice(1, None), Slice(None, 3, 2)}) << "\n";
  std::cout << "a[None, 0].sizes() " << a.index({None, 0}).sizes() << "\n";
  std::cout << "a[..., None].sizes() " << a.index({Ellipsis, None}).sizes() << "\n";
  std::cout << "a[a > 20]\n" << a.index({a > 20}) << "\n";
  torch::Tensor idx = torch::tensor({2, 0}, torch::kLong);
  std::cout << "a[0, idx]\n" << a.index({0, idx}) << "\n";
  std::cout << "a[1][2] " << a[1][2] << "\n";
  std::cout << "select/narrow/slice\n"
            << a.select(2, 1) << "\n"
            << a.narrow(1, 1, 2) << "\n"
            << a.slice(2, 0, 4, 3) << "\n";
  torch::Tensor c = a.clone();
  c.index_put_({0, Slice(), 0}, -1);
  c.index_put_({c > 20}, 0);
  c.index_put_({1, 0}, torch::tensor({9.f, 8.f, 7.f, 6.f}));
  c[1][1][1] = 100;
  std::cout << "after index_put_\n" << c << "\n";

  // ---- views ----
  torch::Tensor m = torch::arange(6, torch::kFloat);
  std::cout << "view\n" << m.view({2, 3}) << "\nview(-1, 2)\n" << m.view({-1, 2}) << "\n";
  torch::Tensor m23 = m.reshape({2, 3});
  std::cout << "t()\n"
            << m23.t() << "\ncontiguous? " << m23.t().is_contiguous() << " " << m23.t().contiguous().is_contiguous()
            << "\n";
  std::cout << "transpose\n" << a.transpose(0, 2).sizes() << "\npermute\n" << a.permute({2, 0, 1}) << "\n";
  std::cout << "unsqueeze " << m.unsqueeze(0).sizes() << " " << m.unsqueeze(-1).sizes() << " squeeze "
            << m.unsqueeze(0).squeeze().sizes() << " " << m23.unsqueeze(1).squeeze(1).sizes() << "\n";
  std::cout << "flatten " << a.flatten(1).sizes() << " expand\n" << torch::tensor({1.f, 2.f}).expand({3, 2}) << "\n";
  std::vector<torch::Tensor> parts = m.chunk(3);
  std::cout << "chunk " << parts.size() << " " << parts[1] << "\n";
  auto pieces = m.split(4);
  std::cout << "split " << pieces.size() << " " << pieces[1] << "\n";
  std::cout << "cat\n" << torch::cat({m23, m23 * 10}, 1) << "\nstack\n" << torch::stack({m, m + 1}) << "\n";
  std::cout << "flip\n" << m23.flip({1}) << "\n";
  torch::Tensor shared = m.view({3, 2});
  shared[0][0] = 42;  // writes through to m
  std::cout << "view shares storage: " << m[0].item<float>() << "\n";

  // ---- dtype conversion ----
  torch::Tensor fl = torch::tensor({-1.7f, 0.5f, 2.9f});
  std::cout << "to(kInt32)\n" << fl.to(torch::kInt32) << "\nto(kFloat64)\n" << fl.to(torch::kFloat64) << "\n";
  std::cout << "to(kLong)\n" << fl.to(torch::kLong) << "\nto(kBool)\n" << fl.to(torch::kBool) << "\n";
  std::cout << "int / 2\n" << (ti / 2) << "\nint + 1.5\n" << (ti + 1.5) << "\nint32 + int64\n" << (ti + o[0]) << "\n";
  std::cout << "float + double\n" << (torch::ones({2}) + td) << "\n";
  std::cout << "item " << t.sum().item<float>() << " " << t.max().item<double>() << " " << ti.sum().item<int64_t>()
            << " " << t.mean().item().toDouble() << "\n";

  // ---- arithmetic ----
  torch::Tensor x = torch::linspace(0.5, 3, 6).view({2, 3});
  std::cout << "x + t\n" << x + t << "\nx * 2 - 1\n" << x * 2 - 1 << "\nt / x\n" << t / x << "\n";
  std::cout << "pow\n"
            << x.pow(2) << "\nsqrt\n"
            << torch::sqrt(x) << "\nexp\n"
            << x.exp() << "\nlog\n"
            << torch::log(x) << "\n";
  std::cout << "clamp\n" << x.clamp(1, 2) << "\nabs\n" << (x - 2).abs() << "\n";
  std::cout << "where\n" << torch::where(x > 1.5, x, torch::zeros_like(x)) << "\n";
  std::cout << "matmul\n" << torch::matmul(t, x.t()) << "\nmm\n" << t.mm(x.t()) << "\n";
  std::cout << "broadcast\n" << (t + torch::tensor({10.f, 20.f, 30.f})) << "\n";
  std::cout << "softmax\n" << torch::softmax(x, 1) << "\nsigmoid\n" << torch::sigmoid(x) << "\n";
  torch::Tensor acc = torch::zeros({2, 3});
  acc += t;
  acc *= 2;
  acc.add_(1).mul_(0.5);
  std::cout << "in place\n" << acc << "\n";
  std::cout << "compare\n"
            << (t > 3) << "\n"
            << t.eq(x) << "\nallclose " << torch::allclose(t, t + 1e-9) << " equal " << torch::equal(t, t.clone())
            << "\n";

  // ---- reductions ----
  std::cout << "sum " << t.sum() << "\nsum(0)\n"
            << t.sum(0) << "\nsum({0,1}, true)\n"
            << t.sum(torch::IntArrayRef{0, 1}, true) << "\n";
  std::cout << "mean(-1, true)\n" << t.mean(-1, true) << "\nmean\n" << t.mean() << "\n";
  std::cout << "std(1)\n" << t.std(1) << "\nvar(0, false)\n" << t.var(0, false) << "\nstd()\n" << t.std() << "\n";
  auto max1 = t.max(1);
  std::cout << "max(1) values\n" << std::get<0>(max1) << "\nmax(1) indices\n" << std::get<1>(max1) << "\n";
  torch::Tensor mins, argmins;
  std::tie(mins, argmins) = t.min(0, true);
  std::cout << "min(0, true)\n" << mins << "\n" << argmins << "\n";
  std::cout << "argmax(1)\n" << t.argmax(1) << "\nprod(1)\n" << t.prod(1) << "\ncumsum(1)\n" << t.cumsum(1) << "\n";
  std::cout << "norm " << t.norm() << "\nlogsumexp(1)\n"
            << t.logsumexp(1) << "\nall/any " << (t > 0).all() << " " << (t > 5).any() << "\n";
  return 0;
}
