#include "image/image.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/files.h"
#include "base/process.h"
#include "incus/api.h"

using Json = nlohmann::json;
#include "render/embedded.h"
#include "render/sha256.h"

namespace forest::image {

namespace {

Result<std::string> BuildScript() {
  for (const auto& f : render::EmbeddedTemplates()) {
    if (std::string(f.path) == "image/build.sh") return std::string(f.contents);
  }
  return MakeError("internal: templates/image/build.sh is not embedded");
}

std::string Mirror() {
  const char* m = std::getenv("FOREST_DEBIAN_MIRROR");
  return m && *m ? m : "http://deb.debian.org/debian";
}

}  // namespace

const char* KindName(Kind k) { return k == Kind::kNode ? "node" : "workload"; }
std::string Alias(Kind k) { return std::string("forest-") + KindName(k); }

std::string CacheDir() {
  const char* d = std::getenv("FOREST_IMAGE_CACHE");
  return d && *d ? d : "/var/cache/forest/images";
}

std::string RecipeHash(Kind k) {
  auto script = BuildScript();
  std::string recipe = (script.ok() ? *script : std::string()) + "\nkind=" + KindName(k) +
                       "\nmirror=" + Mirror() + "\n";
  return render::Sha256Hex(recipe);
}

std::string CachedTarball(Kind k) {
  return CacheDir() + "/" + KindName(k) + "-" + RecipeHash(k).substr(0, 16) + ".tar.gz";
}

Result<std::string> EnsureBuilt(Kind k, const Progress& progress, bool force, ProcessRunner& run) {
  std::string out = CachedTarball(k);
  if (!force && std::filesystem::exists(out)) return out;
  if (geteuid() != 0) {
    return MakeError(std::string("building the ") + KindName(k) +
                     " image needs root (debootstrap, chroot); run `sudo forest image build`");
  }
  FOREST_ASSIGN_OR_RETURN(std::string script, BuildScript());
  std::string work = CacheDir() + "/work-" + KindName(k);
  FOREST_TRY(MakeDirs(work));
  std::string script_path = work + "/build.sh";
  FOREST_TRY(WriteFileAtomic(script_path, script, 0755));
  auto start = std::chrono::steady_clock::now();
  progress(std::string("building ") + KindName(k) + " image (recipe " +
           RecipeHash(k).substr(0, 12) + ", log " + work + "/build.log)");
  // Its output streams up line by line; the tail stays for the error.
  std::string tail, partial;
  auto line_out = [&](std::string line) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - start).count();
    progress("  [" + std::to_string(secs) + "s] " + line);
    tail += line + "\n";
    if (tail.size() > 8000) tail.erase(0, tail.size() - 8000);
  };
  Command c{.argv = {"bash", script_path, KindName(k), work, out},
            .merge_stderr = true,
            .on_output =
                [&](int, std::string_view bytes) {
                  partial.append(bytes);
                  for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
                    line_out(partial.substr(0, nl));
                    partial.erase(0, nl + 1);
                  }
                },
            .keep_output = false};
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, run.Run(c));
  if (!partial.empty()) line_out(partial);
  if (r.exit_code != 0 || !std::filesystem::exists(out)) {
    return MakeError(std::string("building the ") + KindName(k) + " image failed (exit " +
                     std::to_string(r.exit_code) + "); see " + work + "/build.log");
  }
  return out;
}

Result<std::pair<std::string, std::string>> ParseFrom(const std::string& spec) {
  auto colon = spec.rfind(':');
  std::string server = colon == std::string::npos ? "" : spec.substr(0, colon);
  std::string alias = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (server.rfind("https://", 0) != 0 || alias.empty() || alias.find('/') != std::string::npos ||
      alias.find(']') != std::string::npos) {
    return MakeError("--from " + spec + ": expected https://HOST[:PORT]:ALIAS, e.g. "
                     "https://[fd00:f00d::1]:8443:forest-node");
  }
  return std::make_pair(server, alias);
}

Result<std::string> FetchThroughScratch(incus::Client& global, Kind k, const std::string& server_url,
                                        const std::string& alias, bool accept_certificate,
                                        const Progress& progress) {
  const std::string scratch = "forest-image-fetch";
  FOREST_TRY(incus::EnsureProject(global, scratch, {{"features.images", "true"}},
                                  "forest: scratch project of `forest image build --from`"));
  auto client = global.WithProject(scratch);
  auto r = FetchFromServer(client, k, server_url, alias, accept_certificate, progress);
  (void)incus::DeleteProject(global, scratch);
  return r;
}

