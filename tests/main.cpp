// Catch2's main, plus a listener that records how many assertions each test case made. Catch2 2.x has no skip
// state: a case that returns early because a GPU, library or data set is missing reports as passed. With
// WICK_ASSERTION_COUNTS=FILE set, each case's count goes to FILE ("<count>\t<name>" per line), and
// tools/catch2_report.py counts a case that asserted nothing as skipped when it warned why ("skipped" in a
// WARN), and as failed otherwise.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

class AssertionCounter : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo&) override {
    if (const char* path = std::getenv("WICK_ASSERTION_COUNTS")) file_ = std::fopen(path, "w");
  }
  void testCaseStarting(const Catch::TestCaseInfo&) override { assertions_ = 0; }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    // A WARN or INFO reaches listeners as an assertion too; it checks nothing.
    const Catch::ResultWas::OfType type = stats.assertionResult.getResultType();
    if (type != Catch::ResultWas::Warning && type != Catch::ResultWas::Info) ++assertions_;
    return true;
  }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    if (file_) {
      std::fprintf(file_, "%ld\t%s\n", assertions_, stats.testInfo.name.c_str());
      std::fflush(file_);  // a crash later still leaves the finished cases' counts
    }
  }
  void testRunEnded(const Catch::TestRunStats&) override {
    if (file_) std::fclose(file_);
    file_ = nullptr;
  }

 private:
  std::FILE* file_ = nullptr;
  long assertions_ = 0;
};

}  // namespace

CATCH_REGISTER_LISTENER(AssertionCounter)
