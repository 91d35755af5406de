// Every optimizer and option against PyTorch 1.13: the same gradients, step by step, give the same parameters
// (tools/gen_optim_fixtures.py). Also state_dict round trips mid-run, and the base class's checks.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <functional>

#include "../nn/fixture.h"
#include "support/fixtures.h"

using namespace wick;
using testing::Fixture;
namespace O = wick::optim;

namespace {

constexpr int kSteps = 10;
using Make = std::function<std::unique_ptr<O::Optimizer>(const std::vector<Tensor>&)>;

template <class Opt, class Options>
Make one_group(Options options) {
  return [options](const std::vector<Tensor>& ps) { return std::make_unique<Opt>(ps, options); };
}

// Each parameter in a group of its own, with these options (the defaults are the first's).
template <class Opt, class Options>
Make per_param(Options first, Options second) {
  return [first, second](const std::vector<Tensor>& ps) {
    std::vector<O::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<Tensor>{ps[0]});
    groups.emplace_back(std::vector<Tensor>{ps[1]}, std::make_unique<Options>(second));
    return std::make_unique<Opt>(std::move(groups), first);
  };
}

// The same cases, names and options as tools/gen_optim_fixtures.py.
const std::vector<std::pair<std::string, Make>>& cases() {
  static const std::vector<std::pair<std::string, Make>> all = {
      {"sgd", one_group<O::SGD>(O::SGDOptions(0.1))},
      {"sgd_momentum", one_group<O::SGD>(O::SGDOptions(0.1).momentum(0.9))},
      {"sgd_dampening", one_group<O::SGD>(O::SGDOptions(0.1).momentum(0.9).dampening(0.5))},
      {"sgd_nesterov", one_group<O::SGD>(O::SGDOptions(0.1).momentum(0.9).nesterov(true))},
      {"sgd_weight_decay", one_group<O::SGD>(O::SGDOptions(0.1).momentum(0.5).weight_decay(0.1))},
      {"sgd_maximize", one_group<O::SGD>(O::SGDOptions(0.1).momentum(0.9).maximize(true))},
      {"sgd_groups", per_param<O::SGD>(O::SGDOptions(0.1).momentum(0.9), O::SGDOptions(0.01))},
      {"adam", one_group<O::Adam>(O::AdamOptions(1e-2))},
      {"adam_amsgrad", one_group<O::Adam>(O::AdamOptions(1e-2).amsgrad(true))},
      {"adam_weight_decay", one_group<O::Adam>(O::AdamOptions(1e-2).weight_decay(0.1))},
      {"adam_betas", one_group<O::Adam>(O::AdamOptions(1e-2).betas({0.8, 0.99}).eps(1e-6))},
      {"adam_maximize", one_group<O::Adam>(O::AdamOptions(1e-2).maximize(true))},
      {"adam_groups", per_param<O::Adam>(O::AdamOptions(1e-2), O::AdamOptions(0.05).amsgrad(true))},
      {"adam_skip", one_group<O::Adam>(O::AdamOptions(1e-2))},
      {"adam_f32", one_group<O::Adam>(O::AdamOptions(1e-2))},
      {"adamw", one_group<O::AdamW>(O::AdamWOptions(1e-2))},
      {"adamw_amsgrad", one_group<O::AdamW>(O::AdamWOptions(1e-2).weight_decay(0.1).amsgrad(true))},
      {"rmsprop", one_group<O::RMSprop>(O::RMSpropOptions(1e-2))},
      {"rmsprop_centered", one_group<O::RMSprop>(O::RMSpropOptions(1e-2).centered(true))},
      {"rmsprop_momentum", one_group<O::RMSprop>(O::RMSpropOptions(1e-2).momentum(0.9))},
      {"rmsprop_all",
       one_group<O::RMSprop>(O::RMSpropOptions(1e-2).alpha(0.9).centered(true).momentum(0.5).weight_decay(0.1))},
      {"adagrad", one_group<O::Adagrad>(O::AdagradOptions(1e-1))},
      {"adagrad_lr_decay", one_group<O::Adagrad>(O::AdagradOptions(1e-1).lr_decay(0.1))},
      {"adagrad_weight_decay", one_group<O::Adagrad>(O::AdagradOptions(1e-1).weight_decay(0.1))},
      {"adagrad_initial", one_group<O::Adagrad>(O::AdagradOptions(1e-1).initial_accumulator_value(0.5).eps(1e-6))},
      {"adadelta", one_group<O::Adadelta>(O::AdadeltaOptions())},
      {"adadelta_all",
       one_group<O::Adadelta>(O::AdadeltaOptions(0.5).rho(0.8).eps(1e-5).weight_decay(0.1).maximize(true))},
      {"adamax", one_group<O::Adamax>(O::AdamaxOptions(2e-2))},
      {"adamax_all",
       one_group<O::Adamax>(O::AdamaxOptions(2e-2).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.1).maximize(true))},
      {"nadam", one_group<O::NAdam>(O::NAdamOptions(2e-2))},
      {"nadam_all",
       one_group<O::NAdam>(O::NAdamOptions(2e-2).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.1).momentum_decay(1e-2))},
      {"nadam_f32", one_group<O::NAdam>(O::NAdamOptions(2e-2))},
      {"radam", one_group<O::RAdam>(O::RAdamOptions(1e-2))},
      {"radam_all", one_group<O::RAdam>(O::RAdamOptions(1e-2).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.1))},
      {"rprop", one_group<O::Rprop>(O::RpropOptions(1e-2))},
      {"rprop_all",
       one_group<O::Rprop>(O::RpropOptions(2e-2).etas({0.3, 1.5}).step_sizes({1e-3, 0.05}).maximize(true))},
  };
  return all;
}

