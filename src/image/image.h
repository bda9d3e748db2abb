// forest images: a node image (Debian 12 + systemd + openssh + Incus +
// dnsmasq + Unbound + TAYGA + nftables + cloud-init) and a small workload
// image, built locally by templates/image/build.sh and cached by the hash of
// their recipe outside any checkout.
#pragma once

#include <functional>
#include <string>

#include "base/process.h"
#include "base/result.h"
#include "incus/client.h"

namespace forest::image {

enum class Kind { kWorkload, kNode };

const char* KindName(Kind k);
// The Incus alias forest uses for the image: forest-node / forest-workload.
std::string Alias(Kind k);

// $FOREST_IMAGE_CACHE, else /var/cache/forest/images.
std::string CacheDir();

// sha256 of everything that decides the image's bytes (the recipe and mirror).
std::string RecipeHash(Kind k);

// Path of the cached tarball for the current recipe (may not exist yet).
std::string CachedTarball(Kind k);

using Progress = std::function<void(const std::string& line)>;

// Builds the tarball unless the cache has it; returns its path.
Result<std::string> EnsureBuilt(Kind k, const Progress& progress, bool force = false,
                                ProcessRunner& run = SystemRunner());

// Fills the cache from an image server instead of building: pulls the image
// `alias` from the Incus server at `server_url` (public images, Incus
// protocol) into this host's Incus, exports it as a unified tarball into
// CachedTarball(k), and removes the pulled copy. Returns the tarball path.
// With `accept_certificate`, the server's own certificate is trusted for
// this pull (like `incus remote add --accept-certificate`); its sha256 is
// printed. Otherwise the system's CAs decide.
Result<std::string> FetchFromServer(incus::Client& c, Kind k, const std::string& server_url,
                                    const std::string& alias, bool accept_certificate,
                                    const Progress& progress);

// FetchFromServer through a scratch Incus project (made with image
// features, removed afterwards), so the caller's projects are untouched:
// `global` is a client of the default project.
Result<std::string> FetchThroughScratch(incus::Client& global, Kind k, const std::string& server_url,
                                        const std::string& alias, bool accept_certificate,
                                        const Progress& progress);

// The PEM certificate an https server presents (no verification).
Result<std::string> ServerCertificatePem(const std::string& server_url);

// Splits "https://host:port:ALIAS" (the last ':' separates the alias).
Result<std::pair<std::string, std::string>> ParseFrom(const std::string& spec);

// Makes the image available under Alias(k) in the client's project:
// imports the cached tarball (building it first when missing) unless the
// alias already points at it. Returns the fingerprint.
Result<std::string> EnsureImported(incus::Client& c, Kind k, const Progress& progress);

}  // namespace forest::image
