#include "policy.h"

#include <set>
#include <vector>

#include "wick/detail/json.h"
#include "wick/detail/shape_of.h"
#include "wick/grad_mode.h"
#include "wick/safetensors.h"
#include "wick/serialize.h"

namespace wick::c_api {

// rnn = nn.GRU/nn.LSTM(input, hidden, batch_first=True), head = nn.Linear(hidden, output), stepped one time step
// per call with the fused gate ops on the layer's own parameters.
struct RecurrentNetImpl : nn::Module {
  RecurrentNetImpl(bool lstm, int64_t input, int64_t hidden, int64_t output) {
    if (lstm)
      lstm_layer = register_module("rnn", nn::LSTM(nn::LSTMOptions(input, hidden).batch_first(true)));
    else
      gru_layer = register_module("rnn", nn::GRU(nn::GRUOptions(input, hidden).batch_first(true)));
    head = register_module("head", nn::Linear(hidden, output));
  }
  nn::LSTM lstm_layer{nullptr};
  nn::GRU gru_layer{nullptr};
  nn::Linear head{nullptr};
};
WICK_MODULE(RecurrentNet);

namespace {

constexpr const char* kCreate = "wick_policy_create";
using json::Value;

// ---- reading the config -------------------------------------------------------------------------------------

const Value& member(const Value& config, const char* key) {
  const Value* v = config.find(key);
  WICK_CHECK(v, kCreate, "the config has no \"", key, "\"");
  return *v;
}

int64_t positive_int(const Value& v, const char* what) {
  WICK_CHECK(v.kind == Value::Kind::Integer && v.integer > 0, kCreate, "\"", what, "\" must be a positive integer");
  return v.integer;
}

std::string string_or(const Value& config, const char* key, const char* fallback) {
  const Value* v = config.find(key);
  if (!v) return fallback;
  WICK_CHECK(v->kind == Value::Kind::String, kCreate, "\"", key, "\" must be a string");
  return v->string;
}

// Refuses keys the policy type does not read: a misspelt option must not be silently ignored.
void only_keys(const Value& config, std::set<std::string> allowed) {
  for (const json::Member& m : config.object)
    WICK_CHECK(allowed.count(m.key), kCreate, "unknown key \"", m.key, "\" for a policy of type \"",
               member(config, "type").string, "\"");
}

const std::set<std::string> kActivations = {"none", "relu", "tanh", "sigmoid", "gelu", "silu", "elu"};

std::string activation(const Value& config, const char* key, const char* fallback) {
  std::string name = string_or(config, key, fallback);
  WICK_CHECK(kActivations.count(name), kCreate, "unknown activation \"", name,
             "\" (expected none, relu, tanh, sigmoid, gelu, silu or elu)");
  return name;
}

// The activation module PyTorch would have at this place in an nn.Sequential (nothing for "none").
void push_activation(nn::Sequential& layers, const std::string& name) {
  if (name == "relu")
    layers->push_back(nn::ReLU());
  else if (name == "tanh")
    layers->push_back(nn::Tanh());
  else if (name == "sigmoid")
    layers->push_back(nn::Sigmoid());
  else if (name == "gelu")
    layers->push_back(nn::GELU());
  else if (name == "silu")
    layers->push_back(nn::SiLU());
  else if (name == "elu")
    layers->push_back(nn::ELU());
}

// ---- the architectures --------------------------------------------------------------------------------------

class MlpPolicy final : public Policy {
 public:
  MlpPolicy(nn::Sequential layers, int64_t input, int64_t output)
      : Policy(layers.ptr(), input, output), layers_(std::move(layers)) {}

