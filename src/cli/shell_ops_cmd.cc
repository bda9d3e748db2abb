// forest shell's operator commands on jails: snapshot and restore, ports
// published to other machines, per-jail metrics, health, the network
// policy's refresh, and images (build, list, publish a jail, clean up).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/command.h"
#include "cli/shell_session.h"
#include "image/image.h"
#include "incus/api.h"
#include "render/embedded.h"
#include "up/converge.h"

namespace forest::cli {

namespace {

namespace ss = shell_session;
using Json = nlohmann::json;

struct Named {
  ss::Flags f;
  std::string name;
  std::string arg;
  bool json = false;
};

// NAME's jail in the session of the current directory's configuration.
Result<std::pair<ss::Session, shell::Jail>> Find(const Named& o) {
  FOREST_ASSIGN_OR_RETURN(auto opened, ss::OpenState(o.f, false));
  const shell::Jail* j = opened.st.Find(o.name);
  if (!j) return MakeError("no jail '" + o.name + "'; `forest shell list` shows them");
  return std::make_pair(std::move(opened.s), *j);
}

void AddSnapshots(CLI::App* shell, Context& ctx) {
  {
    auto* cmd = shell->add_subcommand("snapshot", "Snapshot a jail (its whole root disk), or list its snapshots");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("SNAPSHOT", o->arg, "snapshot name (default: list them)");
    cmd->add_flag("--json", o->json, "list as JSON");
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto c = p->first.Client();
      std::string base = "/1.0/instances/" + incus::Escape(o->name) + "/snapshots";
      if (o->arg.empty()) {
        auto list = c.Get(base + "?recursion=1");
        if (!list.ok()) return ctx.Fail(list.error());
        Json out = Json::array();
        for (const auto& s : *list) out.push_back({{"name", s.value("name", "")}, {"created", s.value("created_at", "")}});
        if (o->json) {
          ctx.out << out.dump(2) << "\n";
        } else {
          for (const auto& s : out) ctx.out << s["name"].get<std::string>() << "  " << s["created"].get<std::string>() << "\n";
        }
        return;
      }
      auto r = c.Post(base, {{"name", o->arg}, {"stateful", false}});
      if (!r.ok()) return ctx.Fail(r.error().Wrap("snapshot " + o->name));
      ctx.err << "snapshot " << o->name << "/" << o->arg << " taken\n";
    });
  }
  {
    auto* cmd = shell->add_subcommand("restore", "Restore a jail to a snapshot (the workspace is the host's and stays)");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("SNAPSHOT", o->arg, "snapshot name")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto c = p->first.Client();
      auto r = c.Put("/1.0/instances/" + incus::Escape(o->name), {{"restore", o->arg}});
      if (!r.ok()) return ctx.Fail(r.error().Wrap("restore " + o->name));
      ctx.err << "restored " << o->name << " to " << o->arg << "\n";
    });
  }
}

