// clip_grad_norm_ (2, 1 and infinity norms) and clip_grad_value_ against PyTorch 1.13.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <limits>

#include "../nn/fixture.h"

using namespace wick;
using testing::Fixture;

TEST_CASE("clip_grad: norms and values match PyTorch", "[optim][clip]") {
  const Fixture f("optim_clip.safetensors");
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::string name;
    double limit, norm_type;  // norm_type 0: clip_grad_value_
  };
  const std::vector<Case> cases = {{"norm2", 1.0, 2.0},
                                   {"norm1", 2.0, 1.0},
                                   {"norm_inf", 0.5, inf},
                                   {"norm_unclipped", 100.0, 2.0},
                                   {"value", 0.3, 0}};
  std::string ours;
  for (const Case& c : cases) ours += (ours.empty() ? "" : ",") + c.name;
  CHECK(ours == f.meta("cases"));
  for (const Case& c : cases) {
    INFO("case " << c.name);
    std::vector<Tensor> ps = {zeros({3, 4}, requires_grad()), zeros({5}, requires_grad()), zeros({2}, requires_grad())};
    ps[0].mutable_grad() = f(c.name + ".g0");
    ps[1].mutable_grad() = f(c.name + ".g1");  // ps[2] has no gradient and is skipped
    if (c.norm_type == 0) {
      nn::utils::clip_grad_value_(ps, c.limit);
    } else {
      const double total = nn::utils::clip_grad_norm_(ps, c.limit, c.norm_type);
      CHECK(total == Approx(f(c.name + ".total").item<double>()).epsilon(1e-6));
    }
    CHECK_CLOSE(ps[0].grad(), f(c.name + ".c0"), 1e-6, 1e-7);
    CHECK_CLOSE(ps[1].grad(), f(c.name + ".c1"), 1e-6, 1e-7);
    CHECK_FALSE(ps[2].grad().defined());
  }
}

TEST_CASE("clip_grad: a non-finite norm throws only when asked", "[optim][clip]") {
  Tensor w = zeros({2}, requires_grad());
  w.mutable_grad() = tensor({1.0f, std::numeric_limits<float>::infinity()});
  CHECK_THROWS_WITH(nn::utils::clip_grad_norm_(w, 1.0, 2.0, /*error_if_nonfinite=*/true),
                    Catch::Contains("non-finite"));
  CHECK(std::isinf(nn::utils::clip_grad_norm_(w, 1.0)));
  Tensor none = zeros({2}, requires_grad());
  CHECK(nn::utils::clip_grad_norm_({none}, 1.0) == 0.0);
}
