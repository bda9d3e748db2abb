#include "trust/mkcert_args.h"

#include <map>

namespace forest::trust {
namespace {

enum class Kind { kBool, kString };

struct Flag {
  Kind kind;
  bool MkcertArgs::*b = nullptr;
  std::string MkcertArgs::*s = nullptr;
};

const std::map<std::string, Flag>& Flags() {
  static const std::map<std::string, Flag> kFlags = {
      {"install", {Kind::kBool, &MkcertArgs::install}},
      {"uninstall", {Kind::kBool, &MkcertArgs::uninstall}},
      {"CAROOT", {Kind::kBool, &MkcertArgs::caroot}},
      {"ecdsa", {Kind::kBool, &MkcertArgs::ecdsa}},
      {"client", {Kind::kBool, &MkcertArgs::client}},
      {"pkcs12", {Kind::kBool, &MkcertArgs::pkcs12}},
      {"help", {Kind::kBool, &MkcertArgs::help}},
      {"version", {Kind::kBool, &MkcertArgs::version}},
      {"csr", {Kind::kString, nullptr, &MkcertArgs::csr}},
      {"cert-file", {Kind::kString, nullptr, &MkcertArgs::cert_file}},
      {"key-file", {Kind::kString, nullptr, &MkcertArgs::key_file}},
      {"p12-file", {Kind::kString, nullptr, &MkcertArgs::p12_file}},
  };
  return kFlags;
}

std::optional<bool> ParseBool(const std::string& v) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (v == t) return true;
  }
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (v == f) return false;
  }
  return std::nullopt;
}

MkcertParse FlagError(MkcertParse p, const std::string& message) {
  p.error = MkcertUsageError{message + "\n" + MkcertUsage(), 2};
  return p;
}

MkcertParse Fatal(MkcertParse p, const std::string& message) {
  p.error = MkcertUsageError{"ERROR: " + message + "\n", 1};
  return p;
}

}  // namespace

std::string MkcertUsage() {
  return "Usage of mkcert (the forest's mkcert: certificates come from the forest CA on the helper):\n"
         "\n"
         "  mkcert -install            fetch the forest's root and trust it here (system store, NSS)\n"
         "  mkcert NAME...             a key made here and a certificate for NAME... (names under .incus)\n"
         "  mkcert -uninstall          remove the root from this node's trust stores\n"
         "  mkcert -CAROOT             print the directory holding rootCA.pem\n"
         "\n"
         "  -cert-file FILE, -key-file FILE, -p12-file FILE   where to write the output\n"
         "  -client                    a client certificate (clientAuth)\n"
         "  -ecdsa                     an ECDSA P-256 key instead of RSA 2048\n"
         "  -pkcs12                    a PKCS #12 file (password \"changeit\")\n"
         "  -csr CSR                   sign an existing CSR (names from the CSR)\n"
         "  -version, -help\n"
         "\n"
         "The certificate is valid for the requested names plus the other names of the same service\n"
         "(canonical name and aliases); names outside this node's subtree are refused.\n";
}

MkcertParse ParseMkcertArgs(const std::vector<std::string>& argv) {
  MkcertParse p;
  size_t i = 0;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-') break;  // the first name ends the flags ("-" is a name)
    size_t dashes = a[1] == '-' ? 2 : 1;
    if (a.size() == 2 && dashes == 2) {  // "--"
      ++i;
      break;
    }
    std::string body = a.substr(dashes);
    if (body.empty() || body[0] == '-' || body[0] == '=') return FlagError(p, "bad flag syntax: " + a);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    if (name == "h") name = "help";
    auto it = Flags().find(name);
    if (it == Flags().end()) return FlagError(p, "flag provided but not defined: -" + name);
    const Flag& f = it->second;
    if (f.kind == Kind::kBool) {
      bool v = true;
      if (has_value) {
        auto parsed = ParseBool(value);
        if (!parsed) return FlagError(p, "invalid boolean value \"" + value + "\" for -" + name + ": parse error");
        v = *parsed;
      }
      p.args.*(f.b) = v;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) return FlagError(p, "flag needs an argument: -" + name);
      value = argv[++i];
    }
    p.args.*(f.s) = value;
  }
  p.args.names.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());

  const MkcertArgs& a = p.args;
  if (a.help || a.version) return p;
  if (a.caroot && (a.install || a.uninstall)) return Fatal(p, "you can't set -[un]install and -CAROOT at the same time");
  if (a.install && a.uninstall) return Fatal(p, "you can't set -install and -uninstall at the same time");
  if (!a.csr.empty() && (a.pkcs12 || a.ecdsa || a.client)) return Fatal(p, "can only combine -csr with -install and -cert-file");
  if (!a.csr.empty() && !a.names.empty()) return Fatal(p, "can't specify extra arguments when using -csr");
  return p;
}

MkcertFiles MkcertDefaultFiles(const std::vector<std::string>& names, bool client) {
  std::string base = names.empty() ? "cert" : names.front();
  std::string out;
  for (char c : base) {
    if (c == ':') {
      out += '_';
    } else if (c == '*') {
      out += "_wildcard";
    } else {
      out += c;
    }
  }
  if (names.size() > 1) out += "+" + std::to_string(names.size() - 1);
  if (client) out += "-client";
  return {"./" + out + ".pem", "./" + out + "-key.pem", "./" + out + ".p12"};
}

}  // namespace forest::trust
