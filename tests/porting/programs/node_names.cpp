// porting: compare
// The grad_fn names a program sees (printed in tutorials, matched in tests and debugging tools): one line per
// op, "op: name", for the ops a model is made of. Inputs are fixed, names only.
#include <torch/torch.h>

#include <iostream>
#include <string>

namespace F = torch::nn::functional;

void show(const std::string& op, const torch::Tensor& t) {
  std::cout << op << ": " << (t.grad_fn() ? t.grad_fn()->name() : std::string("none")) << "\n";
}

int main() {
  auto x = torch::linspace(-1, 1, 12).reshape({3, 4}).requires_grad_();
  auto w = torch::linspace(0.5, 1.5, 20).reshape({5, 4}).requires_grad_();
  auto target = torch::tensor({1, 0, 4});
  auto y = torch::linspace(0, 1, 12).reshape({3, 4});
  show("add", x + y);
  show("add_scalar", x + 1);
  show("sub", x - y);
  show("mul", x * y);
  show("mul_scalar", x * 2);
  show("div", x / (y + 1));
  show("neg", -x);
  show("pow", x.pow(2));
  show("exp", x.exp());
  show("log", (x + 2).log());
  show("sqrt", (x + 2).sqrt());
  show("abs", x.abs());
  show("relu", torch::relu(x));
  show("sigmoid", torch::sigmoid(x));
  show("tanh", torch::tanh(x));
  show("gelu", F::gelu(x));
  show("leaky_relu", F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1)));
  show("softmax", torch::softmax(x, 1));
  show("log_softmax", torch::log_softmax(x, 1));
  show("sum", x.sum());
  show("sum_dim", x.sum(1));
  show("mean", x.mean());
  show("mean_dim", x.mean(1));
  show("max_dim", std::get<0>(x.max(1)));
  show("matmul", x.matmul(w.t()));
  show("mm", x.mm(w.t()));
  show("linear", F::linear(x, w));
  show("view", x.view({4, 3}));
  show("reshape", x.reshape({12}));
  show("transpose", x.transpose(0, 1));
  show("permute", x.permute({1, 0}));
  show("unsqueeze", x.unsqueeze(0));
  show("squeeze", x.unsqueeze(0).squeeze(0));
  show("cat", torch::cat({x, x}, 0));
  show("stack", torch::stack({x, x}));
  show("slice", x.slice(1, 0, 2));
  show("select", x.select(0, 1));
  show("index_select", x.index_select(0, torch::tensor({0, 2})));
  show("clamp", x.clamp(-0.5, 0.5));
  show("dropout_eval", F::dropout(x, F::DropoutFuncOptions().training(false)));
  show("mse_loss", F::mse_loss(x, y));
  show("l1_loss", F::l1_loss(x, y));
  show("smooth_l1_loss", F::smooth_l1_loss(x, y));
  show("cross_entropy", F::cross_entropy(x.mm(w.t()), target));
  show("nll_loss", F::nll_loss(torch::log_softmax(x.mm(w.t()), 1), target));
  show("bce_with_logits", F::binary_cross_entropy_with_logits(x, y));
  show("bce", F::binary_cross_entropy(torch::sigmoid(x), y));
  show("layer_norm", F::layer_norm(x, F::LayerNormFuncOptions({4})));
  show("embedding", F::embedding(target, w));
  show("where", torch::where(y > 0.5, x, -x));
  show("masked_fill", x.masked_fill(y > 0.5, 0.0));
  show("expand", x.unsqueeze(0).expand({2, 3, 4}));
  show("flatten", x.flatten());
  show("t", x.t());
  show("clone", x.clone());
  show("to_double", x.to(torch::kDouble));
  show("detach", x.detach());
  // The losses and embedding lookups under each reduction and option: LibTorch names the node of the ATen kernel
  // (MseLossBackward0, NllLoss2DBackward0, ...) or, for a composite, of its last op.
  auto classes = torch::tensor({1, 0, 3});  // x has 4 classes
  auto x4 = torch::linspace(-1, 1, 48).reshape({3, 4, 2, 2}).requires_grad_();
  auto t4 = torch::zeros({3, 2, 2}, torch::kLong);
  auto x3 = torch::linspace(-1, 1, 24).reshape({3, 4, 2}).requires_grad_();
  auto t3 = torch::zeros({3, 2}, torch::kLong);
  show("mse_none", F::mse_loss(x, y, F::MSELossFuncOptions().reduction(torch::kNone)));
  show("mse_sum", F::mse_loss(x, y, F::MSELossFuncOptions().reduction(torch::kSum)));
  show("l1_none", F::l1_loss(x, y, F::L1LossFuncOptions().reduction(torch::kNone)));
  show("smooth_l1_none", F::smooth_l1_loss(x, y, F::SmoothL1LossFuncOptions().reduction(torch::kNone)));
  show("huber", F::huber_loss(x, y));
  show("huber_none", F::huber_loss(x, y, F::HuberLossFuncOptions().reduction(torch::kNone)));
  show("nll_none", F::nll_loss(x, classes, F::NLLLossFuncOptions().reduction(torch::kNone)));
  show("nll_4d", F::nll_loss(x4, t4));
  show("nll_3d", F::nll_loss(x3, t3));
  show("ce_smooth", F::cross_entropy(x, classes, F::CrossEntropyFuncOptions().label_smoothing(0.1)));
  show("ce_probs", F::cross_entropy(x, y));
  show("ce_weight", F::cross_entropy(x, classes, F::CrossEntropyFuncOptions().weight(torch::ones({4}))));
  show("ce_4d", F::cross_entropy(x4, t4));
  show("bce_none",
       F::binary_cross_entropy(torch::sigmoid(x), y, F::BinaryCrossEntropyFuncOptions().reduction(torch::kNone)));
  show("bce_weight",
       F::binary_cross_entropy(torch::sigmoid(x), y, F::BinaryCrossEntropyFuncOptions().weight(torch::ones({4}))));
  show("bcel_none",
       F::binary_cross_entropy_with_logits(x, y, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone)));
  show("bcel_pos", F::binary_cross_entropy_with_logits(
                       x, y, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(torch::ones({4}))));
  show("kl", F::kl_div(x, y));
  show("kl_bm", F::kl_div(x, y, F::KLDivFuncOptions().reduction(torch::kBatchMean)));
  show("kl_log", F::kl_div(x, y, F::KLDivFuncOptions().log_target(true)));
  show("emb_pad", F::embedding(target, w, F::EmbeddingFuncOptions().padding_idx(0)));
  show("emb_2d", F::embedding(target.view({3, 1}), w));
  torch::nn::MSELoss m;
  show("MSELoss", m(x, y));
  torch::nn::Embedding e(5, 4);
  show("Embedding", e(target));
  // In-place ops on a copy of a leaf, and which output of its node a piece is.
  show("zero_", x.clone().zero_());
  show("fill_", x.clone().fill_(2));
  show("fill_tensor", x.clone().fill_(torch::tensor(2.f)));
  show("mul_", x.clone().mul_(2));
  show("add_", x.clone().add_(y));
  show("sub_", x.clone().sub_(1));
  show("div_", x.clone().div_(2));
  show("relu_", x.clone().relu_());
  show("clamp_", x.clone().clamp_(0, 1));
  show("masked_fill_", x.clone().masked_fill_(y > 0.5, 1.0));
  show("lerp", torch::lerp(x, y, 0.3));
  show("lerp_tensor", torch::lerp(x, y, y));
  auto parts = x.split(2, 1);
  show("split", parts[1]);
  std::cout << "split output_nr: " << parts[0].output_nr() << " " << parts[1].output_nr() << "\n";
  show("chunk", x.chunk(2, 0)[1]);
  show("unbind", x.unbind(0)[2]);
  std::cout << "unbind output_nr: " << x.unbind(0)[2].output_nr() << "\n";
}
