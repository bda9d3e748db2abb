#include "up/converge.h"

#include <chrono>
#include <thread>

#include "incus/api.h"

namespace forest::up {

using Json = nlohmann::json;

Status WaitBooted(incus::Client& c, const std::string& name) {
  for (int i = 0; i < 120; ++i) {
    auto r = incus::Exec(c, name, {"systemctl", "is-system-running", "--wait"});
    if (r.ok() && r->exit_code >= 0 && r->exit_code != 255) {
      std::string state = r->out.substr(0, r->out.find('\n'));
      if (state == "running" || state == "degraded") return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return MakeError(name + ": systemd did not finish booting within 60 s");
}

nlohmann::json ToJson(const ParentInfo& p) {
  return {{"server", p.server},
          {"certificate", p.certificate},
          {"project", p.project},
          {"images", {{"node", p.node_image}, {"workload", p.workload_image}}}};
}

Result<ParentInfo> ParentInfoFromJson(const std::string& text, const std::string& file) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("images") || !j["images"].is_object()) {
    return MakeError(file + ": not a forest parent description (expected a JSON object with "
                            "server, certificate, project, images)");
  }
  auto str = [&](const Json& obj, const char* key, std::string& out) -> Status {
    if (!obj.contains(key)) return {};
    if (!obj[key].is_string()) return MakeError(file + ": " + key + ": expected a string");
    out = obj[key].get<std::string>();
    return {};
  };
  ParentInfo p;
  FOREST_TRY(str(j, "server", p.server));
  FOREST_TRY(str(j, "certificate", p.certificate));
  FOREST_TRY(str(j, "project", p.project));
  FOREST_TRY(str(j["images"], "node", p.node_image));
  FOREST_TRY(str(j["images"], "workload", p.workload_image));
  if (p.server.empty() || p.node_image.empty() || p.workload_image.empty()) {
    return MakeError(file + ": server and images.node/images.workload must be set");
  }
  return p;
}

}  // namespace forest::up