void AddPorts(CLI::App* shell, Context& ctx) {
  auto* ports = shell->add_subcommand("ports", "Publish a jail's port on this host's addresses (for other machines)");
  ports->require_subcommand(1);
  {
    auto* cmd = ports->add_subcommand("publish", "HOSTPORT[:JAILPORT]: an Incus proxy device, TCP");
    auto o = std::make_shared<Named>();
    std::shared_ptr<std::string> listen = std::make_shared<std::string>("0.0.0.0");
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("PORTS", o->arg, "HOSTPORT[:JAILPORT], e.g. 8080:3000")->required();
    cmd->add_option("--address", *listen, "the host address to listen on (default 0.0.0.0)");
    cmd->callback([o, listen, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto colon = o->arg.find(':');
      std::string hp = o->arg.substr(0, colon);
      std::string jp = colon == std::string::npos ? hp : o->arg.substr(colon + 1);
      auto number = [](const std::string& s) {
        return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos &&
               std::stoi(s) >= 1 && std::stoi(s) <= 65535;
      };
      if (!number(hp) || !number(jp)) return ctx.Fail(MakeError("PORTS: expected HOSTPORT[:JAILPORT] (1..65535), not " + o->arg));
      std::string addr = listen->find(':') != std::string::npos ? "[" + *listen + "]" : *listen;
      Json dev = {{"type", "proxy"}, {"listen", "tcp:" + addr + ":" + hp}, {"connect", "tcp:127.0.0.1:" + jp}};
      auto c = p->first.Client();
      auto r = incus::PatchInstance(c, o->name, {{"devices", {{"forest-port-" + hp, dev}}}});
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.err << "published " << o->name << ":" << jp << " on " << addr << ":" << hp << "\n";
    });
  }
  {
    auto* cmd = ports->add_subcommand("list", "Ports published for a jail");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_flag("--json", o->json, "print JSON");
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto c = p->first.Client();
      auto inst = incus::GetInstance(c, o->name);
      if (!inst.ok() || !*inst) return ctx.Fail(MakeError(o->name + " is not in Incus"));
      Json out = Json::array();
      for (const auto& [k, v] : (**inst)["devices"].items()) {
        if (k.rfind("forest-port-", 0) != 0) continue;
        out.push_back({{"device", k}, {"listen", v.value("listen", "")}, {"connect", v.value("connect", "")}});
      }
      if (o->json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& e : out) ctx.out << e["listen"].get<std::string>() << " -> " << e["connect"].get<std::string>() << "\n";
    });
  }
  {
    auto* cmd = ports->add_subcommand("remove", "Stop publishing HOSTPORT");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("HOSTPORT", o->arg, "the host port")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto c = p->first.Client();
      auto gone = incus::RemoveInstanceDevice(c, o->name, "forest-port-" + o->arg);
      if (!gone.ok()) return ctx.Fail(gone.error());
      if (!*gone) return ctx.Fail(MakeError("port " + o->arg + " is not published; `forest shell ports list " + o->name + "` shows them"));
    });
  }
}

// Incus's metrics (Prometheus text) for one instance: metric → summed value.
std::map<std::string, double> MetricsOf(const std::string& text, const std::string& name) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  std::string needle = "name=\"" + name + "\"";
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.find(needle) == std::string::npos) continue;
    auto brace = line.find('{');
    auto space = line.rfind(' ');
    if (brace == std::string::npos || space == std::string::npos) continue;
    try {
      out[line.substr(0, brace)] += std::stod(line.substr(space + 1));
    } catch (...) {
      // A value that is not a number (NaN spelled otherwise): skip it.
    }
  }
  return out;
}

void AddMetrics(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("metrics", "A jail's CPU, memory, processes and I/O from Incus's metrics endpoint");
  auto o = std::make_shared<Named>();
  cmd->add_option("NAME", o->name, "the jail")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &ctx] {
    auto p = Find(*o);
    if (!p.ok()) return ctx.Fail(p.error());
    auto c = p->first.Client();
    auto text = c.GetRaw("/1.0/metrics");
    if (!text.ok()) return ctx.Fail(text.error());
    auto m = MetricsOf(*text, o->name);
    if (m.empty()) return ctx.Fail(MakeError("Incus reports no metrics for " + o->name + " (is it running?)"));
    if (o->json) {
      ctx.out << Json(m).dump(2) << "\n";
      return;
    }
    for (const auto& [k, v] : m) ctx.out << k << " " << std::fixed << v << "\n";
  });
}

