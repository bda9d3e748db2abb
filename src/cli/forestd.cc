// forestd: the daemon. `--role helper` serves the forest's publication API
// and authoritative DNS for .incus; `--role node` is the node agent
// (cli/forestd_node.cc), with the 464XLAT wiring of its node (up/xlat_apply.h).
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <set>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/files.h"
#include "base/version.h"
#include "cli/app.h"
#include "cli/command.h"
#include "cli/forestd.h"
#include "serve/dns_server.h"
#include "helper/ca_broker.h"
#include "helper/ca_files.h"
#include "helper/revocations.h"
#include "trust/crl.h"
#include "trust/caroot.h"
#include "helper/helper_state.h"
#include "helper/root_leases.h"
#include "helper/state_files.h"
#include "serve/http_server.h"
#include "serve/metrics.h"
#include "net/ip.h"
#include "naming/names.h"
#include "plan/api_callers.h"
#include "render/writer.h"
#include "serve/fd_limit.h"

namespace forest::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

void Log(const std::string& line) { std::cerr << "forestd: " << line << std::endl; }

struct HelperOptions {
  std::string dir = "/etc/forest";         // topology.yaml, slots.json
  std::string state = "/var/lib/forestd";  // last valid root exports
  std::string listen;                      // default: the plan's helper address
  uint16_t dns_port = 53;
  uint16_t http_port = 8053;
  std::chrono::milliseconds root_lease = helper::kDefaultRootLease;
};

http::Response JsonReply(int status, const Json& j) { return http::JsonResponse(status, j); }

// A root's export: 100,000 records are about 8 MiB of JSON.
constexpr size_t kMaxPublishBody = 16u << 20;
// A CSR (RSA 4096 is under 2 KiB of PEM) and a few label paths.
constexpr size_t kMaxSignBody = 64u << 10;
// Descriptors the helper needs besides connections: files, the UDP socket,
// the journal, timers.
constexpr size_t kFixedFds = 256;

// The helper role: root exports in, names out (HTTP API and DNS).
class Helper {
 public:
  Helper(const HelperOptions& o, helper::HelperState state)
      : o_(o), state_(std::move(state)), leases_(o.root_lease), files_(o.state), ca_files_(o.state + "/ca") {
    broker_.SetCrlUrl("http://forest-ca.incus:" + std::to_string(o.http_port ? o.http_port : 8053) + "/v1/crl");
  }

  // Last valid exports survive restarts; each is checked again on load.
  void LoadState() {
    LoadSerial();
    for (const auto& saved : files_.ReadRoots()) {
      const auto* root = state_.RootByLabel(saved.label);
      if (!root) continue;
      auto parsed = registration::Parse(saved.text);
      if (!parsed.ok()) {
        Log(saved.path + ": ignored: " + parsed.error().message);
        continue;
      }
      if (auto r = state_.Publish(*root, *parsed); !r.ok()) {
        Log(saved.path + ": ignored: " + r.error().message);
      } else {
        leases_.Seen(saved.label, Now());  // a saved root gets a full lease to publish again
      }
    }
    SaveSerial();
    LogHeldBack();
    ReloadRoot();
    LoadIssuances();
    ReloadRevocations();
    Sweep();
    Log("serving " + std::to_string(state_.view().canonical().size()) + " names from " +
        std::to_string(state_.exports().size()) + " saved root exports (serial " +
        std::to_string(state_.serial()) + ")");
  }

