// Fuzz target for the mkcert shim's command line (trust::ParseMkcertArgs):
// the input split at NUL or newline is argv[1..]. Any argv gives arguments or
// a usage error with a message; accepted arguments written back in one
// canonical spelling (-flag, -flag=value, --, names) parse to the same
// arguments.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "trust/mkcert_args.h"

namespace {

using forest::trust::MkcertArgs;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_mkcert_args: %s\n", what);
  std::abort();
}

std::vector<std::string> Canonical(const MkcertArgs& a) {
  std::vector<std::string> argv;
  for (auto [name, on] : {std::pair{"install", a.install},
                          {"uninstall", a.uninstall},
                          {"CAROOT", a.caroot},
                          {"ecdsa", a.ecdsa},
                          {"client", a.client},
                          {"pkcs12", a.pkcs12},
                          {"help", a.help},
                          {"version", a.version}}) {
    if (on) argv.push_back(std::string("-") + name);
  }
  for (auto [name, value] : {std::pair{"csr", &a.csr},
                             {"cert-file", &a.cert_file},
                             {"key-file", &a.key_file},
                             {"p12-file", &a.p12_file}}) {
    if (!value->empty()) argv.push_back(std::string("--") + name + "=" + *value);
  }
  argv.push_back("--");
  argv.insert(argv.end(), a.names.begin(), a.names.end());
  return argv;
}

bool Same(const MkcertArgs& x, const MkcertArgs& y) {
  return x.install == y.install && x.uninstall == y.uninstall && x.caroot == y.caroot && x.ecdsa == y.ecdsa &&
         x.client == y.client && x.pkcs12 == y.pkcs12 && x.help == y.help && x.version == y.version &&
         x.csr == y.csr && x.cert_file == y.cert_file && x.key_file == y.key_file &&
         x.p12_file == y.p12_file && x.names == y.names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> argv;
  if (!text.empty()) {
    argv.emplace_back();
    for (char c : text) {
      if (c == '\0' || c == '\n') {
        argv.emplace_back();
      } else {
        argv.back() += c;
      }
    }
  }
  auto p = forest::trust::ParseMkcertArgs(argv);
  if (p.error) {
    if (p.error->message.empty() || (p.error->exit_code != 1 && p.error->exit_code != 2))
      Fail("bad usage error");
    return 0;
  }
  auto again = forest::trust::ParseMkcertArgs(Canonical(p.args));
  if (again.error || !Same(again.args, p.args)) Fail("arguments do not round-trip");
  auto files = forest::trust::MkcertDefaultFiles(p.args.names, p.args.client);
  if (files.cert.empty() || files.key.empty() || files.p12.empty()) Fail("empty default file name");
  return 0;
}
