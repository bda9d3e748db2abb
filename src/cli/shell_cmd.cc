// forest shell: an agent jail on the forest. The jail is a root of the shell
// forest (its own Incus project), so it is a full node: its own Incus,
// rootless Podman, names and certificates, reachable from the host by name.
#include "cli/shell_cmd.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "base/files.h"
#include "base/ssh_keys.h"
#include "shellhost/launch.h"
#include "shellhost/lifecycle.h"
#include "shellhost/policy.h"
#include "shellhost/run.h"
#include "shellhost/tool_state.h"
#include "shellhost/transfer.h"

namespace forest::cli {

Result<ss::Session> OpenShellSession(ss::Flags f) {
  f.state_root = StateRoot();
  return ss::Open(f);
}

Result<ss::Opened> OpenShellState(ss::Flags f, bool lock) {
  f.state_root = StateRoot();
  return ss::OpenState(f, lock);
}

namespace {

using Json = nlohmann::json;
using ss::kTmuxSession;

struct Common {
  ss::Flags flags;
};

void AddWorkspace(CLI::App* cmd, ss::Flags& f) {
  cmd->add_option("--workspace", f.workspace, "the project folder (default: the current directory)");
}

// After a session: keep the tool state, and remove an ephemeral jail whose
// tool has exited (a detached tmux session keeps it).
void AfterSession(Context& ctx, ss::Session& s, const shell::Jail& jail, const ss::Ready& r, bool interactive) {
  bool detached = interactive && ss::TmuxAlive(s, jail, r);
  if (detached) {
    ctx.err << "detached: " << jail.name << " keeps running; `forest shell attach " << jail.name
            << "` returns to it\n";
    return;
  }
  if (auto st = ss::SaveToolState(s, jail, r); !st.ok()) {
    ctx.err << "warning: could not save the tool state: " << st.error().message << "\n";
  }
  if (jail.persistent) return;
  auto lock = ss::Lock(s);
  if (!lock.ok()) return ctx.Fail(lock.error());
  auto state = ss::LoadState(s);
  if (!state.ok()) return ctx.Fail(state.error());
  if (auto rm = ss::Remove(s, *state, jail.name); !rm.ok()) ctx.Fail(rm.error());
}

void AddStart(CLI::App* cmd, Context& ctx) {
  struct Opts {
    ss::Flags f;
    int slot = 1;
    bool resume = false;
    std::string resume_id;  // "" = the newest saved session
    bool guard = false;
  };
  auto o = std::make_shared<Opts>();
  AddWorkspace(cmd, o->f);
  cmd->add_option("--slot", o->slot, "parallel jail on the same workspace, with its own home (1, 2, ...)")
      ->check(CLI::Range(1, 99));
  cmd->add_flag("--persistent", o->f.persistent, "keep the jail (and what was installed) between sessions");
  auto* resume = cmd->add_option("--resume,--continue", o->resume_id,
                                 "restore the tool's state saved after a session here: the newest, or session ID "
                                 "(`list --all` shows them)")
                     ->expected(0, 1);
  cmd->add_option("--tool", o->f.tool, "shell (default), claude, codex, aider, or one from the config");
  cmd->add_option("--image", o->f.image, "a new jail starts from this image (`forest shell image publish`)");
  cmd->add_option("--profile", o->f.profile, "a named profile from the config files");
  cmd->add_option("--network", o->f.network, "restricted (default), allowlist or open");
  cmd->add_option("--allow", o->f.allow, "allowlist: a domain or IP the jail may reach (repeat)");
  cmd->add_option("--env", o->f.env, "KEY=VALUE for the jail's environment (repeat); nothing else is passed");
  cmd->add_option("--mount", o->f.mounts, "SRC:DST[:rw] another host folder (read-only unless :rw)");
  cmd->add_flag("--ssh-agent", o->f.ssh_agent, "forward this user's ssh-agent socket (keys stay outside)");
  cmd->add_flag("--hardened", o->f.hardened, "deny io_uring, bpf, userfaultfd and keyctl system calls");
  cmd->add_option("--cpu", o->f.limits.cpu, "CPU limit (limits.cpu)");
  cmd->add_option("--memory", o->f.limits.memory, "memory limit, e.g. 4GiB");
  cmd->add_option("--processes", o->f.limits.processes, "process limit, e.g. 2000");
  cmd->add_option("--disk", o->f.limits.disk, "root disk size, e.g. 20GiB");
  cmd->add_flag("--guard-uplink", o->guard, "drop shell-forest traffic towards the machine's uplink (tests)");
  cmd->footer("With -- CMD the jail runs CMD as you in /workspace instead of the tool, and\n"
              "forest shell exits with its code: forest shell -- make test");
  cmd->callback([o, cmd, resume, &ctx] {
    o->resume = resume->count() > 0;
    for (auto* sub : cmd->get_subcommands()) {
      if (sub->parsed()) return;
    }
    auto opened = OpenShellState(o->f, true);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    auto& lock = opened->lock;
    // Refused before any jail is made or recorded.
    if (auto a = ss::AgentSocket(s->config.ssh_agent, std::getenv("SSH_AUTH_SOCK")); !a.ok()) {
      return ctx.Fail(a.error());
    }
    shell::Jail jail;
    if (const auto* j = st->Find(s->workspace, o->slot)) {
      jail = *j;
      if (o->f.persistent && !jail.persistent) {
        for (auto& x : st->jails) {
          if (x.name == jail.name) x.persistent = jail.persistent = true;
        }
        if (auto w = ss::SaveState(*s, *st); !w.ok()) return ctx.Fail(w.error());
      }
    } else {
      auto made = ss::NewJail(*s, *st, o->slot);
      if (!made.ok()) return ctx.Fail(made.error());
      jail = *made;
      st->jails.push_back(jail);
      if (auto w = ss::SaveState(*s, *st); !w.ok()) return ctx.Fail(w.error());
    }
    if (!s->config.sources.empty()) {
      std::string layers;
      for (const auto& f : s->config.sources) layers += (layers.empty() ? "" : ", ") + f;
      ctx.err << "config: " << layers << std::endl;
    }
    if (jail.user.uid == 0) {
      ctx.err << "warning: the tool runs as root in the jail (forest shell was not run through sudo "
                 "by a user); root there can lift the read-only protection of .git/hooks and "
                 ".git/config. Run `sudo forest shell` from your own account.\n";
    }
    ctx.err << "jail " << jail.name << " (" << jail.name << ".incus) for " << jail.workspace << ", slot "
            << jail.slot << ", " << (jail.persistent ? "persistent" : "ephemeral") << ", network "
            << shell::NetModeName(jail.network) << std::endl;
    auto ready = ss::Converge(*s, *st, jail, {o->guard, SelfBinary(), [] { return HostAuthorizedKeys(); }});
    if (!ready.ok()) {
      ctx.Fail(ready.error());
      ctx.err << "forest: `forest shell kill " << jail.name << "` removes it\n";
      return;
    }
    lock.reset();
    if (o->resume) {
      if (auto r = ss::RestoreToolState(*s, jail, *ready, o->resume_id); !r.ok()) return ctx.Fail(r.error());
    }
    bool interactive = ctx.tail.empty();
    if (interactive && !(isatty(0) && isatty(1))) {
      return ctx.Fail(MakeError("the tool needs a terminal; run forest shell in one, or give a command: "
                                "forest shell -- CMD"));
    }
    // Allowlisted names are resolved again every allow_refresh seconds
    // while the session runs (`forest shell net refresh` does it by hand).
    ss::AllowlistRefresher refresher(*s, jail);
    auto rc = ss::RunAsUser(*s, jail, *ready, interactive ? ss::ToolCommand(*s, jail) : ctx.tail);
    refresher.Stop();
    if (!rc.ok()) return ctx.Fail(rc.error());
    AfterSession(ctx, *s, jail, *ready, interactive);
    if (ctx.exit_code == 0) ctx.exit_code = *rc;
  });
}

// Opens the session and state for a subcommand, and picks its jail.
struct Picked {
  ss::Session s;
  shell::State st;
  shell::Jail jail;
};
Result<Picked> OpenPick(const ss::Flags& f, const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(auto o, OpenShellState(f, false));
  FOREST_ASSIGN_OR_RETURN(auto j, ss::Pick(o.s, o.st, name));
  return Picked{std::move(o.s), std::move(o.st), std::move(j)};
}

void AddList(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("list", "Jails, their state and workspace (--all: saved sessions too)");
  struct Opts {
    ss::Flags f;
    bool all = false;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_flag("--all", o->all, "also list saved tool sessions (what --resume restores)");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, &ctx] {
    auto opened = OpenShellState(o->f, false);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    Json jails = Json::array();
    for (const auto& j : st->jails) jails.push_back(ss::JailInfo(*s, j));
    Json sessions = o->all ? ss::ListSavedSessions(s->sessions_dir) : Json::array();
    if (o->json) {
      Json out = {{"jails", jails}};
      if (o->all) out["sessions"] = sessions;
      ctx.out << out.dump(2) << "\n";
      return;
    }
    if (jails.empty()) ctx.out << "no jails\n";
    for (const auto& j : jails) {
      ctx.out << j["name"].get<std::string>() << " (" << j["mode"].get<std::string>() << ")  "
              << j["status"].get<std::string>() << "  " << j["tool"].get<std::string>() << "  network "
              << j["network"].get<std::string>() << "  " << j["workspace"].get<std::string>() << "\n";
    }
    for (const auto& m : sessions) {
      ctx.out << "saved session " << m.value("id", "") << ": " << m.value("tool", "") << " for "
              << m.value("workspace", "") << " (" << m.value("path", "") << ")\n";
    }
  });
}

void AddAttach(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("attach", "Return to a jail's tmux session");
  struct Opts {
    ss::Flags f;
    std::string name;
  };
  auto o = std::make_shared<Opts>();
  AddWorkspace(cmd, o->f);
  cmd->add_option("NAME", o->name, "the jail (default: this workspace's)");
  cmd->callback([o, &ctx] {
    auto p = OpenPick(o->f, o->name);
    if (!p.ok()) return ctx.Fail(p.error());
    auto r = ss::UserOf(p->s, p->jail);
    if (!r.ok()) return ctx.Fail(r.error());
    if (!ss::TmuxAlive(p->s, p->jail, *r)) {
      return ctx.Fail(MakeError(p->jail.name + " has no tmux session; `forest shell` starts one"));
    }
    auto rc = ss::RunAsUser(p->s, p->jail, *r, {"tmux", "attach-session", "-t", kTmuxSession});
    if (!rc.ok()) return ctx.Fail(rc.error());
    AfterSession(ctx, p->s, p->jail, *r, true);
  });
}

// Stops (shutdown) or removes (kill) NAMES or --all.
void AddStopKill(CLI::App* shell, Context& ctx, bool kill) {
  auto* cmd = shell->add_subcommand(
      kill ? "kill" : "shutdown",
      kill ? "Remove jails at once: every process in them ends (--all: the whole shell forest)"
           : "Stop jails gracefully (ephemeral ones are then removed)");
  struct Opts {
    ss::Flags f;
    std::vector<std::string> names;
    bool all = false;
    bool force = false;
    int timeout = 60;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("NAMES", o->names, "jails");
  cmd->add_flag("--all", o->all, kill ? "every jail, then the shell forest's helper, project and bridge" : "every jail");
  if (kill) {
    cmd->add_flag("--force", o->force, "do not ask");
  } else {
    cmd->add_option("--timeout", o->timeout, "seconds to wait before forcing (default 60)");
  }
  cmd->callback([o, kill, &ctx] {
    auto opened = OpenShellState(o->f, true);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    if (!o->all && o->names.empty()) return ctx.Fail(MakeError("name the jails, or pass --all"));
    if (kill && o->all) {
      if (!o->force && isatty(0)) {
        ctx.err << "remove every jail and the shell forest '" << s->config.forest << "'? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "yes") return;
      }
      if (auto r = ss::RemoveAll(*s); !r.ok()) ctx.Fail(r.error());
      return;
    }
    std::vector<std::string> names = o->names;
    if (o->all) {
      for (const auto& j : st->jails) names.push_back(j.name);
    }
    for (const auto& n : names) {
      const auto* j = st->Find(n);
      if (!j) return ctx.Fail(MakeError("no jail '" + n + "'; `forest shell list` shows them"));
      shell::Jail jail = *j;
      if (!kill) {
        auto say = [&](const std::string& line) { ctx.err << line << "\n"; };
        if (auto f = ss::Stop(*s, n, o->timeout, say); !f.ok()) return ctx.Fail(f.error());
        ctx.err << "stopped " << n << "\n";
        if (jail.persistent) continue;
      }
      if (auto r = ss::Remove(*s, *st, n); !r.ok()) return ctx.Fail(r.error());
    }
  });
}

void AddClean(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("clean", "Remove stopped ephemeral jails, and records of jails Incus no longer has");
  auto f = std::make_shared<ss::Flags>();
  cmd->callback([f, &ctx] {
    auto opened = OpenShellState(*f, true);
    if (!opened.ok()) return ctx.Fail(opened.error());
    auto* s = &opened->s;
    auto* st = &opened->st;
    auto n = ss::Clean(*s, *st);
    if (!n.ok()) return ctx.Fail(n.error());
    ctx.out << "cleaned " << *n << " jail(s)\n";
  });
}

void AddExec(CLI::App* shell, Context& ctx) {
  auto* cmd = shell->add_subcommand("exec", "Run a command in a jail as its user, in /workspace");
  struct Opts {
    ss::Flags f;
    std::string name;
    bool capture = false;
    bool root = false;
    std::string format = "json";
  };
  auto o = std::make_shared<Opts>();
  AddWorkspace(cmd, o->f);
  cmd->add_option("NAME", o->name, "the jail (default: this workspace's)");
  cmd->add_flag("--root", o->root, "run as the jail's root, not its user (operator actions: install packages)");
  cmd->add_flag("--capture", o->capture, "collect the output and print it at the end");
  cmd->add_option("--format", o->format, "with --capture: json (stdout, stderr, exit_code) or raw (stdout)")
      ->check(CLI::IsMember({"raw", "json"}));
  cmd->footer("The command follows after --: forest shell exec -- make test");
  cmd->callback([o, &ctx] {
    if (ctx.tail.empty()) return ctx.Fail(MakeError("usage: forest shell exec [NAME] -- CMD [ARGS...]"));
    auto p = OpenPick(o->f, o->name);
    if (!p.ok()) return ctx.Fail(p.error());
    if (o->root) {
      if (o->capture) return ctx.Fail(MakeError("--root and --capture do not go together"));
      auto rc = ss::RunAsRoot(p->s, p->jail, ctx.tail);
      if (!rc.ok()) return ctx.Fail(rc.error());
      ctx.exit_code = *rc;
      return;
    }
    auto r = ss::UserOf(p->s, p->jail);
    if (!r.ok()) return ctx.Fail(r.error());
    if (!o->capture) {
      auto rc = ss::RunAsUser(p->s, p->jail, *r, ctx.tail);
      if (!rc.ok()) return ctx.Fail(rc.error());
      ctx.exit_code = *rc;
      return;
    }
    auto res = ss::Capture(p->s, p->jail, *r, ctx.tail);
    if (!res.ok()) return ctx.Fail(res.error());
    if (o->format == "raw") {
      ctx.out << res->out;
    } else {
      ctx.out << Json{{"stdout", res->out}, {"stderr", res->err}, {"exit_code", res->exit_code}}.dump() << "\n";
    }
    ctx.exit_code = res->exit_code;
  });
}

void AddFile(CLI::App* shell, Context& ctx) {
  auto* file = shell->add_subcommand("file", "Copy files between the host and a jail");
  file->require_subcommand(1);
  for (bool push : {true, false}) {
    auto* cmd = file->add_subcommand(push ? "push" : "pull",
                                     push ? "SRC JAIL:/path: copy into the jail, owned by its user"
                                          : "JAIL:/path DEST: copy out; symlinks are never followed on the host");
    struct Opts {
      ss::Flags f;
      std::string from, to;
      bool recursive = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("SRC", o->from)->required();
    cmd->add_option("DEST", o->to)->required();
    cmd->add_flag("-r,--recursive", o->recursive, "copy directories");
    cmd->callback([o, push, &ctx] {
      auto [jail, path] = ss::SplitRemote(push ? o->to : o->from);
      if (jail.empty()) {
        return ctx.Fail(MakeError(std::string(push ? "DEST" : "SRC") + " must be JAIL:/path, e.g. " +
                                  "myproj-1a2b3c-1:/workspace/out.log"));
      }
      auto p = OpenPick(o->f, jail);
      if (!p.ok()) return ctx.Fail(p.error());
      auto rep = push ? ss::Copy(p->s, p->jail, true, o->from, path, o->recursive)
                      : ss::Copy(p->s, p->jail, false, path, o->to, o->recursive);
      if (!rep.ok()) return ctx.Fail(rep.error());
      for (const auto& sk : rep->skipped) ctx.err << "skipped " << sk << "\n";
      ctx.err << rep->files << " file(s), " << rep->directories << " directory(ies), " << rep->symlinks
              << " symlink(s)\n";
    });
  }
}

void AddTmux(CLI::App* shell, Context& ctx) {
  auto* tmux = shell->add_subcommand("tmux", "Drive a jail's tmux session (automation)");
  tmux->require_subcommand(1);
  struct Opts {
    ss::Flags f;
    std::string name;
    std::string text;
  };
  auto run = [&ctx](const std::shared_ptr<Opts>& o, std::vector<std::string> argv, bool print) {
    auto p = OpenPick(o->f, o->name);
    if (!p.ok()) return ctx.Fail(p.error());
    auto r = ss::UserOf(p->s, p->jail);
    if (!r.ok()) return ctx.Fail(r.error());
    auto res = ss::Tmux(p->s, p->jail, *r, argv);
    if (!res.ok()) return ctx.Fail(res.error());
    if (print) ctx.out << *res;
  };
  {
    auto* cmd = tmux->add_subcommand("send", "Type TEXT into the session, then Enter");
    auto o = std::make_shared<Opts>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->add_option("TEXT", o->text, "what to type")->required();
    cmd->callback([o, run] {
      run(o, {"send-keys", "-t", kTmuxSession, "-l", o->text, ";", "send-keys", "-t", kTmuxSession, "Enter"}, false);
    });
  }
  {
    auto* cmd = tmux->add_subcommand("capture", "Print what the session's pane shows");
    auto o = std::make_shared<Opts>();
    cmd->add_option("NAME", o->name, "the jail")->required();
    cmd->callback([o, run] { run(o, {"capture-pane", "-p", "-t", kTmuxSession}, true); });
  }
  {
    auto* cmd = tmux->add_subcommand("list", "Jails with a live tmux session");
    auto o = std::make_shared<Opts>();
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print JSON");
    cmd->callback([o, json, &ctx] {
      auto opened = OpenShellState(o->f, false);
      if (!opened.ok()) return ctx.Fail(opened.error());
      auto* s = &opened->s;
      auto* st = &opened->st;
      Json out = Json::array();
      for (const auto& j : st->jails) {
        auto r = ss::UserOf(*s, j);
        bool alive = r.ok() && ss::TmuxAlive(*s, j, *r);
        out.push_back({{"name", j.name}, {"session", kTmuxSession}, {"alive", alive}});
      }
      if (*json) {
        ctx.out << out.dump(2) << "\n";
        return;
      }
      for (const auto& e : out) {
        ctx.out << e["name"].get<std::string>() << "  " << (e["alive"].get<bool>() ? "tmux session 'forest'" : "no session")
                << "\n";
      }
    });
  }
}

}  // namespace

void AddShellCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("shell", "A jail for AI coding agents on this workspace: its own node, "
                                          "your files, no host credentials");
  AddStart(cmd, ctx);
  AddList(cmd, ctx);
  AddAttach(cmd, ctx);
  AddStopKill(cmd, ctx, false);
  AddStopKill(cmd, ctx, true);
  AddClean(cmd, ctx);
  AddExec(cmd, ctx);
  AddFile(cmd, ctx);
  AddTmux(cmd, ctx);
  AddShellOpsCommands(cmd, ctx);
}

}  // namespace forest::cli