std::string key(const std::string& c, int i, const std::string& what) {
  return c + ".p" + std::to_string(i) + "." + what;
}

// Feeds step t's gradients from the fixture (none where PyTorch had none).
void set_grads(const Fixture& f, const std::string& c, int t, const std::vector<Tensor>& params) {
  for (int i = 0; i < int(params.size()); ++i) {
    const std::string k = key(c, i, "grad" + std::to_string(t));
    params[size_t(i)].mutable_grad() = f.has(k) ? f(k) : Tensor();
  }
}

void check_params(const Fixture& f, const std::string& c, int t, const std::vector<Tensor>& params, double tol) {
  for (int i = 0; i < int(params.size()); ++i) {
    INFO("case " << c << ", parameter " << i << " after step " << t);
    CHECK_CLOSE(params[size_t(i)], f(key(c, i, "step" + std::to_string(t))), tol, tol);
  }
}

}  // namespace

TEST_CASE("optim: every optimizer and option replays PyTorch's steps", "[optim]") {
  const Fixture f("optim_optimizers.safetensors");
  std::string listed = f.meta("cases");
  std::string ours;
  for (const auto& [name, make] : cases()) ours += (ours.empty() ? "" : ",") + name;
  CHECK(ours == listed);

  for (const auto& [name, make] : cases()) {
    const double tol = name.ends_with("_f32") ? 2e-6 : 1e-12;
    std::vector<Tensor> params = {f(key(name, 0, "init")).requires_grad_(true),
                                  f(key(name, 1, "init")).requires_grad_(true)};
    std::unique_ptr<O::Optimizer> opt = make(params);
    for (int t = 0; t < kSteps; ++t) {
      set_grads(f, name, t, params);
      opt->step();
      check_params(f, name, t, params, tol);
    }
  }
}

