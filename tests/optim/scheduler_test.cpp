// Learning-rate schedules against PyTorch 1.13's sequences (tools/gen_optim_fixtures.py): two parameter groups
// with different base rates, every rate from construction on; OneCycleLR's momentum too.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <functional>

#include "../nn/fixture.h"

using namespace wick;
using testing::Fixture;
namespace O = wick::optim;

namespace {

// SGD(lr 0.1, momentum 0.9) or Adam(lr 0.1), the second group at lr 0.3: as the generator builds them.
std::unique_ptr<O::Optimizer> make_optimizer(const std::string& kind, const std::vector<Tensor>& ps) {
  std::vector<O::OptimizerParamGroup> groups;
  if (kind == "sgd") {
    groups.emplace_back(std::vector<Tensor>{ps[0]});
    groups.emplace_back(std::vector<Tensor>{ps[1]}, std::make_unique<O::SGDOptions>(O::SGDOptions(0.3).momentum(0.9)));
    return std::make_unique<O::SGD>(std::move(groups), O::SGDOptions(0.1).momentum(0.9));
  }
  groups.emplace_back(std::vector<Tensor>{ps[0]});
  groups.emplace_back(std::vector<Tensor>{ps[1]}, std::make_unique<O::AdamOptions>(O::AdamOptions(0.3)));
  return std::make_unique<O::Adam>(std::move(groups), O::AdamOptions(0.1));
}

double momentum_of(O::Optimizer& opt, size_t group) {
  double m = 0;
  if (!O::get_option(opt.param_groups()[group].options(), "momentum", m))
    O::get_option(opt.param_groups()[group].options(), "betas.0", m);
  return m;
}

struct Schedule {
  std::string name, kind;
  int steps;
  // Builds the scheduler; returns its step function.
  std::function<std::function<void(int)>(O::Optimizer&, const Fixture&)> make;
};

template <class S, class... Args>
std::function<std::function<void(int)>(O::Optimizer&, const Fixture&)> epochwise(Args... args) {
  return [=](O::Optimizer& opt, const Fixture&) {
    auto s = std::make_shared<S>(opt, args...);
    return std::function<void(int)>([s](int) { s->step(); });
  };
}

template <class... Args>
std::function<std::function<void(int)>(O::Optimizer&, const Fixture&)> plateau(std::string name, Args... args) {
  return [=](O::Optimizer& opt, const Fixture& f) {
    auto s = std::make_shared<O::ReduceLROnPlateauScheduler>(opt, args...);
    const Tensor metric = f(name + ".metric");
    return std::function<void(int)>([s, metric](int t) { s->step(metric[t].item<double>()); });
  };
}

}  // namespace

TEST_CASE("optim: every LR schedule matches PyTorch's rates step by step", "[optim][scheduler]") {
  using P = O::ReduceLROnPlateauScheduler;
  const std::vector<Schedule> schedules = {
      {"step", "sgd", 20, epochwise<O::StepLR>(int64_t(3), 0.5)},
      {"multistep", "sgd", 20, epochwise<O::MultiStepLR>(std::vector<int64_t>{2, 5, 5, 9}, 0.3)},
      {"exponential", "sgd", 20, epochwise<O::ExponentialLR>(0.9)},
      {"cosine", "sgd", 40, epochwise<O::CosineAnnealingLR>(int64_t(8), 0.001)},
      {"linear", "sgd", 20, epochwise<O::LinearLR>(0.1, 1.0, int64_t(6))},
      {"linear_decay", "sgd", 10, epochwise<O::LinearLR>(1.0, 0.25, int64_t(4))},
      {"onecycle_sgd", "sgd", 29, epochwise<O::OneCycleLR>(O::OneCycleLROptions(1.0, 30))},
      {"onecycle_adam_linear", "adam", 24,
       epochwise<O::OneCycleLR>(
           O::OneCycleLROptions(0.5, 25).pct_start(0.4).anneal_strategy("linear").div_factor(10).final_div_factor(
               100))},
      {"onecycle_three_phase", "sgd", 19,
       epochwise<O::OneCycleLR>(O::OneCycleLROptions(2.0, 20).three_phase(true).base_momentum(0.8).max_momentum(0.9))},
      {"plateau", "sgd", 20, plateau("plateau", P::min, 0.5, int64_t(2))},
      {"plateau_max_abs", "sgd", 20,
       plateau("plateau_max_abs", P::max, 0.1, int64_t(1), 0.1, P::abs, int64_t(2), std::vector<double>{0.02, 0.001})},
  };
  const Fixture f("optim_schedulers.safetensors");
  std::string ours;
  for (const Schedule& s : schedules) ours += (ours.empty() ? "" : ",") + s.name;
  CHECK(ours == f.meta("cases"));

  for (const Schedule& s : schedules) {
    INFO("schedule " << s.name);
    std::vector<Tensor> ps = {zeros({2}, requires_grad()), zeros({3}, requires_grad())};
    auto opt = make_optimizer(s.kind, ps);
    auto step = s.make(*opt, f);
    const Tensor lr = f(s.name + ".lr");
    const bool has_momentum = f.has(s.name + ".momentum");
    const Tensor momentum = has_momentum ? f(s.name + ".momentum") : Tensor();
    for (int t = 0; t <= s.steps; ++t) {
      if (t > 0) {
        opt->step();
        step(t - 1);
      }
      for (size_t g = 0; g < 2; ++g) {
        INFO("after " << t << " steps, group " << g);
        CHECK(opt->param_groups()[g].options().get_lr() == Approx(lr[t][int64_t(g)].item<double>()).epsilon(1e-12));
        if (has_momentum) CHECK(momentum_of(*opt, g) == Approx(momentum[t][int64_t(g)].item<double>()).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("optim: schedulers report their last rates and refuse bad arguments", "[optim][scheduler]") {
  Tensor w = zeros({1}, requires_grad());
  O::SGD opt({w}, O::SGDOptions(1.0));
  O::ExponentialLR exp(opt, 0.5);
  exp.step();
  exp.step();
  CHECK(exp.last_epoch() == 2);
  CHECK(exp.get_last_lr() == std::vector<double>{0.25});

  CHECK_THROWS_WITH(O::StepLR(opt, 0), Catch::Contains("step_size must be positive"));
  CHECK_THROWS_WITH(O::LinearLR(opt, 0.0), Catch::Contains("start_factor"));
  CHECK_THROWS_WITH(O::OneCycleLR(opt, O::OneCycleLROptions(1.0, 10).anneal_strategy("cubic")),
                    Catch::Contains("anneal_strategy"));
  CHECK_THROWS_WITH(O::ReduceLROnPlateauScheduler(opt, O::ReduceLROnPlateauScheduler::min, 1.5),
                    Catch::Contains("factor should be < 1.0"));

  O::Adagrad adagrad({w}, O::AdagradOptions(0.1));
  CHECK_THROWS_WITH(O::OneCycleLR(adagrad, 1.0, 10), Catch::Contains("no momentum to cycle"));
  O::OneCycleLR cycle(adagrad, O::OneCycleLROptions(1.0, 3).cycle_momentum(false));
  cycle.step();
  cycle.step();
  cycle.step();
  CHECK_THROWS_WITH(cycle.step(), Catch::Contains("tried to step 5 times; the schedule has 3 steps"));
}
