// wick::save / wick::load: module weights and buffers round trip through safetensors; loading is strict
// (missing keys, unexpected keys and shape mismatches listed in one error, nothing changed); optimizer state
// round trips and training continues exactly as if never interrupted.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <filesystem>
#include <string>

using namespace wick;
namespace fs = std::filesystem;
namespace O = wick::optim;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name)
      : path((fs::temp_directory_path() / ("wick_checkpoint_" + std::to_string(::getpid()) + "_" + name)).string()) {}
  ~TempFile() { fs::remove(path); }
};

struct NetImpl : nn::Module {
  explicit NetImpl(int64_t hidden = 4, bool extra = false) {
    fc = register_module("fc", nn::Linear(3, hidden));
    norm = register_module("norm", nn::BatchNorm1d(hidden));
    out = register_module("out", nn::Linear(hidden, 2));
    if (extra) head = register_module("head", nn::Linear(2, 2));
  }
  Tensor forward(const Tensor& x) { return out(norm(fc(x))); }
  nn::Linear fc{nullptr}, out{nullptr}, head{nullptr};
  nn::BatchNorm1d norm{nullptr};
};
WICK_MODULE(Net);

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("checkpoint: a module's parameters and buffers round trip", "[optim][checkpoint]") {
  TempFile file("module.safetensors");
  manual_seed(1);
  Net a;
  a(randn({8, 3}));  // training-mode forward: BatchNorm's running statistics move
  save(a, file.path);

  manual_seed(2);
  Net b;
  REQUIRE_FALSE(equal(a->fc->weight, b->fc->weight));
  load(b, file.path);
  const auto sa = a->state_dict(), sb = b->state_dict();
  REQUIRE(sa.size() == sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    INFO(sa[i].key());
    CHECK(sa[i].key() == sb[i].key());
    CHECK(equal(sa[i].value(), sb[i].value()));
  }
  CHECK(b->fc->weight.requires_grad());  // loading copies values into the existing parameters
  a->eval();
  b->eval();
  const Tensor x = randn({5, 3});
  CHECK(equal(a(x), b(x)));
}

TEST_CASE("checkpoint: loading is strict and lists every problem", "[optim][checkpoint]") {
  TempFile file("strict.safetensors");
  Net saved;
  save(saved, file.path);

  Net wider(/*hidden=*/5, /*extra=*/true);
  const Tensor before = wider->out->weight.clone();
  const std::string m = error_of([&] { load(wider, file.path); });
  CHECK_THAT(m, Catch::Contains("wick::load: " + file.path + " does not fit the module"));
  CHECK_THAT(m, Catch::Contains("missing keys: head.weight, head.bias"));
  CHECK_THAT(m, Catch::Contains("shape mismatch for 'fc.weight': the file has [4, 3], the module [5, 3]"));
  CHECK_THAT(m, Catch::Contains("shape mismatch for 'out.weight': the file has [2, 4], the module [2, 5]"));
  CHECK_THAT(m, Catch::Contains("shape mismatch for 'norm.running_mean'"));
  CHECK(equal(wider->out->weight, before));  // nothing was loaded

  Net extra(/*hidden=*/4, /*extra=*/true);
  CHECK_THAT(error_of([&] { load(extra, file.path); }), Catch::Contains("missing keys: head.weight, head.bias"));
  load(extra, file.path, /*strict=*/false);  // tolerated when asked
  CHECK(equal(extra->fc->weight, saved->fc->weight));

  TempFile bigger("bigger.safetensors");
  save(extra, bigger.path);
  Net plain;
  CHECK_THAT(error_of([&] { load(plain, bigger.path); }), Catch::Contains("unexpected keys: head.bias, head.weight"));
  load(plain, bigger.path, /*strict=*/false);
  CHECK(equal(plain->out->bias, saved->out->bias));
  CHECK_THAT(error_of([&] { load(wider, bigger.path, /*strict=*/false); }), Catch::Contains("shape mismatch"));

  CHECK_THAT(error_of([&] { load(plain, file.path + ".absent"); }), Catch::Contains(file.path + ".absent"));
}

TEST_CASE("checkpoint: optimizer state round trips and training continues identically", "[optim][checkpoint]") {
  TempFile file("optimizer.safetensors");
  manual_seed(3);
  const Tensor x = randn({16, 3}), y = randn({16, 2});
  auto train_steps = [&](Net& net, O::Optimizer& opt, int n) {
    for (int i = 0; i < n; ++i) {
      opt.zero_grad();
      nn::functional::mse_loss(net(x), y).backward();
      opt.step();
    }
  };
  TempFile weights("weights.safetensors");
  Net a;
  O::Adam adam_a(a->parameters(), O::AdamOptions(0.01).amsgrad(true));
  train_steps(a, adam_a, 3);
  save(a, weights.path);
  save(adam_a, file.path);
  train_steps(a, adam_a, 3);

  Net b;
  O::Adam adam_b(b->parameters(), O::AdamOptions(0.5));
  load(b, weights.path);
  load(adam_b, file.path);
  CHECK(adam_b.param_groups()[0].options().get_lr() == 0.01);
  train_steps(b, adam_b, 3);
  CHECK(equal(a->fc->weight, b->fc->weight));
  CHECK(equal(a->out->bias, b->out->bias));

  O::SGD sgd(b->parameters(), O::SGDOptions(0.1));
  CHECK_THAT(error_of([&] { load(sgd, file.path); }), Catch::Contains("unexpected key 'state.0.exp_avg'"));
}
