#include "node/local_incus.h"

#include "incus/client.h"
#include "incus/events.h"
#include "incus/exec_stream.h"

namespace forest::node {

Result<nlohmann::json> IncusLocal::Instances() {
  return incus::Client::Local()
      .WithTimeout(o_.call_timeout)
      .Get("/1.0/instances?recursion=2&all-projects=true");
}

Result<ExecOutput> IncusLocal::Exec(const std::string& instance, const std::vector<std::string>& argv,
                                    size_t max_out) {
  auto client = incus::Client::Local().WithTimeout(o_.exec_timeout);
  ExecOutput r;
  auto rc =
      incus::ExecStream(client, client.SocketPath(), instance, argv, {}, [&](int fd, std::string_view bytes) {
        std::string& to = fd == 1 ? r.out : r.err;
        size_t cap = fd == 1 ? max_out : 4096;
        if (to.size() + bytes.size() > cap) {
          r.flooded |= fd == 1;
          return;
        }
        to.append(bytes);
      });
  if (!rc.ok()) return rc.error();
  r.exit_code = *rc;
  return r;
}

Status IncusLocal::WatchLifecycle(const std::function<bool(const std::string& action)>& on_event) {
  incus::EventFilter f;
  f.types = "lifecycle";
  f.all_projects = true;  // workloads of every project have names
  return incus::WatchEvents(incus::DefaultSocketPath(), f, [&](const nlohmann::json& e) {
    std::string action =
        e.contains("metadata") && e["metadata"].is_object() ? e["metadata"].value("action", "") : "";
    return on_event(action);
  });
}

}  // namespace forest::node
