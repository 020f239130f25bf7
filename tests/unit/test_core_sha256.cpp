// SHA-256 against the FIPS 180-4 / NIST example vectors.
#include "drift_catch.h"
#include <string>

#include "drift/core/manifest_sha256.h"

using drift::core::sha256_hex;

TEST_CASE("sha256 matches the NIST vectors", "[core][sha256]") {
  CHECK(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha256_hex(m448.data(), m448.size()) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string m896 =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  CHECK(sha256_hex(m896.data(), m896.size()) ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  const std::string million(1000000, 'a');
  CHECK(sha256_hex(million.data(), million.size()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Found by tests/fuzz/fuzz_model (an empty model.bin): memcpy from a null pointer, UB even
// for 0 bytes; UBSan (the sanitize preset) fails this test without the guard in update().
TEST_CASE("sha256 of an empty buffer given as a null pointer", "[core][sha256][fuzz]") {
  CHECK(sha256_hex(nullptr, 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  drift::core::Sha256 h;
  h.update(nullptr, 0);
  h.update("abc", 3);
  h.update(nullptr, 0);
  CHECK(h.digest()[0] == 0xba);
}

TEST_CASE("sha256 gives the same digest for any split of the input", "[core][sha256]") {
  std::string data(1000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = char(i * 7 + 3);
  const std::string whole = sha256_hex(data.data(), data.size());
  for (std::size_t cut : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 999u}) {
    drift::core::Sha256 s;
    s.update(data.data(), cut);
    s.update(data.data() + cut, data.size() - cut);
    auto d = s.digest();
    char hex[65];
    for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", d[std::size_t(i)]);
    CHECK(std::string(hex) == whole);
  }
}
