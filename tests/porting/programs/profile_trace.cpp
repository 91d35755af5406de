// porting: run
// LibTorch's C++ profiler guard: RecordProfile records the ops of its lifetime and writes a trace file that
// chrome://tracing opens. Timings differ run to run, so the program checks its own output.
#include <torch/csrc/autograd/profiler.h>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main() {
  const std::string path = "profile_trace.trace";
  torch::Tensor w = torch::ones({3, 2}, torch::requires_grad());
  {
    torch::autograd::profiler::RecordProfile guard(path);
    torch::Tensor loss = torch::mm(torch::ones({4, 3}), w).relu().sum();
    loss.backward();
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string trace = text.str();
  std::remove(path.c_str());
  const bool ok = trace.find("\"ph\": \"X\"") != std::string::npos && trace.find("mm") != std::string::npos &&
                  trace.find("relu") != std::string::npos;
  std::cout << "trace of " << trace.size() << " bytes, " << (ok ? "with" : "without") << " mm and relu events\n";
  return ok ? 0 : 1;
}