  static std::unique_ptr<Policy> create(const Value& config) {
    only_keys(config, {"type", "sizes", "activation", "output_activation", "quantized", "int8_layers"});
    const Value& sizes = member(config, "sizes");
    WICK_CHECK(sizes.kind == Value::Kind::Array && sizes.array.size() >= 2, kCreate,
               "\"sizes\" must list at least an input and an output size");
    std::vector<int64_t> n;
    for (const Value& v : sizes.array) n.push_back(positive_int(v, "sizes"));
    const std::string hidden_activation = activation(config, "activation", "tanh");
    const std::string output_activation = activation(config, "output_activation", "none");
    nn::Sequential layers;
    for (size_t i = 0; i + 1 < n.size(); ++i) {
      layers->push_back(nn::Linear(n[i], n[i + 1]));
      push_activation(layers, i + 2 < n.size() ? hidden_activation : output_activation);
    }
    return std::make_unique<MlpPolicy>(std::move(layers), n.front(), n.back());
  }

  Tensor forward(const Tensor& observation) override {
    check_observation(observation);
    InferenceMode inference;
    return layers_->forward(observation);
  }

 private:
  nn::Sequential layers_;
};

class RecurrentPolicy final : public Policy {
 public:
  RecurrentPolicy(RecurrentNet net, bool lstm, int64_t input, int64_t output)
      : Policy(net.ptr(), input, output), net_(std::move(net)), lstm_(lstm) {
    weights_loaded();
  }

  static std::unique_ptr<Policy> create(const Value& config, bool lstm) {
    only_keys(config, {"type", "input", "hidden", "output", "quantized", "int8_layers"});
    const int64_t input = positive_int(member(config, "input"), "input");
    const int64_t hidden = positive_int(member(config, "hidden"), "hidden");
    const int64_t output = positive_int(member(config, "output"), "output");
    return std::make_unique<RecurrentPolicy>(RecurrentNet(lstm, input, hidden, output), lstm, input, output);
  }

  Tensor forward(const Tensor& observation) override {
    check_observation(observation);
    InferenceMode inference;
    SizeVec state_shape(observation.sizes());  // [B, hidden] or [hidden]; inline storage, no allocation
    state_shape.back() = w_hh_.size(1);
    if (h_.defined())
      WICK_CHECK(h_.sizes() == IntArrayRef(state_shape), "wick_policy_forward", "the observation ",
                 shape_str(observation.sizes()), " does not continue the episode's batch (state ",
                 shape_str(h_.sizes()), "); call wick_policy_reset first");
    else
      reset_to(state_shape);
    // One step: the two projections and the fused gate op (what lstm_cell/gru_cell run, minus their argument list).
    const Tensor input_gates = project(observation, w_ih_, packed_ih_, b_ih_);
    const Tensor hidden_gates = project(h_, w_hh_, packed_hh_, b_hh_);
    if (lstm_)
      std::tie(h_, c_) = fused_lstm_cell(input_gates, hidden_gates, c_);
    else
      h_ = fused_gru_cell(input_gates, hidden_gates, h_);
    return net_->head(h_);
  }

  void reset() override {
    h_ = Tensor();
    c_ = Tensor();
  }

 private:
  nn::detail::RNNImplBase& layer() const {
    return lstm_ ? static_cast<nn::detail::RNNImplBase&>(*net_->lstm_layer) : *net_->gru_layer;
  }
  void weights_loaded() override {
    const std::vector<Tensor> w = layer().all_weights();
    w_ih_ = w[0], w_hh_ = w[1], b_ih_ = w[2], b_hh_ = w[3];
    packed_ih_ = packed_hh_ = nullptr;
    if (layer().is_quantized()) {
      const auto buffers = layer().named_buffers();
      packed_ih_ = std::make_shared<const quantization::PackedLinearWeight>(w_ih_, buffers["weight_ih_l0_scale"]);
      packed_hh_ = std::make_shared<const quantization::PackedLinearWeight>(w_hh_, buffers["weight_hh_l0_scale"]);
    }
  }
  static Tensor project(const Tensor& x, const Tensor& w,
                        const std::shared_ptr<const quantization::PackedLinearWeight>& packed, const Tensor& b) {
    return packed ? quantization::linear_dynamic(x, *packed, b) : linear(x, w, b);
  }
  void reset_to(const SizeVec& shape) {
    h_ = zeros(shape);
    if (lstm_) c_ = zeros(shape);
  }

