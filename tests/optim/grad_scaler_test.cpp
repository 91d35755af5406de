// GradScaler against PyTorch's (tools/gen_autocast_fixtures.py runs torch.cuda.amp.GradScaler on the CPU): the same
// least-squares run with overflows injected at fixed steps gives the same scale before every step, skips the
// same steps and leaves the same weights; a scale that would grow past float32 stays. Also its state_dict round
// trip and the misuse PyTorch refuses.
#include <catch2/catch.hpp>
#include <wick/optim/grad_scaler.h>
#include <wick/wick.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>

#include "../nn/fixture.h"
#include "support/fixtures.h"

using namespace wick;
using testing::Fixture;

namespace {

struct Run {
  std::vector<double> scales;
  std::vector<bool> skipped;
  std::vector<Tensor> weights;
};

// The generator's loop: SGD(lr 0.05, momentum 0.9) on mean((x w - y)^2), the loss times inf at injected steps.
// `scaler` and `w` carry over between calls, so a run can be split around a state_dict round trip.
void train(const Fixture& f, const std::string& name, GradScaler& scaler, Tensor& w, optim::SGD& opt, int from, int to,
           const std::set<int>& inject, Run& run) {
  const Tensor x = f(name + ".x").to(kFloat), y = f(name + ".y").to(kFloat);
  for (int step = from; step < to; ++step) {
    opt.zero_grad();
    Tensor loss = (x.matmul(w) - y).pow(2).mean();
    if (inject.count(step)) loss = loss * std::numeric_limits<double>::infinity();
    run.scales.push_back(scaler.get_scale());
    scaler.scale(loss).backward();
    scaler.step(opt);
    run.skipped.push_back(scaler.step_skipped(opt));
    scaler.update();
    run.weights.push_back(w.detach().clone());
  }
}

std::set<int> injected(const Fixture& f, const std::string& name) {
  std::set<int> steps;
  for (const std::string& s : testing::split(f.meta(name + ".inject"), ',')) steps.insert(std::stoi(s));
  return steps;
}

void check_run(const Fixture& f, const std::string& name, const Run& run) {
  const Tensor scales = f(name + ".scales"), skipped = f(name + ".skipped"), ws = f(name + ".w");
  REQUIRE(int64_t(run.scales.size()) == scales.numel());
  for (size_t i = 0; i < run.scales.size(); ++i) {
    INFO("step " << i);
    CHECK(run.scales[i] == scales[int64_t(i)].item<double>());
    CHECK(run.skipped[i] == skipped[int64_t(i)].item<bool>());
    CHECK_TENSOR(run.weights[i], ws[int64_t(i)].to(kFloat), (testing::Tolerance{1e-5, 1e-6}));
  }
}

}  // namespace

TEST_CASE("GradScaler: scales, skipped steps and weights as PyTorch's over a run with overflows", "[optim][amp]") {
  const Fixture f("autocast.safetensors");
  for (const std::string name : {"scaler", "scaler_overflow"}) {
    INFO(name);
    const std::set<int> inject = injected(f, name);
    const int steps = std::stoi(f.meta(name + ".steps"));
    GradScalerOptions o;
    o.init_scale(std::stod(f.meta(name + ".init_scale")))
        .growth_interval(std::stoll(f.meta(name + ".growth_interval")));
    if (!f.meta(name + ".growth_factor").empty()) o.growth_factor(std::stod(f.meta(name + ".growth_factor")));
    GradScaler scaler(o);
    Tensor w = f(name + ".w0").to(kFloat).requires_grad_();
    optim::SGD opt({w}, optim::SGDOptions(0.05).momentum(0.9));
    Run run;
    train(f, name, scaler, w, opt, 0, steps, inject, run);
    check_run(f, name, run);
    CHECK(scaler.get_scale() == f(name + ".final_scale").item<double>());
    CHECK(double(scaler.growth_tracker()) == f(name + ".final_tracker").item<double>());
  }
}

TEST_CASE("GradScaler: a state_dict round trip mid-run continues the same run", "[optim][amp]") {
  const Fixture f("autocast.safetensors");
  const std::set<int> inject = injected(f, "scaler");
  const int steps = std::stoi(f.meta("scaler.steps"));
  const GradScalerOptions o = GradScalerOptions().init_scale(1024).growth_interval(3);
  Tensor w = f("scaler.w0").to(kFloat).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions(0.05).momentum(0.9));
  Run run;
  GradScaler first(o);
  train(f, "scaler", first, w, opt, 0, 5, inject, run);
  // Saved through a safetensors file, as a training checkpoint would be.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("wick_grad_scaler_" + std::to_string(::getpid()) + ".safetensors"))
          .string();
  save_safetensors(path, first.state_dict());
  GradScaler second(GradScalerOptions().init_scale(1));  // every value comes from the file
  second.load_state_dict(load_safetensors(path));
  std::remove(path.c_str());
  CHECK(second.get_scale() == first.get_scale());
  CHECK(second.growth_tracker() == first.growth_tracker());
  train(f, "scaler", second, w, opt, 5, steps, inject, run);
  check_run(f, "scaler", run);
}

TEST_CASE("GradScaler: misuse and bad options are refused, naming GradScaler", "[optim][amp]") {
  CHECK_THROWS_WITH(GradScaler(GradScalerOptions().init_scale(0)),
                    Catch::Contains("GradScaler") && Catch::Contains("init_scale") && Catch::Contains("0"));
  CHECK_THROWS_WITH(GradScaler(GradScalerOptions().growth_factor(0.5)), Catch::Contains("growth_factor"));
  CHECK_THROWS_WITH(GradScaler(GradScalerOptions().backoff_factor(1.5)), Catch::Contains("backoff_factor"));
  CHECK_THROWS_WITH(GradScaler(GradScalerOptions().growth_interval(0)), Catch::Contains("growth_interval"));

  Tensor w = ones({3}).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions(0.1));
  GradScaler scaler;
  scaler.scale(w.sum()).backward();
  CHECK(w.grad()[0].item<float>() == 65536.0f);
  scaler.unscale_(opt);
  CHECK(w.grad()[0].item<float>() == 1.0f);
  CHECK_THROWS_WITH(scaler.unscale_(opt), Catch::Contains("unscale_() has already been called"));
  scaler.step(opt);
  CHECK_FALSE(scaler.step_skipped(opt));
  CHECK_THROWS_WITH(scaler.step(opt), Catch::Contains("step() has already been called"));
  CHECK_THROWS_WITH(scaler.step(opt, [] { return Tensor(); }), Catch::Contains("closure"));
  scaler.update();
  CHECK_THROWS_WITH(scaler.update(), Catch::Contains("no inf checks"));
  CHECK_THROWS_WITH(scaler.scale(ones({2}, kLong)), Catch::Contains("floating point"));
  CHECK_THROWS_WITH(scaler.load_state_dict({}), Catch::Contains("empty"));
  scaler.update(8.0);  // an explicit new scale needs no inf checks
  CHECK(scaler.get_scale() == 8.0);

  // Disabled: a pass-through that still steps.
  GradScaler off(GradScalerOptions().enabled(false));
  const Tensor loss = (w * 2).sum();
  CHECK(off.scale(loss).data_ptr() == loss.data_ptr());
  CHECK(off.get_scale() == 1.0);
  CHECK(off.state_dict().empty());
}
