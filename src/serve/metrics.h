// Prometheus text exposition for forestd's /metrics: one builder, and the
// DNS server's counters that every role reports.
#pragma once

#include <cstdint>
#include <string>

#include "serve/dns_server.h"

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

}  // namespace forest::serve
