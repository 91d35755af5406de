// The C ABI (wick_c.h) against PyTorch: policies built from JSON configs load weights saved by PyTorch
// (tools/gen_policy_fixtures.py) and give PyTorch's actions; recurrent ones carry state across calls until reset.
// Every failure is a status code and a message, never an exception; steady-state calls allocate nothing. The plain
// C example (examples/c_api) is run as a user would run it.
#include <catch2/catch.hpp>
#include <wick/wick.h>
#include <wick_c.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "../support/fixtures.h"
#include "malloc_counter.h"
#include "run_command.h"

using namespace wick;
using testing::RefFile;
using testing::run_program;

namespace {

const testing::Tolerance kTol{1e-5, 1e-5};
const char* const kMlp = R"({"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh"})";
const char* const kGru = R"({"type": "gru", "input": 16, "hidden": 32, "output": 4})";
const char* const kLstm = R"({"type": "lstm", "input": 16, "hidden": 32, "output": 4})";

std::string fixture(const std::string& name) { return std::string(WICK_FIXTURES_DIR) + "/" + name; }

// A policy handle freed at scope exit.
struct Policy {
  wick_policy* p = nullptr;
  explicit Policy(const char* config, const std::string& weights = {}) {
    REQUIRE(wick_policy_create(config, &p) == WICK_OK);
    if (!weights.empty()) REQUIRE(wick_policy_load(p, weights.c_str()) == WICK_OK);
  }
  ~Policy() { wick_policy_free(p); }
};

// Steps the policy through the reference observations [T, 16] one row at a time (caller buffers, viewed by
// wick_tensor_from_buffer) and returns the actions [T, 4].
Tensor run_episode(wick_policy* policy, const Tensor& observations) {
  float obs[16], act[4];
  const int64_t obs_shape[] = {1, 16}, act_shape[] = {1, 4};
  wick_tensor *o = nullptr, *a = nullptr;
  REQUIRE(wick_tensor_from_buffer(obs, obs_shape, 2, &o) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(act, act_shape, 2, &a) == WICK_OK);
  std::vector<Tensor> rows;
  for (int64_t t = 0; t < observations.size(0); ++t) {
    const Tensor row = observations[t].contiguous();
    std::copy_n(row.data_ptr<float>(), 16, obs);
    REQUIRE(wick_policy_forward(policy, o, a) == WICK_OK);
    rows.push_back(from_blob(act, {4}).clone());
  }
  wick_tensor_free(o);
  wick_tensor_free(a);
  return stack(rows, 0);
}

}  // namespace

TEST_CASE("c api: MLP, GRU and LSTM policies give PyTorch's actions", "[embedded][c_api]") {
  const RefFile ref("policy_reference.safetensors");
  for (const auto& [kind, config] : {std::pair{"mlp", kMlp}, std::pair{"gru", kGru}, std::pair{"lstm", kLstm}}) {
    INFO(kind);
    Policy policy(config, fixture(std::string("policy_") + kind + ".safetensors"));
    CHECK(wick_policy_input_size(policy.p) == 16);
    CHECK(wick_policy_output_size(policy.p) == 4);
    const Tensor obs = ref.get(std::string(kind) + ".obs"), expected = ref.get(std::string(kind) + ".actions");
    CHECK_TENSOR(run_episode(policy.p, obs), expected, kTol);
    // A new episode starts from the zero state again: the same actions.
    REQUIRE(wick_policy_reset(policy.p) == WICK_OK);
    CHECK_TENSOR(run_episode(policy.p, obs), expected, kTol);
  }
}