TEST_CASE("optim: state_dict mid-run, loaded into a fresh optimizer, continues PyTorch's trajectory", "[optim]") {
  const Fixture f("optim_optimizers.safetensors");
  for (const auto& [name, make] : cases()) {
    const double tol = name.ends_with("_f32") ? 2e-6 : 1e-12;
    std::vector<Tensor> params = {f(key(name, 0, "init")).requires_grad_(true),
                                  f(key(name, 1, "init")).requires_grad_(true)};
    std::map<std::string, Tensor> saved;
    {
      std::unique_ptr<O::Optimizer> first = make(params);
      for (int t = 0; t < kSteps / 2; ++t) {
        set_grads(f, name, t, params);
        first->step();
      }
      for (const auto& [k, v] : first->state_dict()) saved[k] = v.clone();  // as if read back from a file
    }
    std::unique_ptr<O::Optimizer> second = make(params);
    second->load_state_dict(saved);
    CHECK(second->state_dict().size() == saved.size());
    for (int t = kSteps / 2; t < kSteps; ++t) {
      set_grads(f, name, t, params);
      second->step();
      check_params(f, name, t, params, tol);
    }
  }
}

TEST_CASE("optim: state_dict keys follow PyTorch's names", "[optim]") {
  Tensor w = randn({3, 2}, requires_grad()), b = zeros({2}, requires_grad());
  O::Adam opt({w, b}, O::AdamOptions(0.1).amsgrad(true));
  (w.sum() + b.sum()).backward();
  opt.step();
  const auto sd = opt.state_dict();
  for (const char* k :
       {"param_groups.0.lr", "param_groups.0.betas.0", "param_groups.0.betas.1", "param_groups.0.eps",
        "param_groups.0.weight_decay", "param_groups.0.amsgrad", "param_groups.0.maximize", "param_groups.0.params",
        "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.1.exp_avg"}) {
    INFO(k);
    CHECK(sd.count(k) == 1);
  }
  CHECK(sd.at("state.0.step").item<double>() == 1.0);
  CHECK(sd.at("param_groups.0.lr").item<double>() == 0.1);
  CHECK(equal(sd.at("param_groups.0.params"), tensor({int64_t(0), int64_t(1)})));
}

TEST_CASE("optim: load_state_dict lists every problem and leaves the optimizer unchanged", "[optim]") {
  Tensor w = randn({3, 2}, requires_grad()), b = zeros({2}, requires_grad());
  O::Adam adam({w, b}, O::AdamOptions(0.1));
  (w.sum() + b.sum()).backward();
  adam.step();
  auto sd = adam.state_dict();

  SECTION("another optimizer's state") {
    O::SGD sgd({w, b}, O::SGDOptions(0.5).momentum(0.9));
    try {
      sgd.load_state_dict(sd);
      FAIL("no error");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find("SGD::load_state_dict") != std::string::npos);
      CHECK(m.find("unexpected key 'state.0.exp_avg'") != std::string::npos);
      CHECK(m.find("missing key 'param_groups.0.momentum'") != std::string::npos);
    }
    CHECK(sgd.param_groups()[0].options().get_lr() == 0.5);
  }
  SECTION("a shape mismatch and a missing group") {
    sd["state.0.exp_avg"] = zeros({2, 3});
    sd.erase("param_groups.0.params");
    O::Adam other({w, b}, O::AdamOptions(0.7));
    try {
      other.load_state_dict(sd);
      FAIL("no error");
    } catch (const Error& e) {
      const std::string m = e.what();
      CHECK(m.find("shape mismatch for 'state.0.exp_avg': the file has [2, 3], the parameter is [3, 2]") !=
            std::string::npos);
      CHECK(m.find("missing key 'param_groups.0.params'") != std::string::npos);
    }
    CHECK(other.state().empty());
    CHECK(other.param_groups()[0].options().get_lr() == 0.7);
  }
  SECTION("a different number of parameters") {
    O::Adam other({w}, O::AdamOptions(0.1));
    CHECK_THROWS_WITH(other.load_state_dict(sd),
                      Catch::Contains("parameter group 0 has 1 parameters, the saved one 2"));
  }
}

