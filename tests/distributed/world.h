// What every distributed test case starts from: the world group, and a skip when the program was started without
// mpirun (one process can exchange nothing).
#pragma once

#include <catch2/catch.hpp>

#include <wick/distributed.h>

#include <memory>

namespace wick::test {

inline std::shared_ptr<distributed::ProcessGroupMPI> world() {
  static std::shared_ptr<distributed::ProcessGroupMPI> pg = distributed::ProcessGroupMPI::createProcessGroupMPI();
  return pg;
}

}  // namespace wick::test

// Every case needs two or more processes: run under mpirun (tools/check does, with 2 and with 3).
#define WICK_REQUIRE_RANKS()                                          \
  do {                                                                \
    if (::wick::test::world()->getSize() < 2) {                       \
      WARN("one process: run under mpirun -np 2 (or more); skipped"); \
      return;                                                         \
    }                                                                 \
  } while (0)
