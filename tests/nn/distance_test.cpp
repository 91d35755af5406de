// CosineSimilarity, PairwiseDistance and TripletMarginLoss against PyTorch (values and gradients), by finite
// differences, in their edge cases and on bad input.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include <sstream>

#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;

TEST_CASE("distance: cosine similarity, pairwise distance and triplet loss match PyTorch", "[nn][distance]") {
  const Fixture f("nn_distance.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-9 : 2e-5;
    auto run = [&](const std::string& name, std::vector<std::string> inputs, auto fn) {
      check_case(f, name, inputs, fn, dt, tol, tol);
    };
    run("cosine", {"a", "b"}, [](Inputs& in) { return F::cosine_similarity(in["a"], in["b"]); });
    run("cosine", {"a", "b"}, [](Inputs& in) { return nn::CosineSimilarity()(in["a"], in["b"]); });
    run("cosine_dim0_broadcast", {"a", "b"},
        [](Inputs& in) { return F::cosine_similarity(in["a"], in["b"], F::CosineSimilarityFuncOptions().dim(0)); });
    run("cosine_last_eps", {"a", "b"}, [](Inputs& in) {
      return nn::CosineSimilarity(nn::CosineSimilarityOptions().dim(-1).eps(0.01))(in["a"], in["b"]);
    });
    run("pairwise", {"a", "b"}, [](Inputs& in) { return F::pairwise_distance(in["a"], in["b"]); });
    run("pairwise", {"a", "b"}, [](Inputs& in) { return nn::PairwiseDistance()(in["a"], in["b"]); });
    run("pairwise_p1_keepdim", {"a", "b"}, [](Inputs& in) {
      return F::pairwise_distance(in["a"], in["b"], F::PairwiseDistanceFuncOptions().p(1).keepdim(true));
    });
    run("pairwise_p3_eps", {"a", "b"}, [](Inputs& in) {
      return nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(3).eps(0.01))(in["a"], in["b"]);
    });
    run("triplet", {"a", "p", "n"}, [](Inputs& in) { return F::triplet_margin_loss(in["a"], in["p"], in["n"]); });
    run("triplet", {"a", "p", "n"}, [](Inputs& in) { return nn::TripletMarginLoss()(in["a"], in["p"], in["n"]); });
    run("triplet_swap_sum", {"a", "p", "n"}, [](Inputs& in) {
      return F::triplet_margin_loss(in["a"], in["p"], in["n"],
                                    F::TripletMarginLossFuncOptions().margin(2).swap(true).reduction(kSum));
    });
    run("triplet_p1_none", {"a", "p", "n"}, [](Inputs& in) {
      return nn::TripletMarginLoss(nn::TripletMarginLossOptions(kNone).margin(0.5).p(1).eps(1e-3))(in["a"], in["p"],
                                                                                                   in["n"]);
    });
  }
}

TEST_CASE("distance: gradients by finite differences (float64)", "[nn][distance][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(21);
  const auto leaf = [](IntArrayRef shape) { return randn(shape, dtype(kDouble)).requires_grad_(); };
  CHECK(autograd::gradcheck([](const V& v) { return V{F::cosine_similarity(v[0], v[1])}; },
                            V{leaf({3, 4}), leaf({1, 4})}) == "");
  CHECK(autograd::gradcheck(
            [](const V& v) { return V{F::pairwise_distance(v[0], v[1], F::PairwiseDistanceFuncOptions().p(3))}; },
            V{leaf({3, 4}), leaf({3, 4})}) == "");
  CHECK(autograd::gradcheck(
            [](const V& v) {
              return V{F::triplet_margin_loss(v[0], v[1], v[2], F::TripletMarginLossFuncOptions().swap(true))};
            },
            V{leaf({5, 3}), leaf({5, 3}), leaf({5, 3})}) == "");
}

TEST_CASE("distance: PyTorch 2's cosine similarity clamps each norm, and stays in [-1, 1]", "[nn][distance]") {
  // ||a|| = ||b|| = 1e-5: 1.13 clamped their product (1e-10) at eps = 1e-8 and gave 0.01; PyTorch 2 gives 1.
  const Tensor a = tensor({1e-5, 0.0}, dtype(kDouble)), b = tensor({1e-5, 0.0}, dtype(kDouble));
  CHECK(F::cosine_similarity(a.unsqueeze(0), b.unsqueeze(0)).item<double>() == Approx(1.0));
  // A zero vector has similarity 0 with anything, and its gradient is finite.
  const Tensor z = zeros({1, 3}, dtype(kDouble)).requires_grad_(), x = tensor({{1.0, 2.0, 3.0}}, dtype(kDouble));
  const Tensor s = F::cosine_similarity(z, x);
  CHECK(s.item<double>() == 0.0);
  s.sum().backward();
  CHECK(isfinite(z.grad()).all().item<bool>());
  // Parallel vectors give exactly 1 or less: the normalised vectors' dot product, never a ratio past 1.
  const Tensor v = tensor({{0.1f, 0.7f, 0.3f}});
  CHECK(F::cosine_similarity(v, v * 3).item<float>() <= 1.0f);
  // Integer inputs compute in float32, as PyTorch's.
  CHECK(F::cosine_similarity(tensor({{3, 4}}), tensor({{4, 3}})).dtype() == kFloat);
  CHECK(F::cosine_similarity(tensor({{3, 4}}), tensor({{4, 3}})).item<float>() == Approx(24.0f / 25.0f));
}

TEST_CASE("distance: modules print as LibTorch's, bad input names the op", "[nn][distance][errors]") {
  std::ostringstream s;
  s << *nn::CosineSimilarity() << "|" << *nn::PairwiseDistance(nn::PairwiseDistanceOptions().keepdim(true)) << "|"
    << *nn::TripletMarginLoss(nn::TripletMarginLossOptions().swap(true));
  CHECK(s.str() ==
        "wick::nn::CosineSimilarity(dim=1, eps=1e-08)|wick::nn::PairwiseDistance(p=2, eps=1e-06, keepdim=true)|"
        "wick::nn::TripletMarginLoss(margin=1, p=2, eps=1e-06, swap=true)");
  CHECK_THROWS_WITH(F::cosine_similarity(randn({2, 3}), randn({2, 4})),
                    Catch::Contains("cosine_similarity") && Catch::Contains("[2, 3] and [2, 4]"));
  CHECK_THROWS_WITH(F::pairwise_distance(randn({2, 3}), randn({5})),
                    Catch::Contains("pairwise_distance") && Catch::Contains("[2, 3] and [5]"));
  CHECK_THROWS_WITH(F::cosine_similarity(randn({2, 3}), randn({2, 3}), F::CosineSimilarityFuncOptions().dim(2)),
                    Catch::Contains("cosine_similarity") && Catch::Contains("2"));
  CHECK_THROWS_WITH(F::triplet_margin_loss(randn({2, 3}), randn({2, 3}), randn({3})),
                    Catch::Contains("triplet_margin_loss") && Catch::Contains("2D, 2D and 1D"));
  CHECK_THROWS_WITH(F::pairwise_distance(randn({2, 3}), Tensor()), Catch::Contains("pairwise_distance"));
}
