#include "up/image_server.h"

#include <cstdlib>

namespace forest::up {
namespace {

Result<int> ParsePort(const std::string& have, const std::string& text) {
  if (text.empty()) return 8443;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > 65535)
      return MakeError("core.https_address=" + have + ": '" + text + "' is not a port");
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 65535)
    return MakeError("core.https_address=" + have + ": port " + text + " is out of range 1..65535");
  return v;
}

}  // namespace

std::string ImageServer::Url() const {
  return "https://[" + address.ToString() + "]:" + std::to_string(port);
}

Result<ImageServer> ImageServerFor(const std::string& have, const net::Ipv6Address& bridge) {
  ImageServer s;
  s.address = bridge;
  if (have.empty()) {
    s.set = "[" + bridge.ToString() + "]:8443";
    return s;
  }
  std::string host, port;
  if (have[0] == '[') {
    auto close = have.find(']');
    if (close == std::string::npos) return MakeError("core.https_address=" + have + ": '[' without ']'");
    host = have.substr(1, close - 1);
    std::string rest = have.substr(close + 1);
    if (!rest.empty() && rest[0] != ':')
      return MakeError("core.https_address=" + have + ": expected ':PORT' after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else if (auto colon = have.find(':');
             colon != std::string::npos && have.find(':', colon + 1) == std::string::npos) {
    host = have.substr(0, colon);  // IPv4 or a name, or "" (":8443")
    port = have.substr(colon + 1);
  } else {
    host = have;  // a bare IPv6 address, or an IPv4 address or name without a port
  }
  FOREST_ASSIGN_OR_RETURN(s.port, ParsePort(have, port));
  const std::string fix =
      "; forest's roots pull images from the host's Incus over IPv6 and cannot reach it. "
      "Let Incus listen on every address (`incus config set core.https_address '[::]:8443'`) "
      "or on an IPv6 address of this host, then run forest again";
  if (host.empty() || host == "::" || host == "0.0.0.0") return s;
  auto v6 = net::Ipv6Address::Parse(host);
  if (!v6.ok()) return MakeError("core.https_address=" + have + ": Incus listens on " + host + " only" + fix);
  if (v6->ToString() == "::1")
    return MakeError("core.https_address=" + have + ": Incus listens on loopback only" + fix);
  s.address = *v6;
  return s;
}

}  // namespace forest::up