TEST_CASE("optim: zero_grad, parameter groups and argument checks", "[optim]") {
  Tensor w = ones({2}, requires_grad()), b = ones({1}, requires_grad());
  O::SGD opt({w}, O::SGDOptions(0.1));
  (w * 3).sum().backward();
  REQUIRE(w.grad().defined());
  opt.zero_grad(/*set_to_none=*/false);
  CHECK(equal(w.grad(), zeros({2})));
  opt.zero_grad();
  CHECK_FALSE(w.grad().defined());
  opt.step();  // no gradient: nothing happens
  CHECK(equal(w, ones({2})));

  opt.add_param_group(O::OptimizerParamGroup({b}, std::make_unique<O::SGDOptions>(O::SGDOptions(1.0))));
  CHECK(opt.size() == 2);
  CHECK(opt.param_groups()[1].options().get_lr() == 1.0);
  b.mutable_grad() = ones({1});
  w.mutable_grad() = ones({2});
  opt.step();
  CHECK(equal(b, zeros({1})));
  CHECK_TENSOR_CLOSE(w, full({2}, 0.9));

  CHECK_THROWS_WITH(opt.add_param_group(O::OptimizerParamGroup({w})), Catch::Contains("more than one parameter group"));
  CHECK_THROWS_WITH(opt.add_param_group(O::OptimizerParamGroup({ones({1}, requires_grad()) * 2})),
                    Catch::Contains("non-leaf"));
  CHECK_THROWS_WITH(
      opt.add_param_group(O::OptimizerParamGroup({zeros({1})}, std::make_unique<O::AdamOptions>(O::AdamOptions()))),
      Catch::Contains("another optimizer"));
  CHECK_THROWS_WITH(O::Adam({w}, O::AdamOptions(-1)), Catch::Contains("invalid learning rate"));
  CHECK_THROWS_WITH(O::Adam({w}, O::AdamOptions().betas({0.9, 1.0})), Catch::Contains("beta parameter at index 1"));
  CHECK_THROWS_WITH(O::Adadelta({w}, O::AdadeltaOptions().rho(1.5)), Catch::Contains("invalid rho value: 1.5"));
  CHECK_THROWS_WITH(O::Adamax({w}, O::AdamaxOptions(-0.1)), Catch::Contains("optim::Adamax"));
  CHECK_THROWS_WITH(O::NAdam({w}, O::NAdamOptions().momentum_decay(-1)), Catch::Contains("momentum_decay"));
  CHECK_THROWS_WITH(O::RAdam({w}, O::RAdamOptions().betas({1.0, 0.9})), Catch::Contains("beta parameter at index 0"));
  CHECK_THROWS_WITH(O::Rprop({w}, O::RpropOptions().etas({0.5, 0.9})), Catch::Contains("invalid eta values"));
  CHECK_THROWS_WITH(O::SGD({w}, O::SGDOptions(0.1).nesterov(true)), Catch::Contains("Nesterov"));
}

TEST_CASE("optim: step(closure) re-evaluates the loss with grad mode on", "[optim]") {
  Tensor w = full({1}, 2.0, requires_grad());
  O::SGD opt({w}, O::SGDOptions(0.25));
  NoGradGuard off;  // the closure turns recording back on for itself
  int calls = 0;
  const Tensor loss = opt.step([&] {
    ++calls;
    opt.zero_grad();
    Tensor l = (w * w).sum();
    l.backward();
    return l;
  });
  CHECK(calls == 1);
  CHECK(loss.item<float>() == 4.0f);
  CHECK(w.item<float>() == 1.0f);  // 2 - 0.25 * 4
}

TEST_CASE("optim: an optimizer trains a small regression to low loss", "[optim]") {
  manual_seed(0);
  const Tensor x = randn({64, 3});
  const Tensor y = x.matmul(tensor({1.5f, -2.0f, 0.5f})) + 0.3f;
  Tensor w = zeros({3}, requires_grad()), b = zeros({1}, requires_grad());
  O::Adam opt({w, b}, O::AdamOptions(0.1));
  O::StepLR sched(opt, 100, 0.5);
  float loss = 0;
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    Tensor l = (x.matmul(w) + b - y).pow(2).mean();
    l.backward();
    opt.step();
    sched.step();
    loss = l.item<float>();
  }
  CHECK(loss < 1e-4f);
  CHECK(opt.param_groups()[0].options().get_lr() == Approx(0.1 / 8));
}