void AddHealth(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("health", "Is the shell forest well? Exit 0 healthy, 1 degraded, 2 Incus unreachable");
  auto o = std::make_shared<Named>();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &ctx] {
    auto opened = ss::OpenState(o->f, false);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    Json checks = Json::array();
    auto check = [&](const std::string& what, bool ok, const std::string& fix) {
      checks.push_back({{"check", what}, {"ok", ok}, {"fix", ok ? "" : fix}});
    };
    auto global = incus::Client::Local();
    bool incus_up = global.Get("/1.0").ok();
    check("incusd answers", incus_up, "start it: scripts/start-incus (or systemctl start incus)");
    int code = incus_up ? 0 : 2;
    if (incus_up && !st->jails.empty()) {
      auto c = s->Client();
      auto helper = incus::InstanceStatus(c, "forest-helper");
      bool helper_ok = helper.ok() && *helper == "Running";
      check("helper running", helper_ok, "run `forest shell` again to converge it");
      bool policy = ss::TableLoaded(ss::PolicyTable(s->config.forest));
      check("network policy loaded", policy, "`forest shell net refresh` loads it again");
      if (!helper_ok || !policy) code = 1;
      for (const auto& j : st->jails) {
        auto status = incus::InstanceStatus(c, j.name);
        bool running = status.ok() && *status == "Running";
        bool fine = running || (j.persistent && status.ok() && *status == "Stopped");
        check("jail " + j.name + " " + (status.ok() ? *status : "missing"), fine,
              "`forest shell clean` drops it, or `forest shell` in " + j.workspace + " starts it");
        if (!fine) code = 1;
      }
    }
    if (o->json) {
      ctx.out << Json{{"healthy", code == 0}, {"status", code == 0 ? "healthy" : code == 1 ? "degraded" : "down"}, {"checks", checks}}
                     .dump(2)
              << "\n";
    } else {
      for (const auto& c : checks) {
        ctx.out << (c["ok"].get<bool>() ? "ok    " : "FAIL  ") << c["check"].get<std::string>()
                << (c["ok"].get<bool>() ? "" : " — " + c["fix"].get<std::string>()) << "\n";
      }
    }
    ctx.exit_code = code;
  });
}

void AddNet(CLI::App* shell, Context& ctx) {
  auto* net = shell->add_subcommand("net", "The jails' network policy on this host");
  net->require_subcommand(1);
  auto* cmd = net->add_subcommand("refresh", "Resolve allowlists again and reload the policy (forest shell does "
                                              "this at start and every allow_refresh seconds while a session runs)");
  auto f = std::make_shared<ss::Flags>();
  cmd->callback([f, &ctx] {
    auto opened = ss::OpenState(*f, true);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* st = &opened->st;
    if (auto r = ss::ApplyNetPolicy(opened->s, *st); !r.ok()) return ctx.Fail(r.error());
    ctx.err << "network policy reloaded for " << st->jails.size() << " jail(s)\n";
  });
}

