// Precompiled for every test file: Catch2's single header is the slowest part of compiling a test.
#include <catch2/catch.hpp>

#include <wick/wick.h>
