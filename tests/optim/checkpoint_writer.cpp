// The child process of tests/optim/checkpoint_crash_test.cpp: a training job that checkpoints after every step,
// forever, until the test SIGKILLs it. Like a restarted job, it first resumes from the newest complete checkpoint
// in its directory (or saves step 0 in an empty one).
//
// Usage: checkpoint_writer DIR
// Writes "start K" to stdout once checkpoint K is known complete on disk (resumed from or just saved), then
// "saved K" after each further checkpoint, so the test knows which checkpoints the killed job had finished.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "crash_training.h"

namespace {

// One write(2) per line, unbuffered: whatever the test reads was said before the kill, whole.
void announce(const char* what, int64_t step) {
  char line[64];
  const int n = std::snprintf(line, sizeof line, "%s %lld\n", what, static_cast<long long>(step));
  if (::write(STDOUT_FILENO, line, size_t(n)) != n) std::exit(3);  // the test is gone
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  try {
    wick::set_num_threads(crash_training::kThreads);
    crash_training::Run run;
    if (const auto newest = crash_training::newest_complete_checkpoint(dir))
      crash_training::load_checkpoint(run, dir, *newest);
    else
      crash_training::save_checkpoint(run, dir);
    announce("start", run.step);
    for (;;) {
      run.train_step();
      crash_training::save_checkpoint(run, dir);
      announce("saved", run.step);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint_writer: %s\n", e.what());
    return 1;
  }
}
