#include "up/ca_stage.h"

#include "incus/api.h"
#include "trust/caroot.h"

namespace forest::up {

namespace {

std::string Describe(const std::string& pem) {
  auto info = trust::InspectCert(pem);
  return info.ok() ? "'" + info->subject + "' (serial " + info->serial_hex + ")" : "an unreadable certificate";
}

}  // namespace

Result<std::string> StagedRootCert(incus::Client& c, const std::string& helper) {
  auto cert = incus::PullFile(c, helper, std::string(kHelperCaDir) + "/" + trust::kRootCertFile);
  return cert.ok() ? *cert : std::string();
}

Result<bool> StageRoot(incus::Client& c, const std::string& helper, const trust::RootFiles& root,
                       const std::string& caroot_dir, bool replace) {
  std::string dir = kHelperCaDir;
  std::string cert_path = dir + "/" + trust::kRootCertFile, key_path = dir + "/" + trust::kRootKeyFile;
  auto cert = incus::PullFile(c, helper, cert_path);
  auto key = incus::PullFile(c, helper, key_path);
  if (cert.ok() && key.ok() && *cert == root.cert_pem && *key == root.key_pem) return false;
  if (cert.ok() && !cert->empty() && *cert != root.cert_pem && !replace) {
    return MakeError("the helper " + helper + " signs with the root " + Describe(*cert) + ", but " + caroot_dir +
                     " holds " + Describe(root.cert_pem) +
                     "; the forest's root does not change silently (every certificate it issued and every "
                     "trust store that has it would stop matching). Run forest with CAROOT set to the folder "
                     "of the staged root (under sudo, forest reads the invoking user's ~/.local/share/mkcert, "
                     "whatever HOME says), or replace it on purpose: `forest ca stage --replace`");
  }
  FOREST_TRY(incus::ExecOk(c, helper, {"install", "-d", "-m", "0700", dir}));
  FOREST_TRY(incus::PushFile(c, helper, key_path + ".new", root.key_pem, 0600));
  FOREST_TRY(incus::PushFile(c, helper, cert_path + ".new", root.cert_pem, 0644));
  FOREST_TRY(incus::ExecOk(c, helper, {"sh", "-c", "mv -f \"$1.new\" \"$1\" && mv -f \"$2.new\" \"$2\"", "sh",
                                       key_path, cert_path}));
  return true;
}

Result<CarootStaged> StageCaroot(incus::Client& c, const std::string& helper, const std::string& caroot_dir,
                                 bool replace, const std::function<void(const std::string&)>& say) {
  FOREST_ASSIGN_OR_RETURN(trust::HostRoot root,
                          trust::LoadOrCreateRoot(caroot_dir, true, trust::InvokerOwner()));
  if (root.created) say("created a new mkcert-compatible root in " + caroot_dir);
  CarootStaged out;
  FOREST_ASSIGN_OR_RETURN(out.changed, StageRoot(c, helper, root.files, caroot_dir, replace));
  if (auto info = trust::InspectCert(root.files.cert_pem); info.ok()) out.subject = info->subject;
  return out;
}

}  // namespace forest::up