  // The API as a table: who may call what is decided on the request head,
  // before any body is read; bodies are capped per route.
  http::Router Routes() {
    http::Router r;
    r.Add({"POST", "/v1/publish-root-registration", kMaxPublishBody,
           [this](std::string_view source) { return PublishCaller(source); },
           [this](const http::Request& q) { return Publish(q); }});
    r.Add({"POST", "/v1/sign-csr", kMaxSignBody, [this](std::string_view source) { return SignCaller(source); },
           [this](const http::Request& q) { return SignCsr(q); }});
    r.Add({"GET", "/v1/forest", 0, nullptr, [this](const http::Request&) { return JsonReply(200, state_.ForestJson()); }});
    r.Add({"GET", "/v1/crl", 0, nullptr, [this](const http::Request& q) { return Crl(q); }});
    r.Add({"GET", "/v1/crl-root", 0, nullptr, [this](const http::Request&) { return CrlRoot(); }});
    r.Add({"GET", "/v1/root-ca", 0, nullptr, [this](const http::Request&) { return RootCa(); }});
    r.Add({"GET", "/healthz", 0, nullptr, [this](const http::Request&) {
             return JsonReply(200, {{"status", "ok"}, {"serial", state_.serial()}, {"roots_published", state_.exports().size()}});
           }});
    r.Add({"GET", "/metrics", 0, nullptr,
           [this](const http::Request&) { return http::Response{200, "text/plain; version=0.0.4", Metrics(), {}}; }});
    return r;
  }

  // After each change of the view: the new zone to DNS, the serial saved,
  // held-back aliases said, superseded leaves revoked.
  void ViewChanged() {
    if (dns_) dns_->SetZone(state_.zone());
    SaveSerial();
    LogHeldBack();
    Sweep();
  }

  // Names follow liveness (helper/root_leases.h): a root that has not
  // published for the lease loses its names, and its saved export goes.
  void ExpireRoots() {
    for (const std::string& label : leases_.Expire(Now())) {
      if (!state_.Withdraw(label)) continue;
      files_.RemoveRoot(label);
      ViewChanged();
      Log("root " + label + " has not published for " + std::to_string(leases_.lease().count() / 1000) +
          " s: its names are withdrawn until it publishes again; serial " + std::to_string(state_.serial()));
    }
  }

  void Attach(dns::Server* dns, const http::Server* api) {
    dns_ = dns;
    api_ = api;
  }
  std::shared_ptr<const dns::Zone> Zone() const { return state_.zone(); }

