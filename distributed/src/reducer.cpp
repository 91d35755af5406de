#include "wick/distributed/reducer.h"

#include <map>
#include <string>
#include <utility>

#include "wick/autograd/autograd.h"
#include "wick/detail/shape_of.h"
#include "wick/error.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::distributed {
namespace {

constexpr const char* kOp = "distributed::DistributedDataParallel";
constexpr size_t kNoBucket = size_t(-1);

int64_t total_numel(const std::vector<Tensor>& tensors) {
  int64_t n = 0;
  for (const Tensor& t : tensors) n += t.numel();
  return n;
}

}  // namespace

struct Reducer::Bucket {
  Tensor flat;  // its parameters' gradients end to end, one dtype
  std::vector<size_t> parameters;
  size_t pending = 0;  // gradients still to come in this backward
  std::shared_ptr<Work> work;
};

Reducer::Reducer(std::vector<Tensor> parameters, std::vector<Tensor> buffers, std::shared_ptr<ProcessGroup> group,
                 DistributedDataParallelOptions options)
    : parameters_(std::move(parameters)), buffers_(std::move(buffers)), group_(std::move(group)), options_(options) {
  WICK_CHECK(group_ != nullptr, kOp, "expected a process group, got null");
  const int rank = group_->getRank();
  WICK_CHECK(options_.bucket_cap_mb() > 0, kOp, "rank ", rank, ": bucket_cap_mb must be positive, got ",
             options_.bucket_cap_mb());
  for (size_t i = 0; i < parameters_.size(); ++i)
    WICK_CHECK(parameters_[i].defined() && parameters_[i].is_leaf(), kOp, "rank ", rank, ": parameter ", i,
               " is not a defined leaf tensor");

  // The same model on every rank: parameter and buffer counts and sizes agree (MIN and MAX over the ranks).
  {
    const std::vector<int64_t> mine{int64_t(parameters_.size()), total_numel(parameters_), int64_t(buffers_.size()),
                                    total_numel(buffers_)};
    std::vector<Tensor> low{tensor(mine)}, high{tensor(mine)};
    group_->allreduce(low, {ReduceOp::MIN})->wait();
    group_->allreduce(high, {ReduceOp::MAX})->wait();
    WICK_CHECK(equal(low[0], high[0]), kOp, "rank ", rank, ": the ranks' models differ (parameters, their elements, ",
               "buffers, their elements: this rank ", mine[0], ", ", mine[1], ", ", mine[2], ", ", mine[3],
               "; smallest over the ranks ",
               shape_str(std::vector<int64_t>(low[0].data_ptr<int64_t>(), low[0].data_ptr<int64_t>() + 4)),
               ", largest ",
               shape_str(std::vector<int64_t>(high[0].data_ptr<int64_t>(), high[0].data_ptr<int64_t>() + 4)), ")");
  }
  broadcast_from_rank0(parameters_, "parameters");
  broadcast_from_rank0(buffers_, "buffers");

  // Buckets, last parameter first, one dtype each, closed when the next gradient would pass the cap.
  const double cap_bytes = options_.bucket_cap_mb() * 1024 * 1024;
  bucket_of_.assign(parameters_.size(), kNoBucket);
  offset_of_.assign(parameters_.size(), 0);
  std::map<ScalarType, size_t> open;  // dtype -> the bucket being filled
  std::vector<int64_t> sizes;         // elements per bucket
  for (size_t k = parameters_.size(); k-- > 0;) {
    const Tensor& p = parameters_[k];
    if (!p.requires_grad()) continue;
    auto it = open.find(p.dtype());
    const double bytes = double(p.numel() * int64_t(element_size(p.dtype())));
    if (it != open.end() && double(sizes[it->second] * int64_t(element_size(p.dtype()))) + bytes > cap_bytes &&
        sizes[it->second] > 0) {
      open.erase(it);
      it = open.end();
    }
    if (it == open.end()) {
      it = open.emplace(p.dtype(), bucket_parameters_.size()).first;
      bucket_parameters_.emplace_back();
      sizes.push_back(0);
    }
    const size_t b = it->second;
    bucket_of_[k] = b;
    offset_of_[k] = size_t(sizes[b]);
    sizes[b] += p.numel();
    bucket_parameters_[b].push_back(k);
  }
  for (size_t b = 0; b < bucket_parameters_.size(); ++b) {
    auto bucket = std::make_unique<Bucket>();
    const Tensor& first = parameters_[bucket_parameters_[b][0]];
    bucket->flat = zeros({sizes[b]}, TensorOptions().dtype(first.dtype()).device(first.device()));
    bucket->parameters = bucket_parameters_[b];
    buckets_.push_back(std::move(bucket));
  }
  ready_.assign(parameters_.size(), false);
  for (size_t k = 0; k < parameters_.size(); ++k)
    if (bucket_of_[k] != kNoBucket)
      hook_handles_.push_back(
          parameters_[k].register_post_accumulate_grad_hook([this, k](const Tensor&) { on_gradient_ready(k); }));
}

