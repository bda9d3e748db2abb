#include <cstring>

#include "cli/app.h"

// One binary for nodes: installed as `forestd` too (a symlink), it is the daemon;
// as `mkcert`, the forest's mkcert-compatible shim.
int main(int argc, char** argv) {
  const char* base = std::strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  if (std::strcmp(base, "forestd") == 0) return forest::cli::RunForestd(argc, argv);
  if (std::strcmp(base, "mkcert") == 0) return forest::cli::RunMkcert(argc, argv);
  return forest::cli::RunForest(argc, argv);
}