TEST_CASE("c api: deterministic numerics: PyTorch's actions still, and the C++ mode's bits", "[embedded][c_api]") {
  const RefFile ref("policy_reference.safetensors");
  const Tensor obs = ref.get("mlp.obs");
  Policy policy(kMlp, fixture("policy_mlp.safetensors"));
  nn::Sequential mlp(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
  load(mlp, fixture("policy_mlp.safetensors"));
  REQUIRE(wick_set_deterministic_numerics(1) == 0);
  CHECK(deterministic_numerics_enabled());
  const Tensor actions = run_episode(policy.p, obs);
  Tensor expected;
  {
    InferenceMode guard;
    expected = mlp->forward(obs);
  }
  CHECK(wick_set_deterministic_numerics(0) == 1);
  CHECK_FALSE(deterministic_numerics_enabled());
  CHECK_TENSOR(actions, ref.get("mlp.actions"), kTol);
  // Row by row through the C ABI, all rows at once in C++: the same bits (no sum depends on the batch size).
  CHECK(equal(actions, expected));
}

TEST_CASE("c api: a batch of observations in one call, and unbatched ones", "[embedded][c_api]") {
  const RefFile ref("policy_reference.safetensors");
  Policy policy(kMlp, fixture("policy_mlp.safetensors"));
  Tensor obs = ref.get("mlp.obs").contiguous(), expected = ref.get("mlp.actions");
  Tensor act = zeros({8, 4});
  const int64_t obs_shape[] = {8, 16}, act_shape[] = {8, 4};
  wick_tensor *o, *a;
  REQUIRE(wick_tensor_from_buffer(obs.data_ptr<float>(), obs_shape, 2, &o) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(act.data_ptr<float>(), act_shape, 2, &a) == WICK_OK);
  REQUIRE(wick_policy_forward(policy.p, o, a) == WICK_OK);
  CHECK_TENSOR(act, expected, kTol);  // written straight into the caller's buffer
  int64_t shape[4];
  int ndim = 0;
  REQUIRE(wick_tensor_shape(a, shape, 4, &ndim) == WICK_OK);
  CHECK(ndim == 2);
  CHECK((shape[0] == 8 && shape[1] == 4));
  wick_tensor_free(o);
  wick_tensor_free(a);

  float one_obs[16], one_act[4];
  std::copy_n(obs.data_ptr<float>(), 16, one_obs);
  const int64_t s16[] = {16}, s4[] = {4};
  REQUIRE(wick_tensor_from_buffer(one_obs, s16, 1, &o) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(one_act, s4, 1, &a) == WICK_OK);
  REQUIRE(wick_policy_forward(policy.p, o, a) == WICK_OK);
  CHECK_TENSOR(from_blob(one_act, {4}), expected[0], kTol);
  wick_tensor_free(o);
  wick_tensor_free(a);
}

TEST_CASE("c api: bad configs, files, shapes and NULLs give a status and a message", "[embedded][c_api][errors]") {
  wick_policy* p = nullptr;
  const auto last = [] { return std::string(wick_last_error()); };
  CHECK(wick_policy_create("{\"type\": \"mlp\", \"sizes\": [16, 4]", &p) == WICK_ERROR_ARGUMENT);  // truncated
  CHECK(p == nullptr);
  CHECK_THAT(last(), Catch::StartsWith("wick::wick_policy_create: config:"));
  CHECK(wick_policy_create(R"({"type": "transformer"})", &p) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("unknown policy type \"transformer\""));
  CHECK(wick_policy_create(R"({"type": "mlp", "sizes": [16, 4], "activaton": "relu"})", &p) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("unknown key \"activaton\""));
  CHECK(wick_policy_create(R"({"type": "mlp", "sizes": [16, 4], "activation": "swish"})", &p) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("unknown activation \"swish\""));
  CHECK(wick_policy_create(R"({"type": "gru", "input": 16, "hidden": -2, "output": 4})", &p) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("\"hidden\" must be a positive integer"));
  CHECK(wick_policy_create(nullptr, &p) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("json_config is NULL"));

  Policy policy(kGru);
  CHECK(wick_policy_load(policy.p, fixture("policy_mlp.safetensors").c_str()) == WICK_ERROR_FILE);
  CHECK_THAT(last(), Catch::Contains("missing keys: rnn.weight_ih_l0"));
  CHECK(wick_policy_load(policy.p, "/nonexistent/policy.safetensors") == WICK_ERROR_FILE);
  CHECK_THAT(last(), Catch::Contains("/nonexistent/policy.safetensors"));
  CHECK(wick_policy_load(policy.p, fixture("print_cases.txt").c_str()) == WICK_ERROR_FILE);  // not safetensors

  float buf[32] = {};
  const int64_t s15[] = {1, 15}, s4[] = {1, 4}, s3[] = {1, 3}, s16x2[] = {2, 16}, bad[] = {1, -4};
  wick_tensor *o15, *a4, *a3, *o2, *o16;
  REQUIRE(wick_tensor_from_buffer(buf, s15, 2, &o15) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(buf, s4, 2, &a4) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(buf, s3, 2, &a3) == WICK_OK);
  REQUIRE(wick_tensor_from_buffer(buf, s16x2, 2, &o2) == WICK_OK);
  const int64_t s16[] = {1, 16};
  REQUIRE(wick_tensor_from_buffer(buf, s16, 2, &o16) == WICK_OK);
  CHECK(wick_policy_forward(policy.p, o15, a4) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("expected an observation [B, 16] or [16], got [1, 15]"));
  CHECK(wick_policy_forward(policy.p, o16, a3) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("the action tensor is [1, 3] but the policy gives [1, 4]"));
  REQUIRE(wick_policy_forward(policy.p, o16, a4) == WICK_OK);
  CHECK(wick_policy_forward(policy.p, o2, a4) == WICK_ERROR_ARGUMENT);  // the batch changed mid-episode
  CHECK_THAT(last(), Catch::Contains("call wick_policy_reset first"));
  CHECK(wick_policy_forward(policy.p, nullptr, a4) == WICK_ERROR_ARGUMENT);
  CHECK_THAT(last(), Catch::Contains("observation is NULL"));
  wick_tensor* t = nullptr;
  CHECK(wick_tensor_from_buffer(buf, bad, 2, &t) == WICK_ERROR_ARGUMENT);
  CHECK(t == nullptr);
  CHECK(wick_tensor_from_buffer(buf, s4, 0, &t) == WICK_ERROR_ARGUMENT);
  CHECK(wick_tensor_from_buffer(nullptr, s4, 2, &t) == WICK_ERROR_ARGUMENT);
  for (wick_tensor* x : {o15, a4, a3, o2, o16}) wick_tensor_free(x);
  wick_policy_free(nullptr);
  wick_tensor_free(nullptr);
  CHECK_THAT(std::string(wick_version()), Catch::Matches(R"(\d+\.\d+\.\d+)"));
}

TEST_CASE("c api: 10,000 forward calls allocate nothing", "[embedded][c_api]") {
  REQUIRE(wick_example::malloc_counter_available());
  // The int8 ones ("quantized": "int8") are int8 once their weights load.
  const std::string mlp8 = R"({"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh", "quantized": "int8"})";
  const std::string gru8 = R"({"type": "gru", "input": 16, "hidden": 32, "output": 4, "quantized": "int8"})";
  const std::string lstm8 = R"({"type": "lstm", "input": 16, "hidden": 32, "output": 4, "quantized": "int8"})";
  const std::tuple<const char*, std::string, std::string> policies[] = {
      {"mlp", kMlp, ""},
      {"gru", kGru, ""},
      {"lstm", kLstm, ""},
      {"int8 mlp", mlp8, fixture("policy_mlp.safetensors")},
      {"int8 gru", gru8, fixture("policy_gru.safetensors")},
      {"int8 lstm", lstm8, fixture("policy_lstm.safetensors")}};
  for (const auto& [kind, config, weights] : policies) {
    INFO(kind);
    Policy policy(config.c_str(), weights);
    float obs[16] = {}, act[4];
    const int64_t s16[] = {1, 16}, s4[] = {1, 4};
    wick_tensor *o, *a;
    REQUIRE(wick_tensor_from_buffer(obs, s16, 2, &o) == WICK_OK);
    REQUIRE(wick_tensor_from_buffer(act, s4, 2, &a) == WICK_OK);
    for (int i = 0; i < 20; ++i) REQUIRE(wick_policy_forward(policy.p, o, a) == WICK_OK);
    wick_example::start_counting_mallocs();
    int failures = 0;
    for (int i = 0; i < 10000; ++i) {
      obs[i % 16] = float(i % 7) * 0.1f;
      failures += wick_policy_forward(policy.p, o, a) != WICK_OK;
    }
    CHECK(wick_example::stop_counting_mallocs() == 0);
    CHECK(failures == 0);
    wick_tensor_free(o);
    wick_tensor_free(a);
  }
}

#ifdef WICK_C_API_EXE

TEST_CASE("c api: the plain C example steps a PyTorch GRU policy to PyTorch's actions", "[embedded][c_api]") {
  const RefFile ref("policy_reference.safetensors");
  const Tensor obs = ref.get("gru.obs").contiguous(), expected = ref.get("gru.actions");
  std::ostringstream command;
  command << WICK_C_API_EXE << " '" << kGru << "' " << fixture("policy_gru.safetensors");
  const float* v = obs.data_ptr<float>();
  char number[32];
  for (int64_t i = 0; i < obs.numel(); ++i) {
    std::snprintf(number, sizeof number, " %.9g", double(v[i]));
    command << number;
  }
  const auto [status, output] = run_program(command.str());
  INFO(output);
  REQUIRE(status == 0);
  std::istringstream lines(output);
  std::vector<float> actions;
  float a;
  while (lines >> a) actions.push_back(a);
  REQUIRE(actions.size() == 32);
  CHECK_TENSOR(from_blob(actions.data(), {8, 4}), expected, kTol);

  const auto [bad_status, bad_output] =
      run_program(std::string(WICK_C_API_EXE) + " '" + kLstm + "' " + fixture("policy_gru.safetensors"));
  CHECK(bad_status == 1);
  CHECK_THAT(bad_output, Catch::Contains("wick_policy_load failed (status 2): wick::load:"));
}
#endif

TEST_CASE("c_api: \"quantized\": \"int8\" policies act as PyTorch's quantized ones, from float or int8 files",
          "[embedded][c_api][quantization]") {
  const RefFile q("quantization.safetensors");
  const struct {
    const char* config;
    const char* weights;
    const char* prefix;
  } cases[] = {
      {R"({"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh", "quantized": "int8"})", "policy_mlp",
       "policy"},
      {R"({"type": "gru", "input": 16, "hidden": 32, "output": 4, "quantized": "int8"})", "policy_gru", "policy_gru"},
      {R"({"type": "lstm", "input": 16, "hidden": 32, "output": 4, "quantized": "int8"})", "policy_lstm",
       "policy_lstm"},
  };
  for (const auto& c : cases) {
    INFO(c.weights);
    Policy from_float(c.config, fixture(std::string(c.weights) + ".safetensors"));
    const Tensor obs = q.get(std::string(c.prefix) + ".obs");
    // The MLP is batched (PyTorch quantized all 64 observations in one call); the recurrent ones step row by row,
    // where PyTorch quantized the episode's inputs together: compare those within int8's error instead.
    Tensor actions;
    if (std::string(c.prefix) == "policy") {
      actions = empty({obs.size(0), 4});
      wick_tensor *o = nullptr, *a = nullptr;
      const int64_t obs_shape[] = {obs.size(0), 16}, act_shape[] = {obs.size(0), 4};
      const Tensor in = obs.contiguous();
      REQUIRE(wick_tensor_from_buffer(in.data_ptr<float>(), obs_shape, 2, &o) == WICK_OK);
      REQUIRE(wick_tensor_from_buffer(actions.data_ptr<float>(), act_shape, 2, &a) == WICK_OK);
      REQUIRE(wick_policy_forward(from_float.p, o, a) == WICK_OK);
      wick_tensor_free(o);
      wick_tensor_free(a);
      const Tensor expected = q.get("policy.actions");
      CHECK((actions - expected).abs().max().item<double>() / expected.abs().max().item<double>() < 2e-4);
    } else {
      actions = run_episode(from_float.p, obs);
      CHECK((actions - q.get(std::string(c.prefix) + ".actions")).abs().max().item<double>() < 0.02);
    }
    // The int8 weights a quantized wick model saves load into the same config and act the same.
    const std::string int8_file =
        (std::filesystem::temp_directory_path() / ("wick_c_api_int8_" + std::string(c.weights) + ".safetensors"))
            .string();
    Policy again(c.config);
    if (std::string(c.prefix) == "policy") {
      nn::Sequential mlp(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
      load(mlp, fixture("policy_mlp.safetensors"));
      save(quantization::quantize_dynamic(mlp), int8_file);
      REQUIRE(wick_policy_load(again.p, int8_file.c_str()) == WICK_OK);
      CHECK(run_episode(again.p, obs.narrow(0, 0, 8))
                .eq(run_episode(from_float.p, obs.narrow(0, 0, 8)))
                .all()
                .item<bool>());
      // Float weights into a policy already holding int8 ones: refused, naming the file.
      CHECK(wick_policy_load(again.p, fixture("policy_mlp.safetensors").c_str()) == WICK_ERROR_FILE);
      CHECK(std::string(wick_last_error()).find("float weights") != std::string::npos);
    }
    std::filesystem::remove(int8_file);
  }
  wick_policy* bad = nullptr;
  CHECK(wick_policy_create(R"({"type": "mlp", "sizes": [4, 2], "quantized": "int4"})", &bad) == WICK_ERROR_ARGUMENT);
  CHECK(std::string(wick_last_error()).find("int4") != std::string::npos);
}

TEST_CASE("c_api: \"int8_layers\" quantizes only the named modules", "[embedded][c_api][quantization]") {
  const char* const part =
      R"({"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh", "quantized": "int8", "int8_layers": ["2", "4"]})";
  const RefFile ref("policy_reference.safetensors");
  const Tensor obs = ref.get("mlp.obs");
  Policy partial(part, fixture("policy_mlp.safetensors"));
  Policy full(R"({"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh", "quantized": "int8"})",
              fixture("policy_mlp.safetensors"));
  // The same as a wick model with only layers 2 and 4 quantized, stepped one observation at a time.
  nn::Sequential mlp(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
  load(mlp, fixture("policy_mlp.safetensors"));
  nn::Sequential q = quantization::quantize_dynamic(mlp, std::set<std::string>{"2", "4"});
  NoGradGuard no_grad;
  std::vector<Tensor> rows;
  for (int64_t t = 0; t < obs.size(0); ++t) rows.push_back(q->forward(obs.narrow(0, t, 1)).squeeze(0));
  const Tensor expected = stack(rows, 0);
  const Tensor got = run_episode(partial.p, obs);
  CHECK(got.eq(expected).all().item<bool>());
  CHECK_FALSE(run_episode(full.p, obs).eq(expected).all().item<bool>());
  wick_policy* bad = nullptr;
  CHECK(wick_policy_create(R"({"type": "mlp", "sizes": [4, 2], "quantized": "int8", "int8_layers": ["7"]})", &bad) ==
        WICK_ERROR_ARGUMENT);
  CHECK(std::string(wick_last_error()).find("'7'") != std::string::npos);
  CHECK(wick_policy_create(R"({"type": "mlp", "sizes": [4, 2], "int8_layers": ["0"]})", &bad) == WICK_ERROR_ARGUMENT);
}
