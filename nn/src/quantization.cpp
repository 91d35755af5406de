#include "wick/nn/quantization.h"

#include "wick/nn/modules/linear.h"
#include "wick/nn/modules/rnn.h"

namespace wick::quantization {
namespace {

// Quantizes one layer if its kind is asked for and it is not quantized yet.
bool quantize_layer(nn::Module& layer, const std::set<Layer>& layers) {
  if (auto* linear = dynamic_cast<nn::LinearImpl*>(&layer); linear && layers.count(Layer::Linear)) {
    if (linear->is_quantized()) return false;
    linear->quantize_dynamic_();
    return true;
  }
  if (auto* rnn = dynamic_cast<nn::detail::RNNImplBase*>(&layer)) {
    const nn::detail::RNNMode mode = rnn->options_base.mode;
    const bool asked = (mode == nn::detail::RNNMode::LSTM && layers.count(Layer::LSTM)) ||
                       (mode == nn::detail::RNNMode::GRU && layers.count(Layer::GRU));
    if (!asked || rnn->is_quantized()) return false;
    rnn->quantize_dynamic_();
    return true;
  }
  return false;
}

}  // namespace

int64_t quantize_dynamic_(nn::Module& module, std::initializer_list<Layer> kinds) {
  const std::set<Layer> layers(kinds);
  int64_t converted = quantize_layer(module, layers) ? 1 : 0;
  for (const std::shared_ptr<nn::Module>& m : module.modules(/*include_self=*/false))
    converted += quantize_layer(*m, layers) ? 1 : 0;
  return converted;
}

std::shared_ptr<nn::Module> quantize_dynamic(const nn::Module& model, std::initializer_list<Layer> layers) {
  std::shared_ptr<nn::Module> copy = model.clone();
  quantize_dynamic_(*copy, layers);
  return copy;
}

int64_t quantize_dynamic_(nn::Module& module, const std::set<std::string>& names) {
  const std::set<Layer> every_kind = {Layer::Linear, Layer::LSTM, Layer::GRU};
  const auto modules = module.named_modules(std::string(), /*include_self=*/false);
  int64_t converted = 0;
  for (const std::string& name : names) {
    bool found = false;
    for (const auto& item : modules) {
      const std::string& key = item.key();
      if (key != name && key.rfind(name + ".", 0) != 0) continue;  // the named module, or one inside it
      found = true;
      converted += quantize_layer(*item.value(), every_kind) ? 1 : 0;
    }
    WICK_CHECK(found, "quantization::quantize_dynamic", "the model has no submodule named '", name, "'");
  }
  return converted;
}

std::shared_ptr<nn::Module> quantize_dynamic(const nn::Module& model, const std::set<std::string>& names) {
  std::shared_ptr<nn::Module> copy = model.clone();
  quantize_dynamic_(*copy, names);
  return copy;
}

}  // namespace wick::quantization