 private:
  std::string CaDir() const { return o_.state + "/ca"; }
  std::chrono::milliseconds Now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_);
  }

  // The staged root (`forest ca stage` writes it into the helper's state);
  // loaded again whenever the files change, so staging needs no restart.
  void ReloadRoot() {
    struct stat cert{}, key{};
    std::string cert_path = CaDir() + "/" + trust::kRootCertFile, key_path = CaDir() + "/" + trust::kRootKeyFile;
    if (stat(cert_path.c_str(), &cert) != 0 || stat(key_path.c_str(), &key) != 0) {
      if (broker_.root()) Log("CA root removed from " + CaDir());
      broker_.SetRoot(std::nullopt);
      root_stamp_.clear();
      return;
    }
    std::string stamp = std::to_string(cert.st_mtim.tv_sec) + "." + std::to_string(cert.st_mtim.tv_nsec) + "/" +
                        std::to_string(key.st_mtim.tv_sec) + "." + std::to_string(key.st_mtim.tv_nsec) + "/" +
                        std::to_string(cert.st_size + key.st_size);
    if (stamp == root_stamp_) return;
    root_stamp_ = stamp;
    auto cert_pem = ReadFile(cert_path, trust::kMaxPemBytes);
    auto key_pem = ReadFile(key_path, trust::kMaxPemBytes);
    if (!cert_pem.ok() || !key_pem.ok()) {
      Log("cannot read the CA root in " + CaDir() + ": " + (cert_pem.ok() ? key_pem.error() : cert_pem.error()).message);
      return;  // keep the last good root
    }
    auto root = trust::CaRoot::Load(*cert_pem, *key_pem);
    if (!root.ok()) {
      Log("CA root in " + CaDir() + " not loaded, last good kept: " + root.error().message);
      return;
    }
    Log("CA root loaded: " + root->subject());
    broker_.SetRoot(*root);
  }

  // Key bindings survive restarts: the issuance log is replayed (and kept,
  // for revocation).
  void LoadIssuances() {
    auto log = ca_files_.ReadIssued();
    if (!log.ok()) {
      Log("cannot replay the issuance log: " + log.error().message);
      return;
    }
    issued_ = std::move(log->issued);
    for (const auto& i : issued_) broker_.Remember(i);
    if (log->skipped) Log(ca_files_.Path(helper::kIssuedFile) + ": " + std::to_string(log->skipped) + " unreadable lines skipped");
    if (!issued_.empty()) {
      Log("replayed " + std::to_string(issued_.size()) + " issuances from " + ca_files_.Path(helper::kIssuedFile));
    }
  }

  // revoked.json is also written by `forest helper-revoke` (forest cert
  // revoke on the host): read again whenever it changed.
  void ReloadRevocations() {
    std::string stamp = helper::FileStamp(ca_files_.Path(helper::kRevokedFile));
    if (stamp == revoked_stamp_) return;
    auto all = ca_files_.ReadRevoked();
    if (!all.ok()) {
      Log("revocations not reloaded, last good kept: " + all.error().message);
      return;
    }
    revoked_stamp_ = stamp;
    revoked_ = std::move(*all);
    revoked_serials_.clear();
    for (const auto& r : revoked_) revoked_serials_.insert(r.serial);
  }

  // A changed view can give a name to someone else: the leaves of others
  // that hold it are revoked (helper/revocations.h Superseded).
  void Sweep() {
    ReloadRevocations();
    auto superseded = helper::Superseded(state_.view(), issued_, revoked_serials_, UnixNow());
    if (superseded.empty()) return;
    auto added = ca_files_.AddRevoked(superseded);
    if (!added.ok()) {
      Log("cannot record revocations: " + added.error().message);
      return;
    }
    for (const auto& r : *added) Log("revoked serial " + r.serial + " of " + r.caller + ": " + r.reason);
    ReloadRevocations();
  }

  // GET /v1/crl[?format=der]: signed again when the revocations or the root
  // changed, and every kCrlRefreshSeconds (nextUpdate is a day ahead).
  http::Response Crl(const http::Request& r) {
    ReloadRoot();
    ReloadRevocations();
    if (!broker_.root()) {
      return JsonReply(503, {{"error", "no CA root is staged on the helper; run `forest ca stage` on the host"}});
    }
    int64_t now = UnixNow();
    std::string basis = revoked_stamp_ + "|" + root_stamp_;
    if (crl_pem_.empty() || basis != crl_basis_ || now - crl_made_ >= helper::kCrlRefreshSeconds) {
      crl_number_ = std::max<uint64_t>(crl_number_ + 1, static_cast<uint64_t>(now));
      auto pem = trust::MakeCrl(*broker_.root(), helper::CrlSpecFor(revoked_, now, crl_number_));
      if (!pem.ok()) {
        Log("CRL not made: " + pem.error().message);
        return JsonReply(500, {{"error", "CRL not made: " + pem.error().message}});
      }
      crl_pem_ = std::move(*pem);
      crl_basis_ = basis;
      crl_made_ = now;
    }
    if (r.target.find("format=der") != std::string::npos) {
      auto der = trust::CrlDer(crl_pem_);
      if (der.ok()) return {200, "application/pkix-crl", *der, {}};
    }
    return {200, "application/x-pem-file", crl_pem_, {}};
  }

  // GET /v1/crl-root: the root's CRL-signing twin (trust/crl.h).
  http::Response CrlRoot() {
    ReloadRoot();
    if (!broker_.root()) {
      return JsonReply(503, {{"error", "no CA root is staged on the helper; run `forest ca stage` on the host"}});
    }
    auto twin = trust::CrlSigningRoot(*broker_.root());
    if (!twin.ok()) return JsonReply(500, {{"error", twin.error().message}});
    return {200, "application/x-pem-file", *twin, {}};
  }

  // The zone serial only grows: saved after each change, and a restart
  // starts above the saved one and the clock (HelperState::StartSerial).
  void LoadSerial() {
    std::string problem;
    std::optional<uint32_t> saved = files_.ReadSerial(&problem);
    if (!problem.empty()) Log(problem + "; starting from the clock");
    state_.SetSerial(helper::HelperState::StartSerial(saved, UnixNow()));
  }
  void SaveSerial() {
    if (Status s = files_.SaveSerial(state_.serial()); !s.ok()) Log("cannot save the zone serial: " + s.error().message);
  }

  // Nodes win over services: say which alias candidates are held back, when
  // that changes.
  void LogHeldBack() {
    const auto& held = state_.view().held_back();
    if (held == held_back_) return;
    for (const auto& line : held) {
      if (std::find(held_back_.begin(), held_back_.end(), line) == held_back_.end()) Log(line);
    }
    held_back_ = held;
  }

  Status PublishCaller(std::string_view source) {
    auto root = state_.RootForSource(source);
    if (root.ok()) return {};
    ++forbidden_;
    Log("publish refused: " + root.error().message);
    return root.error();
  }

  // The broker checks again on the body; this refuses workloads before it.
  Status SignCaller(std::string_view source) {
    auto a = net::Ipv6Address::Parse(source);
    if (a.ok() && state_.view().NodeWithAddress(*a)) return {};
    ++sign_refused_;
    std::string why = "source address " + naming::QuoteUntrusted(source) +
                      " is not the uplink or node address of any node in the forest; certificates are signed only "
                      "for nodes, identified by the address they connect from";
    Log("sign-csr refused: " + why);
    return MakeError(why);
  }

  http::Response RootCa() {
    ReloadRoot();
    if (!broker_.root()) {
      return JsonReply(503, {{"error", "no CA root is staged on the helper; run `forest ca stage` on the host"}});
    }
    return {200, "application/x-pem-file", broker_.root()->cert_pem(), {}};
  }

  http::Response SignCsr(const http::Request& r) {
    ReloadRoot();
    auto reply = broker_.Sign(state_.view(), r.remote_address, r.body, UnixNow());
    Log(reply.log);
    if (!reply.issued) {
      ++sign_refused_;
      return JsonReply(reply.status, reply.body);
    }
    ++signed_;
    // Every issuance is logged: who, which names, the serial.
    if (auto s = ca_files_.AppendIssued(*reply.issued); !s.ok()) Log(s.error().message);
    issued_.push_back(*reply.issued);
    return JsonReply(reply.status, reply.body);
  }

  http::Response Publish(const http::Request& r) {
    auto root = state_.RootForSource(r.remote_address);
    if (!root.ok()) return JsonReply(403, {{"error", root.error().message}});  // admitted on the head already
    const std::string& name = (*root)->delegation.child_canonical;
    auto parsed = registration::Parse(r.body);
    if (!parsed.ok()) {
      ++rejected_;
      Log("export of " + name + " rejected, last good kept: " + parsed.error().message);
      return JsonReply(400, {{"error", parsed.error().message}});
    }
    auto changed = state_.Publish(**root, *parsed);
    if (!changed.ok()) {
      ++rejected_;
      Log("export of " + name + " rejected, last good kept: " + changed.error().message);
      return JsonReply(422, {{"error", changed.error().message}});
    }
    ++accepted_;
    leases_.Seen((*root)->delegation.child_label, Now());
    if (*changed) {
      std::string label = (*root)->delegation.child_label;
      Status saved = files_.SaveRoot(label, registration::Serialize(state_.exports().at(label)));
      if (!saved.ok()) Log("cannot save the export of " + name + ": " + saved.error().message);
      ViewChanged();
      Log("accepted export of " + name + ": " + std::to_string(parsed->records.size()) +
          " records; serial " + std::to_string(state_.serial()) + ", " +
          std::to_string(state_.view().aliases().alias_to_canonical.size()) + " aliases");
    }
    return JsonReply(200, {{"accepted", true}, {"changed", *changed}, {"serial", state_.serial()}});
  }

  std::string Metrics() const {
    serve::MetricsText m;
    m.Type("forestd_publish_total", "counter");
    m.Line("forestd_publish_total", "result=\"accepted\"", accepted_);
    m.Line("forestd_publish_total", "result=\"rejected\"", rejected_);
    m.Line("forestd_publish_total", "result=\"forbidden\"", forbidden_);
    m.Type("forestd_sign_csr_total", "counter");
    m.Line("forestd_sign_csr_total", "result=\"signed\"", signed_);
    m.Line("forestd_sign_csr_total", "result=\"refused\"", sign_refused_);
    m.Type("forestd_names", "gauge");
    m.Line("forestd_names", "kind=\"canonical\"", state_.view().canonical().size());
    m.Line("forestd_names", "kind=\"alias\"", state_.view().aliases().alias_to_canonical.size());
    m.Type("forestd_zone_serial", "gauge");
    m.Line("forestd_zone_serial", "", state_.serial());
    if (dns_) {
      serve::AddDnsStats(m, dns_->stats());
      serve::AddConnectionStats(m, "dns_tcp", dns_->tcp_stats(), dns_->tcp_limits());
    }
    if (api_) serve::AddConnectionStats(m, "http", api_->stats(), api_->limits());
    serve::AddFdStats(m);
    return m.text();
  }

  HelperOptions o_;
  helper::HelperState state_;
  helper::RootLeases leases_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  dns::Server* dns_ = nullptr;
  const http::Server* api_ = nullptr;
  helper::CaBroker broker_;
  helper::StateFiles files_;
  helper::CaFiles ca_files_;
  std::vector<helper::Issuance> issued_;
  std::vector<helper::Revocation> revoked_;
  std::set<std::string> revoked_serials_;
  std::string revoked_stamp_;
  std::string crl_pem_, crl_basis_;
  int64_t crl_made_ = 0;
  uint64_t crl_number_ = 0;
  std::vector<std::string> held_back_;
  std::string root_stamp_;
  uint64_t accepted_ = 0, rejected_ = 0, forbidden_ = 0, signed_ = 0, sign_refused_ = 0;
};

