#include "up/boot.h"

#include <sstream>

#include "base/files.h"
#include "render/embedded.h"

namespace forest::up {

std::string BootUnit() {
  return "# Written by `forest node-up`; it rewrites this file.\n"
         "[Unit]\n"
         "Description=forest: prepare this node before Incus starts its children\n"
         "Before=incus.service incus-startup.service\n"
         "[Service]\n"
         "Type=oneshot\n"
         "RemainAfterExit=yes\n"
         "ExecStart=/opt/forest/current/bin/forest node-boot\n"
         "[Install]\n"
         "WantedBy=multi-user.target\n";
}

std::string IncusDropin() {
  // Wants, not Requires: Incus still starts if the preparation fails (the
  // node's own journal then says why its children did not).
  return "# Written by `forest node-up`: Incus autostarts this node's children only\n"
         "# after forest-boot.service prepared the node.\n"
         "[Unit]\n"
         "Wants=forest-boot.service\n"
         "After=forest-boot.service\n";
}

Result<std::vector<std::string>> RunPrepare(bool boot, ProcessRunner& run) {
  FOREST_ASSIGN_OR_RETURN(std::string prepare, render::EmbeddedText("node/prepare.sh"));
  FOREST_TRY(WriteFileAtomic("/run/forest-prepare.sh", prepare, 0755));
  Command c{.argv = {"bash", "/run/forest-prepare.sh"}, .merge_stderr = true};
  if (boot) c.argv.push_back("--boot");
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, run.Run(c));
  if (r.exit_code != 0) return MakeError("node preparation failed:\n" + r.out);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Result<bool> EnsureBootUnits(ProcessRunner& run) {
  FOREST_TRY(MakeDirs("/etc/systemd/system/incus.service.d"));
  FOREST_ASSIGN_OR_RETURN(bool unit, WriteFileIfChanged(kBootUnitPath, BootUnit()));
  FOREST_ASSIGN_OR_RETURN(bool dropin, WriteFileIfChanged(kIncusDropinPath, IncusDropin()));
  FOREST_ASSIGN_OR_RETURN(
      ProcessResult enabled,
      run.Run({.argv = {"systemctl", "is-enabled", "forest-boot.service"}, .merge_stderr = true}));
  if (!unit && !dropin && enabled.exit_code == 0) return false;
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"systemctl", "daemon-reload"},
        std::vector<std::string>{"systemctl", "enable", "forest-boot.service"}}) {
    FOREST_ASSIGN_OR_RETURN(ProcessResult r, run.Run({.argv = argv, .merge_stderr = true}));
    if (r.exit_code != 0) return MakeError("enabling forest-boot.service: " + r.out);
  }
  return true;
}

}  // namespace forest::up
