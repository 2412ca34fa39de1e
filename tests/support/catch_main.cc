// The Catch2 main of every weft test executable (a .cc so the suites' *_test.cpp glob skips it).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
