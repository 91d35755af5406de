// wick::save / wick::load over safetensors: a module's state_dict, or an optimizer's.
#include "wick/serialize.h"

#include <map>
#include <set>

#include "wick/grad_mode.h"
#include "wick/nn/module.h"
#include "wick/optim/optimizer.h"
#include "wick/safetensors.h"

namespace wick {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void save(const nn::Module& module, const std::string& path) {
  std::map<std::string, Tensor> tensors;
  for (const auto& item : module.state_dict()) tensors[item.key()] = item.value().detach();
  save_safetensors(path, tensors, {{"wick.kind", "module"}, {"wick.type", module.name()}});
}

void load(nn::Module& module, const std::string& path, bool strict) {
  const std::map<std::string, Tensor> file = load_safetensors(path);
  const auto own = module.state_dict();
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& item : own) {
    auto it = file.find(item.key());
    if (it == file.end()) {
      missing.push_back(item.key());
    } else if (!it->second.sizes().equals(item.value().sizes())) {
      mismatched.push_back("'" + item.key() + "': the file has " + shape_str(it->second.sizes()) + ", the module " +
                           shape_str(item.value().sizes()));
    }
  }
  for (const auto& [key, value] : file)
    if (!own.contains(key)) unexpected.push_back(key);
  if (!mismatched.empty() || (strict && (!missing.empty() || !unexpected.empty()))) {
    std::string message = "wick::load: " + path + " does not fit the module " + module.name() + ":";
    if (!missing.empty()) message += "\n  missing keys: " + join(missing);
    if (!unexpected.empty()) message += "\n  unexpected keys: " + join(unexpected);
    for (const std::string& m : mismatched) message += "\n  shape mismatch for " + m;
    detail::throw_error(message);
  }
  NoGradGuard no_grad;
  for (const auto& item : own) {
    auto it = file.find(item.key());
    if (it != file.end()) item.value().copy_(it->second);
  }
}

namespace {

// The kinds of file save() writes, in its "wick.kind" metadata.
constexpr const char* kTensorKind = "tensor";
constexpr const char* kTensorListKind = "tensor list";

void save_tensors(const std::vector<Tensor>& tensors, bool single, const std::string& path) {
  std::map<std::string, Tensor> named;
  std::string requires_grad;
  for (size_t i = 0; i < tensors.size(); ++i) {
    WICK_CHECK(tensors[i].defined(), "wick::save", "tensor ", i, " of the list is undefined");
    named[single ? "tensor" : std::to_string(i)] = tensors[i].detach();
    requires_grad += tensors[i].requires_grad() ? '1' : '0';
  }
  save_safetensors(path, named,
                   {{"wick.kind", single ? kTensorKind : kTensorListKind}, {"wick.requires_grad", requires_grad}});
}

std::vector<Tensor> load_tensors(bool single, const std::string& path, std::optional<Device> device) {
  const std::map<std::string, std::string> metadata = load_safetensors_metadata(path);
  const auto kind = metadata.find("wick.kind");
  const std::string holds = kind == metadata.end() ? "no kind wick::save writes" : "a " + kind->second;
  const char* wanted = single ? kTensorKind : kTensorListKind;
  WICK_CHECK(kind != metadata.end() && kind->second == wanted, "wick::load", path, " holds ", holds, ", not a ",
             wanted);
  std::map<std::string, Tensor> file = load_safetensors(path);
  WICK_CHECK(!single || file.size() == 1, "wick::load", path, " holds ", file.size(), " tensors, not one");
  const auto flags = metadata.find("wick.requires_grad");
  WICK_CHECK(flags != metadata.end() && flags->second.size() == file.size(), "wick::load", path,
             ": its requires_grad flags do not match its ", file.size(), " tensors");
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < file.size(); ++i) {
    auto it = file.find(single ? "tensor" : std::to_string(i));
    WICK_CHECK(it != file.end(), "wick::load", path, ": tensor '", single ? "tensor" : std::to_string(i),
               "' is missing");
    Tensor t = device ? it->second.to(*device) : it->second;
    if (flags->second[i] == '1') t.requires_grad_();
    tensors.push_back(std::move(t));
  }
  return tensors;
}

}  // namespace

void save(const Tensor& tensor, const std::string& path) {
  WICK_CHECK(tensor.defined(), "wick::save", "the tensor is undefined");
  save_tensors({tensor}, true, path);
}

void load(Tensor& tensor, const std::string& path, std::optional<Device> device) {
  tensor = load_tensors(true, path, device).front();
}

void save(const std::vector<Tensor>& tensors, const std::string& path) { save_tensors(tensors, false, path); }

void load(std::vector<Tensor>& tensors, const std::string& path, std::optional<Device> device) {
  tensors = load_tensors(false, path, device);
}

void save(const optim::Optimizer& optimizer, const std::string& path) {
  save_safetensors(path, optimizer.state_dict(), {{"wick.kind", "optimizer"}, {"wick.type", optimizer.name()}});
}

void load(optim::Optimizer& optimizer, const std::string& path) { optimizer.load_state_dict(load_safetensors(path)); }

}  // namespace wick
