#include "helper/revocations.h"

#include <algorithm>
#include <iterator>

#include "naming/names.h"
#include "trust/san_policy.h"

namespace forest::helper {
namespace {

using Json = nlohmann::json;

Result<Revocation> RevocationFromJson(const Json& j) {
  if (!j.is_object()) return MakeError("expected an object");
  Revocation r;
  for (auto [key, field] : {std::pair{"serial", &r.serial}, {"caller", &r.caller}, {"reason", &r.reason}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return MakeError(std::string(key) + ": expected a string");
    *field = it->get<std::string>();
  }
  for (auto [key, field] : {std::pair{"not_after", &r.not_after}, {"revoked_at", &r.revoked_at}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return MakeError(std::string(key) + ": expected an integer");
    *field = it->get<int64_t>();
  }
  if (auto it = j.find("names"); it != j.end()) {
    if (!it->is_array()) return MakeError("names: expected a list of strings");
    for (const auto& n : *it) {
      if (!n.is_string()) return MakeError("names: expected a list of strings");
      r.names.push_back(n.get<std::string>());
    }
  }
  return r;
}

bool Live(const Issuance& i, const std::set<std::string>& revoked, int64_t now) {
  return i.not_after > now && !revoked.count(i.serial_hex);
}

Revocation RevocationOf(const Issuance& i, int64_t now, std::string reason) {
  return {i.serial_hex, i.caller, i.sans, i.not_after, now, std::move(reason)};
}

}  // namespace

Json RevocationJson(const Revocation& r) {
  return Json{{"serial", r.serial},         {"caller", r.caller},         {"names", r.names},
              {"not_after", r.not_after}, {"revoked_at", r.revoked_at}, {"reason", r.reason}};
}

Result<std::vector<Revocation>> ParseRevocations(std::string_view text, const std::string& file) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(file + ": not JSON; expected {\"schema\":1,\"revoked\":[...]}");
  // Not j.value("schema", 0): that throws when schema is not a number.
  if (auto schema = j.find("schema"); schema == j.end() || *schema != 1) {
    return MakeError(file + ": schema: expected 1");
  }
  auto list = j.find("revoked");
  if (list == j.end() || !list->is_array()) return MakeError(file + ": revoked: expected an array");
  std::vector<Revocation> out;
  for (size_t i = 0; i < list->size(); ++i) {
    auto r = RevocationFromJson((*list)[i]);
    if (!r.ok()) return r.error().Wrap(file + ": revoked[" + std::to_string(i) + "]");
    out.push_back(std::move(*r));
  }
  return out;
}

std::string SerializeRevocations(std::vector<Revocation> all) {
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.serial < b.serial; });
  all.erase(std::unique(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.serial == b.serial; }),
            all.end());
  Json list = Json::array();
  for (const auto& r : all) list.push_back(RevocationJson(r));
  return Json{{"schema", 1}, {"revoked", list}}.dump(2) + "\n";
}

IssuedLog ParseIssuedLog(std::string_view text) {
  IssuedLog log;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    auto i = Issuance::FromJson(Json::parse(line, nullptr, false));
    if (i.ok()) {
      log.issued.push_back(std::move(*i));
    } else {
      ++log.skipped;
    }
  }
  return log;
}

Result<std::vector<Revocation>> SelectForRevocation(const std::vector<Issuance>& issued,
                                                    const std::set<std::string>& revoked, const RevokeSelector& s,
                                                    int64_t now) {
  if (s.serials.empty() && s.node.empty() && s.name.empty()) {
    return MakeError("name what to revoke: --serial HEX, --node NODE or --name NAME");
  }
  std::string reason = s.reason.empty() ? "revoked by the forest's owner" : s.reason;
  std::vector<Revocation> out;
  std::set<std::string> chosen;
  auto take = [&](const Issuance& i) {
    if (Live(i, revoked, now) && chosen.insert(i.serial_hex).second) out.push_back(RevocationOf(i, now, reason));
  };
  for (const std::string& raw : s.serials) {
    // As openssl prints it too: "serial=0A1B...", "0a:1b:...".
    std::string serial = naming::FoldName(raw);
    if (serial.starts_with("serial=")) serial.erase(0, 7);
    serial.erase(std::remove(serial.begin(), serial.end(), ':'), serial.end());
    if (!serial.empty()) serial.erase(0, std::min(serial.find_first_not_of('0'), serial.size() - 1));
    auto it = std::find_if(issued.begin(), issued.end(), [&](const Issuance& i) { return i.serial_hex == serial; });
    if (it == issued.end()) {
      return MakeError("serial " + naming::QuoteUntrusted(raw) + " was not issued by this forest's CA");
    }
    take(*it);
  }
  std::string node = naming::FoldName(s.node);
  std::string name = naming::FoldName(s.name);
  if (!node.empty() && node.find('.') == std::string::npos) {
    // A label stands for the one node that has it.
    std::set<std::string> callers;
    for (const Issuance& i : issued) {
      if (naming::SplitLabels(i.caller).front() == node) callers.insert(i.caller);
    }
    if (callers.size() > 1) {
      return MakeError("--node " + naming::QuoteUntrusted(s.node) + " is the label of " + *callers.begin() + " and " +
                       *std::next(callers.begin()) + "; name the node by its canonical name");
    }
    if (callers.size() == 1) node = *callers.begin();
  }
  for (const Issuance& i : issued) {
    bool node_match = !node.empty() && i.caller == node;
    bool name_match = !name.empty() && std::find(i.sans.begin(), i.sans.end(), name) != i.sans.end();
    if (node_match || name_match) take(i);
  }
  if (out.empty()) {
    return MakeError("nothing to revoke: no unexpired certificate that is not revoked yet matches");
  }
  return out;
}

std::vector<Revocation> Superseded(const registration::ForestView& view, const std::vector<Issuance>& issued,
                                   const std::set<std::string>& revoked, int64_t now) {
  std::vector<Revocation> out;
  std::set<std::string> seen;
  for (const Issuance& i : issued) {
    if (!Live(i, revoked, now) || !seen.insert(i.serial_hex).second) continue;
    for (const std::string& name : i.sans) {
      if (auto conflict = trust::NameConflict(view, i.caller, name)) {
        out.push_back(RevocationOf(i, now, "superseded: " + name + " " + *conflict));
        break;
      }
    }
  }
  return out;
}

trust::CrlSpec CrlSpecFor(const std::vector<Revocation>& all, int64_t now, uint64_t number) {
  trust::CrlSpec spec;
  spec.this_update = now;
  spec.next_update = now + kCrlValiditySeconds;
  spec.number = number;
  std::set<std::string> listed;
  for (const Revocation& r : all) {
    if (r.not_after > now && listed.insert(r.serial).second) spec.entries.push_back({r.serial, r.revoked_at});
  }
  return spec;
}

}  // namespace forest::helper
