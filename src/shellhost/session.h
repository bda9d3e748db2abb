// forest shell's session on the host: the configuration layers for a
// workspace with the command line's overrides, who runs it, where the shell
// forest keeps its state, and the Incus client for its project.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "incus/transport.h"
#include "shell/config.h"
#include "shell/jail.h"

namespace forest::shellhost {

// Command-line flags that override the configuration layers.
struct Flags {
  std::string workspace;  // default: the current directory
  std::string profile;
  std::string tool;
  std::string image;
  std::string network;
  std::vector<std::string> allow;
  std::vector<std::string> env;     // KEY=VALUE
  std::vector<std::string> mounts;  // SRC:DST[:rw]
  bool persistent = false;
  bool ssh_agent = false;
  bool hardened = false;
  topology::Limits limits;
  // Where forests keep their state ($FOREST_STATE_DIR or /var/lib/forest):
  // given by the caller, never guessed here.
  std::string state_root;
};

struct Session {
  shell::Config config;
  std::string workspace;  // real path
  shell::Invoker me;
  std::string state_root;    // the lock lives here
  std::string dir;           // state dir of the shell forest: topology.yaml, shell.json
  std::string sessions_dir;  // saved tool state: <dir>-sessions/<workspace hash>/<tool>/
  // The wire to Incus; null = the local daemon's socket (tests give a fake).
  std::shared_ptr<incus::Transport> transport;
  std::string Project() const { return "forest-" + config.forest; }
  incus::Client Client() const;
};

// Inside a jail: the relayed ssh-agent socket, and the tool's tmux session.
inline constexpr char kAgentSocket[] = "/opt/forest/shell-agent.sock";
inline constexpr char kTmuxSession[] = "forest";

// The jail user's name and home once prepared.
struct Ready {
  std::string user;
  std::string home;
};

// Loads the layers for the workspace, then the profile, then the flags.
Result<Session> Open(const Flags& f);

// --network's word as a mode.
Result<shell::NetMode> ParseMode(const std::string& s);

}  // namespace forest::shellhost
