// forestd: the daemon. `--role helper` serves the forest's publication API
// and authoritative DNS for .incus; the node and edge roles arrive with the
// node agent and the IPv4 plane.
#include <csignal>
#include <filesystem>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "base/files.h"
#include "base/version.h"
#include "cli/app.h"
#include "cli/command.h"
#include "serve/dns_server.h"
#include "helper/helper_state.h"
#include "serve/http_server.h"
#include "render/writer.h"

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
};

http::Response JsonReply(int status, const Json& j) { return {status, "application/json", j.dump() + "\n"}; }

// The helper role: root exports in, names out (HTTP API and DNS).
class Helper {
 public:
  Helper(const HelperOptions& o, helper::HelperState state)
      : o_(o), state_(std::move(state)) {}

  // Last valid exports survive restarts; each is checked again on load.
  void LoadState() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(o_.state + "/roots", ec)) {
      std::string label = e.path().stem().string();
      const auto* root = state_.RootByLabel(label);
      auto text = ReadFile(e.path().string());
      if (!root || !text.ok()) continue;
      auto parsed = registration::Parse(*text);
      if (!parsed.ok()) {
        Log(e.path().string() + ": ignored: " + parsed.error().message);
        continue;
      }
      if (auto r = state_.Publish(*root, *parsed); !r.ok()) {
        Log(e.path().string() + ": ignored: " + r.error().message);
      }
    }
    Log("serving " + std::to_string(state_.view().canonical().size()) + " names from " +
        std::to_string(state_.exports().size()) + " saved root exports (serial " +
        std::to_string(state_.serial()) + ")");
  }

  http::Response Handle(const http::Request& r) {
    std::string path = r.target.substr(0, r.target.find('?'));
    if (path == "/v1/publish-root-registration") {
      if (r.method != "POST") return JsonReply(405, {{"error", "use POST"}});
      return Publish(r);
    }
    if (r.method != "GET") return JsonReply(405, {{"error", "use GET"}});
    if (path == "/v1/forest") return JsonReply(200, state_.ForestJson());
    if (path == "/healthz") {
      return JsonReply(200, {{"status", "ok"},
                             {"serial", state_.serial()},
                             {"roots_published", state_.exports().size()}});
    }
    if (path == "/metrics") return {200, "text/plain; version=0.0.4", Metrics()};
    return JsonReply(404, {{"error", "no such endpoint: " + path}});
  }

  void Attach(dns::Server* dns) { dns_ = dns; }
  std::shared_ptr<const dns::Zone> Zone() const { return state_.zone(); }

 private:
  http::Response Publish(const http::Request& r) {
    auto root = state_.RootForSource(r.remote_address);
    if (!root.ok()) {
      ++forbidden_;
      Log("publish refused: " + root.error().message);
      return JsonReply(403, {{"error", root.error().message}});
    }
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
    if (*changed) {
      std::string label = (*root)->delegation.child_label;
      Status saved = MakeDirs(o_.state + "/roots");
      if (saved.ok()) {
        saved = WriteFileAtomic(o_.state + "/roots/" + label + ".json",
                                registration::Serialize(state_.exports().at(label)));
      }
      if (!saved.ok()) Log("cannot save the export of " + name + ": " + saved.error().message);
      if (dns_) dns_->SetZone(state_.zone());
      Log("accepted export of " + name + ": " + std::to_string(parsed->records.size()) +
          " records; serial " + std::to_string(state_.serial()) + ", " +
          std::to_string(state_.view().aliases().alias_to_canonical.size()) + " aliases");
    }
    return JsonReply(200, {{"accepted", true}, {"changed", *changed}, {"serial", state_.serial()}});
  }

  std::string Metrics() const {
    std::string m;
    auto line = [&](const std::string& name, const std::string& labels, uint64_t v) {
      m += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v) + "\n";
    };
    m += "# TYPE forestd_publish_total counter\n";
    line("forestd_publish_total", "result=\"accepted\"", accepted_);
    line("forestd_publish_total", "result=\"rejected\"", rejected_);
    line("forestd_publish_total", "result=\"forbidden\"", forbidden_);
    m += "# TYPE forestd_names gauge\n";
    line("forestd_names", "kind=\"canonical\"", state_.view().canonical().size());
    line("forestd_names", "kind=\"alias\"", state_.view().aliases().alias_to_canonical.size());
    m += "# TYPE forestd_zone_serial gauge\n";
    line("forestd_zone_serial", "", state_.serial());
    if (dns_) {
      const auto& s = dns_->stats();
      m += "# TYPE forestd_dns_queries_total counter\n";
      line("forestd_dns_queries_total", "transport=\"udp\"", s.udp_queries);
      line("forestd_dns_queries_total", "transport=\"tcp\"", s.tcp_queries);
      m += "# TYPE forestd_dns_responses_total counter\n";
      line("forestd_dns_responses_total", "rcode=\"NXDOMAIN\"", s.nxdomain);
      line("forestd_dns_responses_total", "rcode=\"REFUSED\"", s.refused);
      line("forestd_dns_responses_total", "rcode=\"FORMERR\"", s.formerr);
      line("forestd_dns_truncated_total", "", s.truncated);
      line("forestd_dns_dropped_total", "", s.dropped);
    }
    return m;
  }

  HelperOptions o_;
  helper::HelperState state_;
  dns::Server* dns_ = nullptr;
  uint64_t accepted_ = 0, rejected_ = 0, forbidden_ = 0;
};

