// LibTorch version differences the trainer meets, in one place (docs/portability.md).
// Detected by what the headers declare, not by version numbers, so a build with a feature
// backported or removed still gets the right branch.
#pragma once
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace drift::train::compat {

// TCPStore's libuv backend: LibTorch >= 2.4 asks for it by default (TCPStoreOptions::useLibUV),
// but Debian 13's libtorch 2.6 is built without libuv, so every rank failed with "use_libuv was
// requested but PyTorch was build without libuv support". The classic backend exists in every
// version and speaks the same protocol (a client of either talks to a server of either, e.g.
// torchrun's agent store). LibTorch 1.13 has no such option: nothing to do there.
template <class Options>
auto use_classic_tcpstore(Options& o, int) -> decltype(o.useLibUV = false, void()) { o.useLibUV = false; }
template <class Options>
void use_classic_tcpstore(Options&, long) {}
inline void use_classic_tcpstore(c10d::TCPStoreOptions& o) { use_classic_tcpstore(o, 0); }

}  // namespace drift::train::compat
