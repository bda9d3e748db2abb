#include "shellhost/policy.h"

#include <arpa/inet.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/files.h"
#include "base/nft.h"
#include "base/process.h"
#include "dns/message.h"
#include "shell/netpolicy.h"
#include "shellhost/state.h"
#include "up/image_server.h"

namespace forest::shellhost {

namespace fs = std::filesystem;
using shell::State;

std::string PolicyTable(const std::string& forest) { return "forest_shell_" + forest; }

void DropPolicyTable(const std::string& forest) {
  Nft nft(SystemRunner());
  (void)nft.DeleteTable("inet", PolicyTable(forest));  // none loaded: nothing to drop
}

bool TableLoaded(const std::string& table) {
  Nft nft(SystemRunner());
  auto has = nft.HasTable("inet", table);
  return has.ok() && *has;
}

namespace {

// nft -f FILE with the rendered table.
Status LoadNft(const std::string& text, const std::string& dir, const std::string& table) {
  std::string path = dir + "/netpolicy.nft";
  // Unchanged and still loaded: nothing to do (the warm path of forest shell).
  if (auto have = ReadFile(path); have.ok() && *have == text && TableLoaded(table)) return {};
  FOREST_TRY(WriteFileAtomic(path, text, 0600));
  Nft nft(SystemRunner());
  if (auto s = nft.LoadFile(path); !s.ok()) {
    return MakeError(s.error().message + "; is nftables installed (`forest doctor`)?");
  }
  return {};
}

// Asks `server` (port 53) for `name`'s records of `type`; empty on no answer.
std::vector<std::string> Lookup(const std::string& server, const std::string& name, uint16_t type) {
  namespace asio = boost::asio;
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(server, ec);
  if (ec) return out;
  asio::io_context io;
  asio::ip::udp::socket sock(io);
  sock.open(addr.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (ec) return out;
  dns::Query q;
  q.id = static_cast<uint16_t>(std::rand());
  q.recursion_desired = true;
  q.question = {name, type, dns::kClassIn};
  std::string wire = dns::SerializeQuery(q);
  asio::ip::udp::endpoint to(addr, 53);
  std::string buf(4096, '\0');
  for (int attempt = 0; attempt < 2 && out.empty(); ++attempt) {
    sock.send_to(asio::buffer(wire), to, 0, ec);
    if (ec) return out;
    size_t got = 0;
    bool done = false;
    asio::ip::udp::endpoint from;
    sock.async_receive_from(asio::buffer(buf), from, [&](boost::system::error_code e, size_t n) {
      if (!e) got = n;
      done = true;
    });
    io.restart();
    io.run_for(std::chrono::seconds(2));
    if (!done) {
      sock.cancel(ec);
      io.restart();
      io.run();
      continue;
    }
    auto resp = dns::ParseResponse(std::string_view(buf.data(), got));
    if (!resp.ok() || resp->id != q.id) continue;
    for (const auto& rr : resp->answers) {
      char text[INET6_ADDRSTRLEN] = {};
      if (rr.type == dns::kA && rr.rdata.size() == 4) {
        inet_ntop(AF_INET, rr.rdata.data(), text, sizeof text);
        out.push_back(text);
      } else if (rr.type == dns::kAaaa && rr.rdata.size() == 16) {
        inet_ntop(AF_INET6, rr.rdata.data(), text, sizeof text);
        out.push_back(text);
      }
    }
    break;
  }
  return out;
}

bool IsLiteral(const std::string& s, int family) {
  std::string a = s.substr(0, s.find('/'));
  unsigned char buf[16];
  return inet_pton(family, a.c_str(), buf) == 1;
}

}  // namespace

Status ApplyNetPolicy(const Session& s, const State& st) {
  std::error_code ec;
  if (st.jails.empty()) {
    DropPolicyTable(s.config.forest);
    fs::remove(s.dir + "/netpolicy.nft", ec);
    return {};
  }
  FOREST_ASSIGN_OR_RETURN(auto loaded, LoadForest(s));
  const plan::Plan& plan = loaded->plan;
  shell::Plumbing p;
  p.host_ipv4 = plan.host_ipv4.AddressString();
  p.host_ipv6 = plan.host_bridge.address.ToString();
  // Image pulls go where the host's Incus listens, which another forest may
  // have chosen (up/image_server.h); unset, it will be this bridge.
  auto global = s.Client().WithProject("");
  FOREST_ASSIGN_OR_RETURN(auto server, global.Get("/1.0?project="));
  FOREST_ASSIGN_OR_RETURN(
      up::ImageServer images,
      up::ImageServerFor(server["config"].value("core.https_address", ""), plan.host_bridge.address));
  p.incus_ipv6 = images.address.ToString();
  p.incus_port = images.port;
  p.helper_ipv6 = plan.helper_address.ToString();
  if (!plan.dns64_upstream.empty() && plan.dns64_upstream != p.host_ipv4) {
    p.dns_upstreams.push_back(plan.dns64_upstream);
  }
  std::string resolver = plan.dns64_upstream.empty() ? p.host_ipv4 : plan.dns64_upstream;
  std::vector<shell::JailNet> nets;
  for (const auto& j : st.jails) {
    const plan::NodePlan* n = nullptr;
    for (const auto& x : plan.nodes) {
      if (x.depth == 0 && x.label == j.name) n = &x;
    }
    if (!n) continue;
    shell::JailNet jn;
    jn.name = j.name;
    jn.mode = j.network;
    jn.ipv4 = n->egress_ipv4.AddressString();
    jn.ipv6 = {n->uplink.ToString() + "/128", n->prefix.ToString()};
    if (j.network == shell::NetMode::kAllowlist) {
      for (const auto& a : j.allow) {
        if (IsLiteral(a, AF_INET)) {
          jn.allow4.push_back(a);
        } else if (IsLiteral(a, AF_INET6)) {
          jn.allow6.push_back(a);
        } else {
          auto v4 = Lookup(resolver, a, dns::kA);
          auto v6 = Lookup(resolver, a, dns::kAaaa);
          if (v4.empty() && v6.empty())
            std::cerr << "warning: allowlist: " << a << " did not resolve (asked " << resolver << ")"
                      << std::endl;
          jn.allow4.insert(jn.allow4.end(), v4.begin(), v4.end());
          jn.allow6.insert(jn.allow6.end(), v6.begin(), v6.end());
        }
      }
    }
    nets.push_back(std::move(jn));
  }
  return LoadNft(shell::RenderTable(PolicyTable(s.config.forest), p, nets), s.dir,
                 PolicyTable(s.config.forest));
}

AllowlistRefresher::AllowlistRefresher(const Session& s, const shell::Jail& jail) {
  if (jail.network != shell::NetMode::kAllowlist) return;
  thread_ = std::thread([this, s] {
    std::unique_lock<std::mutex> l(mu_);
    while (!cv_.wait_for(l, std::chrono::seconds(s.config.allow_refresh), [this] { return stop_; })) {
      auto lock = Lock(s);
      auto st = LoadState(s);
      if (lock.ok() && st.ok()) {
        if (auto r = ApplyNetPolicy(s, *st); !r.ok())
          std::cerr << "allowlist refresh: " << r.error().message << "\n";
      }
    }
  });
}

void AllowlistRefresher::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace forest::shellhost
