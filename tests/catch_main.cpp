// The one main() of every Catch2 test executable, v2 or v3 (drift_catch.h).
#define CATCH_CONFIG_RUNNER  // v2: this file holds Catch's implementation; v3 ignores it
#include "drift_catch.h"
#if __has_include(<catch2/catch_session.hpp>)
#include <catch2/catch_session.hpp>  // v3 split headers (the amalgamated one has it already)
#endif

int main(int argc, char** argv) { return Catch::Session().run(argc, argv); }
