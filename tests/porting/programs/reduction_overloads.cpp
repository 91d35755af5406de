// porting: compare
// Every reduction through each overload a LibTorch user calls: (), (dim), (dim, keepdim), (bool unbiased),
// (IntArrayRef), (IntArrayRef, keepdim), method and free-function forms, on arange-based inputs. Overload
// resolution is part of the API: whatever LibTorch computes for a call, the port must compute too. (LibTorch 1.13
// cannot take a braced dim list that starts with 0, {0, 1}: 0 is also a null Dimname pointer, so sum/mean/std/var/
// logsumexp({0, 1}) are ambiguous there; its users write IntArrayRef{0, 1}, a std::vector, or another order.)
#include <torch/torch.h>

#include <iostream>
#include <tuple>

#define SHOW(expr) std::cout << #expr << "\n" << (expr) << "\n"

int main() {
  auto a = torch::arange(1, 13, torch::kFloat).view({3, 4}).pow(1.5).div(4);
  auto b = torch::arange(24, torch::kFloat).view({2, 3, 4}).sub(11).mul(0.25);
  SHOW(a);
  SHOW(b);

  // sum
  SHOW(a.sum());
  SHOW(a.sum(0));
  SHOW(a.sum(1, true));
  SHOW(a.sum(-1));
  SHOW(a.sum({-2, -1}));
  SHOW(a.sum(torch::IntArrayRef{0, 1}, true));
  SHOW(b.sum(std::vector<int64_t>{0, 2}));
  SHOW(a.sum(torch::kDouble));
  SHOW(torch::sum(a));
  SHOW(torch::sum(a, 1));
  SHOW(torch::sum(a, {0}, true));
  SHOW(torch::arange(6).sum());  // integer sums stay integer (int64)

  // mean
  SHOW(a.mean());
  SHOW(a.mean(0));
  SHOW(a.mean(-1, true));
  SHOW(a.mean(torch::IntArrayRef{0, 1}));
  SHOW(a.mean({-2, -1}, true));
  SHOW(b.mean({1, 2}, false));
  SHOW(torch::mean(a, 1));
  SHOW(torch::mean(b, {2, 0}, true));

  // prod
  SHOW(a.prod());
  SHOW(a.prod(1));
  SHOW(a.prod(0, true));
  SHOW(torch::prod(a, 1));

  // std / var: bool is unbiased, an integer or a list is dims
  SHOW(a.std());
  SHOW(a.std(true));
  SHOW(a.std(false));
  SHOW(a.std(1));
  SHOW(a.std(0));
  SHOW(a.std(1, true));
  SHOW(a.std(1, false));
  SHOW(a.std(1, false, true));
  SHOW(a.std(torch::IntArrayRef{0, 1}));
  SHOW(a.std({-2, -1}, false));
  SHOW(a.std({1}, true, true));
  SHOW(b.std(torch::IntArrayRef{0, 2}, true, false));
  SHOW(a.var());
  SHOW(a.var(false));
  SHOW(a.var(0));
  SHOW(a.var(0, false));
  SHOW(a.var(1, true, true));
  SHOW(a.var(torch::IntArrayRef{0, 1}, false));
  SHOW(b.var({1, 2}));
  const int64_t dim = 1;  // a.std(dim) with an int64_t is ambiguous in LibTorch (int and bool overloads)
  SHOW(a.var(dim, false));
  SHOW(torch::std(a, 1));
  SHOW(torch::var(a, 0));
  SHOW(torch::std(a, 1, true));
  SHOW(torch::std(a));
  SHOW(torch::std(a, false));
  SHOW(torch::std(a, {1}));
  SHOW(torch::std(a, {0}, false, true));
  SHOW(torch::var(a, {1}, true));
  SHOW(torch::var(b, {1, 0}, false, true));

  // max / min: the (dim) forms return (values, indices)
  SHOW(a.max());
  SHOW(std::get<0>(a.max(1)));
  SHOW(std::get<1>(a.max(1)));
  SHOW(std::get<0>(a.max(0, true)));
  SHOW(std::get<1>(b.max(-1, true)));
  SHOW(a.min());
  SHOW(std::get<0>(a.min(1)));
  SHOW(std::get<1>(a.min(0, true)));
  auto [max_values, max_indices] = torch::max(b, 1);
  SHOW(max_values);
  SHOW(max_indices);
  SHOW(torch::max(a, a.flip({1})));  // elementwise maximum overload
  SHOW(torch::min(a, a.flip({0})));

  // amax / amin take dim lists
  SHOW(a.amax());
  SHOW(a.amax(1));
  SHOW(a.amax({0, 1}, true));
  SHOW(b.amin({0, 2}));
  SHOW(torch::amin(a, 0, true));

  // argmax / argmin
  SHOW(a.argmax());
  SHOW(a.argmax(1));
  SHOW(a.argmax(0, true));
  SHOW(b.argmin(2));
  SHOW(torch::argmax(b, 1, true));

  // norm
  SHOW(a.norm());
  SHOW(a.norm(1));
  SHOW(a.norm(2, 1));
  SHOW(a.norm(2, {0}, true));
  SHOW(b.norm(3, {1, 2}));
  SHOW(torch::norm(a, 1));

  // logsumexp
  SHOW(a.logsumexp(1));
  SHOW(a.logsumexp(0, true));
  SHOW(a.logsumexp(torch::IntArrayRef{0, 1}));
  SHOW(torch::logsumexp(b, {2}, true));

  // all / any
  auto mask = a.gt(2);
  SHOW(mask.all());
  SHOW(mask.any());
  SHOW(mask.all(1));
  SHOW(mask.any(0, true));
  SHOW(torch::any(mask, 1));

  // softmax-style reductions along a dim
  SHOW(a.softmax(1));
  SHOW(a.log_softmax(0));
  SHOW(torch::softmax(b, -1));
  return 0;
}