Result<std::string> ServerCertificatePem(const std::string& server_url) {
  // https://HOST[:PORT] with HOST possibly a bracketed IPv6 address.
  std::string rest = server_url.substr(std::string("https://").size());
  std::string host, port = "8443";
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return MakeError(server_url + ": unbalanced [");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else {
    auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, tls);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return MakeError(server_url + ": " + ec.message());
  asio::connect(stream.next_layer(), endpoints, ec);
  if (ec) return MakeError(server_url + ": connect: " + ec.message());
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return MakeError(server_url + ": TLS handshake: " + ec.message());
  X509* cert = SSL_get1_peer_certificate(stream.native_handle());
  if (!cert) return MakeError(server_url + ": the server presented no certificate");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  X509_free(cert);
  stream.shutdown(ec);
  return pem;
}

Result<std::string> FetchFromServer(incus::Client& c, Kind k, const std::string& server_url,
                                    const std::string& alias, bool accept_certificate,
                                    const Progress& progress) {
  progress(std::string("pulling ") + KindName(k) + " image " + alias + " from " + server_url + " …");
  Json source = {{"type", "image"}, {"mode", "pull"},   {"server", server_url},
                 {"protocol", "incus"}, {"alias", alias}};
  if (accept_certificate) {
    FOREST_ASSIGN_OR_RETURN(std::string pem, ServerCertificatePem(server_url));
    source["certificate"] = pem;
    progress("trusting the certificate " + server_url + " presents for this pull (sha256 of PEM " +
             render::Sha256Hex(pem).substr(0, 16) + "…)");
  }
  auto r = c.Post("/1.0/images", {{"source", source}});
  if (!r.ok() && !accept_certificate &&
      r.error().message.find("unknown authority") != std::string::npos) {
    return r.error().Wrap("pulling " + alias + " from " + server_url +
                          ": the server's certificate is self-signed; check it and pass "
                          "--accept-certificate to trust it for this pull");
  }
  if (!r.ok()) {
    return r.error().Wrap("pulling " + alias + " from " + server_url +
                          " (is the server reachable and the image public?)");
  }
  std::string fp;
  if (r->contains("metadata") && (*r)["metadata"].is_object()) {
    fp = (*r)["metadata"].value("fingerprint", "");
  }
  if (fp.empty()) return MakeError("pulling " + alias + ": the server returned no fingerprint");
  FOREST_ASSIGN_OR_RETURN(std::string bytes, c.GetRaw("/1.0/images/" + fp + "/export"));
  auto cleanup = incus::DeleteImage(c, fp);
  if (bytes.rfind("--", 0) == 0 || bytes.find("Content-Disposition") < 512) {
    return MakeError(alias + " from " + server_url +
                     " is a split image (metadata and rootfs apart); forest caches unified images only");
  }
  if (render::Sha256Hex(bytes) != fp) {
    return MakeError(alias + " from " + server_url + ": exported bytes do not match fingerprint " + fp);
  }
  std::string out = CachedTarball(k);
  FOREST_TRY(MakeDirs(CacheDir()));
  FOREST_TRY(WriteFileAtomic(out, bytes));
  FOREST_TRY(WriteFileAtomic(out + ".sha256", fp + "\n"));
  if (!cleanup.ok()) progress("warning: could not remove the pulled copy: " + cleanup.error().message);
  progress(std::string("cached ") + KindName(k) + " image " + fp.substr(0, 12) + " from " + server_url);
  return out;
}

Result<std::string> EnsureImported(incus::Client& c, Kind k, const Progress& progress) {
  FOREST_ASSIGN_OR_RETURN(std::string tarball, EnsureBuilt(k, progress));
  // The fingerprint of a unified tarball is its sha256; remember it beside it.
  std::string fp_path = tarball + ".sha256";
  std::string fp;
  if (auto r = ReadFile(fp_path); r.ok() && r->size() >= 64) {
    fp = r->substr(0, 64);
  } else {
    FOREST_ASSIGN_OR_RETURN(std::string bytes, ReadFile(tarball, size_t{8} << 30));
    fp = render::Sha256Hex(bytes);
    FOREST_TRY(WriteFileAtomic(fp_path, fp + "\n"));
  }
  FOREST_ASSIGN_OR_RETURN(bool have, incus::ImageExists(c, fp));
  if (!have) {
    progress(std::string("importing ") + KindName(k) + " image " + fp.substr(0, 12));
    FOREST_ASSIGN_OR_RETURN(std::string got, incus::ImportImage(c, tarball, /*public=*/true));
    if (got != fp) {
      return MakeError(tarball + ": Incus computed fingerprint " + got + ", expected " + fp);
    }
  }
  FOREST_TRY(incus::SetImageAlias(c, Alias(k), fp));
  return fp;
}

}  // namespace forest::image
