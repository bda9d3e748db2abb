#include "node/cert_record.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

namespace forest::node {
namespace {

using Json = nlohmann::json;

Json ToJson(const CertDeployment& d) {
  return Json{{"workload", d.workload},
              {"services", d.services},
              {"dir", d.dir},
              {"reload", d.reload},
              {"renew_before_days", d.renew_before_days},
              {"serial", d.serial},
              {"not_before", d.not_before},
              {"not_after", d.not_after},
              {"names", d.names}};
}

// The member `key` of object `j`, or null when absent (const operator[] on
// a missing key is undefined behaviour).
const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// An integer in 0..max.
bool InRange(const Json& v, int64_t max) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(max);
  return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= max;
}

Result<CertDeployment> FromJson(const Json& j, const std::string& where) {
  CertDeployment d;
  if (!j.is_object() || !Member(j, "workload").is_string() || !Member(j, "dir").is_string()) {
    return MakeError(where + ": expected {\"workload\": ..., \"dir\": ...}");
  }
  d.workload = j["workload"];
  d.dir = j["dir"];
  if (const Json& services = Member(j, "services"); services.is_array()) {
    for (const auto& s : services) {
      if (!s.is_string()) return MakeError(where + ".services: expected strings");
      d.services.push_back(s);
    }
  }
  if (const Json& v = Member(j, "reload"); v.is_string()) d.reload = v;
  // Values `forest cert issue` can write (0..3650 days, times from 1970 on),
  // so RenewAt's arithmetic stays in range; anything else is a damaged file.
  if (const Json& v = Member(j, "renew_before_days"); v.is_number_integer()) {
    if (!InRange(v, 3650)) return MakeError(where + ".renew_before_days: expected 0..3650");
    d.renew_before_days = v;
  }
  if (const Json& v = Member(j, "serial"); v.is_string()) d.serial = v;
  for (auto [key, field] : {std::pair{"not_before", &d.not_before}, {"not_after", &d.not_after}}) {
    const Json& v = Member(j, key);
    if (!v.is_number_integer()) continue;
    if (!InRange(v, INT64_MAX)) return MakeError(where + "." + key + ": expected seconds since 1970");
    *field = v.get<int64_t>();
  }
  if (const Json& names = Member(j, "names"); names.is_array()) {
    for (const auto& n : names) {
      if (n.is_string()) d.names.push_back(n);
    }
  }
  return d;
}

}  // namespace

int64_t RenewAt(const CertDeployment& d) {
  int64_t window = int64_t{d.renew_before_days} * 86400;
  if (d.not_before > 0 && d.not_after > d.not_before)
    window = std::min(window, (d.not_after - d.not_before) / 3);
  return d.not_after - window;
}

std::vector<std::string> DeploymentNames(const CertDeployment& d, const std::string& node_canonical) {
  std::vector<std::string> names = {d.workload + "." + node_canonical};
  for (const std::string& s : d.services) names.push_back(s + "." + d.workload + "." + node_canonical);
  return names;
}

Result<std::vector<CertDeployment>> ParseDeployments(std::string_view text, const std::string& file) {
  Json j = Json::parse(text, nullptr, false);
  const Json& list = j.is_object() ? Member(j, "deployments") : j;
  if (!j.is_object() || !list.is_array()) return MakeError(file + ": expected {\"deployments\": [...]}");
  std::vector<CertDeployment> out;
  for (size_t i = 0; i < list.size(); ++i) {
    FOREST_ASSIGN_OR_RETURN(CertDeployment d,
                            FromJson(list[i], file + ": deployments[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

std::string DeploymentsJson(const std::vector<CertDeployment>& all) {
  Json list = Json::array();
  for (const auto& d : all) list.push_back(ToJson(d));
  return Json{{"deployments", list}}.dump(2) + "\n";
}

}  // namespace forest::node