  RecurrentNet net_;
  bool lstm_;
  Tensor w_ih_, w_hh_, b_ih_, b_hh_;
  std::shared_ptr<const quantization::PackedLinearWeight> packed_ih_, packed_hh_;  // int8 layers only
  Tensor h_, c_;  // the episode's state; undefined until the first step
};

}  // namespace

std::unique_ptr<Policy> Policy::create(std::string_view json_config) {
  const Value config = json::parse(json_config, kCreate, "config");
  WICK_CHECK(config.kind == Value::Kind::Object, kCreate, "the config must be a JSON object");
  const Value& type = member(config, "type");
  WICK_CHECK(type.kind == Value::Kind::String, kCreate, "\"type\" must be a string");
  const std::string quantized = string_or(config, "quantized", "none");
  WICK_CHECK(quantized == "none" || quantized == "int8", kCreate, "unknown \"quantized\": \"", quantized,
             "\" (expected none or int8)");
  std::unique_ptr<Policy> policy;
  if (type.string == "mlp")
    policy = MlpPolicy::create(config);
  else if (type.string == "gru" || type.string == "lstm")
    policy = RecurrentPolicy::create(config, type.string == "lstm");
  else
    fail(kCreate, "unknown policy type \"", type.string, "\" (expected mlp, gru or lstm)");
  policy->int8_ = quantized == "int8";
  if (const Value* layers = config.find("int8_layers")) {
    WICK_CHECK(policy->int8_, kCreate, "\"int8_layers\" needs \"quantized\": \"int8\"");
    WICK_CHECK(layers->kind == Value::Kind::Array && !layers->array.empty(), kCreate,
               "\"int8_layers\" must be a non-empty array of module names (\"2\", \"rnn\", ...)");
    for (const Value& name : layers->array) {
      WICK_CHECK(name.kind == Value::Kind::String, kCreate, "\"int8_layers\" must hold module names (strings)");
      policy->int8_layers_.insert(name.string);
    }
    policy->quantize(*policy->module_->clone());  // a misspelt name fails now, not at the first load
  }
  return policy;
}

void Policy::load(const std::string& path) {
  if (!int8_) {
    wick::load(*module_, path);
    weights_loaded();
    return;
  }
  bool int8_file = false;
  for (const auto& [name, tensor] : load_safetensors(path)) int8_file = int8_file || tensor.dtype() == kInt8;
  WICK_CHECK(int8_file || !quantized_, "wick_policy_load", "'", path,
             "' holds float weights, but this int8 policy holds int8 ones since an earlier load; create a new policy "
             "to quantize other float weights");
  if (int8_file && !quantized_) {  // int8 buffers to load into
    quantize(*module_);
    quantized_ = true;
  }
  wick::load(*module_, path);
  if (!int8_file) {
    quantize(*module_);
    quantized_ = true;
  }
  weights_loaded();
}

void Policy::quantize(nn::Module& module) const {
  if (int8_layers_.empty())
    quantization::quantize_dynamic_(module);
  else
    quantization::quantize_dynamic_(module, int8_layers_);
}

void Policy::check_observation(const Tensor& observation) const {
  WICK_CHECK(observation.defined() && (observation.dim() == 1 || observation.dim() == 2) &&
                 observation.size(-1) == input_size_,
             "wick_policy_forward", "expected an observation [B, ", input_size_, "] or [", input_size_, "], got ",
             detail::shape_of(observation));
  WICK_CHECK(observation.dtype() == kFloat, "wick_policy_forward", "expected float32 observations, got ",
             dtype_name(observation.dtype()));
}

}  // namespace wick::c_api