int RunHelper(const HelperOptions& o) {
  auto slots = render::ReadSlotMemory(o.dir);
  if (!slots.ok()) {
    Log("error: " + slots.error().message);
    return 1;
  }
  auto loaded = LoadAndPlan(o.dir + "/topology.yaml", *slots);
  if (!loaded.ok()) {
    Log("error: " + loaded.error().message);
    return 1;
  }
  std::string listen = o.listen.empty() ? (*loaded)->plan.helper_address.ToString() : o.listen;
  Helper h(o, helper::HelperState::FromPlan((*loaded)->plan));
  h.LoadState();
  boost::asio::io_context io;
  // The zone is handed over after LoadState; Attach keeps it current.
  auto dns = dns::Server::Listen(io, listen, o.dns_port, nullptr);
  if (!dns.ok()) {
    Log("error: " + dns.error().message);
    return 1;
  }
  auto api = http::Server::Listen(io, listen, o.http_port,
                                  [&h](const http::Request& r) { return h.Handle(r); });
  if (!api.ok()) {
    Log("error: " + api.error().message);
    return 1;
  }
  h.Attach(dns->get());
  (*dns)->SetZone(h.Zone());
  (*dns)->Start();
  (*api)->Start();
  Log("helper for forest '" + (*loaded)->topology.name + "': DNS on [" + listen + "]:" +
      std::to_string((*dns)->port()) + " (udp, tcp), API on http://[" + listen + "]:" +
      std::to_string((*api)->port()));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    Log("signal " + std::to_string(sig) + ": stopping");
    (*dns)->Stop();
    (*api)->Stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace

int RunForestd(int argc, char** argv) {
  CLI::App app{"forestd: the forest daemon (helper, node and edge roles)"};
  app.set_version_flag("--version", std::string("forestd ") + kVersion);
  std::string role;
  bool edge = false;
  HelperOptions h;
  app.add_option("--role", role, "helper | node")->check(CLI::IsMember({"helper", "node"}))->required();
  app.add_flag("--edge", edge, "with --role node: also run DNS64 + NAT64 (root only)");
  app.add_option("--dir", h.dir, "directory with topology.yaml and slots.json")->capture_default_str();
  app.add_option("--state", h.state, "state directory (last valid exports)")->capture_default_str();
  app.add_option("--listen", h.listen, "address to serve on (default: the helper address of the plan)");
  app.add_option("--dns-port", h.dns_port, "DNS port (udp and tcp; 0 picks one)")->capture_default_str();
  app.add_option("--http-port", h.http_port, "API port (0 picks one)")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::signal(SIGPIPE, SIG_IGN);
  if (role == "helper") return RunHelper(h);
  std::cerr << "forestd: error: role '" << role << (edge ? " --edge" : "")
            << "' is not part of forestd " << kVersion
            << " yet; this build provides --role helper\n";
  return 2;
}

}  // namespace forest::cli