Reducer::~Reducer() {
  size_t h = 0;
  for (size_t k = 0; k < parameters_.size(); ++k)
    if (bucket_of_[k] != kNoBucket) parameters_[k].remove_hook(hook_handles_[h++]);
}

void Reducer::broadcast_from_rank0(const std::vector<Tensor>& tensors, const char* what) {
  NoGradGuard no_grad;
  std::vector<std::shared_ptr<Work>> works;
  std::vector<std::pair<Tensor, Tensor>> copy_back;  // (tensor, its contiguous stand-in)
  for (const Tensor& t : tensors) {
    if (t.numel() == 0) continue;
    std::vector<Tensor> one{t.is_contiguous() ? t : t.contiguous()};
    if (!t.is_contiguous()) copy_back.emplace_back(t, one[0]);
    works.push_back(group_->broadcast(one));
  }
  try {
    for (auto& w : works) w->wait();
  } catch (const Error& e) {
    fail(kOp, "rank ", group_->getRank(), ": broadcasting rank 0's ", what, " failed: ", e.what());
  }
  for (auto& [t, stand_in] : copy_back) Tensor(t).copy_(stand_in);
}

void Reducer::prepare_for_backward() {
  if (!is_grad_enabled()) return;  // evaluation: no backward follows
  if (options_.broadcast_buffers() && !buffers_.empty()) broadcast_from_rank0(buffers_, "buffers");
  armed_ = true;
  in_backward_ = false;
  next_launch_ = 0;
  ready_.assign(parameters_.size(), false);
  events_.clear();
  for (auto& b : buckets_) {
    b->pending = b->parameters.size();
    b->work = nullptr;
  }
}

void Reducer::on_gradient_ready(size_t k) {
  if (!armed_ || no_sync_ || ready_[k]) return;
  if (!in_backward_) {
    in_backward_ = true;
    autograd::queue_callback([this] { finish_backward(); });
  }
  NoGradGuard no_grad;
  events_.push_back({Event::GradReady, int64_t(k)});
  Bucket& b = *buckets_[bucket_of_[k]];
  const Tensor& p = parameters_[k];
  b.flat.narrow(0, int64_t(offset_of_[k]), p.numel()).copy_(p.grad().reshape({-1}));
  ready_[k] = true;
  --b.pending;
  launch_ready_buckets();
}

void Reducer::launch_ready_buckets() {
  // In bucket order on every rank, whatever order the gradients arrived in: the ranks' collectives must match.
  while (next_launch_ < buckets_.size() && buckets_[next_launch_]->pending == 0) {
    Bucket& b = *buckets_[next_launch_];
    std::vector<Tensor> flat{b.flat};
    b.work = group_->allreduce(flat, {ReduceOp::AVG});
    events_.push_back({Event::BucketLaunched, int64_t(next_launch_)});
    ++next_launch_;
  }
}

void Reducer::finish_backward() {
  in_backward_ = false;
  armed_ = false;
  NoGradGuard no_grad;
  std::vector<size_t> missing;
  for (size_t k = 0; k < parameters_.size(); ++k)
    if (bucket_of_[k] != kNoBucket && !ready_[k]) missing.push_back(k);
  auto wait_launched = [&] {
    for (auto& b : buckets_)
      if (b->work) b->work->wait();
  };
  if (!missing.empty() && !options_.find_unused_parameters()) {
    wait_launched();  // leave no exchange half-done behind the error
    std::string which;
    for (size_t i = 0; i < missing.size() && i < 5; ++i)
      which += (i ? ", " : "") + std::to_string(missing[i]) + " " + detail::shape_of(parameters_[missing[i]]);
    fail(kOp, "rank ", group_->getRank(), ": ", missing.size(), " parameter(s) received no gradient in this backward (",
         which, missing.size() > 5 ? ", ..." : "",
         "); if the model does not use every parameter in every forward, construct it with "
         "DistributedDataParallelOptions().find_unused_parameters(true)");
  }
  for (size_t k : missing) {  // unused here: a zero gradient, so the buckets still meet every rank's
    Bucket& b = *buckets_[bucket_of_[k]];
    b.flat.narrow(0, int64_t(offset_of_[k]), parameters_[k].numel()).zero_();
    ready_[k] = true;
    --b.pending;
  }
  launch_ready_buckets();
  events_.push_back({Event::BackwardEnded, -1});
  wait_launched();
  for (auto& b : buckets_)
    for (size_t k : b->parameters) {
      const Tensor& p = parameters_[k];
      const Tensor average = b->flat.narrow(0, int64_t(offset_of_[k]), p.numel()).view(p.sizes());
      if (p.grad().defined())
        p.mutable_grad().copy_(average);
      else
        p.mutable_grad() = average.clone();
    }
}

Reducer::NoSyncGuard::NoSyncGuard(Reducer& reducer) : reducer_(reducer), previous_(reducer.no_sync_) {
  reducer_.no_sync_ = true;
}

Reducer::NoSyncGuard::~NoSyncGuard() { reducer_.no_sync_ = previous_; }

}  // namespace wick::distributed
