#include "up/ca_stage.h"

#include "incus/api.h"
#include "trust/caroot.h"

namespace forest::up {

Result<bool> StageRoot(incus::Client& c, const std::string& helper, const trust::RootFiles& root) {
  std::string dir = kHelperCaDir;
  std::string cert_path = dir + "/" + trust::kRootCertFile, key_path = dir + "/" + trust::kRootKeyFile;
  auto cert = incus::PullFile(c, helper, cert_path);
  auto key = incus::PullFile(c, helper, key_path);
  if (cert.ok() && key.ok() && *cert == root.cert_pem && *key == root.key_pem) return false;
  FOREST_TRY(incus::ExecOk(c, helper, {"install", "-d", "-m", "0700", dir}));
  FOREST_TRY(incus::PushFile(c, helper, key_path + ".new", root.key_pem, 0600));
  FOREST_TRY(incus::PushFile(c, helper, cert_path + ".new", root.cert_pem, 0644));
  FOREST_TRY(incus::ExecOk(c, helper, {"sh", "-c", "mv -f \"$1.new\" \"$1\" && mv -f \"$2.new\" \"$2\"", "sh",
                                       key_path, cert_path}));
  return true;
}

}  // namespace forest::up
