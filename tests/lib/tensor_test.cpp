#include <catch2/catch.hpp>
#include <wick/wick.h>

TEST_CASE("tensor: creation, layout and element access", "[tensor]") {
  wick::Tensor t = wick::tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  CHECK(t.dim() == 2);
  CHECK(t.size(0) == 2);
  CHECK(t.size(-1) == 3);
  CHECK(t.strides()[0] == 3);
  CHECK(t.dtype() == wick::kFloat);
  CHECK(t.is_contiguous());
  CHECK(t.data_ptr<float>()[4] == 5.f);
  CHECK(t.index({1, 2}).item<float>() == 6.f);
  CHECK_THROWS_AS(t.data_ptr<double>(), wick::Error);
  CHECK_THROWS_WITH(t.size(2), Catch::Contains("dim 2 is out of range"));
}
