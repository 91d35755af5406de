// porting: compare
// The parts of LibTorch's surface a metric-learning or research script reaches for past the layers: distances
// (cosine similarity, pairwise distance, the triplet loss) in functional and module form, parameters held in a
// ParameterList or ParameterDict built from OrderedDict braces, element access through accessor<T, N>(), and
// torch::save / torch::load of a tensor and of a tensor list. Fixed inputs; values must match.
#include <torch/torch.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

namespace F = torch::nn::functional;

#define SHOW(expr) std::cout << #expr << "\n" << (expr) << "\n"

int main() {
  auto a = torch::linspace(-1, 1, 12).reshape({3, 4});
  auto b = torch::arange(12, torch::kFloat).reshape({3, 4}).sin();

  // distances
  SHOW(F::cosine_similarity(a, b, F::CosineSimilarityFuncOptions().dim(1)));
  torch::nn::CosineSimilarity by_column(torch::nn::CosineSimilarityOptions().dim(0));
  SHOW(by_column(a, b));
  SHOW(F::pairwise_distance(a, b, F::PairwiseDistanceFuncOptions().p(1)));
  torch::nn::PairwiseDistance euclidean(torch::nn::PairwiseDistanceOptions().keepdim(true));
  SHOW(euclidean(a, b));

  // the triplet loss, and its gradient
  torch::nn::TripletMarginLoss triplet(torch::nn::TripletMarginLossOptions().margin(0.5).swap(true));
  auto anchor = a.clone().requires_grad_(true);
  auto loss = triplet(anchor, b, b.flip({0}));
  loss.backward();
  SHOW(loss);
  SHOW(anchor.grad());
  SHOW(F::triplet_margin_loss(a, b, a * 0.5, F::TripletMarginLossFuncOptions().p(1).reduction(torch::kNone)));

  // accessor<T, N>: a weighted sum, element by element
  auto values = a.accessor<float, 2>();
  float weighted = 0;
  for (int64_t i = 0; i < values.size(0); ++i)
    for (int64_t j = 0; j < values.size(1); ++j) weighted += values[i][j] * float(i + 2 * j);
  std::cout << "weighted " << weighted << "\n";

  // parameter containers
  torch::nn::ParameterDict params(
      torch::OrderedDict<std::string, torch::Tensor>{{"scale", torch::ones({2})}, {"shift", torch::zeros({2})}});
  params->insert("gate", torch::full({3}, 0.5));
  for (const auto& item : params->named_parameters())
    std::cout << item.key() << " " << item.value().sizes() << " " << item.value().requires_grad() << "\n";
  torch::nn::ParameterList plist(torch::ones({3}), torch::linspace(0, 1, 5));
  plist->append(torch::zeros({1}));
  std::cout << "list " << plist->size() << " " << plist[1].sum().item<float>() << "\n";

  // save and load
  const std::string stem = "/tmp/porting_containers_" + std::to_string(getpid());
  torch::save(a, stem + "_a.pt");
  torch::Tensor a_back;
  torch::load(a_back, stem + "_a.pt");
  std::vector<torch::Tensor> both = {a, b.to(torch::kDouble)};
  torch::save(both, stem + "_list.pt");
  std::vector<torch::Tensor> both_back;
  torch::load(both_back, stem + "_list.pt");
  std::cout << "round trip " << torch::equal(a_back, a) << " " << both_back.size() << " "
            << torch::equal(both_back[1], both[1]) << " " << (both_back[1].dtype() == torch::kDouble) << "\n";
  std::remove((stem + "_a.pt").c_str());
  std::remove((stem + "_list.pt").c_str());
  return 0;
}
