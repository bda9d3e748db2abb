// Typed Incus operations on top of Client: projects, profiles, networks,
// storage pools, images, instances, exec with recorded output, files.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"

namespace forest::incus {

using StringMap = std::map<std::string, std::string>;
using Devices = std::map<std::string, StringMap>;

// --- projects, pools, networks ------------------------------------------

Result<bool> ProjectExists(Client& c, const std::string& name);
// Creates the project if missing (config applied on creation only).
Status EnsureProject(Client& c, const std::string& name, const StringMap& config,
                     const std::string& description);
Status DeleteProject(Client& c, const std::string& name);

Result<bool> StoragePoolExists(Client& c, const std::string& name);
Status CreateStoragePool(Client& c, const std::string& name, const std::string& driver,
                         const StringMap& config, const std::string& description = "");
Result<std::optional<Json>> GetStoragePool(Client& c, const std::string& name);
Status DeleteStoragePool(Client& c, const std::string& name);
// A storage pool or network (`path`, "/1.0/networks/x") once it is no longer
// "Pending", or still Pending after `limit`: a create whose client was killed
// is abandoned by incusd and stays Pending for good (measured: a network),
// so the caller decides what a lasting Pending means. Polls every `every`;
// nullopt when the object is gone.
Result<std::optional<Json>> Settled(Client& c, const std::string& path, std::chrono::milliseconds limit,
                                    std::chrono::milliseconds every = std::chrono::milliseconds(200));

Result<std::optional<Json>> GetNetwork(Client& c, const std::string& name);
Status CreateNetwork(Client& c, const std::string& name, const std::string& type,
                     const StringMap& config, const std::string& description);
Status UpdateNetwork(Client& c, const std::string& name, const StringMap& config,
                     const std::string& description);
Status DeleteNetwork(Client& c, const std::string& name);

// --- profiles -------------------------------------------------------------

struct Profile {
  std::string name;
  std::string description;
  StringMap config;
  Devices devices;
};

Result<std::optional<Profile>> GetProfile(Client& c, const std::string& name);
// Creates or replaces; returns true when something changed.
Result<bool> PutProfile(Client& c, const Profile& p);
Status DeleteProfile(Client& c, const std::string& name);
Result<std::vector<std::string>> ListProfiles(Client& c);

// --- images ----------------------------------------------------------------

// Uploads a unified image tarball; returns its fingerprint. `public_image`
// lets child nodes pull it without a client certificate.
Result<std::string> ImportImage(Client& c, const std::string& tarball_path, bool public_image);
Result<bool> ImageExists(Client& c, const std::string& fingerprint);
// Points `alias` at `fingerprint` (creating or moving it).
Status SetImageAlias(Client& c, const std::string& alias, const std::string& fingerprint);
Result<std::optional<std::string>> ResolveImageAlias(Client& c, const std::string& alias);
// Copies an image from another Incus over https (a parent node), public mode.
Status PullImage(Client& c, const std::string& server, const std::string& certificate_pem,
                 const std::string& fingerprint, const std::string& source_project);
Status DeleteImage(Client& c, const std::string& fingerprint);
Result<std::vector<std::string>> ListImages(Client& c);

// --- instances -------------------------------------------------------------

struct InstanceSpec {
  std::string name;
  std::string image_fingerprint;
  std::vector<std::string> profiles;
  StringMap config;
  Devices devices;
  std::string description;
};

Result<std::optional<Json>> GetInstance(Client& c, const std::string& name);
Result<std::vector<std::string>> ListInstances(Client& c);
Status CreateInstance(Client& c, const InstanceSpec& spec);
// Replaces profiles/config/devices of an existing instance (PATCH).
Status PatchInstance(Client& c, const std::string& name, const Json& patch);
// Removes an instance-local device (PATCH cannot: it merges). False when
// the instance has no such device.
Result<bool> RemoveInstanceDevice(Client& c, const std::string& name, const std::string& device);
// "Running", "Stopped", ...; error if missing.
Result<std::string> InstanceStatus(Client& c, const std::string& name);
Status SetInstanceState(Client& c, const std::string& name, const std::string& action,
                        bool force = false);
Status DeleteInstance(Client& c, const std::string& name);
// Runtime state: network addresses, pid.
Result<Json> InstanceState(Client& c, const std::string& name);

struct ExecResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` without websockets (record-output), returns its output and
// removes the recorded logs.
Result<ExecResult> Exec(Client& c, const std::string& instance, const std::vector<std::string>& argv,
                        const StringMap& env = {});
// Exec that must succeed: a non-zero exit becomes an error with stderr.
Result<std::string> ExecOk(Client& c, const std::string& instance,
                           const std::vector<std::string>& argv, const StringMap& env = {});

Status PushFile(Client& c, const std::string& instance, const std::string& path,
                const std::string& content, int mode = 0644, int uid = 0, int gid = 0);
Result<std::string> PullFile(Client& c, const std::string& instance, const std::string& path);

}  // namespace forest::incus