// Publishes jail `j` as image `alias`: a copy of it, started without a
// network and stripped of its node identity (templates/shell/scrub.sh), is
// published and deleted; the live jail is not touched. Returns the
// fingerprint.
Result<std::string> PublishJail(ss::Session& s, const shell::Jail& j, const std::string& alias,
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

// Images of the shell forest's project that no alias names and no instance
// was made from (volatile.base_image), and cached image builds whose recipe
// is not the current one. Returns what went (or would go).
Result<std::vector<std::string>> CleanupImages(ss::Session& s, bool dry_run) {
  auto c = s.Client();
  std::vector<std::string> gone;
  FOREST_ASSIGN_OR_RETURN(Json images, c.Get("/1.0/images?recursion=1"));
  FOREST_ASSIGN_OR_RETURN(Json instances, c.Get("/1.0/instances?recursion=1"));
  std::set<std::string> used;
  for (const auto& i : instances) {
    if (i.contains("config") && i["config"].is_object()) used.insert(i["config"].value("volatile.base_image", ""));
  }
  for (const auto& i : images) {
    std::string fp = i.value("fingerprint", "");
    if (fp.empty() || !i["aliases"].empty() || used.count(fp)) continue;
    if (!dry_run) FOREST_TRY(incus::DeleteImage(c, fp));
    std::string what = i.contains("properties") ? i["properties"].value("description", "") : "";
    gone.push_back("image " + fp.substr(0, 12) + (what.empty() ? "" : " (" + what + ")"));
  }
  namespace fs = std::filesystem;
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

void AddImages(CLI::App* shell, Context& ctx) {
  auto* img = shell->add_subcommand("image", "The jail image (forest's node image: tmux, git, Podman, Incus)");
  img->require_subcommand(1);
  {
    auto* cmd = img->add_subcommand("build", "Build it unless the cache holds this recipe's build");
    auto force = std::make_shared<bool>(false);
    cmd->add_flag("--force", *force, "rebuild even when cached");
    cmd->callback([force, &ctx] {
      auto r = image::EnsureBuilt(image::Kind::kNode, [](const std::string& s) { std::cerr << s << std::endl; }, *force);
      if (!r.ok()) return ctx.Fail(r.error());
      ctx.out << *r << "\n";
    });
  }
  {
    auto* cmd = img->add_subcommand("list", "Images in the shell forest's project");
    auto o = std::make_shared<Named>();
    cmd->add_flag("--json", o->json, "print JSON");
    cmd->callback([o, &ctx] {
      auto s = ss::Open(o->f);
      if (!s.ok()) return ctx.Fail(s.error());
      auto c = s->Client();
      auto list = c.Get("/1.0/images?recursion=1");
      Json out = Json::array();
      if (list.ok()) {
        for (const auto& i : *list) {
          std::string alias = i["aliases"].empty() ? "" : i["aliases"][0].value("name", "");
          out.push_back({{"fingerprint", i.value("fingerprint", "").substr(0, 12)},
                         {"alias", alias},
                         {"size", i.value("size", 0)},
                         {"description", i["properties"].value("description", "")}});
        }
      }
      if (o->json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& i : out) {
        ctx.out << i["fingerprint"].get<std::string>() << "  " << i["alias"].get<std::string>() << "  "
                << i["description"].get<std::string>() << "\n";
      }
      if (out.empty()) ctx.out << "no images yet (the first `forest shell` imports them)\n";
    });
  }
  {
    auto* cmd = img->add_subcommand(
        "publish", "Publish a jail as an image for new jails (`--image ALIAS`): its packages, /etc and homes");
    auto o = std::make_shared<Named>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("ALIAS", o->arg, "the image's alias (moved from an older image of that name)")->required();
    cmd->callback([o, &ctx] {
      auto p = Find(*o);
      if (!p.ok()) return ctx.Fail(p.error());
      auto fp = PublishJail(p->first, p->second, o->arg, [&](const std::string& s) { ctx.err << s << std::endl; });
      if (!fp.ok()) return ctx.Fail(fp.error());
      ctx.out << o->arg << " " << fp->substr(0, 12) << "\n";
    });
  }
  {
    auto* cmd = img->add_subcommand(
        "cleanup", "Delete images no alias names and no jail was made from, and cached builds of old recipes");
    auto o = std::make_shared<Named>();
    auto dry = std::make_shared<bool>(false);
    cmd->add_flag("--dry-run,-n", *dry, "only say what would go");
    cmd->callback([o, dry, &ctx] {
      auto s = ss::Open(o->f);
      if (!s.ok()) return ctx.Fail(s.error());
      auto gone = CleanupImages(*s, *dry);
      if (!gone.ok()) return ctx.Fail(gone.error());
      for (const auto& g : *gone) ctx.out << (*dry ? "would delete " : "deleted ") << g << "\n";
      if (gone->empty()) ctx.out << "nothing to clean up\n";
    });
  }
}

}  // namespace

void AddShellOpsCommands(CLI::App* shell, Context& ctx) {
  AddSnapshots(shell, ctx);
  AddPorts(shell, ctx);
  AddMetrics(shell, ctx);
  AddHealth(shell, ctx);
  AddNet(shell, ctx);
  AddImages(shell, ctx);
}

}  // namespace forest::cli
