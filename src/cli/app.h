// Entry points of the two executables; the mains only call these.
#pragma once

namespace forest::cli {

int RunForest(int argc, char** argv);
int RunForestd(int argc, char** argv);
// The mkcert-compatible shim (the binary under the name `mkcert`).
int RunMkcert(int argc, char** argv);

}  // namespace forest::cli
