// The README's tour, built by tools/check through pkg-config alone: if it stops compiling, the README is wrong.
#include <wick/wick.h>
#include <iostream>

int main() {
  wick::manual_seed(0);
  wick::Tensor w = wick::randn({784, 10}, wick::requires_grad());
  wick::Tensor x = wick::rand({64, 784});
  wick::Tensor y = wick::randint(10, {64});

  wick::Tensor logits = x.matmul(w);                 // runs now, records on this thread's tape
  wick::Tensor loss = -logits.log_softmax(1).gather(1, y.unsqueeze(1)).mean();
  wick::Tensor g = wick::autograd::grad({loss}, {w}, {}, true, true)[0];  // create_graph: differentiable
  (loss + g.pow(2).sum()).backward();                 // a gradient penalty, back-propagated
  {
    wick::NoGradGuard no_grad;                       // optimizer step: nothing recorded
    w.sub_(w.grad() * 0.1);
    w.mutable_grad().zero_();
  }
  std::cout << loss.item<float>() << "\n" << w.index({wick::Slice(0, 2), 3}) << "\n";
}