int RunHelper(const HelperOptions& o) {
  auto loaded = LoadNodeInputs(o.dir);
  if (!loaded.ok()) {
    Log("error: " + loaded.error().message);
    return 1;
  }
  std::string listen = o.listen.empty() ? (*loaded)->plan.helper_address.ToString() : o.listen;
  const plan::Plan& plan = (*loaded)->plan;
  Helper h(o, helper::HelperState::FromPlan(plan));
  h.LoadState();
  // Limits (docs/forestd.md): the host and the forest's nodes keep a reserve
  // that workloads cannot take; all of it fits the descriptors we may open.
  auto fds = serve::RaiseFdLimit();
  http::ServerOptions api_options;
  dns::TcpOptions dns_options;
  api_options.privileged = dns_options.privileged = serve::AnyOf(plan::InfrastructureAddresses(plan));
  if (fds) serve::FitToFdLimit(fds->soft, kFixedFds, {&api_options.limits, &dns_options.limits});
  // DNS has a thread of its own: a big publication parsed on the API's
  // thread never delays an answer. The zone is handed over under a lock.
  boost::asio::io_context io, dns_io;
  auto dns = dns::Server::Listen(dns_io, listen, o.dns_port, nullptr, dns_options);
  if (!dns.ok()) {
    Log("error: " + dns.error().message);
    return 1;
  }
  auto api = http::Server::Listen(io, listen, o.http_port, h.Routes(), api_options);
  if (!api.ok()) {
    Log("error: " + api.error().message);
    return 1;
  }
  h.Attach(dns->get(), api->get());
  (*dns)->SetZone(h.Zone());
  (*dns)->Start();
  (*api)->Start();
  Log("helper for forest '" + (*loaded)->topology.name + "': DNS on [" + listen + "]:" +
      std::to_string((*dns)->port()) + " (udp, tcp), API on http://[" + listen + "]:" +
      std::to_string((*api)->port()));
  Log(serve::DescribeFdLimit(fds) + "; connections: http " + serve::Describe((*api)->limits()) + "; dns tcp " +
      serve::Describe((*dns)->tcp_limits()));
  boost::asio::steady_timer leases(io);
  std::function<void()> tick = [&] {
    leases.expires_after(std::chrono::seconds(1));
    leases.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      h.ExpireRoots();
      tick();
    });
  };
  tick();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    Log("signal " + std::to_string(sig) + ": stopping");
    leases.cancel();
    (*api)->Stop();
    io.stop();
  });
  std::thread dns_thread([&] { dns_io.run(); });
  io.run();
  // The DNS server's sockets belong to its thread: stop that first.
  dns_io.stop();
  dns_thread.join();
  (*dns)->Stop();
  return 0;
}

}  // namespace

