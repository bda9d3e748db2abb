#include "shellhost/images.h"

#include <filesystem>
#include <set>

#include "image/image.h"
#include "incus/api.h"
#include "render/embedded.h"
#include "up/converge.h"

namespace forest::shellhost {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Result<std::string> PublishJail(const Session& s, const shell::Jail& j, const std::string& alias,
                                const std::function<void(const std::string&)>& say) {
  auto c = s.Client();
  std::string copy = j.name + "-publish";
  if (auto old = incus::GetInstance(c, copy); old.ok() && *old) {
    FOREST_TRY(incus::DeleteInstance(c, copy));  // a failed earlier publish
  }
  say("copying " + j.name + " (without its network and workspace) …");
  // forest-root holds the root disk, nesting and /dev/net/tun; the node
  // profile (NICs, workspace, cloud-init) stays behind.
  Json body = {{"name", copy},
               {"type", "container"},
               {"profiles", {"forest-root"}},
               {"description", "forest shell: publishing " + j.name},
               {"source", {{"type", "copy"}, {"source", j.name}, {"instance_only", true}}}};
  FOREST_TRY(c.Post("/1.0/instances", body));
  auto remove_copy = [&] {
    (void)incus::SetInstanceState(c, copy, "stop", true);
    (void)incus::DeleteInstance(c, copy);
  };
  auto run = [&]() -> Result<std::string> {
    FOREST_TRY(incus::SetInstanceState(c, copy, "start", false));
    say("stripping the node's identity from the copy …");
    FOREST_ASSIGN_OR_RETURN(auto script, render::EmbeddedText("shell/scrub.sh"));
    FOREST_TRY(up::WaitBooted(c, copy));  // the scrub stops services
    FOREST_ASSIGN_OR_RETURN(auto scrub, incus::Exec(c, copy, {"sh", "-c", std::string(script), "scrub"}));
    if (scrub.exit_code != 0) return MakeError(copy + ": scrub failed: " + scrub.err + scrub.out);
    FOREST_TRY(incus::SetInstanceState(c, copy, "stop", false));
    say("publishing " + alias + " (packing the root disk; this takes a while) …");
    // Uncompressed: the image stays on this host, and gzip of a jail's root
    // disk would cost most of the time on a small machine.
    Json img = {{"source", {{"type", "instance"}, {"name", copy}}},
                {"compression_algorithm", "none"},
                {"properties",
                 {{"description", "forest shell image " + alias + " (published from " + j.name + ")"},
                  {"os", "Debian"},
                  {"forest.shell.published_from", j.name}}}};
    FOREST_ASSIGN_OR_RETURN(Json done, c.Post("/1.0/images", img));
    std::string fp = done.contains("metadata") && done["metadata"].is_object()
                         ? done["metadata"].value("fingerprint", "")
                         : "";
    if (fp.empty()) return MakeError("publish " + copy + ": Incus returned no fingerprint");
    FOREST_TRY(incus::SetImageAlias(c, alias, fp));
    return fp;
  };
  auto fp = run();
  remove_copy();
  return fp;
}

Result<std::vector<std::string>> CleanupImages(const Session& s, bool dry_run) {
  auto c = s.Client();
  std::vector<std::string> gone;
  FOREST_ASSIGN_OR_RETURN(Json images, c.Get("/1.0/images?recursion=1"));
  FOREST_ASSIGN_OR_RETURN(Json instances, c.Get("/1.0/instances?recursion=1"));
  std::set<std::string> used;
  for (const auto& i : instances) {
    if (i.contains("config") && i["config"].is_object())
      used.insert(i["config"].value("volatile.base_image", ""));
  }
  for (const auto& i : images) {
    std::string fp = i.value("fingerprint", "");
    if (fp.empty() || !i["aliases"].empty() || used.count(fp)) continue;
    if (!dry_run) FOREST_TRY(incus::DeleteImage(c, fp));
    std::string what = i.contains("properties") ? i["properties"].value("description", "") : "";
    gone.push_back("image " + fp.substr(0, 12) + (what.empty() ? "" : " (" + what + ")"));
  }
  std::set<std::string> keep;
  for (auto k : {image::Kind::kNode, image::Kind::kWorkload}) {
    keep.insert(fs::path(image::CachedTarball(k)).filename().string());
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(image::CacheDir(), ec)) {
    std::string name = e.path().filename().string();
    std::string base = name.size() > 7 && name.ends_with(".sha256") ? name.substr(0, name.size() - 7) : name;
    bool ours = base.starts_with("node-") || base.starts_with("workload-");
    if (!e.is_regular_file() || !ours || !base.ends_with(".tar.gz") || keep.count(base)) continue;
    if (!dry_run) fs::remove(e.path(), ec);
    if (!name.ends_with(".sha256")) gone.push_back("cached build " + e.path().string());
  }
  return gone;
}

std::vector<ImageInfo> ListImages(const Session& s) {
  auto c = s.Client();
  auto list = c.Get("/1.0/images?recursion=1");
  std::vector<ImageInfo> out;
  if (!list.ok()) return out;
  for (const auto& i : *list) {
    ImageInfo info;
    info.fingerprint = i.value("fingerprint", "").substr(0, 12);
    info.alias = i["aliases"].empty() ? "" : i["aliases"][0].value("name", "");
    info.size = i.value("size", 0LL);
    info.description = i["properties"].value("description", "");
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace forest::shellhost
