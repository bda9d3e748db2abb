#include "up/boot.h"

#include <sstream>

#include "base/files.h"
#include "render/embedded.h"
#include "up/shell.h"

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

Result<std::vector<std::string>> RunPrepare(bool boot) {
  FOREST_ASSIGN_OR_RETURN(std::string prepare, render::EmbeddedText("node/prepare.sh"));
  FOREST_TRY(WriteFileAtomic("/run/forest-prepare.sh", prepare, 0755));
  int rc = 0;
  std::string out = Shell(std::string("bash /run/forest-prepare.sh") + (boot ? " --boot" : ""), &rc);
  if (rc != 0) return MakeError("node preparation failed:\n" + out);
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Result<bool> EnsureBootUnits() {
  FOREST_TRY(MakeDirs("/etc/systemd/system/incus.service.d"));
  FOREST_ASSIGN_OR_RETURN(bool unit, WriteFileIfChanged(kBootUnitPath, BootUnit()));
  FOREST_ASSIGN_OR_RETURN(bool dropin, WriteFileIfChanged(kIncusDropinPath, IncusDropin()));
  int rc = 0;
  (void)Shell("systemctl is-enabled forest-boot.service", &rc);
  if (!unit && !dropin && rc == 0) return false;
  std::string out = Shell("systemctl daemon-reload && systemctl enable forest-boot.service", &rc);
  if (rc != 0) return MakeError("enabling forest-boot.service: " + out);
  return true;
}

}  // namespace forest::up
