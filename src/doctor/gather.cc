#include "doctor/gather.h"

#include <filesystem>
#include <fstream>

#include "image/image.h"
#include "incus/api.h"
#include "render/materialize.h"
#include "trust/caroot.h"
#include "up/converge.h"
#include "up/registry.h"

namespace forest::doctor {

namespace {

namespace fs = std::filesystem;

std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? std::move(text).value() : "";
}

std::string StringAt(const nlohmann::json& j, const char* key) {
  auto it = j.is_object() ? j.find(key) : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void GatherIncus(incus::Client& incus, HostFacts& f) {
  auto server = incus.Get("/1.0");
  f.incusd_answers = server.ok();
  if (!server.ok()) {
    f.incusd_error = server.error().message;
    return;
  }
  f.api_version = StringAt(*server, "api_version");
  if (server->is_object() && server->contains("environment")) {
    f.server_version = StringAt((*server)["environment"], "server_version");
  }
  auto pool = incus::GetStoragePool(incus, "default");
  f.default_pool = pool.ok() && pool->has_value();
  if (f.default_pool) f.pool_driver = StringAt(**pool, "driver");
}

void GatherRoot(const HostProbe& probe, HostFacts& f) {
  std::error_code ec;
  f.caroot = probe.caroot.empty() ? trust::DefaultCaroot() : probe.caroot;
  auto root = trust::LoadOrCreateRoot(f.caroot, false);
  f.root_loads = root.ok();
  if (root.ok()) {
    auto info = trust::InspectCert(root->files.cert_pem);
    if (info.ok()) f.root_subject = info->subject;
  } else {
    f.root_error = root.error().message;
  }
  f.root_file_present = fs::exists(f.caroot + "/" + trust::kRootCertFile, ec) ||
                        fs::exists(f.caroot + "/" + trust::kRootKeyFile, ec);
}

}  // namespace

HostFacts GatherHostFacts(incus::Client& incus, const HostProbe& probe) {
  HostFacts f;
  std::error_code ec;
  const std::string& r = probe.root;
  f.incusd_found = fs::exists(r + "/usr/libexec/incus/incusd", ec) || probe.on_path("incusd");
  GatherIncus(incus, f);
  f.subuid = ReadOrEmpty(r + "/etc/subuid");
  f.mounts = ReadOrEmpty(r + "/proc/self/mounts");
  f.max_user_namespaces = ReadOrEmpty(r + "/proc/sys/user/max_user_namespaces");
  f.inotify_instances = ReadOrEmpty(r + "/proc/sys/fs/inotify/max_user_instances");
  f.btrfs_progs = probe.on_path("btrfs");
  f.kernel_btrfs = ReadOrEmpty(r + "/proc/filesystems").find("\tbtrfs\n") != std::string::npos;
  f.dev_net_tun = fs::exists(r + "/dev/net/tun", ec);
  f.dev_kvm = fs::exists(r + "/dev/kvm", ec);
  f.ipv6_forwarding = ReadOrEmpty(r + "/proc/sys/net/ipv6/conf/all/forwarding");
  for (const auto& tool : Tools()) {
    if (probe.on_path(tool)) f.on_path.insert(tool);
  }
  // A mount whose daemon died fails every read; only a mounted one is read.
  f.lxcfs_reads = LxcfsMounted(f.mounts) && std::ifstream(r + "/var/lib/lxcfs/proc/uptime").peek() != EOF;
  GatherRoot(probe, f);
  for (auto k : {image::Kind::kNode, image::Kind::kWorkload}) {
    std::string tarball = image::CachedTarball(k);
    f.images.push_back({image::Alias(k), tarball, fs::exists(r + tarball, ec)});
  }
  return f;
}

Result<NodeReport> CheckNode(const std::string& node) {
  std::vector<up::Known> forests;
  FOREST_ASSIGN_OR_RETURN(up::Found found, up::Locate(node, forests));
  if (!found.node)
    return MakeError(node + " is a workload; doctor checks nodes (and this host without NODE)");
  auto client = up::ForestIncus(found.forest->loaded->topology);
  std::string out, err;
  FOREST_ASSIGN_OR_RETURN(int rc,
                          up::ExecPath(client, found.path, {up::kBinaryPath, "xlat", "status", "--json"},
                                       [&](int fd, std::string_view b) { (fd == 2 ? err : out).append(b); }));
  FOREST_ASSIGN_OR_RETURN(NodeReport report, NodeFindings(found.node->canonical_name, rc, out, err));
  const std::string& pool = found.forest->loaded->topology.host.storage_pool;
  std::string pool_out;
  FOREST_ASSIGN_OR_RETURN(int pool_rc,
                          up::ExecPath(client, found.path, {"incus", "query", "/1.0/storage-pools/" + pool},
                                       [&](int fd, std::string_view b) {
                                         if (fd == 1) pool_out.append(b);
                                       }));
  report.findings.push_back(NodeStorageFinding(pool, pool_rc, pool_out));
  return report;
}

}  // namespace forest::doctor
