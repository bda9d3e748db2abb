// Prometheus text exposition for forestd's /metrics: one builder, and the
// DNS server's counters that every role reports.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "serve/conn_limits.h"
#include "serve/dns_server.h"
#include "serve/fd_limit.h"

namespace forest::serve {

class MetricsText {
 public:
  void Type(const std::string& name, const char* type) { text_ += "# TYPE " + name + " " + type + "\n"; }
  void Line(const std::string& name, const std::string& labels, uint64_t v) {
    text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v) + "\n";
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

inline void AddDnsStats(MetricsText& m, const dns::ServerStats& s) {
  m.Type("forestd_dns_queries_total", "counter");
  m.Line("forestd_dns_queries_total", "transport=\"udp\"", s.udp_queries);
  m.Line("forestd_dns_queries_total", "transport=\"tcp\"", s.tcp_queries);
  m.Type("forestd_dns_responses_total", "counter");
  m.Line("forestd_dns_responses_total", "rcode=\"NXDOMAIN\"", s.nxdomain);
  m.Line("forestd_dns_responses_total", "rcode=\"REFUSED\"", s.refused);
  m.Line("forestd_dns_responses_total", "rcode=\"FORMERR\"", s.formerr);
  m.Type("forestd_dns_forwarded_total", "counter");
  m.Line("forestd_dns_forwarded_total", "result=\"sent\"", s.forwarded);
  m.Line("forestd_dns_forwarded_total", "result=\"failed\"", s.forward_failures);
  m.Line("forestd_dns_truncated_total", "", s.truncated);
  m.Line("forestd_dns_dropped_total", "", s.dropped);
}

// One TCP listener's connections ("http", "dns_tcp"): open, refused by
// which limit, closed for being idle or slow, malformed; and its limits.
inline void AddConnectionStats(MetricsText& m, const std::string& listener, const ConnectionStats& s,
                               const ConnectionLimits& l) {
  std::string who = "listener=\"" + listener + "\"";
  auto one = [&](const std::string& name, const char* type, uint64_t v) {
    m.Type(name, type);
    m.Line(name, who, v);
  };
  auto by = [&](const std::string& name, const char* type, const char* label,
                std::initializer_list<std::pair<const char*, uint64_t>> values) {
    m.Type(name, type);
    for (const auto& [k, v] : values) m.Line(name, who + "," + label + "=\"" + k + "\"", v);
  };
  one("forestd_connections_open", "gauge", s.open);
  one("forestd_connections_accepted_total", "counter", s.accepted);
  by("forestd_connections_refused_total", "counter", "limit",
     {{"per_source", s.refused_per_source}, {"per_network", s.refused_per_network}, {"global", s.refused_global}});
  one("forestd_connections_timed_out_total", "counter", s.timed_out);
  one("forestd_requests_malformed_total", "counter", s.malformed);
  one("forestd_accept_errors_total", "counter", s.accept_errors);
  by("forestd_connection_limit", "gauge", "kind",
     {{"per_source", l.per_source}, {"per_network", l.per_network}, {"global", l.global}, {"reserve", l.reserve}});
}

// The descriptor limits in force and the descriptors in use.
inline void AddFdStats(MetricsText& m) {
  if (auto l = CurrentFdLimit()) {
    m.Type("forestd_fd_limit", "gauge");
    m.Line("forestd_fd_limit", "kind=\"soft\"", l->soft);
    m.Line("forestd_fd_limit", "kind=\"hard\"", l->hard);
  }
  if (auto n = OpenFds()) {
    m.Type("forestd_fds_open", "gauge");
    m.Line("forestd_fds_open", "", *n);
  }
}

}  // namespace forest::serve