int RunForestd(int argc, char** argv) {
  CLI::App app{"forestd: the forest daemon (helper and node roles)"};
  app.set_version_flag("--version", std::string("forestd ") + kVersion);
  std::string role;
  bool edge = false;
  HelperOptions h;
  NodeDaemonOptions n;
  std::string dir = h.dir, listen;
  std::string state;
  int dns_port = -1, http_port = 8053;
  app.add_option("--role", role, "helper | node")->check(CLI::IsMember({"helper", "node"}))->required();
  app.add_flag("--edge", edge,
               "with --role node: this node is the edge (DNS64 + NAT64); the topology must say so too");
  app.add_option("--self", n.self, "with --role node: this node's canonical name");
  app.add_option("--dir", dir, "directory with topology.yaml and slots.json")->capture_default_str();
  app.add_option("--state", state, "state directory (default /var/lib/forestd)");
  app.add_option("--listen", listen,
                 "address to serve on (default: the helper address of the plan, or the node's LAN address)");
  app.add_option("--dns-port", dns_port, "DNS port, udp and tcp (default 53 for the helper, 5353 for a node; 0 picks one)");
  app.add_option("--http-port", http_port, "API port (0 picks one)")->capture_default_str();
  app.add_option("--repair-seconds", n.repair_seconds, "with --role node: full repair period")->capture_default_str();
  double lease_seconds = helper::kDefaultRootLease.count() / 1000.0;
  app.add_option("--root-lease-seconds", lease_seconds,
                 "with --role helper: a root that has not published for this long loses its names")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::signal(SIGPIPE, SIG_IGN);
  if (role == "helper") {
    h.dir = dir;
    if (!state.empty()) h.state = state;
    h.listen = listen;
    h.dns_port = static_cast<uint16_t>(dns_port < 0 ? 53 : dns_port);
    h.http_port = static_cast<uint16_t>(http_port);
    h.root_lease = std::chrono::milliseconds(static_cast<long>(lease_seconds * 1000));
    return RunHelper(h);
  }
  if (n.self.empty()) {
    std::cerr << "forestd: error: --role node needs --self <canonical name>, e.g. --self c0-2.c0.incus\n";
    return 2;
  }
  n.dir = dir;
  n.edge = edge;
  if (!state.empty()) n.state = state;
  n.listen = listen;
  n.dns_port = static_cast<uint16_t>(dns_port < 0 ? 5353 : dns_port);
  n.http_port = static_cast<uint16_t>(http_port);
  return RunNode(n);
}

}  // namespace forest::cli
