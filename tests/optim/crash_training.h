// The training run and checkpoint layout shared by the crash test (tests/optim/checkpoint_crash_test.cpp) and
// its child process (tests/optim/checkpoint_writer.cpp). Training is deterministic, so the test recomputes in
// its own process exactly what the child saved after any number of steps.
//
// A checkpoint is a pair of files in one directory, "step-<k>.optim.safetensors" then "step-<k>.model.safetensors",
// written in that order: the model file marks the pair complete. wick::save makes each file appear whole or
// not at all; the order makes the pair so. Older pairs are deleted only once a newer one is complete, so a kill
// at any moment leaves at least one complete pair, and a kill between the two files leaves an orphan optimizer
// file that loaders ignore and the next save replaces.
#pragma once

#include <wick/wick.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace crash_training {

// The child and the test's reference run must use one thread count for bitwise-equal results.
constexpr int kThreads = 1;

struct NetImpl : wick::nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", wick::nn::Linear(6, 16));
    norm = register_module("norm", wick::nn::BatchNorm1d(16));
    fc2 = register_module("fc2", wick::nn::Linear(16, 3));
    // The number of training steps behind these weights, saved with them: a model file carries its own k.
    steps_done = register_buffer("steps_done", wick::zeros({}, wick::kInt64));
  }
  wick::Tensor forward(const wick::Tensor& x) { return fc2(wick::tanh(norm(fc1(x)))); }
  wick::nn::Linear fc1{nullptr}, fc2{nullptr};
  wick::nn::BatchNorm1d norm{nullptr};
  wick::Tensor steps_done;
};
WICK_MODULE(Net);

// A model and its optimizer after `step` training steps. amsgrad gives Adam three state tensors per parameter.
struct Run {
  Run() : model(seeded_net()), adam(model->parameters(), wick::optim::AdamOptions(1e-2).amsgrad(true)) {}
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  static Net seeded_net() {
    wick::manual_seed(20240611);
    return Net();
  }

  // Step k+1 trains on a batch that depends only on k+1, so a run resumed from a checkpoint sees the same data.
  void train_step() {
    ++step;
    wick::manual_seed(uint64_t(step));
    const wick::Tensor x = wick::randn({8, 6}), y = wick::randn({8, 3});
    adam.zero_grad();
    wick::nn::functional::mse_loss(model(x), y).backward();
    adam.step();
    wick::NoGradGuard no_grad;
    model->steps_done.fill_(step);
  }

  Net model;
  wick::optim::Adam adam;
  int64_t step = 0;
};

enum class Part { kOptimizer, kModel };

inline std::string checkpoint_file(const std::string& dir, int64_t step, Part part) {
  char name[64];
  std::snprintf(name, sizeof name, "step-%08lld.%s.safetensors", static_cast<long long>(step),
                part == Part::kModel ? "model" : "optim");
  return dir + "/" + name;
}

// The step and part a checkpoint file name stands for; nullopt for any other name (temporary files included).
inline std::optional<std::pair<int64_t, Part>> parse_checkpoint_name(const std::string& name) {
  long long step = -1;
  char part[8] = {};
  int end = 0;
  if (std::sscanf(name.c_str(), "step-%8lld.%5[a-z].safetensors%n", &step, part, &end) != 2 ||
      size_t(end) != name.size() || step < 0 || name.size() != std::string("step-00000000.model.safetensors").size())
    return std::nullopt;
  const std::string p = part;
  if (p != "model" && p != "optim") return std::nullopt;
  return std::pair{int64_t(step), p == "model" ? Part::kModel : Part::kOptimizer};
}

// Every checkpoint file in `dir` by step: which parts are there.
inline std::map<int64_t, std::pair<bool, bool>> list_checkpoints(const std::string& dir) {
  std::map<int64_t, std::pair<bool, bool>> found;  // step -> (optimizer, model)
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (const auto parsed = parse_checkpoint_name(entry.path().filename().string()))
      (parsed->second == Part::kModel ? found[parsed->first].second : found[parsed->first].first) = true;
  return found;
}

inline std::optional<int64_t> newest_complete_checkpoint(const std::string& dir) {
  const auto found = list_checkpoints(dir);
  for (auto it = found.rbegin(); it != found.rend(); ++it)
    if (it->second.first && it->second.second) return it->first;
  return std::nullopt;
}

// Saves `run` as checkpoint run.step, then deletes the older ones.
inline void save_checkpoint(Run& run, const std::string& dir) {
  wick::save(run.adam, checkpoint_file(dir, run.step, Part::kOptimizer));
  wick::save(run.model, checkpoint_file(dir, run.step, Part::kModel));
  for (const auto& [step, parts] : list_checkpoints(dir))
    if (step < run.step) {
      // The model file first: a pair interrupted here is incomplete, never a model without its optimizer state.
      std::filesystem::remove(checkpoint_file(dir, step, Part::kModel));
      std::filesystem::remove(checkpoint_file(dir, step, Part::kOptimizer));
    }
}

inline void load_checkpoint(Run& run, const std::string& dir, int64_t step) {
  wick::load(run.model, checkpoint_file(dir, step, Part::kModel));
  wick::load(run.adam, checkpoint_file(dir, step, Part::kOptimizer));
  run.step = run.model->steps_done.item<int64_t>();
}

}  // namespace crash_training
